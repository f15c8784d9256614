import ArgumentParser
import Foundation
import CorpusKitLaunch
import CorpusKitPipeline
import CorpusKitMegatron
import CorpusKitSystem

/// `corpuskit launch`: a corpus tokenized as a Slurm array job (or local processes), one dataset
/// per input file, with status and resume. The logic is in CorpusKitLaunch.
struct LaunchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Tokenize a whole corpus as a Slurm array job (or local processes): plan, submit, status, resume.",
        subcommands: [LaunchTokenizeCommand.self, LaunchStatusCommand.self, LaunchResumeCommand.self,
                      LaunchRunTaskCommand.self, LaunchFinishCommand.self])
}

struct LaunchTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Plan one dataset per input file, balanced over --tasks, and submit it.",
        usage: "corpuskit launch tokenize --input <path> ... --output-dir <dir> --tasks <n> --tokenizer-type <type> --tokenizer-model <path> [<options>]",
        discussion: """
            IN/ja/ja_wiki_0000.jsonl.gz becomes OUT/ja/ja_wiki_0000_text_document.bin/.idx, byte-identical \
            to corpuskit tokenize on that file alone. Names are relative to each --input (a directory), \
            its directory (a file) or its directory before the first wildcard (a glob); --input-root sets \
            one root for all. Files are assigned to tasks by compressed size, largest first.

            Writes OUT/.corpuskit/plan.json (inputs with sizes and SHA-256 of their first and last MiB, \
            flags, tokenizer SHA-256, assignment), tokenize.sbatch (--array=0-(N-1), each task runs \
            corpuskit launch run-task OUT TASK) and final.sbatch (after the array: corpuskit launch \
            finish, then corpuskit count → OUT/num_tokens.tsv; finish also writes OUT/token_info.csv). \
            --backend slurm submits them with sbatch --parsable and --dependency=afterok; --backend local \
            runs the same scripts as local processes, all tasks at once, and waits.

            --threads (--workers, preprocess_data.py's name, is accepted too) is per task; by default each \
            task uses its CPUs.
            """)

    @OptionGroup var corpus: CorpusOptions

    @Option(help: "One root for all output names (default: each --input's own, see the discussion).")
    var inputRoot: String?

    @Option(help: "The output tree (datasets, num_tokens.tsv, token_info.csv, .corpuskit/).")
    var outputDir: String

    @Option(help: "Number of tasks (array size); at most one per input file.")
    var tasks: Int

    @Option(help: "slurm (sbatch) or local (processes on this machine).")
    var backend: BackendKind = .slurm

    @Flag(help: "Print the plan and the sbatch scripts; write and submit nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("The corpuskit executable the scripts call (default: this one).", valueName: "path"))
    var corpuskit: String?

    // MARK: tokenize flags

    @OptionGroup(title: "Tokenize options (as corpuskit tokenize)") var tokenizerOptions: TokenizeOptions

    @OptionGroup(title: "Tokenize options (as corpuskit tokenize)") var threads: ThreadsOption

    // MARK: sbatch options

    @Option(help: "sbatch --partition.")
    var partition: String?

    @Option(help: "sbatch --time (per task).")
    var time: String?

    @Option(help: "sbatch --cpus-per-task (each task tokenizes with that many threads).")
    var cpusPerTask: Int?

    @Option(help: "sbatch --mem (per task).")
    var mem: String?

    @Option(help: "sbatch --account.")
    var account: String?

    @Option(help: ArgumentHelp("An extra #SBATCH line, e.g. --sbatch-arg=--qos=high (repeatable).", valueName: "arg"))
    var sbatchArg: [String] = []

    func validate() throws {
        if corpus.paths.isEmpty { throw ValidationError("missing --input (JSONL corpus files, directories or globs)") }
        _ = try tokenizerOptions.tokenizer()
        if tasks < 1 { throw ValidationError("--tasks must be at least 1") }
        if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1") }
    }

    func run() throws {
        let (type, model) = try tokenizerOptions.tokenizer()
        let request = LaunchRequest(
            inputs: corpus.paths, inputRoot: inputRoot, outputDirectory: outputDir, tasks: tasks, backend: backend,
            flags: TokenizeFlags(tokenizerType: type.rawValue, tokenizerModel: model, jsonKeys: corpus.keys,
                                 appendEod: tokenizerOptions.appendEod, onError: tokenizerOptions.onError.rawValue,
                                 workers: threads.requested, batchBytes: tokenizerOptions.batchBytes),
            slurm: SlurmOptions(partition: partition, time: time, cpusPerTask: cpusPerTask, mem: mem, account: account,
                                extraArguments: sbatchArg),
            executable: corpuskit ?? LaunchExecutable.current)
        if dryRun {
            do {
                print(Launcher.describe(try Planner.plan(request)), terminator: "")
            } catch {
                throw CLIError(LaunchReport.message(error, outputDirectory: outputDir))
            }
            return
        }
        try LaunchReport.run(outputDirectory: outputDir) { () throws(LaunchError) in try Launcher.launch(request) }
    }
}

struct LaunchStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per task done / running / pending / failed / damaged, files and tokens done, throughput; exit 0 complete, 1 not, 2 bad input.",
        discussion: "Every finished dataset is checked against its completion record (sizes, structure); the final step is stale when a dataset changed after it ran.")

    @OptionGroup var launch: LaunchDirectory

    func run() throws {
        let status: LaunchStatus
        do {
            status = LaunchStatus.gather(try launch.plan())
        } catch {
            throw CLIError.badInput(error.description)   // 1 is "not complete"
        }
        print(status.render(), terminator: "")
        if !status.isComplete { throw ExitCode(1) }
    }
}

