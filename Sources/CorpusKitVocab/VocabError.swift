import CorpusKitCheckpoint
import CorpusKitReaders
import CorpusKitSystem
import CorpusKitTokenizer

/// Errors of vocabulary extension and embedding resizing; each message names the file at fault.
public enum VocabError: Error, CustomStringConvertible, Sendable {
    case tokenizer(TokenizerError)
    /// A sentencepiece `.model` that could not be read or decoded.
    case model(path: String, TokenizerError)
    case system(SystemError)
    case checkpoint(CheckpointError)
    case input(InputStreamError)
    /// A corpus line that is not a JSON document with the requested keys.
    case corpus(CorpusReadError)
    /// A line of a piece list that is not `piece` or `piece<TAB>score`.
    case badPieceLine(path: String, line: Int, reason: String)
    /// The base model type cannot be extended (only BPE and Unigram can).
    case unsupportedBase(path: String, modelType: String)
    /// Nothing to add: every normal piece of the addition is already in the base.
    case nothingToAdd(path: String)
    /// The extended tokenizer does not start with the base's pieces at their ids.
    case notAnExtension(base: String, extended: String, reason: String)
    /// The checkpoint does not fit the base tokenizer or has no embedding tensor.
    case checkpointMismatch(path: String, reason: String)
    /// An error of another kind (none is expected; kept so that nothing crashes).
    case unexpected(String)

    /// Runs `body`, mapping the errors of the libraries it calls into ``VocabError``.
    static func mapping<T>(_ body: () throws -> T) throws(VocabError) -> T {
        do {
            return try body()
        } catch let error as VocabError {
            throw error
        } catch let error as TokenizerError {
            throw .tokenizer(error)
        } catch let error as InputStreamError {
            throw .input(error)
        } catch let error as CheckpointError {
            throw .checkpoint(error)
        } catch let error as SystemError {
            throw .system(error)
        } catch {
            throw .unexpected("\(error)")
        }
    }

    public var description: String {
        switch self {
        case .tokenizer(let error): return error.description
        case .model(let path, let error):
            if case .unreadable = error { return error.description }
            return path.hasSuffix(".json")
                ? "\(path): a tokenizer.json cannot be extended or resized for; give the sentencepiece .model"
                : "\(path): \(error) (is this a sentencepiece .model file?)"
        case .system(let error): return error.description
        case .checkpoint(let error): return error.description
        case .input(let error): return error.description
        case .corpus(let error): return error.description
        case .badPieceLine(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .unsupportedBase(let path, let type):
            return "\(path): a \(type) model cannot be extended (only BPE and Unigram sentencepiece models)"
        case .nothingToAdd(let path): return "\(path): every normal piece is already in the base vocabulary; nothing to add"
        case .notAnExtension(let base, let extended, let reason): return "\(extended) does not extend \(base): \(reason)"
        case .checkpointMismatch(let path, let reason): return "\(path): \(reason)"
        case .unexpected(let message): return message
        }
    }
}
