import CorpusKitSystem
/// Errors from writing, reading, merging and inspecting Megatron indexed datasets.
///
/// Every case that concerns a file names it; index problems also give the byte offset.
public enum ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed on `path`.
    case io(path: String, operation: String, errno: Int32)
    /// The `.idx` file is malformed at `offset`.
    case invalidIndex(path: String, offset: Int, reason: String)
    /// The `.bin` size does not match what the `.idx` describes; `hint` may name a likely cause.
    case dataSizeMismatch(path: String, expectedBytes: Int, actualBytes: Int, hint: String = "")
    /// A token id does not fit the writer's dtype.
    case tokenOutOfRange(token: Int32, dtype: TokenDType, document: Int, position: Int)
    /// Sequence lengths passed with a document are negative or do not add up to its token count.
    case invalidSequenceLengths(document: Int, reason: String)
    /// Datasets with different dtypes cannot be merged.
    case dtypeMismatch(path: String, expected: TokenDType, found: TokenDType)
    /// A document number outside `0..<count`.
    case documentOutOfRange(index: Int, count: Int)
    /// A sequence number outside `0..<count`.
    case sequenceOutOfRange(index: Int, count: Int)
    /// The writer was already finished or aborted.
    case writerClosed(prefix: String)
    /// A count exceeds what the format (Int32 sizes) or this implementation can hold.
    case limitExceeded(String)
    /// Merge was given no inputs, a directory held no complete `.idx`/`.bin` pair, or a shard
    /// argument names no dataset (``ShardDiscovery``).
    case noInputs(String)
    /// A dataset's provenance record (``DatasetProvenance``) cannot be read or parsed.
    case invalidProvenance(path: String, reason: String)
    /// Datasets made with different tokenizers or byte-changing options were to be combined;
    /// the message names the datasets and what differs.
    case differentProducers(String)

    public var description: String {
        switch self {
        case let .io(path, operation, errno):
            return "\(path): \(operation) failed: \(systemErrorMessage(errno)) (errno \(errno))"
        case let .invalidIndex(path, offset, reason):
            return "\(path): invalid Megatron index at byte \(offset): \(reason)"
        case let .dataSizeMismatch(path, expected, actual, hint):
            return "\(path): data file has \(actual) bytes but its index describes \(expected) bytes"
                + (hint.isEmpty ? "" : " (\(hint))")
        case let .tokenOutOfRange(token, dtype, document, position):
            return "token id \(token) at position \(position) of document \(document) does not fit dtype \(dtype)"
        case let .invalidSequenceLengths(document, reason):
            return "document \(document): invalid sequence lengths: \(reason)"
        case let .dtypeMismatch(path, expected, found):
            return "\(path): dtype \(found) differs from \(expected) of the first input; Megatron merges only equal dtypes"
        case let .documentOutOfRange(index, count):
            return "document \(index) is out of range (the dataset has \(count) documents)"
        case let .sequenceOutOfRange(index, count):
            return "sequence \(index) is out of range (the dataset has \(count) sequences)"
        case let .writerClosed(prefix):
            return "\(prefix): writer already finished or aborted"
        case let .limitExceeded(reason):
            return reason
        case let .noInputs(reason):
            return reason
        case let .invalidProvenance(path, reason):
            return "\(path): invalid provenance record: \(reason)"
        case let .differentProducers(reason):
            return reason
        }
    }
}

extension ShardError {
    /// A failed system call, as ``ShardError/io(path:operation:errno:)``.
    public init(_ error: SystemError) {
        self = .io(path: error.path, operation: error.operation, errno: error.code)
    }

    /// Runs `body`, reporting a failed system call as a ``ShardError``.
    static func system<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SystemError {
            throw ShardError(error)
        }
    }
}
