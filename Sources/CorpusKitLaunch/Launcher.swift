import Foundation
import CorpusKitSystem

/// `corpuskit launch tokenize` and `corpuskit launch resume`: plan, write the manifest and the
/// scripts, submit through a ``LaunchBackend``; on resume, verify and resubmit what is missing.
///
/// ```text
///  --input … ─▶ Planner ─▶ OUT/.corpuskit/plan.json, tokenize.sbatch, final.sbatch
///                   │
///                   ▼ backend.submit
///   array task i: corpuskit launch run-task OUT i ─▶ OUT/<name>_text_document.{bin,idx} + records
///                   │ afterok
///                   ▼
///   final: corpuskit launch finish OUT (all datasets valid, token_info.csv) ; corpuskit count → num_tokens.tsv
/// ```
public enum Launcher {
    /// What a launch or resume did.
    public struct Outcome: Sendable {
        /// The plan.
        public var plan: LaunchPlan
        /// The tasks submitted now.
        public var submittedTasks: [Int]
        /// Tasks still pending or running from an earlier submission, left alone.
        public var activeTasks: [Int]
        /// Tasks whose files were all done.
        public var doneTasks: [Int]
        /// Why tasks were resubmitted: one line per damaged or missing input file (resume).
        public var reasons: [String]
        /// The submission, when something was submitted.
        public var submission: Submission?
        /// True when everything was already complete.
        public var nothingToDo: Bool
    }

    /// The text `--dry-run` prints: the plan, then both scripts.
    public static func describe(_ plan: LaunchPlan) -> String {
        var lines: [String] = []
        let total = plan.inputs.reduce(0) { $0 + $1.fingerprint.size }
        lines.append("plan: \(plan.inputs.count) input file(s), \(String(format: "%.1f", Double(total) / 1e6)) MB, \(plan.taskCount) task(s), backend \(plan.backend.rawValue)")
        lines.append("output: \(plan.outputDirectory)")
        lines.append("corpuskit: \(plan.corpuskitVersion ?? "unknown")")
        lines.append("tokenizer: \(plan.tokenizerFile) (SHA-256 \(plan.tokenizerSHA256), dtype \(plan.dtype))")
        lines.append("flags: \(plan.flags.outputDeciding.joined(separator: " "))")
        for (task, indices) in plan.assignment.enumerated() {
            let bytes = indices.reduce(0) { $0 + plan.inputs[$1].fingerprint.size }
            lines.append("task \(task): \(indices.count) file(s), \(bytes) bytes")
            for index in indices {
                let input = plan.inputs[index]
                lines.append("  \(input.path) (\(input.fingerprint.size) bytes) → \(plan.datasetPrefixes(of: input).joined(separator: ", "))")
            }
        }
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        lines.append("")
        lines.append("# \(layout.taskScript)")
        lines.append(SbatchScript.taskScript(plan))
        lines.append("# \(layout.finalScript)")
        lines.append(SbatchScript.finalScript(plan))
        return lines.joined(separator: "\n")
    }

