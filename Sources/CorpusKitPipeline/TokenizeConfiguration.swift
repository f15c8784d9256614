import CorpusKitReaders
import CorpusKitMegatron

/// What to do with an input line that cannot become a document (`--on-error`).
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// Stop at the first bad line with its `file:line` and publish nothing (the default).
    case fail
    /// Skip bad lines, count them per reason and report them at the end. A truncated or corrupt
    /// compressed file is not a bad line: it stops the run either way (see
    /// ``TokenizeConfiguration/keepsDamagedInputs``).
    case skip
}

/// The options of one `corpuskit tokenize` run, apart from the tokenizer (see ``DocumentEncoder``).
public struct TokenizeConfiguration: Sendable {
    /// Input files, directories (walked recursively) or glob patterns, as given (`--input`).
    /// All expanded files are read in order into one dataset per key.
    public var inputs: [String]
    /// `--output-prefix`: outputs are `{outputPrefix}_{key}_document.bin/.idx`.
    public var outputPrefix: String
    /// `--json-keys`: one output dataset per key, in this order.
    public var jsonKeys: [String]
    /// `--workers`: tokenizing threads (a reader and the writer run besides them).
    public var workers: Int
    /// `--on-error`.
    public var errorPolicy: ErrorPolicy
    /// `--resume`: keys whose outputs already exist and pass full validation are not redone.
    public var resume: Bool
    /// `--output-result-total-token-info`: CSV to append `input,prefix,tokens` lines to.
    public var tokenInfoCSV: String?
    /// Target bytes of input lines per batch handed to a worker.
    public var batchBytes: Int
    /// The default ``batchBytes``: the reader's read size, at which it decompresses straight into
    /// the batches (see ``LineBlockReader``).
    public static let defaultBatchBytes = LineBlockReader.defaultReadSize
    /// How JSON lines are parsed (defaults match Python's text-mode reading with `json.loads`).
    public var extraction: JSONExtractionOptions
    /// Whether the run writes Megatron datasets (and the token-info CSV). `false` is the count-only
    /// mode of `corpuskit count`: the same reading, parsing, bad-line policy and tokenization, but
    /// the documents go only to the run's ``DocumentSink``; ``outputPrefix``, ``resume`` and
    /// ``tokenInfoCSV`` are then not used.
    public var writesShards: Bool
    /// The tokenizer path as given on the command line, for the provenance record (`nil`: the
    /// file the encoder was loaded from).
    public var tokenizerPath: String?
    /// An explicit opt-in: a truncated or corrupt compressed input (or one that cannot be opened)
    /// ends that file instead of the run, keeping the documents read before the damage; the damage
    /// is recorded in the summary and the provenance record. Off, such a file is an error of that
    /// file whatever ``errorPolicy`` says, so half a file is never mistaken for a whole one.
    public var keepsDamagedInputs: Bool
    /// A warning is given when more than this fraction of the lines read were skipped.
    public var skipRateWarningThreshold: Double
    /// The default ``skipRateWarningThreshold``: 1 % of the lines.
    public static let defaultSkipRateWarningThreshold = 0.01
    /// Whether workers also measure each document's text (UTF-8 bytes and characters) for the
    /// ``DocumentSink``; off for plain tokenize runs, which do not need it.
    public var measuresText: Bool
    /// Whether this run alone writes its output prefixes (a launch task owns its datasets): the
    /// temporary files left there by any other process are removed, not only those of processes
    /// that no longer exist on this machine (``AtomicFile/removeStaleTemporaries(of:ownedByCaller:)``).
    public var ownsOutputs = false

    /// Creates a configuration with `preprocess_data.py`'s defaults for everything not given.
    public init(
        inputs: [String], outputPrefix: String, jsonKeys: [String] = ["text"], workers: Int = 1,
        errorPolicy: ErrorPolicy = .fail, resume: Bool = false, tokenInfoCSV: String? = nil,
        batchBytes: Int = TokenizeConfiguration.defaultBatchBytes,
        extraction: JSONExtractionOptions = JSONExtractionOptions(),
        writesShards: Bool = true, measuresText: Bool = false, tokenizerPath: String? = nil,
        keepsDamagedInputs: Bool = false,
        skipRateWarningThreshold: Double = TokenizeConfiguration.defaultSkipRateWarningThreshold
    ) {
        self.tokenizerPath = tokenizerPath
        self.keepsDamagedInputs = keepsDamagedInputs
        self.skipRateWarningThreshold = skipRateWarningThreshold
        self.inputs = inputs
        self.outputPrefix = outputPrefix
        self.jsonKeys = jsonKeys
        self.workers = workers
        self.errorPolicy = errorPolicy
        self.resume = resume
        self.tokenInfoCSV = tokenInfoCSV
        self.batchBytes = batchBytes
        self.extraction = extraction
        self.writesShards = writesShards
        self.measuresText = measuresText
    }

    /// The `input` column of the token-info CSV: the inputs as given, separated by spaces
    /// (`preprocess_data.py` takes exactly one and writes it as given).
    public var inputDisplayName: String { inputs.joined(separator: " ") }

    /// Checks the values; the error names the setting.
    public func validate() throws(PipelineError) {
        if inputs.isEmpty { throw .setting(.inputs, reason: "at least one input is required") }
        if writesShards && outputPrefix.isEmpty { throw .setting(.outputPrefix, reason: "must not be empty") }
        if jsonKeys.isEmpty { throw .setting(.jsonKeys, reason: "at least one key is required") }
        var seen = Set<String>()
        for key in jsonKeys where !seen.insert(key).inserted {
            throw .setting(.jsonKeys, reason: "key \"\(key)\" is given twice (both would write the same output)")
        }
        if workers < 1 { throw .setting(.workers, reason: "must be at least 1 (got \(workers))") }
        if batchBytes < 1 { throw .setting(.batchBytes, reason: "must be positive") }
    }
}