struct LaunchResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Verify every finished dataset and resubmit only the tasks with missing or damaged outputs.",
        discussion: """
            Refuses when the tokenizer or an input file differs from the manifest (naming it). When an input \
            was changed on purpose (a broken file fixed), --accept-changed FILE records its new fingerprint and \
            redoes only its datasets and the final step.
            """)

    @OptionGroup var launch: LaunchDirectory

    @Option(help: "Run on another backend than the plan's (slurm or local).")
    var backend: BackendKind?

    @Option(parsing: .upToNextOption, help: "Input files whose new content is intended: fingerprint them again and redo their datasets.")
    var acceptChanged: [String] = []

    func run() throws {
        try LaunchReport.run(outputDirectory: launch.outputDir) { () throws(LaunchError) in
            try Launcher.resume(outputDirectory: launch.outputDir, backend: backend, acceptChanged: acceptChanged)
        }
    }
}

struct LaunchRunTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-task",
        abstract: "Tokenize one task's files (what each array task runs).",
        discussion: "--threads defaults to the plan's --threads (--workers), else the task's CPUs.")

    @OptionGroup var launch: LaunchDirectory

    @Argument(help: "The task id (SLURM_ARRAY_TASK_ID).")
    var task: Int

    @OptionGroup var threads: ThreadsOption

    func run() throws {
        let cancellation = PipelineCancellation()
        let signals = SignalCancellation(cancellation: cancellation)
        defer { signals.stop() }
        do {
            let runner = try TaskRunner(plan: try launch.plan(), task: task, workers: threads.requested)
            StandardError.write("task \(task) on \(ProcessInfo.processInfo.hostName), \(runner.workers) thread(s)\n")
            let outcome = try runner.run(cancellation: cancellation) { StandardError.write($0 + "\n") }
            StandardError.write("task \(task): \(outcome.tokenized) file(s) tokenized, \(outcome.skipped) already done, \(outcome.tokens) tokens\n")
        } catch {
            if let signal = cancellation.signal {
                throw CLIError.interrupted("task \(task): \(error)", signal: signal)
            }
            throw CLIError(error.description)
        }
    }
}

struct LaunchFinishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finish",
        abstract: "Check that every planned dataset is there and valid (else fail naming them) and write OUT/token_info.csv.")

    @OptionGroup var launch: LaunchDirectory

    func run() throws {
        do {
            let result = try Finisher.finish(try launch.plan())
            StandardError.write("\(result.datasets) datasets, \(result.tokens) tokens; wrote token_info.csv\n")
        } catch {
            throw CLIError(error.description)
        }
    }
}

/// The launch's output directory, the argument of every command after `launch tokenize`.
struct LaunchDirectory: ParsableArguments {
    @Argument(help: "The launch's --output-dir.")
    var outputDir: String

    /// The launch's plan (`OUT/.corpuskit/plan.json`).
    func plan() throws(LaunchError) -> LaunchPlan {
        try LaunchPlan.load(outputDirectory: outputDir)
    }
}

/// What launch and resume print.
enum LaunchReport {
    /// Runs a launch or a resume and prints its outcome; its error, with the way forward for
    /// changed inputs, becomes the command's.
    static func run(outputDirectory: String, _ body: () throws(LaunchError) -> Launcher.Outcome) throws {
        do {
            Self.print(try body())
        } catch {
            throw CLIError(message(error, outputDirectory: outputDirectory))
        }
    }

    /// The error message, with the way forward for changed inputs.
    static func message(_ error: LaunchError, outputDirectory: String) -> String {
        guard case .inputsChanged(let changes) = error else { return error.description }
        let files = changes.map(\.path).joined(separator: " ")
        return error.description + "\nif the new content is intended (a broken file fixed), accept it: corpuskit launch resume \(outputDirectory) --accept-changed \(files)"
            + "\n(its datasets and the final step are redone; the others are kept)"
    }

    static func print(_ outcome: Launcher.Outcome) {
        let plan = outcome.plan
        for reason in outcome.reasons.prefix(20) { StandardError.write("\(reason)\n") }
        if outcome.reasons.count > 20 { StandardError.write("… and \(outcome.reasons.count - 20) more\n") }
        if outcome.nothingToDo {
            Swift.print("\(plan.outputDirectory): complete (\(plan.inputs.count) files in \(plan.taskCount) tasks); nothing to do")
            return
        }
        if !outcome.activeTasks.isEmpty {
            Swift.print("still pending or running, left alone: tasks \(SlurmBackend.arraySpec(outcome.activeTasks))")
        }
        guard let submission = outcome.submission else {
            Swift.print("nothing submitted; see corpuskit launch status \(plan.outputDirectory)")
            return
        }
        let tasks = outcome.submittedTasks.isEmpty ? "no tasks" : "tasks \(SlurmBackend.arraySpec(outcome.submittedTasks))"
        switch submission.backend {
        case .slurm:
            let array = submission.arrayJobID.map { "array job \($0) (\(tasks))" } ?? "no array job (\(tasks))"
            Swift.print("submitted \(array), final job \(submission.finalJobID ?? "-")")
        case .local:
            Swift.print("ran \(tasks) locally")
            Swift.print(LaunchStatus.gather(plan).render(), terminator: "")
        }
    }
}

extension BackendKind: ExpressibleByArgument {}
