import Foundation
import CorpusKitSystem
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitMegatron

/// `corpuskit launch run-task OUT TASK`: tokenizes the task's files, one dataset per file, each
/// with the tokenize pipeline exactly as `corpuskit tokenize --input FILE --output-prefix OUT/NAME`
/// would (same library call, so the same bytes), and leaves a completion record after each file.
///
/// A file whose record and datasets are still valid is skipped, so a task re-run after a kill only
/// redoes what is missing. Before a file is redone, leftover temporary files of a killed run at its
/// prefixes are removed (no other task ever writes there: every file belongs to one task). The
/// input's fingerprint is checked before it is read, so a file changed since planning fails the task
/// with its name instead of producing a dataset that no longer matches the plan.
public final class TaskRunner {
    /// The plan.
    public let plan: LaunchPlan
    /// The task.
    public let task: Int
    /// Tokenizing threads per file.
    public let workers: Int

    /// Environment variable of a test hook: `TASK:FILE` makes task TASK stop inside its FILE-th file
    /// (0-based, in the task's order), after the first batch was written to the temporary
    /// datasets, write ``LaunchLayout/pauseMarker(_:)`` and wait until it is signalled. The launch
    /// tests use it to kill a task mid-run at a known point; it has no other use.
    public static let pauseVariable = "CORPUSKIT_LAUNCH_TEST_PAUSE"

    /// Prepares task `task` of `plan`; `workers` defaults to the plan's `--workers`, else the
    /// task's CPUs (`SLURM_CPUS_PER_TASK`, `CORPUSKIT_LAUNCH_CPUS` from the local backend, else the
    /// cores this process may run on).
    public init(plan: LaunchPlan, task: Int, workers: Int? = nil) throws(LaunchError) {
        guard task >= 0 && task < plan.taskCount else {
            throw .configuration("task \(task) is not in the plan (tasks 0-\(plan.taskCount - 1))")
        }
        self.plan = plan
        self.task = task
        self.workers = workers ?? plan.flags.workers ?? Self.taskCPUs()
    }

    /// What one run did.
    public struct Outcome: Sendable {
        /// Files tokenized this run.
        public var tokenized: Int
        /// Files skipped as already done.
        public var skipped: Int
        /// Tokens written this run.
        public var tokens: Int
    }

    /// Runs the task. `log` receives one line per file.
    /// - Throws: ``LaunchError`` naming the file; the task state is then `failed`. Interruption
    ///   (SIGINT/SIGTERM through `cancellation`) removes the current file's temporary datasets.
    public func run(cancellation: PipelineCancellation, log: (String) -> Void) throws(LaunchError) -> Outcome {
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        let environment = ProcessInfo.processInfo.environment
        var state = TaskState(
            phase: .running, host: HostName.current, pid: getpid(),
            slurmJobID: environment["SLURM_ARRAY_JOB_ID"] ?? environment["SLURM_JOB_ID"],
            startedAt: Date().timeIntervalSince1970, finishedAt: nil, message: nil)
        try state.save(layout, task: task)
        do {
            let outcome = try runFiles(layout: layout, cancellation: cancellation, log: log)
            state.phase = .done
            state.finishedAt = Date().timeIntervalSince1970
            try state.save(layout, task: task)
            return outcome
        } catch {
            state.phase = .failed
            state.finishedAt = Date().timeIntervalSince1970
            state.message = error.description
            try? state.save(layout, task: task)
            throw error
        }
    }

