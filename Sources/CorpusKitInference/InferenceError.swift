import CorpusKitCheckpoint
import CorpusKitReaders
import CorpusKitSystem
import CorpusKitTokenizer

/// Why a checkpoint cannot be run: bad files, an unsupported config, bad input ids or settings.
/// Messages name files and config fields, never command-line flags (the command adds those).
public enum InferenceError: Error, CustomStringConvertible, Sendable {
    /// A checkpoint directory that cannot be read (the error names the file).
    case checkpoint(CheckpointError)
    /// A checkpoint file that is malformed or inconsistent: `path: reason`.
    case malformed(path: String, reason: String)
    /// A config.json field whose value this implementation does not compute.
    case unsupported(path: String, field: String, value: String, reason: String)
    /// A config.json field that is missing or not a positive integer.
    case missingField(path: String, field: String)
    /// A weight file that cannot be memory-mapped.
    case unmappable(path: String, SystemError)
    /// A tensor that is missing, or of a dtype or shape the model cannot use: `directory: tensor NAME problem`.
    case tensor(directory: String, name: String, problem: String)
    /// OpenBLAS could not be loaded; what each attempt said.
    case openBLASUnavailable(attempts: [String])
    /// No input ids.
    case noInput
    /// An empty prompt given to greedy decoding.
    case emptyPrompt
    /// An input id beyond the embedding.
    case tokenOutOfRange(id: Int, rows: Int)
    /// More positions than the model's learned position table (GPT-2 `n_positions`).
    case tooManyPositions(Int, limit: Int)
    /// An id file that cannot be read as ``IDLines``.
    case idFile(IDLinesError)
    /// An id line a model cannot take (empty, or a negative id).
    case idLine(path: String, line: Int, reason: String)
    /// A tokenizer that cannot be loaded.
    case tokenizer(path: String, TokenizerError)
    /// A text the tokenizer cannot encode (`what`: which text).
    case encoding(what: String, TokenizerError)
    /// A corpus that cannot be read: `path: reason`.
    case corpus(path: String, reason: String)
    /// A corpus line that is not a document: `path:line: reason`.
    case corpusLine(path: String, line: Int, reason: String)
    /// A perplexity context below 2 tokens.
    case contextTooShort(Int)
    /// A perplexity stride outside `1...context`.
    case strideOutOfRange(stride: Int, context: Int)
    /// A perplexity context longer than the model's `n_positions`.
    case contextBeyondPositions(context: Int, limit: Int)
    /// A bos id was asked for, but neither the checkpoint nor the tokenizer declares one.
    case noBOS
    /// The corpus checks of a model check were asked for without a tokenizer.
    case corpusNeedsTokenizer
    /// The tokenizer checks of a model check failed on their input (their error).
    case checks(any Error)
    /// A long-context window below 2 tokens.
    case longContextTooShort(Int)
    /// Position bucket edges that do not increase.
    case bucketEdgesNotIncreasing([Int])
    /// lm-eval's rolling windows need a prefix token, and neither bos nor eos is declared.
    case noPrefixToken

    /// The message, naming the file or value at fault.
    public var description: String {
        switch self {
        case .checkpoint(let error): return "\(error)"
        case .malformed(let path, let reason): return "\(path): \(reason)"
        case .unsupported(let path, let field, let value, let reason): return "\(path): \(field) = \(value) is not supported (\(reason))"
        case .missingField(let path, let field): return "\(path): \(field) is missing or not a positive integer"
        case .unmappable(let path, let error): return "cannot map \(path): \(error.message)"
        case .tensor(let directory, let name, let problem): return "\(directory): tensor \(name) \(problem)"
        case .openBLASUnavailable(let attempts):
            return "OpenBLAS could not be loaded (install Debian's libopenblas0 or libopenblas-dev): " + attempts.joined(separator: "; ")
        case .noInput: return "no input ids"
        case .emptyPrompt: return "an empty prompt: greedy decoding needs at least one id"
        case .tokenOutOfRange(let id, let rows): return "token id \(id) is outside the embedding's \(rows) rows"
        case .tooManyPositions(let count, let limit): return "\(count) positions exceed n_positions \(limit)"
        case .idFile(let error): return "\(error)"
        case .idLine(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .tokenizer(let path, let error): return "\(path): \(error)"
        case .encoding(let what, let error): return "cannot encode \(what): \(error)"
        case .corpus(let path, let reason): return reason.hasPrefix(path) ? reason : "\(path): \(reason)"
        case .corpusLine(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .contextTooShort: return "the context must be at least 2 tokens"
        case .strideOutOfRange(_, let context): return "the stride must be in 1...context (\(context))"
        case .contextBeyondPositions(let context, let limit): return "a context of \(context) exceeds the model's n_positions \(limit)"
        case .noBOS: return "a bos id is to be added, but neither the checkpoint nor the tokenizer declares one"
        case .corpusNeedsTokenizer: return "the corpus checks need a tokenizer"
        case .checks(let error): return "\(error)"
        case .longContextTooShort(let length): return "the long-context length must be at least 2 tokens (got \(length))"
        case .bucketEdgesNotIncreasing(let edges): return "bucket edges must increase (got \(edges.map(String.init).joined(separator: ", ")))"
        case .noPrefixToken: return "lm-eval's rolling windows need a prefix token: neither the checkpoint nor the tokenizer declares bos or eos"
        }
    }
}
