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
            for it. Same inputs, flags and --on-error policy as tokenize (--workers too, as --threads' \
            alias). One row per file (and key).

            --format tsv writes llm-jp's num_tokens.tsv (filename<TAB>tokens, filename = the prefix relative \
            to --root without _text_document, sorted); csv, json and markdown add documents, empty documents, \
            text bytes and characters per token (raw corpora) and document-length percentiles.
            """)

    @Argument(help: "Shard prefixes, .idx/.bin files, directories or globs.")
    var shards: [String] = []

    @OptionGroup(title: "Raw corpora (as tokenize)") var corpus: CorpusOptions

    @OptionGroup(title: "Raw corpora (as tokenize)") var tokenizerOptions: TokenizeOptions

    @OptionGroup(title: "Raw corpora (as tokenize)") var threads: ThreadsOption

    @Option(help: "Names are paths relative to this directory.")
    var root: String?

    @Option(help: "tsv (llm-jp num_tokens.tsv), csv, json or markdown.")
    var format: CountFormat = .tsv

    @Option(help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Flag(help: "No progress display.")
    var quiet = false

    func validate() throws {
        if shards.isEmpty == corpus.paths.isEmpty {
            throw ValidationError("give either shard prefixes/directories or --input corpus files (not both)")
        }
        if !corpus.paths.isEmpty { _ = try tokenizerOptions.tokenizer() }
    }

    func run() throws {
        let counts: [DatasetCount]
        if corpus.paths.isEmpty {
            do {
                let prefixes = try ShardDiscovery.prefixes(shards)
                let progress = !quiet && prefixes.count > 100 ? ProgressLine.onTerminal(unit: "datasets counted") : nil
                counts = try ShardCounter.count(prefixes: prefixes, root: root) { done, total in
                    progress?.update(done: done, total: total, name: "")
                }
                progress?.finish()
            } catch {
                throw CLIError("\(error)")
            }
        } else {
            let encoder = try tokenizerOptions.loadEncoder()
            let configuration = TokenizeConfiguration(
                inputs: corpus.paths, outputPrefix: "", jsonKeys: corpus.keys,
                workers: TokenizeCommand.threads(requested: threads.requested), errorPolicy: tokenizerOptions.onError,
                batchBytes: tokenizerOptions.batchBytes)
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
                if case .interrupted(let signal) = error { throw CLIError.interrupted(error.description, signal: signal) }
                throw CLIError(error.description)
            }
        }
        let text = CountTable.render(counts, format: format)
        if let output {
            do { try AtomicFile.write(text, to: output) } catch { throw CLIError(error.description) }
        } else {
            print(text, terminator: "")
        }
    }
}

extension CountFormat: ExpressibleByArgument {}
