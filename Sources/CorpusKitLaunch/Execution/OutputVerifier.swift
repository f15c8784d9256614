import Foundation
import CorpusKitSystem
import CorpusKitShards

/// Checks a plan's outputs against the completion records, and the inputs and tokenizer against
/// the manifest; shared by `resume` and the final step.
public enum OutputVerifier {
    /// One input file whose datasets are not (validly) done.
    public struct Missing: Sendable, Equatable {
        /// Index into the plan's inputs.
        public var input: Int
        /// Its task.
        public var task: Int
        /// What is wrong (no record, a damaged dataset, …).
        public var reason: String
        /// True when a completion record exists but its datasets no longer match it (damaged
        /// or changed after completion), false when the file was never done.
        public var damaged: Bool
    }

    /// The records of every input whose datasets validate, and what is wrong with the others.
    /// `deep` validates every dataset fully (see ``CompletionRecord/problem(plan:input:deep:)``).
    public static func check(_ plan: LaunchPlan, deep: Bool) -> (done: [Int: CompletionRecord], missing: [Missing]) {
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        var done: [Int: CompletionRecord] = [:]
        var missing: [Missing] = []
        for (index, input) in plan.inputs.enumerated() {
            guard let record = CompletionRecord.load(layout, task: input.task, input: index) else {
                missing.append(Missing(input: index, task: input.task, reason: "not done (no completion record)", damaged: false))
                continue
            }
            if let problem = record.problem(plan: plan, input: input, deep: deep) {
                missing.append(Missing(input: index, task: input.task, reason: problem, damaged: true))
            } else {
                done[index] = record
            }
        }
        return (done, missing)
    }

    /// Refuses when the tokenizer file or an input file is not what the manifest recorded (the first
    /// changed input is named), or the plan's flags can no longer be honoured.
    public static func checkUnchanged(_ plan: LaunchPlan) throws(LaunchError) {
        let tokenizerFile = try Planner.resolveTokenizerFile(plan.flags.tokenizerModel)
        if tokenizerFile != plan.tokenizerFile {
            throw .input("the tokenizer \(plan.flags.tokenizerModel) now resolves to \(tokenizerFile), the plan used \(plan.tokenizerFile)")
        }
        let digest = try LaunchError.readingInput { () throws(SystemError) in try FileDigest.sha256(path: tokenizerFile) }
        if digest != plan.tokenizerSHA256 {
            throw .input("the tokenizer \(tokenizerFile) changed since planning (SHA-256 \(plan.tokenizerSHA256.prefix(12))… → \(digest.prefix(12))…)")
        }
        var changes: [LaunchError.Change] = []
        for input in plan.inputs {
            guard FileManager.default.fileExists(atPath: input.path) else {
                throw .input("input \(input.path) is gone since planning")
            }
            let current = try LaunchError.readingInput { () throws(SystemError) in try FileFingerprint.of(path: input.path) }
            if let change = current.difference(from: input.fingerprint) {
                changes.append(.init(path: input.path, change: change))
            }
        }
        if !changes.isEmpty { throw .inputsChanged(changes) }
    }
}

/// `corpuskit launch finish OUT`, the final job's first step: every planned dataset must be there
/// and valid, else it fails naming them; then `OUT/token_info.csv` is written (atomically) with
/// `preprocess_data.py`'s `input,prefix,tokens` lines in plan order. `num_tokens.tsv` comes next,
/// from `corpuskit count` in the final script.
public enum Finisher {
    /// What was written.
    public struct Result: Sendable {
        /// Datasets checked.
        public var datasets: Int
        /// Tokens in all of them.
        public var tokens: Int
    }

    /// The `token_info.csv` text of the records `done` (one per input, every input done) in plan
    /// order, with the number of datasets and tokens: what ``finish(_:)`` writes and what
    /// `status` compares the file with.
    static func tokenInfo(_ plan: LaunchPlan, done: [Int: CompletionRecord]) -> (text: String, datasets: Int, tokens: Int) {
        var text = ""
        var tokens = 0
        var datasets = 0
        for index in plan.inputs.indices {
            guard let record = done[index] else { continue }
            for dataset in record.datasets {
                text += TokenInfoCSV.line(input: record.path, datasetPrefix: dataset.prefix, tokens: dataset.tokens)
                tokens += dataset.tokens
                datasets += 1
            }
        }
        return (text, datasets, tokens)
    }

    /// Checks and writes; throws ``LaunchError/incomplete(_:)`` listing (up to 20) missing datasets.
    public static func finish(_ plan: LaunchPlan) throws(LaunchError) -> Result {
        let (done, missing) = OutputVerifier.check(plan, deep: true)
        if !missing.isEmpty {
            let lines = missing.prefix(20).map { "  task \($0.task): \(plan.inputs[$0.input].path): \($0.reason)" }
            let more = missing.count > 20 ? "\n  … and \(missing.count - 20) more" : ""
            throw .incomplete("\(missing.count) of \(plan.inputs.count) input files have no valid datasets:\n" + lines.joined(separator: "\n") + more
                              + "\n(run corpuskit launch resume \(plan.outputDirectory))")
        }
        let (text, datasets, tokens) = tokenInfo(plan, done: done)
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        do {
            try AtomicFile.write(text, to: layout.tokenInfoFile)
        } catch {
            throw .incomplete("cannot write \(layout.tokenInfoFile): \(error.message)")
        }
        return Result(datasets: datasets, tokens: tokens)
    }
}
