/// What a finished writer or merge produced.
public struct ShardSummary: Sendable, Equatable, CustomStringConvertible {
    /// The dataset prefix (`{prefix}.bin` / `{prefix}.idx`).
    public let prefix: String
    /// Element type of the `.bin` file.
    public let dtype: TokenDType
    /// Documents (document index entries − 1).
    public let documents: Int
    /// Sequences (entries of the sizes section).
    public let sequences: Int
    /// Tokens in the `.bin` file.
    public let tokens: Int
    /// Size of the `.idx` file in bytes.
    public let indexBytes: Int
    /// Size of the `.bin` file in bytes.
    public let dataBytes: Int

    public var description: String {
        "\(prefix): \(documents) documents, \(sequences) sequences, \(tokens) tokens (\(dtype)); "
            + ".idx \(indexBytes) bytes, .bin \(dataBytes) bytes"
    }
}
