import Foundation
import CorpusKitSystem

/// `corpuskit launch status OUT`: per task done / running / pending / failed, from the task's
/// own records first (a task whose every file has a completion record is done, whatever the
/// scheduler says) and the scheduler's view of its latest submission otherwise.
public struct LaunchStatus: Sendable {
    /// A task's state.
    public enum Phase: String, Sendable {
        /// Every file has a completion record and its datasets exist.
        case done
        /// The scheduler runs it.
        case running
        /// Submitted and waiting.
        case pending
        /// Ended (or vanished) with files not done.
        case failed
        /// Never submitted.
        case planned
        /// A task: a dataset with a completion record no longer matches it (truncated, changed,
        /// missing). The final step: a dataset changed after it ran, or its `token_info.csv` does
        /// not list what the records say.
        case damaged
        case stale
    }

    /// One task.
    public struct Task: Sendable {
        /// The task id (the array index).
        public var task: Int
        /// Its state.
        public var phase: Phase
        /// Why it is failed or pending, when known (the scheduler's state, the task's error).
        public var detail: String?
        /// Files in the task, and how many are done.
        public var files: Int
        public var filesDone: Int
        /// Tokens and compressed input bytes of the done files.
        public var tokensDone: Int
        public var bytesDone: Int
        /// Seconds spent tokenizing the done files.
        public var seconds: Double
    }

    /// The tasks, in order.
    public var tasks: [Task]
    /// The final step: `done` when `num_tokens.tsv` and `token_info.csv` exist, every dataset is
    /// done and none changed after them (else `stale`), else its scheduler state (`planned` when
    /// never submitted).
    public var final: Phase
    /// The final step's detail (the Slurm job id and state).
    public var finalDetail: String?
    /// Compressed input bytes in the plan.
    public var totalBytes: Int
    /// Wall-clock span from the first task start to the last file finished, for the throughput.
    public var wallSeconds: Double

    /// True when every task and the final step are done.
    public var isComplete: Bool { final == .done && tasks.allSatisfy { $0.phase == .done } }

    /// Looks at `plan`'s records and asks its backend (or `backend`) about the latest submissions.
    public static func gather(_ plan: LaunchPlan, backend: LaunchBackend? = nil) -> LaunchStatus {
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        // Each dataset against its completion record: sizes and structure, as resume checks them.
        let (done, missing) = OutputVerifier.check(plan, deep: true)
        var damage: [Int: [String]] = [:]
        for entry in missing where entry.damaged {
            damage[entry.task, default: []].append("\(plan.inputs[entry.input].path): \(entry.reason)")
        }
        let submissions = Submission.loadAll(layout)
        var latest: [Int: Submission] = [:]
        for submission in submissions {
            for task in submission.tasks { latest[task] = submission }
        }
        var cache: [Double: [Int: SchedulerState]] = [:]
        var firstStart = Double.infinity, lastFinish = 0.0
        var tasks: [Task] = []
        for (task, indices) in plan.assignment.enumerated() {
            let records = indices.compactMap { done[$0] }
            var entry = Task(task: task, phase: .planned, detail: nil, files: indices.count, filesDone: records.count,
                             tokensDone: records.reduce(0) { $0 + $1.datasets.reduce(0) { $0 + $1.tokens } },
                             bytesDone: indices.filter { done[$0] != nil }.reduce(0) { $0 + plan.inputs[$1].fingerprint.size },
                             seconds: records.reduce(0) { $0 + $1.seconds })
            for record in records {
                firstStart = min(firstStart, record.finishedAt - record.seconds)
                lastFinish = max(lastFinish, record.finishedAt)
            }
            let state = TaskState.load(layout, task: task)
            if records.count == indices.count {
                entry.phase = .done
            } else if let submission = latest[task] {
                let backend = backend ?? makeBackend(submission.backend)
                if cache[submission.submittedAt] == nil { cache[submission.submittedAt] = backend.taskStates(submission, plan: plan) }
                switch cache[submission.submittedAt]![task] {
                case .pending(let reason)?:
                    entry.phase = .pending
                    entry.detail = reason
                case .running?:
                    entry.phase = .running
                case .succeeded?:
                    entry.phase = .failed
                    entry.detail = "ended without finishing its files"
                case .failed(let why)?:
                    entry.phase = .failed
                    entry.detail = why
                case .unknown?, nil:
                    entry.phase = .failed
                    entry.detail = state?.phase == .failed ? nil : "not known to the scheduler and not finished"
                }
                if entry.phase == .failed, state?.phase == .failed, let message = state?.message {
                    entry.detail = [entry.detail, message].compactMap { $0 }.joined(separator: ": ")
                }
                if let job = submission.arrayJobID { entry.detail = ["job \(job)_\(task)", entry.detail].compactMap { $0 }.joined(separator: ", ") }
            }
            if let problems = damage[task], entry.phase != .running && entry.phase != .pending {
                entry.phase = .damaged
                entry.detail = problems.joined(separator: "; ")
            }
            tasks.append(entry)
        }

        var final = Phase.planned
        var finalDetail: String?
        if FileManager.default.fileExists(atPath: layout.numTokensFile) && FileManager.default.fileExists(atPath: layout.tokenInfoFile) {
            final = .done
            if let why = staleness(plan, layout: layout, done: done) {
                final = .stale
                finalDetail = why
            }
        } else if let submission = submissions.last(where: { $0.finalJobID != nil || $0.backend == .local }) {
            let backend = backend ?? makeBackend(submission.backend)
            switch backend.finalState(submission) {
            case .pending(let reason): final = .pending; finalDetail = reason
            case .running: final = .running
            case .succeeded: final = .failed; finalDetail = "ended, but num_tokens.tsv or token_info.csv is missing"
            case .failed(let why): final = .failed; finalDetail = why
            case .unknown: final = .failed; finalDetail = "not known to the scheduler and its outputs are missing"
            }
            if let job = submission.finalJobID { finalDetail = ["job \(job)", finalDetail].compactMap { $0 }.joined(separator: ", ") }
        }
        return LaunchStatus(tasks: tasks, final: final, finalDetail: finalDetail,
                            totalBytes: plan.inputs.reduce(0) { $0 + $1.fingerprint.size },
                            wallSeconds: lastFinish > firstStart ? lastFinish - firstStart : 0)
    }

