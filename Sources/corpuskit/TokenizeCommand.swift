import ArgumentParser
import Foundation
import CorpusKitPipeline
import CorpusKitSystem
import CorpusKitShards
import CorpusKitMegatron

/// `corpuskit tokenize`: a drop-in for llm-jp Megatron-LM's `tools/preprocess_data.py`.
///
/// Takes the same flags and writes byte-identical `{output-prefix}_{key}_document.bin/.idx`.
/// Flags of `preprocess_data.py` that cannot change the output are accepted and ignored; those that
/// would (`--split-sentences`, `--partitions` > 1, `--dataset-impl` other than mmap) are refused.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize JSON Lines corpora into Megatron indexed datasets, byte-identical to preprocess_data.py.",
        usage: "corpuskit tokenize --input <path> ... --output-prefix <prefix> --tokenizer-type <type> --tokenizer-model <path> [<options>]",
        discussion: """
            Inputs may be files (.jsonl, .json, .jsonl.gz, .json.gz, .jsonl.zst, .json.zst), directories \
            (walked recursively) or glob patterns. preprocess_data.py reads one file per run; here all \
            expanded files are read in order (sorted within each --input value) into ONE dataset per key, \
            exactly as if preprocess_data.py were run on the concatenation of their decompressed \
            contents (a last line without a newline still ends at the end of its file).

            Outputs are written under temporary names and renamed into place only when complete: a \
            failed or interrupted (SIGINT/SIGTERM/SIGPIPE) run leaves no {prefix}_{key}_document.bin/.idx \
            behind, and a run removes the temporary files that killed runs to the same prefix left. Beside \
            each dataset, {prefix}_{key}_document.corpuskit.json records its provenance (corpuskit version, \
            tokenizer SHA-256, options, inputs with fingerprints, counts); Megatron ignores it.

            A truncated or corrupt compressed input is an error of that file, also with --on-error skip, \
            unless --keep-damaged-inputs.

            Bad lines are those preprocess_data.py would fail on: invalid UTF-8, lines json.loads \
            rejects (blank lines included), a missing key, or a value that is not a string (the fork's \
            list-of-sentences values are refused too).

            --threads is the number of tokenizing threads, at most one per core (a reader and a writer \
            thread run besides them); the output does not depend on it. preprocess_data.py's --workers \
            is accepted as its alias.

            Accepted and ignored, as they do not change the output: --dataset-impl mmap, --partitions 1, \
            --chunk-size, --keep-sequential-samples, --keep-newlines, --lang, --merge-file, --vocab-size. \
            Refused: --split-sentences, --partitions > 1, --dataset-impl lazy/cached.
            """)

    // MARK: preprocess_data.py flags

    @OptionGroup var corpus: CorpusOptions

    @Option(help: "Output prefix: writes {prefix}_{key}_document.bin and .idx (one dataset per --json-keys key).")
    var outputPrefix: String

    @OptionGroup var tokenizerOptions: TokenizeOptions

    @OptionGroup var threads: ThreadsOption

    @Option(help: "Append '{input},{prefix}_{key}_document,{tokens}' lines to this CSV, as llm-jp's fork does.")
    var outputResultTotalTokenInfo: String?

    @Option(help: "Without a terminal: log a progress line every this many documents.")
    var logInterval = 1000

    // MARK: CorpusKit flags

    @Flag(help: "Keep the documents read before the damage of a truncated or corrupt compressed input (recorded in the summary and the provenance record) instead of failing.")
    var keepDamagedInputs = false

    @Flag(help: "Skip the run (and the CSV line) when every output already exists, passes full .idx/.bin validation and its provenance record matches this run (tokenizer, options, inputs); refuse when it does not; otherwise redo every key.")
    var resume = false

    @Flag(help: "No progress display and no summary (problems are still reported).")
    var quiet = false

    // MARK: accepted for compatibility

    @Option(help: ArgumentHelp("Accepted for compatibility; only mmap is supported.", visibility: .hidden))
    var datasetImpl: String?

    @Option(help: ArgumentHelp("Accepted for compatibility; only 1 is supported.", visibility: .hidden))
    var partitions = 1

    @Option(help: ArgumentHelp("Accepted for compatibility (no effect).", visibility: .hidden))
    var chunkSize: Int?

    @Flag(help: ArgumentHelp("Accepted for compatibility (no effect with one partition).", visibility: .hidden))
    var keepSequentialSamples = false

    @Flag(help: ArgumentHelp("Refused: sentence splitting changes the output.", visibility: .hidden))
    var splitSentences = false

    @Flag(help: ArgumentHelp("Accepted for compatibility (only used with --split-sentences).", visibility: .hidden))
    var keepNewlines = false

    @Option(help: ArgumentHelp("Accepted for compatibility (only used with --split-sentences).", visibility: .hidden))
    var lang: String?

    @Option(help: ArgumentHelp("Accepted for compatibility (not used by the supported tokenizers).", visibility: .hidden))
    var mergeFile: String?

    @Option(help: ArgumentHelp("Accepted for compatibility (NullTokenizer only).", visibility: .hidden))
    var vocabSize: Int?

    /// The flag of a pipeline setting, for its error messages.
    static func flag(_ setting: TokenizeSetting) -> String {
        switch setting {
        case .inputs: return "--input"
        case .outputPrefix: return "--output-prefix"
        case .jsonKeys: return "--json-keys"
        case .workers: return "--threads"
        case .batchBytes: return "--batch-bytes"
        case .tokenInfoCSV: return "--output-result-total-token-info"
        }
    }

    func validate() throws {
        if splitSentences {
            throw ValidationError("--split-sentences is not supported: it changes the output (sentence-level datasets)")
        }
        if partitions != 1 {
            throw ValidationError("--partitions \(partitions) is not supported: only 1 (more partitions reorder documents unless --keep-sequential-samples; run one corpuskit per file instead)")
        }
        if let datasetImpl, datasetImpl != "mmap" {
            throw ValidationError("--dataset-impl \(datasetImpl) is not supported: only mmap (the MMIDIDX format) is written")
        }
        if corpus.paths.isEmpty { throw ValidationError("missing --input (JSONL corpus files, directories or globs)") }
        _ = try tokenizerOptions.tokenizer()
        if logInterval < 1 { throw ValidationError("--log-interval must be at least 1") }
    }

    func run() throws {
        let modelPath = try tokenizerOptions.tokenizer().modelPath
        let loadStart = Date()
        let encoder = try tokenizerOptions.loadEncoder()
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let configuration = TokenizeConfiguration(
            inputs: corpus.paths, outputPrefix: outputPrefix, jsonKeys: corpus.keys,
            workers: Self.threads(requested: threads.requested), errorPolicy: tokenizerOptions.onError,
            resume: resume, tokenInfoCSV: outputResultTotalTokenInfo, batchBytes: tokenizerOptions.batchBytes,
            tokenizerPath: modelPath, keepsDamagedInputs: keepDamagedInputs)
        var progress: ProgressReporter?
        if !quiet {
            progress = StandardError.isTerminal ? TerminalProgressBar() : LogLineProgress(interval: logInterval)
        }

        let cancellation = PipelineCancellation()
        let signals = SignalCancellation(cancellation: cancellation)
        defer { signals.stop() }
        let summary: TokenizeSummary
        do {
            summary = try TokenizePipeline(configuration: configuration, encoder: encoder)
                .run(progress: progress, cancellation: cancellation)
        } catch {
            switch error {
            case .interrupted(let signal):
                throw CLIError.interrupted(error.description, signal: signal)
            case .badInput:
                throw CLIError("\(error)\n(no output written; use --on-error skip to skip bad lines)")
            case .damagedInput:
                throw CLIError("\(error)\n(no output written; --keep-damaged-inputs keeps the documents read before the damage)")
            case .resumeMismatch:
                throw CLIError("\(error)\n(nothing was changed; remove the outputs or choose another --output-prefix to redo them)")
            case .setting(let setting, let reason):
                throw CLIError("\(Self.flag(setting))\(reason.hasPrefix("must") ? " " : ": ")\(reason)")
            default:
                throw CLIError(error.description)
            }
        }
        report(summary, loadSeconds: loadSeconds)
    }

    /// preprocess_data.py scripts often ask for 64–256 worker processes; more tokenizing threads
    /// than cores only adds memory (2 batches each), so the count is capped at the core count.
    static func threads(requested: Int?) -> Int {
        min(requested ?? ThreadsOption.cores, ThreadsOption.cores)
    }

    private func report(_ summary: TokenizeSummary, loadSeconds: Double) {
        for path in summary.removedTemporaries {
            StandardError.write("removed \(path), left by a process that no longer exists\n")
        }
        for warning in summary.warnings { StandardError.write("warning: \(warning)\n") }
        if summary.nothingToDo {
            if !quiet {
                for output in summary.outputs {
                    StandardError.write("\(output.prefix): complete (\(output.documents) documents, \(output.tokens) tokens), skipped (--resume)\n")
                }
            }
            return
        }
        if !summary.problems.counts.isEmpty {
            StandardError.write("skipped \(summary.problems.total) input lines:\n")
            for line in summary.problems.reportLines { StandardError.write("  \(line)\n") }
        }
        guard !quiet else { return }
        let seconds = max(summary.seconds, 1e-9)
        StandardError.write(String(
            format: "%d documents from %d file(s), %.1f MB in %.2f s (%.0f docs/s, %.2f MB/s)\n",
            summary.documents, summary.inputFiles.count, Double(summary.inputBytes) / 1e6, summary.seconds,
            Double(summary.documents) / seconds, Double(summary.inputBytes) / 1e6 / seconds))
        let cpu = summary.cpu
        StandardError.write(String(
            format: "cpu seconds: tokenizer load %.2f, reader %.2f, %d worker(s) %.2f, writer %.2f\n",
            loadSeconds, cpu.reader, Self.threads(requested: threads.requested), cpu.workers, cpu.writer))
        for output in summary.outputs {
            StandardError.write("\(output.prefix).bin/.idx: \(output.dtype), \(output.documents) documents, \(output.sequences) sequences, \(output.tokens) tokens\n")
        }
    }
}