    private func runFiles(layout: LaunchLayout, cancellation: PipelineCancellation, log: (String) -> Void) throws(LaunchError) -> Outcome {
        let type = MegatronTokenizerType(rawValue: plan.flags.tokenizerType)!
        let policy = ErrorPolicy(rawValue: plan.flags.onError) ?? .fail
        let pauseAt = Self.pausePoint(task: task)
        var encoder: DocumentEncoder?
        var outcome = Outcome(tokenized: 0, skipped: 0, tokens: 0)
        for (position, index) in plan.assignment[task].enumerated() {
            let input = plan.inputs[index]
            if let record = CompletionRecord.load(layout, task: task, input: index),
               record.problem(plan: plan, input: input, deep: true) == nil {
                outcome.skipped += 1
                log("\(input.path): done before, skipped")
                continue
            }
            let current = try LaunchError.readingInput { () throws(SystemError) in try FileFingerprint.of(path: input.path) }
            if let change = current.difference(from: input.fingerprint) {
                throw .input("input \(input.path) changed since planning: \(change); plan again or restore it")
            }
            if encoder == nil {
                do {
                    encoder = try DocumentEncoder.load(type: type, modelPath: plan.flags.tokenizerModel, appendEOD: plan.flags.appendEod)
                } catch {
                    throw .task(error.description)
                }
                guard encoder!.dtype == plan.dtype else {
                    throw .task("tokenizer \(plan.flags.tokenizerModel) now gives dtype \(encoder!.dtype), the plan has \(plan.dtype)")
                }
            }
            let prefixes = plan.datasetPrefixes(of: input)
            try? FileManager.default.removeItem(atPath: layout.recordFile(task: task, input: index))
            try prepareDirectory(for: prefixes)
            var configuration = TokenizeConfiguration(
                inputs: [input.path], outputPrefix: (plan.outputDirectory as NSString).appendingPathComponent(input.name),
                jsonKeys: plan.flags.jsonKeys, workers: workers, errorPolicy: policy, resume: false,
                tokenInfoCSV: nil, batchBytes: plan.flags.batchBytes)
            configuration.ownsOutputs = true
            let pause = pauseAt == position ? PauseReporter(marker: layout.pauseMarker(task), cancellation: cancellation) : nil
            let summary: TokenizeSummary
            do {
                summary = try TokenizePipeline(configuration: configuration, encoder: encoder!)
                    .run(progress: pause, cancellation: cancellation)
            } catch {
                throw .task("\(input.path): \(error)")
            }
            let record = CompletionRecord(
                input: index, path: input.path, outputDigest: plan.outputDigest(of: input),
                datasets: summary.outputs.map { CompletionRecord.Dataset(prefix: $0.prefix, documents: $0.documents, tokens: $0.tokens) },
                inputBytes: summary.inputBytes, skippedLines: summary.problems.total, seconds: summary.seconds,
                finishedAt: Date().timeIntervalSince1970, host: HostName.current)
            try StateFile.write(record, to: layout.recordFile(task: task, input: index))
            outcome.tokenized += 1
            outcome.tokens += summary.outputs.reduce(0) { $0 + $1.tokens }
            var line = "\(input.path) → \(prefixes.joined(separator: ", ")): \(summary.documents) documents, "
                + "\(summary.outputs.reduce(0) { $0 + $1.tokens }) tokens, " + String(format: "%.2f s", summary.seconds)
            if summary.problems.total > 0 { line += ", \(summary.problems.total) bad lines skipped" }
            log(line)
        }
        return outcome
    }

    /// Creates the datasets' directories. (Temporary files a killed attempt of this task left at
    /// its prefixes are removed by the pipeline: the task owns them, ``TokenizeConfiguration/ownsOutputs``.)
    private func prepareDirectory(for prefixes: [String]) throws(LaunchError) {
        for prefix in prefixes {
            let directory = (prefix as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .task("cannot create \(directory): \(error.localizedDescription)")
            }
        }
    }

    /// The CPUs this task may use.
    static func taskCPUs() -> Int {
        let environment = ProcessInfo.processInfo.environment
        for name in ["SLURM_CPUS_PER_TASK", "CORPUSKIT_LAUNCH_CPUS"] {
            if let value = environment[name].flatMap({ Int($0) }), value >= 1 { return value }
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The test hook's file position for `task`, if set for it.
    static func pausePoint(task: Int) -> Int? {
        guard let value = ProcessInfo.processInfo.environment[pauseVariable] else { return nil }
        let parts = value.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, parts[0] == task else { return nil }
        return parts[1]
    }
}

/// The test hook's progress reporter: on the first batch written it writes the marker and waits
/// (at most 10 minutes) until the run is cancelled.
private final class PauseReporter: ProgressReporter {
    let marker: String
    let cancellation: PipelineCancellation
    var paused = false

    init(marker: String, cancellation: PipelineCancellation) {
        self.marker = marker
        self.cancellation = cancellation
    }

    func update(_ progress: PipelineProgress) {
        guard !paused else { return }
        paused = true
        _ = FileManager.default.createFile(atPath: marker, contents: Data("\(getpid())\n".utf8))
        for _ in 0..<12_000 where !cancellation.isCancelled { usleep(50_000) }
    }

    func finish(_ progress: PipelineProgress) {}
    func abandon() {}
}