    /// Writes the plan and the scripts into OUT (creating it).
    public static func write(_ plan: LaunchPlan) throws(LaunchError) {
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        do {
            for directory in [layout.stateDirectory, layout.logDirectory, layout.taskDirectory] {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            try AtomicFile.write(SbatchScript.taskScript(plan), to: layout.taskScript)
            try AtomicFile.write(SbatchScript.finalScript(plan), to: layout.finalScript)
        } catch {
            throw .manifest("cannot write the launch scripts under \(layout.stateDirectory): \(error.localizedDescription)")
        }
        try plan.save()
    }

    /// `launch tokenize` (not dry run): plans, writes, submits every task. When OUT already holds
    /// a plan, the new one must describe the same work (else it refuses, saying what differs) and
    /// the launch continues as ``resume(outputDirectory:backend:)``.
    public static func launch(_ request: LaunchRequest) throws(LaunchError) -> Outcome {
        let plan = try Planner.plan(request)
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        if FileManager.default.fileExists(atPath: layout.planFile) {
            let old = try LaunchPlan.load(outputDirectory: plan.outputDirectory)
            // Only changed input files: the same refusal as resume's, which says how to accept them.
            var accepted = old
            var changes: [LaunchError.Change] = []
            for (index, input) in old.inputs.enumerated() {
                if let current = plan.inputs.first(where: { $0.path == input.path }),
                   let change = current.fingerprint.difference(from: input.fingerprint) {
                    changes.append(.init(path: input.path, change: change))
                    accepted.inputs[index].fingerprint = current.fingerprint
                }
            }
            if !changes.isEmpty && Planner.difference(plan, from: accepted) == nil { throw .inputsChanged(changes) }
            if let difference = Planner.difference(plan, from: old) {
                throw .configuration("\(layout.outputDirectory) already holds a different launch plan: \(difference); use another output directory, or corpuskit launch resume to finish the existing one")
            }
            return try resume(outputDirectory: plan.outputDirectory, backend: request.backend)
        }
        try write(plan)
        let backend = makeBackend(plan.backend)
        let submission = try backend.submit(plan, tasks: Array(0..<plan.taskCount), alsoAwait: []) { (submission) throws(LaunchError) in
            try Submission.append(submission, layout)
        }
        return Outcome(plan: plan, submittedTasks: Array(0..<plan.taskCount), activeTasks: [], doneTasks: [], reasons: [],
                       submission: submission, nothingToDo: false)
    }

    /// `launch resume OUT`: refuses when the tokenizer or an input changed since planning (naming
    /// it); validates every finished dataset as `tokenize --resume` does; resubmits only the tasks
    /// with missing or damaged outputs that are not still pending or running, with a new final
    /// step (an earlier final job still waiting is cancelled). When all tasks are done but the
    /// final outputs are missing or stale, submits only the final step.
    ///
    /// `acceptChanged` names input files whose new content is intended (a broken file fixed): they
    /// are fingerprinted again and the manifest updated, which invalidates their completion
    /// records, so only their datasets and the final step are redone.
    public static func resume(outputDirectory: String, backend kind: BackendKind? = nil,
                              acceptChanged: [String] = []) throws(LaunchError) -> Outcome {
        var plan = try LaunchPlan.load(outputDirectory: outputDirectory)
        if !acceptChanged.isEmpty {
            try accept(changed: acceptChanged, in: &plan)
            try plan.save()
        }
        try OutputVerifier.checkUnchanged(plan)
        if let kind, kind != plan.backend {
            plan.backend = kind
            try write(plan)
        }
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        let backend = makeBackend(plan.backend)
        let (_, missing) = OutputVerifier.check(plan, deep: true)
        let needed = Set(missing.map(\.task))
        let reasons = missing.map { "task \($0.task): \(plan.inputs[$0.input].path): \($0.reason)" }

        // Tasks the scheduler still has are left to finish.
        let submissions = Submission.loadAll(layout)
        var active: [Int] = []
        var awaitedJobs: [String] = []
        for submission in submissions.reversed() {
            let states = makeBackend(submission.backend).taskStates(submission, plan: plan)
            for task in submission.tasks where needed.contains(task) && !active.contains(task) {
                let newer = submissions.last { $0.tasks.contains(task) }
                guard newer == submission else { continue }
                switch states[task] {
                case .pending?, .running?:
                    active.append(task)
                    if let job = submission.arrayJobID, !awaitedJobs.contains(job) { awaitedJobs.append(job) }
                default: break
                }
            }
        }
        let resubmit = needed.subtracting(active).sorted()
        let done = Set(0..<plan.taskCount).subtracting(needed).sorted()
        let finalDone = FileManager.default.fileExists(atPath: layout.numTokensFile) && FileManager.default.fileExists(atPath: layout.tokenInfoFile)
            && (!needed.isEmpty || LaunchStatus.staleness(plan, layout: layout, done: OutputVerifier.check(plan, deep: false).done) == nil)
        if resubmit.isEmpty {
            if !active.isEmpty || (needed.isEmpty && finalDone) {
                return Outcome(plan: plan, submittedTasks: [], activeTasks: active.sorted(), doneTasks: done, reasons: reasons,
                               submission: nil, nothingToDo: needed.isEmpty && finalDone)
            }
            if let last = submissions.last(where: { $0.finalJobID != nil }), case .pending = backend.finalState(last) {
                return Outcome(plan: plan, submittedTasks: [], activeTasks: [], doneTasks: done, reasons: reasons,
                               submission: nil, nothingToDo: false)
            }
        }
        for submission in submissions where submission.finalJobID != nil {
            makeBackend(submission.backend).cancelFinal(submission)
        }
        // Outputs are being redone (or changed): the old final outputs no longer describe them.
        if !resubmit.isEmpty || !finalDone {
            try? FileManager.default.removeItem(atPath: layout.numTokensFile)
            try? FileManager.default.removeItem(atPath: layout.tokenInfoFile)
        }
        let submission = try backend.submit(plan, tasks: resubmit, alsoAwait: awaitedJobs) { (submission) throws(LaunchError) in
            try Submission.append(submission, layout)
        }
        return Outcome(plan: plan, submittedTasks: resubmit, activeTasks: active.sorted(), doneTasks: done, reasons: reasons,
                       submission: submission, nothingToDo: false)
    }

    /// Fingerprints `paths` (inputs of `plan`) again and records the new fingerprints.
    /// - Throws: ``LaunchError/input(_:)`` for a path that is not an input of the plan or cannot be read.
    static func accept(changed paths: [String], in plan: inout LaunchPlan) throws(LaunchError) {
        for path in paths {
            let absolute = LaunchPaths.absolute(path)
            guard let index = plan.inputs.firstIndex(where: { $0.path == absolute }) else {
                throw .input("\(path) is not an input of the launch plan in \(plan.outputDirectory)")
            }
            plan.inputs[index].fingerprint = try LaunchError.readingInput { () throws(SystemError) in try FileFingerprint.of(path: absolute) }
        }
    }
}
