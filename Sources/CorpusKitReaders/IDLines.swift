/// Token ids, one sequence per line: the format `corpuskit encode` writes and `corpuskit decode`
/// and `corpuskit model` read.
///
/// - Reading: each line is one JSON array of integers (`[1, 2, 3]`, `[1,2,3]`; spaces, tabs and a
///   CR allowed around the numbers and brackets). Every line is a sequence, so outputs line up with
///   inputs line for line: a blank line is not skipped but refused, like any other line that is not
///   an array (write `[]` for an empty sequence). The end of the file after a final newline is no
///   line.
/// - Writing: `[1, 2, 3]`, a comma and a space between the numbers, as Python's `json.dumps`
///   writes a list (``json(_:)``).
///
/// Hand-written rather than `JSONSerialization`: a line of ids is parsed without building an
/// `[Any]` per line, and the values keep 64 bits so each reference's range rules can be applied
/// afterwards (`Tokenizer.tokenIDs(_:)` in CorpusKitTokenizer).
public enum IDLines {
    /// One line read by ``read(path:)``.
    public struct Line: Sendable, Equatable {
        /// 1-based line number.
        public var number: Int
        public var ids: [Int64]
    }

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

    /// The lines of an id file (compressed or not, as ``LineReader`` reads it), each parsed by
    /// ``parse(_:)``; the first line that is not an array of ids is an error naming it.
    public static func read(path: String) throws(IDLinesError) -> [Line] {
        let reader: LineReader
        do { reader = try LineReader(path: path) } catch { throw .unreadable(error) }
        var lines: [Line] = []
        while true {
            let next: LineReader.Line?
            do { next = try reader.next() } catch { throw .unreadable(error) }
            guard let line = next else { return lines }
            guard let ids = parse(line.bytes) else { throw .notAnIDArray(path: path, line: line.number) }
            lines.append(Line(number: line.number, ids: ids))
        }
    }

    /// `[a, b, …]`.
    public static func json<T: BinaryInteger>(_ ids: some Sequence<T>) -> String {
        "[" + ids.map { String($0) }.joined(separator: ", ") + "]"
    }

    /// `[a, b, …]` with each float32 in its shortest round-trip decimal form (NaN and infinities as
    /// Python's `json` writes them), for rows of numbers such as logits.
    public static func json(_ values: [Float]) -> String {
        var out = "["
        out.reserveCapacity(values.count * 12)
        for (i, v) in values.enumerated() {
            if i > 0 { out += ", " }
            if v.isNaN { out += "NaN" } else if v.isInfinite { out += v < 0 ? "-Infinity" : "Infinity" } else { out += v.description }
        }
        return out + "]"
    }
}

/// The former name of ``IDLines`` (its `parse(_:)`).
@available(*, deprecated, renamed: "IDLines")
public typealias JSONIDArray = IDLines

/// An id file that cannot be read as ``IDLines``.
public enum IDLinesError: Error, Sendable, CustomStringConvertible {
    /// The file could not be opened or decompressed.
    case unreadable(InputStreamError)
    /// A line (1-based) is not a JSON array of integers.
    case notAnIDArray(path: String, line: Int)

    public var description: String {
        switch self {
        case .unreadable(let error): return "\(error)"
        case .notAnIDArray(let path, let line): return "\(path):\(line): not a JSON array of token ids"
        }
    }
}
