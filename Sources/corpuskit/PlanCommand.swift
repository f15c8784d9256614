import ArgumentParser
import CorpusKitPlan
import CorpusKitShards
import CorpusKitSystem

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

    /// Library errors exit 1; with --check-cache, whose 1 means "not exact", they exit 2.
    func run() throws {
        do {
            try plan()
        } catch let error as CLIError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch {
            throw cache.checkCache != nil ? CLIError.badInput("\(error)") : CLIError("\(error)")
        }
    }

    private func plan() throws {
        // The cache's walk of the train blend gives the table its counts: the blend is walked once.
        let cacheResult = cache.wanted ? try runCache() : nil
        let plan = if let cacheResult {
            try TrainingPlan(
                configuration: options.configuration(), shapes: cacheResult.shapes, warnEpochs: options.warnEpochs,
                blendCounts: cacheResult.counts)
        } else {
            try TrainingPlan.load(configuration: options.configuration(), warnEpochs: options.warnEpochs)
        }
        if json {
            print(PlanReport.json(plan))
        } else {
            print(PlanReport.table(plan))
            print()
            for line in PlanReport.summary(plan) { print(line) }
        }
        for warning in plan.warnings { StandardError.write("warning: \(warning)\n") }
        if let report {
            do { try AtomicFile.write(PlanReport.markdown(plan), to: report) } catch { throw CLIError(error.description) }
        }
        if let cacheResult {
            print(cacheResult.report)
            if !cacheResult.exact { throw ExitCode(1) }
        }
    }

    /// Writes or checks the index cache; returns its report, whether it is exact, the datasets'
    /// shapes and the train blend's counts.
    private func runCache() throws -> (report: String, exact: Bool, shapes: [DatasetShape], counts: BlendCounts?) {
        let configuration = try options.configuration()
        let sizes = MegatronSplitSizes.sizes(
            trainSamples: configuration.totalSamples, trainIters: options.trainIters, globalBatchSize: configuration.globalBatchSize,
            evalIters: cache.evalIters, evalInterval: try cache.evalInterval(for: options.megatron))
        let indexCache = try IndexCache.load(configuration: configuration, sizes: sizes, tokenizer: cache.tokenizer)
        let progress = ProgressLine.onTerminal(unit: "files")
        // Writing or checking, a cache for datasets of another tokenizer is refused unless told.
        let mismatches = try DatasetProvenance.tokenizerMismatches(
            prefixes: configuration.blend.prefixes, tokenizerPath: cache.tokenizer.path, type: cache.tokenizer.kind.rawValue)
        if !mismatches.files.isEmpty && !cache.allowDifferentTokenizers {
            let message = "the datasets were not made with --tokenizer-model \(cache.tokenizer.path):\n" + mismatches.files.map { "  \($0)\n" }.joined()
            if cache.checkCache != nil {
                throw CLIError.badInput(message + "(nothing was checked; --allow-different-tokenizers checks the cache anyway)")
            }
            throw CLIError(message + "(nothing was written; --allow-different-tokenizers writes the cache anyway)")
        }
        for mismatch in mismatches.files + mismatches.wrappers { StandardError.write("warning: \(mismatch)\n") }
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
            return (summary.report(directory: directory), true, indexCache.shapes, summary.trainBlendCounts)
        } else if let directory = cache.checkCache {
            let result = try indexCache.check(directory: directory, progress: progress?.update)
            progress?.finish()
            return (result.report(directory: directory), result.isExact, indexCache.shapes, result.trainBlendCounts)
        }
        return ("", true, indexCache.shapes, nil)
    }
}
