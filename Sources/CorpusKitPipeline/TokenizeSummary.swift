import CorpusKitShards

/// Counts of skipped lines per ``ProblemKind``, with the first occurrence of each.
public struct ProblemTally: Sendable, Equatable {
    /// Occurrences per kind.
    public private(set) var counts: [ProblemKind: Int] = [:]
    /// The first occurrence of each kind.
    public private(set) var first: [ProblemKind: LineProblem] = [:]

    /// An empty tally.
    public init() {}

    /// Counts `problem`.
    public mutating func add(_ problem: LineProblem) {
        counts[problem.kind, default: 0] += 1
        if first[problem.kind] == nil { first[problem.kind] = problem }
    }

    /// All problems counted.
    public var total: Int { counts.values.reduce(0, +) }

    /// One line per kind, e.g. `2 malformed JSON (first: data.jsonl:5 (byte offset 80): …)`.
    public var reportLines: [String] {
        counts.keys.sorted().map { kind in
            "\(counts[kind]!) \(kind) (first: \(first[kind]!))"
        }
    }
}

/// What a ``TokenizePipeline`` run did.
public struct TokenizeSummary: Sendable {
    /// One output dataset.
    public struct Output: Sendable, Equatable {
        /// The JSON key.
        public let key: String
        /// The dataset prefix (`{output-prefix}_{key}_document`).
        public let prefix: String
        /// The `.bin` element type.
        public let dtype: TokenDType
        /// Documents in the dataset.
        public let documents: Int
        /// Sequences in the dataset (documents minus those without tokens).
        public let sequences: Int
        /// Tokens in the dataset (what the token-info CSV reports).
        public let tokens: Int
        /// True when `--resume` found this output complete and left it as it was.
        public let alreadyComplete: Bool
        /// The provenance record written beside the dataset (or found, when resumed); `nil` in
        /// count-only runs and for resumed datasets without one.
        public var provenance: DatasetProvenance? = nil
    }

    /// The outputs, in `--json-keys` order.
    public let outputs: [Output]
    /// The expanded input files, in reading order (empty when every output was already complete).
    public let inputFiles: [String]
    /// Documents written this run.
    public let documents: Int
    /// Decompressed input bytes consumed this run.
    public let inputBytes: Int
    /// Skipped lines (`--on-error skip`).
    public let problems: ProblemTally
    /// Wall-clock seconds of the run.
    public let seconds: Double
    /// Inputs that were truncated or corrupt and of which only the documents before the damage were
    /// kept (only with ``TokenizeConfiguration/keepsDamagedInputs``).
    public var damagedInputs: [LineProblem] = []
    /// Things that are not errors but look like mistakes (an empty input or dataset, a doubled EOD,
    /// many skipped lines, a resumed dataset whose tokenizer cannot be verified), one sentence each.
    public var warnings: [String] = []
    /// Temporary files of this run's outputs left by processes that no longer exist, removed.
    public var removedTemporaries: [String] = []
    /// CPU seconds per stage while streaming.
    public let cpu: StageCPU

    /// CPU seconds of each pipeline stage, summed over its threads.
    public struct StageCPU: Sendable, Equatable {
        /// The reader thread: decompression, line splitting, JSON extraction.
        public var reader = 0.0
        /// The worker threads: tokenization.
        public var workers = 0.0
        /// The writer (calling) thread while streaming: ordering and `.bin` writes.
        public var writer = 0.0

        /// Zero times.
        public init(reader: Double = 0, workers: Double = 0, writer: Double = 0) {
            self.reader = reader
            self.workers = workers
            self.writer = writer
        }
    }

    /// True when `--resume` found every output complete, so nothing was read or written.
    public var nothingToDo: Bool { outputs.allSatisfy(\.alreadyComplete) }
}
