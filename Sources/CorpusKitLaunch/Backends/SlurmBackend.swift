import Foundation

/// Runs a launch on Slurm: `sbatch --parsable --array=LIST` of the task script, then
/// `sbatch --parsable --dependency=afterok:JOB` of the final script. States come from
/// `squeue --states=all` (which still lists ended jobs for `MinJobAge`), else from `sacct` when
/// accounting is enabled.
public struct SlurmBackend: LaunchBackend {
    public var kind: BackendKind { .slurm }

    /// A backend using the `sbatch`, `squeue`, `sacct` and `scancel` on PATH.
    public init() {}

    public func submit(_ plan: LaunchPlan, tasks: [Int], alsoAwait: [String],
                       recordSubmission: (Submission) throws(LaunchError) -> Void) throws(LaunchError) -> Submission {
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        var submission = Submission(backend: .slurm, tasks: tasks, arrayJobID: nil, finalJobID: nil,
                                    submittedAt: Date().timeIntervalSince1970, host: HostName.current, launcherPID: nil)
        if !tasks.isEmpty {
            submission.arrayJobID = try sbatch(["--array=\(Self.arraySpec(tasks))", layout.taskScript])
        }
        let awaited = (submission.arrayJobID.map { [$0] } ?? []) + alsoAwait
        var finalArguments: [String] = []
        if !awaited.isEmpty { finalArguments.append("--dependency=afterok:" + awaited.joined(separator: ":")) }
        do {
            submission.finalJobID = try sbatch(finalArguments + [layout.finalScript])
        } catch {
            try? recordSubmission(submission)
            throw error
        }
        try recordSubmission(submission)
        return submission
    }

    public func taskStates(_ submission: Submission, plan: LaunchPlan) -> [Int: SchedulerState] {
        guard let job = submission.arrayJobID else { return [:] }
        var states: [Int: SchedulerState] = [:]
        if let result = try? CommandRunner.run("squeue", ["--noheader", "--array", "--states=all", "--jobs=\(job)", "--format=%K|%T|%r"]),
           result.status == 0 {
            for line in result.output.split(separator: "\n") {
                let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard fields.count >= 2 else { continue }
                for task in Self.tasks(in: fields[0]) {
                    states[task] = Self.state(fields[1], reason: fields.count > 2 ? fields[2] : nil)
                }
            }
        }
        if states.count < submission.tasks.count, let accounted = sacct(job) {
            for (id, state) in accounted {
                guard id.hasPrefix(job + "_") else { continue }
                for task in Self.tasks(in: String(id.dropFirst(job.count + 1))) where states[task] == nil {
                    states[task] = state
                }
            }
        }
        return states
    }

    public func finalState(_ submission: Submission) -> SchedulerState {
        guard let job = submission.finalJobID else { return .unknown }
        if let result = try? CommandRunner.run("squeue", ["--noheader", "--states=all", "--jobs=\(job)", "--format=%T|%r"]),
           result.status == 0, let line = result.output.split(separator: "\n").first {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            return Self.state(fields[0], reason: fields.count > 1 ? fields[1] : nil)
        }
        return sacct(job)?.first(where: { $0.0 == job })?.1 ?? .unknown
    }

    public func cancelFinal(_ submission: Submission) {
        guard let job = submission.finalJobID else { return }
        if case .pending = finalState(submission) {
            _ = try? CommandRunner.run("scancel", [job])
        }
    }

    /// `sbatch --parsable ARGS`: the job id.
    private func sbatch(_ arguments: [String]) throws(LaunchError) -> String {
        let result = try CommandRunner.run("sbatch", ["--parsable"] + arguments)
        guard result.status == 0 else {
            throw .scheduler("sbatch \(arguments.joined(separator: " ")) failed (status \(result.status)): \(result.error.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id = text.split(separator: ";").first.map(String.init), !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw .scheduler("sbatch printed no job id: \(text)")
        }
        return id
    }

    /// `sacct` states of a job's steps-free records (`JobID|State`), or `nil` when accounting is off.
    private func sacct(_ job: String) -> [(String, SchedulerState)]? {
        guard let result = try? CommandRunner.run("sacct", ["--noheader", "--parsable2", "--allocations", "--jobs=\(job)", "--format=JobID,State"]),
              result.status == 0 else { return nil }
        return result.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|").map(String.init)
            guard fields.count >= 2 else { return nil }
            return (fields[0], Self.state(fields[1].split(separator: " ").first.map(String.init) ?? fields[1], reason: nil))
        }
    }

    /// A Slurm job state name as a ``SchedulerState``.
    static func state(_ name: String, reason: String?) -> SchedulerState {
        let reason = reason.flatMap { $0 == "None" || $0.isEmpty ? nil : $0 }
        switch name {
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SUSPENDED":
            return .pending(reason)
        case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING":
            return .running
        case "COMPLETED":
            return .succeeded
        default:
            return .failed(name)
        }
    }

    /// Task ids in a `%K` field or a sacct id suffix: `3`, `0-3`, `[1,4-5]`, `0-7%2`.
    static func tasks(in field: String) -> [Int] {
        var text = field
        if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        var result: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 1 { result.append(bounds[0]) } else if bounds.count == 2, bounds[0] <= bounds[1] { result += Array(bounds[0]...bounds[1]) }
        }
        return result
    }

    /// `--array` value for `tasks`: consecutive runs as ranges (`0-3`, `3,7`, `1-2,5`).
    public static func arraySpec(_ tasks: [Int]) -> String {
        let sorted = Array(Set(tasks)).sorted()
        var parts: [String] = []
        var start = 0
        while start < sorted.count {
            var end = start
            while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == start ? "\(sorted[start])" : "\(sorted[start])-\(sorted[end])")
            start = end + 1
        }
        return parts.joined(separator: ",")
    }
}
