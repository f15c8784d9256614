import ArgumentParser
import Foundation
import CorpusKitPipeline
import CorpusKitReport
import CorpusKitShards
import CorpusKitMegatron
import CorpusKitSystem

/// `corpuskit count`: token statistics per dataset, from Megatron shards or from raw corpora.
struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Token statistics per dataset, from Megatron shards (.idx only) or from raw corpora (no shards written).",
        discussion: """
            Shards: corpuskit count SHARD_OR_DIR... takes prefixes (X_text_document), .idx/.bin paths, \
            directories (recursive) and globs; only the .idx is read (the .bin size is checked against it).

            Raw corpora: corpuskit count --input ... --tokenizer-type T --tokenizer-model M [--append-eod] \
            runs tokenize's pipeline without writing shards; every file's tokens equal what tokenize writes \
            for it. Same inputs, flags and --on-error policy as tokenize. One row per file (and key).

            --format tsv writes llm-jp's num_tokens.tsv (filename<TAB>tokens, filename = the prefix relative \
            to --root without _text_document, sorted); csv, json and markdown add documents, empty documents, \
            text bytes and characters per token (raw corpora) and document-length percentiles.
            """)

    @Argument(help: "Shard prefixes, .idx/.bin files, directories or globs.")
    var shards: [String] = []

    @Option(parsing: .upToNextOption, help: "Raw corpus files, directories or globs (as tokenize --input).")
    var input: [String] = []

    @Option(help: "Tokenizer type for --input (as tokenize).")
    var tokenizerType: String?

    @Option(help: "Tokenizer model for --input (as tokenize).")
    var tokenizerModel: String?

    @Option(parsing: .upToNextOption, help: "JSON keys for --input (as tokenize).")
    var jsonKeys: [String] = ["text"]

    @Flag(help: "Count an EOD per non-empty document (as tokenize --append-eod).")
    var appendEod = false

    @Option(help: "Tokenizing threads for --input (default: all cores).")
    var workers: Int?

    @Option(help: "fail or skip bad lines (as tokenize).")
    var onError: ErrorPolicy = .fail

    @Option(help: "Names are paths relative to this directory.")
    var root: String?

    @Option(help: "tsv (llm-jp num_tokens.tsv), csv, json or markdown.")
    var format: CountFormat = .tsv

    @Option(help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Flag(help: "No progress display.")
    var quiet = false

    func validate() throws {
        if shards.isEmpty == input.isEmpty {
            throw ValidationError("give either shard prefixes/directories or --input corpus files (not both)")
        }
        if !input.isEmpty {
            guard let tokenizerType, MegatronTokenizerType(rawValue: tokenizerType) != nil else {
                let supported = MegatronTokenizerType.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--input needs --tokenizer-type (supported: \(supported))")
            }
            if tokenizerModel == nil { throw ValidationError("--input needs --tokenizer-model") }
        }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() throws {
        let counts: [DatasetCount]
        if input.isEmpty {
            do {
                let prefixes = try ShardDiscovery.prefixes(shards)
                let showProgress = !quiet && StandardError.isTerminal && prefixes.count > 100
                counts = try ShardCounter.count(prefixes: prefixes, root: root) { done, total in
                    if showProgress && (done % 100 == 0 || done == total) {
                        StandardError.write("\rcounted \(done)/\(total) datasets")
                        if done == total { StandardError.write("\n") }
                    }
                }
            } catch {
                throw CLIError("\(error)")
            }
        } else {
            let encoder: DocumentEncoder
            do {
                encoder = try DocumentEncoder.load(
                    type: MegatronTokenizerType(rawValue: tokenizerType!)!, modelPath: tokenizerModel!, appendEOD: appendEod)
            } catch {
                throw CLIError(error.description)
            }
            let configuration = TokenizeConfiguration(
                inputs: input, outputPrefix: "", jsonKeys: jsonKeys,
                workers: TokenizeCommand.threads(requested: workers), errorPolicy: onError)
            let progress: ProgressReporter? = !quiet && StandardError.isTerminal ? TerminalProgressBar() : nil
            let cancellation = PipelineCancellation()
            let signals = SignalCancellation(cancellation: cancellation)
            defer { signals.stop() }
            do {
                let result = try CorpusCounter.count(
                    configuration: configuration, encoder: encoder, root: root, progress: progress, cancellation: cancellation)
                counts = result.counts
                for warning in result.summary.warnings { StandardError.write("warning: \(warning)\n") }
                if !result.summary.problems.counts.isEmpty {
                    StandardError.write("skipped \(result.summary.problems.total) input lines:\n")
                    for line in result.summary.problems.reportLines { StandardError.write("  \(line)\n") }
                }
            } catch {
                if case .interrupted(let signal) = error { throw ExitCode(128 + (signal ?? 2)) }
                throw CLIError(error.description)
            }
        }
        let text = CountTable.render(counts, format: format)
        if let output {
            do { try AtomicFile.write(text, to: output) } catch { throw CLIError(error.description) }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

extension CountFormat: ExpressibleByArgument {}
