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
    @inline(__always)
    static func hexValue(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt16? {
        var value: UInt16 = 0
        for k in 0..<4 {
            let byte = p[i &+ k]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte &- 0x30
            case 0x41...0x46: digit = byte &- 0x41 &+ 10
            case 0x61...0x66: digit = byte &- 0x61 &+ 10
            default: return nil
            }
            value = value &<< 4 | UInt16(digit)
        }
        return value
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
            guard let backslash = memchr(p + i, 0x5C, end - i) else {
                memcpy(output + o, p + i, end - i)
                o += end - i
                break
            }
            let escape = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(backslash))
            if escape > i {
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
                let unit = hexValue(p, i)!
                i += 4
                var scalar = UInt32(unit)
                if unit & 0xF800 == 0xD800 {
                    // A surrogate: only a high one followed by an escaped low one is valid.
                    guard unit < 0xDC00, i + 6 <= end, p[i] == 0x5C, p[i + 1] == 0x75,
                          let low = hexValue(p, i + 2), low & 0xFC00 == 0xDC00
                    else {
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
