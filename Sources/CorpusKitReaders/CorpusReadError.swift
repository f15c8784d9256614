/// One input line that could not be turned into a document.
///
/// Reported (not thrown) by ``CorpusDocumentReader``: the stream itself is fine, so the caller
/// decides whether to skip the line or stop.
public struct CorpusReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input file.
    public let path: String
    /// 1-based line number.
    public let lineNumber: Int
    /// Offset of the line's first byte in the decompressed stream.
    public let byteOffset: Int
    /// What is wrong with the line.
    public let reason: JSONLineError

    /// Creates an error.
    public init(path: String, lineNumber: Int, byteOffset: Int, reason: JSONLineError) {
        self.path = path
        self.lineNumber = lineNumber
        self.byteOffset = byteOffset
        self.reason = reason
    }

    /// For example `data.jsonl:12 (byte offset 3456): missing key "text"`.
    public var description: String {
        "\(path):\(lineNumber) (byte offset \(byteOffset)): \(reason)"
    }
}
