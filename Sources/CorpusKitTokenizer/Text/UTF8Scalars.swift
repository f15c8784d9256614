/// UTF-8 helpers shared by normalizers, segmenters and decoders; all work on raw bytes.
enum UTF8Scalars {
    /// sentencepiece's `OneCharLen`: the sequence length announced by a lead byte (1 for ASCII
    /// and for stray continuation bytes).
    @inline(__always)
    static func sequenceLength(lead byte: UInt8) -> Int {
        switch byte >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }

    /// Length of the valid UTF-8 character at `bytes[start]`, or nil when it is malformed
    /// (overlong, surrogate, above U+10FFFF, truncated or a stray continuation byte).
    static func validCharacterLength(_ bytes: UnsafePointer<UInt8>, at start: Int, end: Int) -> Int? {
        let b0 = bytes[start]
        if b0 < 0x80 { return 1 }
        let available = end - start
        @inline(__always) func cont(_ i: Int) -> Bool { bytes[start + i] & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2...0xDF:
            return available >= 2 && cont(1) ? 2 : nil
        case 0xE0...0xEF:
            guard available >= 3, cont(1), cont(2) else { return nil }
            let b1 = bytes[start + 1]
            if b0 == 0xE0 && b1 < 0xA0 { return nil }      // overlong
            if b0 == 0xED && b1 >= 0xA0 { return nil }     // surrogates
            return 3
        case 0xF0...0xF4:
            guard available >= 4, cont(1), cont(2), cont(3) else { return nil }
            let b1 = bytes[start + 1]
            if b0 == 0xF0 && b1 < 0x90 { return nil }      // overlong
            if b0 == 0xF4 && b1 >= 0x90 { return nil }     // above U+10FFFF
            return 4
        default:
            return nil
        }
    }

    /// Decodes the scalar at `bytes[start]` of valid UTF-8, returning it and its length.
    @inline(__always)
    static func decode(_ bytes: UnsafePointer<UInt8>, at start: Int) -> (scalar: UInt32, length: Int) {
        let b0 = UInt32(bytes[start])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(bytes[start + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(bytes[start + 1] & 0x3F) << 6 | UInt32(bytes[start + 2] & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(bytes[start + 1] & 0x3F) << 12
                | UInt32(bytes[start + 2] & 0x3F) << 6 | UInt32(bytes[start + 3] & 0x3F), 4)
    }

    /// Appends the UTF-8 encoding of `scalar`.
    @inline(__always)
    static func append(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | (scalar >> 12) & 0x3F))
            output.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// The offset of the first invalid byte, or nil when all of `bytes` is valid UTF-8.
    static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var i = 0
        let end = bytes.count
        while i < end {
            // Skip ASCII eight bytes at a time.
            while i + 8 <= end {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            if i >= end { break }
            if base[i] < 0x80 { i += 1; continue }
            guard let length = validCharacterLength(base, at: i, end: end) else { return i }
            i += length
        }
        return nil
    }

    /// U+2581 LOWER ONE EIGHTH BLOCK, sentencepiece's whitespace symbol.
    static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]
    /// U+FFFD REPLACEMENT CHARACTER.
    static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]
}
