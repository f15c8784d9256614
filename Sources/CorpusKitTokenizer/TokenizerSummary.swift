/// What `corpuskit info` shows about a tokenizer.
public struct TokenizerSummary: Sendable {
    public var format: Tokenizer.Format
    public var modelType: String
    public var vocabularySize: Int
    public var byteFallback: Bool
    public var normalizer: String
    public var preTokenizer: String
    public var decoder: String
    public var postProcessor: String
    /// Special tokens with their ids (sentencepiece: unknown, control and user-defined pieces).
    public var specialTokens: [(name: String, id: Int32)]
}
