/// Small JSON writers and readers for the CLI's line formats; byte-level for speed.
enum JSONText {
    /// Appends a JSON string literal of UTF-8 `text` (non-ASCII kept as is, like
    /// `json.dumps(ensure_ascii=False)`).
    static func appendString<C: Collection>(_ text: C, to output: OutputBuffer) where C.Element == UInt8 {
        output.append(0x22)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        for byte in text {
            switch byte {
            case 0x22: output.append([0x5C, 0x22])
            case 0x5C: output.append([0x5C, 0x5C])
            case 0x0A: output.append([0x5C, 0x6E])
            case 0x0D: output.append([0x5C, 0x72])
            case 0x09: output.append([0x5C, 0x74])
            case 0x08: output.append([0x5C, 0x62])
            case 0x0C: output.append([0x5C, 0x66])
            case 0..<0x20, 0x7F:
                output.append([0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(0x22)
    }

    /// Parses a JSON array of integers such as `[1, 2,3]`; nil when the line is anything else.
    /// Values are read as 64-bit so that callers can tell "not an id array" apart from "an id
    /// out of range" (HF tokenizers takes u32 ids up to 2^32 − 1); a value beyond ±10^18 is refused.
    static func parseIDArray(_ line: UnsafeRawBufferPointer) -> [Int64]? {
        var ids: [Int64] = []
        var i = 0
        let n = line.count
        func skipSpace() { while i < n, [0x20, 0x09, 0x0D, 0x0A].contains(line[i]) { i += 1 } }
        skipSpace()
        guard i < n, line[i] == 0x5B else { return nil }
        i += 1
        skipSpace()
        if i < n, line[i] == 0x5D {
            i += 1
            skipSpace()
            return i == n ? ids : nil
        }
        while true {
            skipSpace()
            var negative = false
            if i < n, line[i] == 0x2D { negative = true; i += 1 }
            var value: Int64 = 0
            var digits = 0
            while i < n, line[i] >= 0x30, line[i] <= 0x39 {
                guard digits < 18 else { return nil }
                value = value * 10 + Int64(line[i] - 0x30)
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            ids.append(negative ? -value : value)
            skipSpace()
            guard i < n else { return nil }
            if line[i] == 0x2C { i += 1; continue }
            if line[i] == 0x5D { i += 1; break }
            return nil
        }
        skipSpace()
        return i == n ? ids : nil
    }
}
