/// Strict UTF-8 validation, as Python's `utf-8` codec does it: overlong forms, encoded surrogates
/// (U+D800…U+DFFF) and code points above U+10FFFF are invalid.
public enum UTF8Validation {
    /// The 0-based offset of the first invalid or truncated sequence in `bytes`, or `nil` if all
    /// of `bytes` is valid UTF-8.
    public static func firstInvalidByte(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let count = bytes.count
        var i = 0
        while i < count {
            // Skip ASCII eight bytes at a time.
            while i &+ 8 <= count {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if word & SWAR.highBits != 0 { break }
                i &+= 8
            }
            guard i < count else { return nil }
            if p[i] < 0x80 {
                i &+= 1
                continue
            }
            i = endOfMultiByteRun(p, at: i, count: count)
            if i < count && p[i] >= 0x80 { return i }
        }
        return nil
    }

    /// The end of the run of valid multi-byte sequences starting at `p[i]` (which must be
    /// ≥ 0x80): the index of the first ASCII byte after it, `count`, or the start of an invalid or
    /// truncated sequence (a byte ≥ 0x80 there).
    ///
    /// Japanese text is mostly runs of three-byte characters (kana, kanji, CJK punctuation), so
    /// these are checked four at a time with two 64-bit loads, then two at a time; everything
    /// else, and any pair the quick test does not accept, goes through
    /// ``multiByteSequenceLength(_:at:count:)``.
    @inline(__always)
    static func endOfMultiByteRun(_ p: UnsafePointer<UInt8>, at start: Int, count: Int) -> Int {
        var i = start
        repeat {
            while i &+ 14 <= count
                && isTwoUnrestrictedThreeByteCharacters(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                && isTwoUnrestrictedThreeByteCharacters(UnsafeRawPointer(p + (i &+ 6)).loadUnaligned(as: UInt64.self)) {
                i &+= 12
            }
            if i &+ 8 <= count
                && isTwoUnrestrictedThreeByteCharacters(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) {
                i &+= 6
                continue
            }
            let length = multiByteSequenceLength(p, at: i, count: count)
            if length == 0 { return i }
            i &+= length
        } while i < count && p[i] >= 0x80
        return i
    }

    /// Whether bytes 0…5 of `word` are two three-byte sequences (1110xxxx 10xxxxxx 10xxxxxx)
    /// whose leads are neither E0 (whose second byte must be ≥ A0) nor ED (< A0): then both are
    /// valid, whatever their other bits.
    @inline(__always)
    private static func isTwoUnrestrictedThreeByteCharacters(_ word: UInt64) -> Bool {
        guard word & 0x0000_C0C0_F0C0_C0F0 == 0x0000_8080_E080_80E0 else { return false }
        // The leads' low nibbles (bytes 0 and 3): adding 0x7F sets a byte's high bit unless the
        // nibble is 0; likewise after XOR 0x0D unless it is D.
        let nibbles = word & 0x0F00_000F
        let notZero = nibbles &+ 0x7F00_007F
        let notD = (nibbles ^ 0x0D00_000D) &+ 0x7F00_007F
        return notZero & notD & 0x8000_0080 == 0x8000_0080
    }

    /// The length (2…4) of the valid multi-byte sequence starting at `p[i]` (which must be
    /// ≥ 0x80), or 0 if it is invalid or runs past `count`.
    @inline(__always)
    static func multiByteSequenceLength(_ p: UnsafePointer<UInt8>, at i: Int, count: Int) -> Int {
        let lead = p[i]
        if lead < 0xC2 { return 0 }  // continuation byte, or overlong 2-byte form
        if lead < 0xE0 {
            guard i &+ 1 < count, p[i &+ 1] & 0xC0 == 0x80 else { return 0 }
            return 2
        }
        if lead < 0xF0 {
            guard i &+ 2 < count else { return 0 }
            let second = p[i &+ 1]
            guard second & 0xC0 == 0x80, p[i &+ 2] & 0xC0 == 0x80 else { return 0 }
            if lead == 0xE0 && second < 0xA0 { return 0 }  // overlong
            if lead == 0xED && second >= 0xA0 { return 0 }  // surrogate
            return 3
        }
        if lead < 0xF5 {
            guard i &+ 3 < count else { return 0 }
            let second = p[i &+ 1]
            guard second & 0xC0 == 0x80, p[i &+ 2] & 0xC0 == 0x80, p[i &+ 3] & 0xC0 == 0x80 else { return 0 }
            if lead == 0xF0 && second < 0x90 { return 0 }  // overlong
            if lead == 0xF4 && second >= 0x90 { return 0 }  // above U+10FFFF
            return 4
        }
        return 0
    }
}

/// Constants for SIMD-within-a-register byte tests on 64-bit words (little-endian).
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// A mask whose lowest set bit is the high bit of the first byte of `word` that needs
    /// attention inside a JSON string: `"`, `\`, a control character (< 0x20) or a non-ASCII byte.
    /// Bits above the first flagged byte may be spurious; the lowest one is exact.
    @inline(__always)
    static func stringSpecialMask(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quoteZero = (quote &- ones) & ~quote
        let backslashZero = (backslash &- ones) & ~backslash
        let belowSpace = (word &- ones &* 0x20) & ~word
        return (quoteZero | backslashZero | belowSpace | word) & highBits
    }
}
