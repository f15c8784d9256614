import CorpusKitSystem

/// Why a `corpuskit launch` step stopped; every message names the file, task or option concerned.
public enum LaunchError: Error, Sendable, CustomStringConvertible {
    /// The options cannot be honoured.
    case configuration(String)
    /// An input file is missing, unreadable or not what the manifest recorded.
    case input(String)
    /// The manifest or a completion record is missing or unreadable, or OUT is not a launch directory.
    case manifest(String)
    /// A scheduler command (sbatch, squeue, ...) failed.
    case scheduler(String)
    /// A task's tokenizing failed.
    case task(String)
    /// Outputs are missing or damaged (the final step).
    case incomplete(String)
    /// Input files whose size or content fingerprint differs from the manifest: each path and
    /// what changed. Their datasets can be redone by accepting the change
    /// (``Launcher/resume(outputDirectory:backend:acceptChanged:)``).
    case inputsChanged([Change])

    /// One input file that differs from the manifest.
    public struct Change: Sendable, Equatable {
        public var path: String
        public var change: String
        public init(path: String, change: String) { self.path = path; self.change = change }
    }

    public var description: String {
        switch self {
        case let .configuration(message), let .input(message), let .manifest(message),
             let .scheduler(message), let .task(message), let .incomplete(message):
            return message
        case let .inputsChanged(changes):
            return changes.map { "input \($0.path) changed since planning: \($0.change)" }.joined(separator: "\n")
        }
    }
}

extension LaunchError {
    /// Runs a read of an input or tokenizer file (a ``FileFingerprint`` or ``FileDigest``),
    /// reporting its failure as ``LaunchError/input(_:)``.
    static func readingInput<T>(_ body: () throws(SystemError) -> T) throws(LaunchError) -> T {
        do {
            return try body()
        } catch {
            throw .input(error.description)
        }
    }
}
