/// Why two checkpoints (or a checkpoint and a corpus) could not be compared.
public enum ParityError: Error, CustomStringConvertible, Sendable {
    /// A checkpoint directory cannot be read: missing or malformed config, safetensors or index.
    case badCheckpoint(path: String, reason: String)
    /// The checkpoints do not fit each other, the tokenizer or the data (vocabularies, lengths).
    case incompatible(String)
    /// A corpus or id input cannot be read; `location` names the file and line or offset.
    case badInput(location: String, reason: String)
    /// An option value out of its range (the name is the library's, not a command-line flag).
    case invalidOption(String)
    /// Running a model failed.
    case model(String)

    /// The message (a path-prefixed reason for an unreadable checkpoint).
    public var description: String {
        switch self {
        case .badCheckpoint(let path, let reason): return reason.hasPrefix(path) || reason.hasPrefix("cannot read \(path)") ? reason : "\(path): \(reason)"
        case .incompatible(let reason): return reason
        case .badInput(let location, let reason): return reason.hasPrefix(location) ? reason : "\(location): \(reason)"
        case .invalidOption(let reason): return reason
        case .model(let reason): return reason
        }
    }
}
