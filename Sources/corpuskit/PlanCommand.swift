import ArgumentParser
import CorpusKitPlan
import CorpusKitShards
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
