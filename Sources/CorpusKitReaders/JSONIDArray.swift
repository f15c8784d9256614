/// A JSON array of integer ids on one line (`[1, 2, 3]`), as `corpuskit decode` reads them.
///
/// Hand-written rather than `JSONSerialization`: a line of ids is parsed without building an
/// `[Any]` per line, and the values keep 64 bits so each reference's range rules can be applied
/// afterwards (`Tokenizer.tokenIDs(_:)` in CorpusKitTokenizer).
public enum JSONIDArray {
    /// Parses a JSON array of integers such as `[1, 2,3]`; nil when the line is anything else.
    /// Values are read as 64-bit so that callers can tell "not an id array" apart from "an id
    /// out of range" (HF tokenizers takes u32 ids up to 2^32 − 1); a value beyond ±10^18 is refused.
    public static func parse(_ line: UnsafeRawBufferPointer) -> [Int64]? {
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
