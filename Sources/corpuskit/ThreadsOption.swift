import ArgumentParser
import Foundation

/// `--threads N`, in every command that runs worker threads. `--workers` (llm-jp's
/// preprocess_data.py name, which tokenize and launch take as a drop-in) is a hidden alias.
struct ThreadsOption: ParsableArguments {
    @Option(name: .customLong("threads"), help: ArgumentHelp("Worker threads (default: all cores).", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("workers"), help: .hidden)
    var workers: Int?

    /// The count asked for, if any.
    var requested: Int? { threads ?? workers }

    /// The count asked for, else one per core.
    var count: Int { requested ?? Self.cores }

    static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    func validate() throws {
        if threads != nil && workers != nil { throw ValidationError("give one of --threads and --workers (its alias)") }
        if let requested, requested < 1 { throw ValidationError("\(threads != nil ? "--threads" : "--workers") must be at least 1") }
    }
}
