import CorpusKitReaders
import CorpusKitShards
import CorpusKitTokenizer

/// Why `corpuskit tokenize` (``TokenizePipeline``) stopped without publishing outputs.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// The options cannot be honoured; the message says which and why.
    case configuration(String)
    /// The inputs could not be expanded into files.
    case inputs(InputExpansionError)
    /// The tokenizer could not be loaded or is unusable for the tokenizer type.
    case tokenizer(path: String, reason: String)
    /// A bad line or unreadable input with `--on-error fail`.
    case badInput(LineProblem)
    /// Writing an output failed.
    case output(String)
    /// The run was cancelled (by `signal`, when one was given).
    case interrupted(signal: Int32?)

    public var description: String {
        switch self {
        case let .configuration(message):
            return message
        case let .inputs(error):
            return error.description
        case let .tokenizer(path, reason):
            return "tokenizer \(path): \(reason)"
        case let .badInput(problem):
            return problem.description
        case let .output(message):
            return message
        case let .interrupted(signal):
            if let signal { return "interrupted by signal \(signal); no outputs were written" }
            return "cancelled; no outputs were written"
        }
    }
}
