import ArgumentParser
import Foundation
import CorpusKitReport
import CorpusKitSystem

/// `corpuskit mixture`: the training mixture from token counts and a spec.
struct MixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixture",
        abstract: "Make a training mixture (Megatron --data-path weights) from token counts and a YAML spec.",
        discussion: """
            Counts: --counts FILE (llm-jp num_tokens.tsv, the fork's headerless token-info CSV, or \
            corpuskit count --format json) or --shards DIR... (counted from their .idx files).

            Spec (YAML): prefix, target_tokens (for a fill subset), subsets: {name: rate | fill}, and \
            optionally names: [{match: GLOB, language:, subset:}] and languages: {code: display name}. \
            A dataset's language is its stem's first _-field, its subset the first two.

            Weights are ceil(tokens × rate) per dataset in the counts' order, in float64, as llm-jp's \
            notebooks compute them; a fill rate makes the total reach target_tokens.
            """)

    @Option(help: "Token counts: num_tokens.tsv, token-info CSV, or corpuskit count JSON.")
    var counts: String?

    @Option(parsing: .upToNextOption, help: "Count these shard directories/prefixes instead of reading --counts.")
    var shards: [String] = []

    @Option(help: "Dataset names are paths relative to this directory (token-info CSV prefixes, --shards).")
    var root: String?

    @Option(help: "The mixture spec (YAML).")
    var spec: String

    @Option(help: "llm-jp (the train-data bash array), data-path (one line) or json.")
    var format: MixtureFormat = .llmJP

    @Option(help: "Write the mixture here (atomically) instead of standard output.")
    var output: String?

    @Option(help: "Write per-language and per-subset tables here; .md, .csv or .json.")
    var report: String?

    @Option(help: "Write an SVG chart of the mixture's shares here.")
    var chart: String?

    @Option(help: "Title of the chart (default: the spec's file name).")
    var title: String?

    func validate() throws {
        if (counts == nil) == shards.isEmpty { throw ValidationError("give either --counts FILE or --shards DIR...") }
        if let report, ReportFormat(path: report) == nil {
            throw ValidationError("--report \(report): the name must end in .md, .csv or .json")
        }
    }

    func run() throws {
        do {
            let rows: [CountedDataset]
            if let counts {
                rows = try CountsFile.read(path: counts, root: root)
            } else {
                rows = try CountedDataset.counting(shards: shards, root: root)
            }
            let parsed = try MixtureSpec.read(path: spec)
            let mixture = try Mixture(counts: rows, spec: parsed, specPath: spec)
            for warning in mixture.warnings { StandardError.write("warning: \(warning)\n") }
            let summary = MixtureSummary(mixture)
            if let report {
                try AtomicFile.write(MixtureReport.render(summary, format: ReportFormat(path: report)!), to: report)
            }
            if let chart {
                let name = title ?? URL(fileURLWithPath: spec).deletingPathExtension().lastPathComponent
                try AtomicFile.write(MixtureChart.svg(summary, title: name), to: chart)
            }
            let text = MixtureWriter.render(mixture, format: format)
            if let output {
                try AtomicFile.write(text, to: output)
            } else {
                print(text, terminator: "")
            }
        } catch {
            throw CLIError("\(error)")
        }
    }
}

extension MixtureFormat: ExpressibleByArgument {}
