import Foundation

/// What a task last said about itself: `OUT/.corpuskit/tasks/task-NNNN.json`, written when it
/// starts and when it ends (a task killed with SIGKILL stays `running`; ``LaunchStatus`` then asks
/// the scheduler or checks the process).
public struct TaskState: Codable, Sendable, Equatable {
    /// The phase.
    public enum Phase: String, Codable, Sendable {
        /// Started and not yet finished.
        case running
        /// Every file done.
        case done
        /// Stopped with an error or a signal.
        case failed
    }

    /// The phase.
    public var phase: Phase
    /// The host the task runs on.
    public var host: String
    /// The task's process id.
    public var pid: Int32
    /// `SLURM_ARRAY_JOB_ID` (or `SLURM_JOB_ID`) when run by Slurm.
    public var slurmJobID: String?
    /// Start time, seconds since 1970.
    public var startedAt: Double
    /// End time, when ended.
    public var finishedAt: Double?
    /// Why it failed.
    public var message: String?

    /// Reads the state of `task`, if it wrote one.
    public static func load(_ layout: LaunchLayout, task: Int) -> TaskState? {
        StateFile.readIfPresent(TaskState.self, from: layout.taskStateFile(task))
    }

    func save(_ layout: LaunchLayout, task: Int) throws(LaunchError) {
        try StateFile.write(self, to: layout.taskStateFile(task))
    }
}

/// The host name, for records.
enum HostName {
    static var current: String { ProcessInfo.processInfo.hostName }
}
