#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decoding of already-validated JSON string contents (escapes → UTF-8).
enum JSONStringDecoding {
    /// The result of decoding one string.
    enum Outcome {
        /// The string decoded to this many bytes.
        case success(Int)
        /// The string contains an unpaired surrogate escape; `offset` is its backslash's index.
        case failure(LoneSurrogate)
    }

    struct LoneSurrogate {
        let codeUnit: UInt16
        let offset: Int
    }

    /// The value of the four hex digits at `p[i..<i+4]` (either case), or `nil`.
    ///
    /// All four bytes at once in one 32-bit word, without branches (a per-digit `switch` was ~35
    /// instructions per `\u` escape, and JSON written with Python's default `ensure_ascii` has one
    /// per non-ASCII character): a byte is a digit when it lies in `0`…`9`, a letter when it
    /// lies, with the case bit set, in `a`…`f` (range tests on 7-bit bytes add no carry across
    /// bytes); its value is its low nibble, plus 9 for a letter.
    @inline(__always)
    static func hexValue(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt16? {
        let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)
        guard word & 0x8080_8080 == 0 else { return nil }
        let digit = (word &+ 0x5050_5050) & ~(word &+ 0x4646_4646)
        let lower = word | 0x2020_2020
        let letter = (lower &+ 0x1F1F_1F1F) & ~(lower &+ 0x1919_1919)
        guard (digit | letter) & 0x8080_8080 == 0x8080_8080 else { return nil }
        // Digit values, the first (most significant) in the lowest byte.
        return combine((word & 0x0F0F_0F0F) &+ ((letter & 0x8080_8080) &>> 7) &* 9)
    }

    /// The value of four bytes already checked to be hex digits (``hexValue(_:_:)`` at
    /// validation): a digit's value is its low nibble, plus 9 for a letter (`A`–`F` and `a`–`f`
    /// have bit 6 set, `0`–`9` do not).
    @inline(__always)
    static func validatedHexValue(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt16 {
        let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)
        return combine((word & 0x0F0F_0F0F) &+ ((word &>> 6) & 0x0101_0101) &* 9)
    }

    /// Four digit values, one per byte with the most significant in the lowest byte, as one number.
    @inline(__always)
    private static func combine(_ nibbles: UInt32) -> UInt16 {
        let pairs = (nibbles & 0x000F_000F) &<< 4 | (nibbles &>> 8) & 0x000F_000F
        return UInt16(truncatingIfNeeded: (pairs & 0xFF) &<< 8 | (pairs &>> 16) & 0xFF)
    }

    /// Decodes the validated string contents `p[start..<end]` into `output`, which must have room
    /// for `end - start` bytes (decoding never lengthens a string).
    ///
    /// A high surrogate escape directly followed by a low surrogate escape is combined into one
    /// code point, as Python does; any other surrogate escape is reported.
    static func decode(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into output: UnsafeMutablePointer<UInt8>) -> Outcome {
        var i = start
        var o = 0
        while i < end {
            let escape: Int
            if p[i] == 0x5C {
                // An escape right after the last one (every non-ASCII character of JSON written
                // with Python's default `ensure_ascii`): no search, no copy.
                escape = i
            } else {
                guard let backslash = memchr(p + i, 0x5C, end - i) else {
                    memcpy(output + o, p + i, end - i)
                    o += end - i
                    break
                }
                escape = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(backslash))
                memcpy(output + o, p + i, escape - i)
                o += escape - i
            }
            let kind = p[escape + 1]
            i = escape + 2
            switch kind {
            case 0x62: output[o] = 0x08  // b
            case 0x66: output[o] = 0x0C  // f
            case 0x6E: output[o] = 0x0A  // n
            case 0x72: output[o] = 0x0D  // r
            case 0x74: output[o] = 0x09  // t
            case 0x75:  // u
                let unit = validatedHexValue(p, i)
                i += 4
                var scalar = UInt32(unit)
                if unit & 0xF800 == 0xD800 {
                    // A surrogate: only a high one followed by an escaped low one is valid (every
                    // escape of the string was validated, so a `\u` has four hex digits).
                    let pairs = unit < 0xDC00 && i + 6 <= end && p[i] == 0x5C && p[i + 1] == 0x75
                    let low = pairs ? validatedHexValue(p, i + 2) : 0
                    guard low & 0xFC00 == 0xDC00 else {
                        return .failure(LoneSurrogate(codeUnit: unit, offset: escape))
                    }
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    i += 6
                }
                o += encodeUTF8(scalar, into: output + o)
                continue
            default: output[o] = kind  // " \ /
            }
            o += 1
        }
        return .success(o)
    }

    /// Decodes `p[start..<end]` into `array` (replacing its contents).
    /// - Returns: false if the string contains a lone surrogate.
    static func decodeToArray(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into array: inout [UInt8]) -> Bool {
        var ok = true
        array = [UInt8](unsafeUninitializedCapacity: max(end - start, 1)) { buffer, count in
            switch decode(p, start, end, into: buffer.baseAddress!) {
            case let .success(written): count = written
            case .failure: count = 0; ok = false
            }
        }
        return ok
    }

    /// Writes the UTF-8 encoding of `scalar` (not a surrogate, ≤ U+10FFFF) and returns its length.
    @inline(__always)
    static func encodeUTF8(_ scalar: UInt32, into output: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            output[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            output[0] = UInt8(0xC0 | scalar >> 6)
            output[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            output[0] = UInt8(0xE0 | scalar >> 12)
            output[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            output[0] = UInt8(0xF0 | scalar >> 18)
            output[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            output[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
