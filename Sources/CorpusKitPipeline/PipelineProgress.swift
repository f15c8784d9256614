/// A snapshot of a running ``TokenizePipeline``, as of the last batch written.
public struct PipelineProgress: Sendable, Equatable {
    /// Documents written.
    public internal(set) var documents = 0
    /// Tokens written (all keys).
    public internal(set) var tokens = 0
    /// Lines skipped so far (`--on-error skip`).
    public internal(set) var skippedLines = 0
    /// Decompressed input bytes consumed.
    public internal(set) var inputBytes = 0
    /// Compressed (on-disk) input bytes consumed, for the ETA.
    public internal(set) var inputPosition = 0
    /// Total on-disk size of all input files.
    public internal(set) var inputTotal = 0
    /// Seconds since the run started reading.
    public internal(set) var elapsed = 0.0

    /// Creates an empty snapshot.
    public init() {}

    /// Documents per second.
    public var documentsPerSecond: Double { elapsed > 0 ? Double(documents) / elapsed : 0 }
    /// Decompressed MB (10^6 bytes) per second.
    public var megabytesPerSecond: Double { elapsed > 0 ? Double(inputBytes) / elapsed / 1e6 : 0 }
    /// Fraction of the on-disk input consumed (0...1).
    public var fraction: Double {
        inputTotal > 0 ? min(1, Double(inputPosition) / Double(inputTotal)) : 0
    }
    /// Estimated seconds left, from the on-disk bytes consumed so far.
    public var secondsLeft: Double? {
        guard inputPosition > 0, elapsed > 0.5, inputTotal > 0 else { return nil }
        return elapsed * Double(max(0, inputTotal - inputPosition)) / Double(inputPosition)
    }
}

/// Receives progress from a ``TokenizePipeline`` run, on the writer (calling) thread.
public protocol ProgressReporter: AnyObject {
    /// Called after every batch written.
    func update(_ progress: PipelineProgress)
    /// Called once at the end of a run that wrote outputs (not after a failure).
    func finish(_ progress: PipelineProgress)
    /// Called once when a run stops with an error, before the error is thrown.
    func abandon()
}
