/// Errors raised while loading or running a tokenizer.
public enum TokenizerError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not a valid sentencepiece model or tokenizer.json.
    case malformedModel(String)
    /// The file uses a feature CorpusKit does not implement; the message names it.
    case unsupported(String)
    /// The input text is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// An id is outside the vocabulary.
    case idOutOfRange(id: Int, vocabularySize: Int)
    /// The tokenizer has no such special token (e.g. bos requested but undefined).
    case missingSpecialToken(String)
    /// A written id HF tokenizers cannot take at all (negative, or 2^32 and above: its ids are `u32`).
    case notATokenID(Int64)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .malformedModel(let reason): return "malformed tokenizer file: \(reason)"
        case .unsupported(let feature): return "unsupported tokenizer feature: \(feature)"
        case .invalidUTF8(let offset): return "input is not valid UTF-8 (byte offset \(offset))"
        case .idOutOfRange(let id, let size): return "id \(id) is outside the vocabulary (size \(size))"
        case .missingSpecialToken(let what): return "the tokenizer defines no \(what) token"
        case .notATokenID(let value): return "id \(value) is not a u32 token id (tokenizers raises OverflowError)"
        }
    }
}