    /// Why the final outputs no longer describe the datasets, or nil: a dataset not done, one
    /// published (or modified) after `num_tokens.tsv` / `token_info.csv` were written, or a
    /// `token_info.csv` that is not what the records give.
    static func staleness(_ plan: LaunchPlan, layout: LaunchLayout, done: [Int: CompletionRecord]) -> String? {
        func modified(_ path: String) -> Double {
            POSIXFile.status(path: path)?.modifiedAt ?? 0
        }
        let ran = min(modified(layout.numTokensFile), modified(layout.tokenInfoFile))
        if done.count < plan.inputs.count {
            return "\(plan.inputs.count - done.count) of \(plan.inputs.count) input files have no valid datasets now"
        }
        for index in plan.inputs.indices {
            guard let record = done[index] else { continue }
            for dataset in record.datasets {
                let changed = max(record.finishedAt, modified(dataset.prefix + ".bin"), modified(dataset.prefix + ".idx"))
                if changed > ran {
                    return "\(dataset.prefix) changed after num_tokens.tsv / token_info.csv were written"
                }
            }
        }
        let expected = Finisher.tokenInfo(plan, done: done).text
        if FileManager.default.contents(atPath: layout.tokenInfoFile) != Data(expected.utf8) {
            return "\(layout.tokenInfoFile) does not list what the completion records say"
        }
        return nil
    }

    /// The report `corpuskit launch status` prints.
    public func render() -> String {
        var lines = [[pad("task", 4, right: true), pad("state", 8), pad("files", 10), pad("tokens", 14, right: true), pad("input MB", 11, right: true), pad("MB/s", 6, right: true), "detail"].joined(separator: "  ")]
        for task in tasks {
            let rate = task.seconds > 0 ? String(format: "%.1f", Double(task.bytesDone) / 1e6 / task.seconds) : "-"
            let row = [pad(String(task.task), 4, right: true), pad(task.phase.rawValue, 8),
                       pad("\(task.filesDone)/\(task.files)", 10), pad(String(task.tokensDone), 14, right: true),
                       pad(String(format: "%.2f", Double(task.bytesDone) / 1e6), 11, right: true), pad(rate, 6, right: true),
                       task.detail ?? ""]
            lines.append(row.joined(separator: "  "))
        }
        let files = tasks.reduce(0) { $0 + $1.files }, filesDone = tasks.reduce(0) { $0 + $1.filesDone }
        let tokens = tasks.reduce(0) { $0 + $1.tokensDone }, bytes = tasks.reduce(0) { $0 + $1.bytesDone }
        let counts = [Phase.done, .running, .pending, .failed, .damaged, .planned].compactMap { phase -> String? in
            let n = tasks.filter { $0.phase == phase }.count
            return n > 0 ? "\(n) \(phase.rawValue)" : nil
        }
        lines.append("tasks: " + counts.joined(separator: ", "))
        var total = String(format: "files: %d/%d done, %d tokens, %.2f of %.2f MB", filesDone, files, tokens,
                           Double(bytes) / 1e6, Double(totalBytes) / 1e6)
        if wallSeconds > 0 { total += String(format: ", %.1f MB/s over %.1f s", Double(bytes) / 1e6 / wallSeconds, wallSeconds) }
        lines.append(total)
        lines.append("final (num_tokens.tsv, token_info.csv): \(final.rawValue)" + (finalDetail.map { " (\($0))" } ?? ""))
        return lines.joined(separator: "\n") + "\n"
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
