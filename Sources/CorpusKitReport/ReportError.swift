/// Why a count, a mixture or a report could not be made. Every case names the file and, where
/// there is one, the line.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A shard argument that names no dataset, or a dataset that fails validation.
    case shard(String)
    /// A counts file that cannot be read or parsed: `path:line: reason` (line 0: the whole file).
    case counts(path: String, line: Int, reason: String)
    /// A mixture spec that cannot be used: `path:line: reason` (line 0: the whole file).
    case spec(path: String, line: Int, reason: String)
    /// Anything else that makes the request impossible.
    case invalid(String)

    public var description: String {
        switch self {
        case let .shard(message): return message
        case let .counts(path, line, reason): return line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)"
        case let .spec(path, line, reason): return line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)"
        case let .invalid(message): return message
        }
    }
}
