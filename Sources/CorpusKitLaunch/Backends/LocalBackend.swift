import Foundation
import CorpusKitSystem

/// Runs a launch on this machine: every submitted task at once as a child process running the
/// same task script Slurm would (`bash tokenize.sbatch` with `SLURM_ARRAY_TASK_ID` set, the
/// cores split between them through `CORPUSKIT_LAUNCH_CPUS`), then, when all succeeded, the final
/// script. `submit` returns when everything ended; logs go to `OUT/.corpuskit/logs/*-local.log`.
public struct LocalBackend: LaunchBackend {
    public var kind: BackendKind { .local }

    /// A local backend.
    public init() {}

    public func submit(_ plan: LaunchPlan, tasks: [Int], alsoAwait: [String],
                       recordSubmission: (Submission) throws(LaunchError) -> Void) throws(LaunchError) -> Submission {
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        let submission = Submission(backend: .local, tasks: tasks, arrayJobID: nil, finalJobID: nil,
                                    submittedAt: Date().timeIntervalSince1970, host: HostName.current, launcherPID: getpid())
        try recordSubmission(submission)
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let cpusEach = max(1, cores / max(1, tasks.count))
        var running: [(task: Int, process: Process)] = []
        for task in tasks {
            var environment = ProcessInfo.processInfo.environment
            environment["SLURM_ARRAY_TASK_ID"] = String(task)
            environment["CORPUSKIT_LAUNCH_CPUS"] = String(cpusEach)
            let log = (layout.logDirectory as NSString).appendingPathComponent("task-\(task)-local.log")
            running.append((task, try start(layout.taskScript, log: log, environment: environment)))
        }
        var failed: [String] = []
        for (task, process) in running {
            process.waitUntilExit()
            if process.terminationStatus != 0 || process.terminationReason != .exit {
                failed.append("task \(task) (status \(process.terminationStatus); log \(layout.logDirectory)/task-\(task)-local.log)")
            }
        }
        if !failed.isEmpty {
            throw .task("failed: " + failed.joined(separator: ", ") + "; see corpuskit launch status \(plan.outputDirectory), then corpuskit launch resume")
        }
        let finalLog = (layout.logDirectory as NSString).appendingPathComponent("final-local.log")
        let final = try start(layout.finalScript, log: finalLog, environment: ProcessInfo.processInfo.environment)
        final.waitUntilExit()
        if final.terminationStatus != 0 || final.terminationReason != .exit {
            let tail = (try? String(contentsOfFile: finalLog, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
            throw .incomplete("the final step failed (status \(final.terminationStatus); log \(finalLog)):\n\(tail)")
        }
        return submission
    }

    public func taskStates(_ submission: Submission, plan: LaunchPlan) -> [Int: SchedulerState] {
        guard submission.host == HostName.current else { return [:] }
        let layout = LaunchLayout(outputDirectory: plan.outputDirectory)
        let launcherAlive = submission.launcherPID.map(POSIXFile.processExists) ?? false
        var states: [Int: SchedulerState] = [:]
        for task in submission.tasks {
            if let state = TaskState.load(layout, task: task), state.startedAt >= submission.submittedAt - 1 {
                switch state.phase {
                case .running: states[task] = POSIXFile.processExists(state.pid) ? .running : .failed("process \(state.pid) ended without finishing")
                case .done: states[task] = .succeeded
                case .failed: states[task] = .failed(state.message ?? "failed")
                }
            } else if launcherAlive {
                states[task] = .pending(nil)
            }
        }
        return states
    }

    public func finalState(_ submission: Submission) -> SchedulerState {
        guard submission.host == HostName.current, let pid = submission.launcherPID else { return .unknown }
        return POSIXFile.processExists(pid) ? .pending(nil) : .unknown
    }

    public func cancelFinal(_ submission: Submission) {}

    private func start(_ script: String, log: String, environment: [String: String]) throws(LaunchError) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        do {
            try FileManager.default.createDirectory(atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        } catch {
            throw .task("cannot start bash \(script): \(error.localizedDescription)")
        }
        return process
    }

}
