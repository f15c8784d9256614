import ArgumentParser
import CorpusKitPlan
import CorpusKitShards
import CorpusKitSystem
import Foundation

/// `corpuskit plan`: samples and epochs per dataset of a Megatron run, as megatron-core computes them.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show how many samples and epochs of each dataset a Megatron run trains on (megatron-core 0.16.1, exact).")

    @OptionGroup var options: PlanOptions

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @Option(help: "Also write the plan as a Markdown report to this file.")
    var report: String?

    @OptionGroup(title: "Index cache") var cache: CacheOptions

    func run() throws {
        let plan = try TrainingPlan.load(configuration: options.configuration(), warnEpochs: options.warnEpochs)
        if json {
            print(PlanReport.json(plan))
        } else {
            print(PlanReport.table(plan))
            print()
            for line in PlanReport.summary(plan) { print(line) }
        }
        for warning in plan.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if let report {
            try writeAtomically(PlanReport.markdown(plan), to: report)
        }
        if cache.wanted { try runCache() }
    }

    /// Writes or checks the index cache.
    private func runCache() throws {
        let configuration = try options.configuration()
        let sizes = MegatronSplitSizes.sizes(
            trainSamples: configuration.totalSamples, trainIters: options.trainIters, globalBatchSize: configuration.globalBatchSize,
            evalIters: cache.evalIters, evalInterval: cache.evalInterval)
        let indexCache = try IndexCache.load(configuration: configuration, sizes: sizes, tokenizer: cache.tokenizer)
        let progress = StandardError.isTerminal ? IndexCacheProgressLine() : nil
        if let directory = cache.dataCachePath {
            let summary: IndexCache.WriteSummary
            do {
                summary = try indexCache.write(into: directory, overwrite: cache.overwriteCache, progress: progress?.update)
            } catch let error as IndexCacheError {
                progress?.finish()
                if case .different = error { throw CLIError("\(error) (--overwrite-cache)") }
                throw error
            }
            progress?.finish()
            print(summary.report(directory: directory))
        } else if let directory = cache.checkCache {
            let result = try indexCache.check(directory: directory, progress: progress?.update)
            progress?.finish()
            print(result.report(directory: directory))
            if !result.isExact { throw ExitCode(1) }
        }
    }

    /// Writes to a temporary name beside `path`, then renames.
    private func writeAtomically(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw CLIError("\(path): cannot be written")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CLIError("\(path): cannot be written")
        }
    }
}
