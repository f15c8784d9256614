import CorpusKitReaders
import CorpusKitShards
import CorpusKitTokenizer

/// The settings of a tokenize run that ``PipelineError/setting(_:reason:)`` can be about.
public enum TokenizeSetting: String, Sendable {
    case inputs = "inputs"
    case outputPrefix = "output prefix"
    case jsonKeys = "JSON keys"
    case workers = "workers"
    case batchBytes = "batch size"
    case tokenInfoCSV = "token-info CSV"
}

/// Why `corpuskit tokenize` (``TokenizePipeline``) stopped without publishing outputs.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// A setting of ``TokenizeConfiguration`` cannot be honoured, and why (the command line names
    /// the setting's flag: the library does not know it).
    case setting(TokenizeSetting, reason: String)
    /// The inputs could not be expanded into files.
    case inputs(InputExpansionError)
    /// The tokenizer could not be loaded or is unusable for the tokenizer type.
    case tokenizer(path: String, reason: String)
    /// A bad line or unreadable input under the `fail` error policy.
    case badInput(LineProblem)
    /// A truncated or corrupt compressed input, or one that cannot be read (an error of that file
    /// whatever the bad-line policy, unless damaged inputs are explicitly kept).
    case damagedInput(LineProblem)
    /// Resuming found complete outputs made differently (another tokenizer, option or input);
    /// `differences` are sentences naming each difference. Nothing was changed.
    case resumeMismatch(prefix: String, differences: [String])
    /// Writing an output failed.
    case output(String)
    /// The run was cancelled (by `signal`, when one was given).
    case interrupted(signal: Int32?)

    public var description: String {
        switch self {
        case let .setting(setting, reason):
            return "\(setting.rawValue): \(reason)"
        case let .inputs(error):
            return error.description
        case let .tokenizer(path, reason):
            return "tokenizer \(path): \(reason)"
        case let .badInput(problem):
            return problem.description
        case let .damagedInput(problem):
            return "damaged input: \(problem)"
        case let .resumeMismatch(prefix, differences):
            return "\(prefix) exists but was made differently from this run:\n"
                + differences.map { "  \($0)" }.joined(separator: "\n")
        case let .output(message):
            return message
        case let .interrupted(signal):
            if let signal { return "interrupted by signal \(signal); no outputs were written" }
            return "cancelled; no outputs were written"
        }
    }
}
