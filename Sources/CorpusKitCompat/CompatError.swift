import CorpusKitCheckpoint
import CorpusKitReaders
import CorpusKitSystem
import CorpusKitTokenizer

/// Bad input to a compat check: a file that cannot be read or parsed, or a question the inputs
/// cannot answer. (The command exits 2 on it; a report is never produced.)
public enum CompatError: Error, CustomStringConvertible, Sendable {
    /// A tokenizer file that cannot be read.
    case tokenizer(path: String, TokenizerError)
    /// A checkpoint directory that cannot be read.
    case checkpoint(CheckpointError)
    /// A shard that cannot be read (the shard reader's error, which names the file).
    case shard(any Error)
    /// A file that cannot be read (the system error names it).
    case unreadable(SystemError)
    /// A directory given as shards holds no `.idx` file.
    case noShards(directory: String)
    /// No Megatron tokenizer type can read the tokenizer (each type's refusal).
    case noTokenizerTypeFits(tokenizer: String, refusals: [String])
    /// No tokenizer type could be checked on a shard.
    case noTokenizerTypeChecked(shard: String)
    /// A corpus that cannot be read (the reader's error names the file).
    case corpusUnreadable(InputStreamError)
    /// A corpus line that is not a valid document.
    case corpusLine(path: String, CorpusReadError)
    /// A corpus document one of the tokenizers cannot encode.
    case encoding(path: String, line: Int, TokenizerError)
    /// A translation table was asked for, but the verdict is not `remapped`.
    case notRemapped
    /// An output that cannot be written.
    case cannotWrite(path: String, what: String, SystemError)

    /// The message, naming the file at fault.
    public var description: String {
        switch self {
        case .tokenizer(let path, let error): return "\(path): \(error)"
        case .checkpoint(let error): return "\(error)"
        case .shard(let error): return "\(error)"
        case .unreadable(let error): return "\(error)"
        case .noShards(let directory): return "\(directory): the directory holds no .idx files"
        case .noTokenizerTypeFits(let tokenizer, let refusals): return "\(tokenizer): no tokenizer type fits: \(refusals.joined(separator: "; "))"
        case .noTokenizerTypeChecked(let shard): return "\(shard): no tokenizer type could be checked"
        case .corpusUnreadable(let error): return "\(error)"
        case .corpusLine(let path, let error): return "\(path): \(error)"
        case .encoding(let path, let line, let error): return "\(path):\(line): \(error)"
        case .notRemapped: return "no translation table: the verdict is not remapped"
        case .cannotWrite(let path, let what, let error): return "\(path): cannot write the \(what): \(error.message)"
        }
    }
}
