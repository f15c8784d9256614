import Foundation

/// One submission of (some of) a plan's tasks and the final step: `OUT/.corpuskit/submissions.json`
/// holds them all, newest last.
public struct Submission: Codable, Sendable, Equatable {
    /// Which backend ran it.
    public var backend: BackendKind
    /// The tasks submitted (may be empty when only the final step was).
    public var tasks: [Int]
    /// The Slurm array job id.
    public var arrayJobID: String?
    /// The Slurm final job id.
    public var finalJobID: String?
    /// When, seconds since 1970.
    public var submittedAt: Double
    /// The submitting host.
    public var host: String
    /// The local backend's launcher process (it runs the tasks as its children).
    public var launcherPID: Int32?

    static func loadAll(_ layout: LaunchLayout) -> [Submission] {
        StateFile.readIfPresent([Submission].self, from: layout.submissionsFile) ?? []
    }

    static func append(_ submission: Submission, _ layout: LaunchLayout) throws(LaunchError) {
        try StateFile.write(loadAll(layout) + [submission], to: layout.submissionsFile)
    }
}

/// What the scheduler says about a task or the final job.
public enum SchedulerState: Sendable, Equatable {
    /// Waiting to run (the reason, when known, e.g. `Dependency`).
    case pending(String?)
    /// Running.
    case running
    /// Ended with exit status 0.
    case succeeded
    /// Ended otherwise: failed, cancelled, timed out, killed (the scheduler's word for it).
    case failed(String)
    /// The scheduler does not know (any more), or cannot be asked.
    case unknown
}

/// The part of a launch that depends on where tasks run. Planning, the task itself, records,
/// status and resume logic are shared; a backend only starts work and reports on it.
public protocol LaunchBackend {
    /// Which one.
    var kind: BackendKind { get }
    /// Starts `tasks` of `plan` and then the final step (which waits for them, and for the array
    /// jobs in `alsoAwait` still running from an earlier submission). The scripts are already
    /// written. Returns the submission to record; `recordSubmission` is called as soon as its ids
    /// are known (the local backend runs the work before returning).
    func submit(_ plan: LaunchPlan, tasks: [Int], alsoAwait: [String],
                recordSubmission: (Submission) throws(LaunchError) -> Void) throws(LaunchError) -> Submission
    /// The scheduler's view of `submission`'s tasks (tasks it does not know are left out).
    func taskStates(_ submission: Submission, plan: LaunchPlan) -> [Int: SchedulerState]
    /// The scheduler's view of `submission`'s final step.
    func finalState(_ submission: Submission) -> SchedulerState
    /// Cancels `submission`'s final step if it has not started (an earlier final job that a
    /// resubmission replaces).
    func cancelFinal(_ submission: Submission)
}

/// The backend for `kind`.
public func makeBackend(_ kind: BackendKind) -> LaunchBackend {
    switch kind {
    case .slurm: return SlurmBackend()
    case .local: return LocalBackend()
    }
}
