/// A tokenizer that cannot be used as a Megatron tokenizer type: unreadable, of the wrong file
/// format for the type, or lacking a token the type needs (BOS for Llama2, an EOD with
/// `--append-eod`).
public struct MegatronTokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The tokenizer file.
    public var path: String
    /// What is wrong, in words that name no command-line flag.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "tokenizer \(path): \(reason)" }
}
