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

    /// Appends one `{"text": …}` line (decode's and shard decode's output).
    static func appendTextLine<C: Collection>(_ text: C, to output: OutputBuffer) throws where C.Element == UInt8 {
        output.append("{\"text\": ")
        appendString(text, to: output)
        output.append(0x7D)
        try output.endLine()
    }
}
