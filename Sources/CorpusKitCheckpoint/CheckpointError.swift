/// Errors raised while reading a Hugging Face checkpoint's files (headers and configs only).
public enum CheckpointError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// A safetensors file breaks the format; `offset` is the byte offset in the file where it was noticed.
    case malformedSafetensors(path: String, offset: Int, reason: String)
    /// A JSON file (config.json, model.safetensors.index.json, …) is not what it must be.
    case malformedJSON(path: String, reason: String)
    /// The directory holds no weights in a supported layout.
    case noWeights(directory: String)

    /// The message, naming the file (and offset) at fault.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .malformedSafetensors(let path, let offset, let reason): return "\(path): byte offset \(offset): \(reason)"
        case .malformedJSON(let path, let reason): return "\(path): \(reason)"
        case .noWeights(let directory):
            return "\(directory): no model.safetensors and no model.safetensors.index.json (only safetensors checkpoints are read)"
        }
    }
}
