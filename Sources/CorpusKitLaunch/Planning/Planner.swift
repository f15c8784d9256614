import Foundation
import CorpusKitSystem
import CorpusKitPipeline
import CorpusKitMegatron

/// What `corpuskit launch tokenize` was asked to do.
public struct LaunchRequest: Sendable {
    /// `--input`: files, directories or globs.
    public var inputs: [String]
    /// `--input-root`: one root for all output names (see ``InputTree``).
    public var inputRoot: String?
    /// `--output-dir`.
    public var outputDirectory: String
    /// `--tasks`.
    public var tasks: Int
    /// `--backend`.
    public var backend: BackendKind
    /// The tokenize flags (paths as given).
    public var flags: TokenizeFlags
    /// Slurm pass-through options.
    public var slurm: SlurmOptions
    /// The `corpuskit` executable the scripts call.
    public var executable: String

    /// A request.
    public init(inputs: [String], inputRoot: String?, outputDirectory: String, tasks: Int, backend: BackendKind,
                flags: TokenizeFlags, slurm: SlurmOptions, executable: String) {
        self.inputs = inputs
        self.inputRoot = inputRoot
        self.outputDirectory = outputDirectory
        self.tasks = tasks
        self.backend = backend
        self.flags = flags
        self.slurm = slurm
        self.executable = executable
    }
}

/// Turns a ``LaunchRequest`` into a ``LaunchPlan``: expands and names the inputs, fingerprints
/// them and the tokenizer, and balances them over the tasks.
public enum Planner {
    /// Builds the plan (reads two MiB per input and the tokenizer file; writes nothing).
    public static func plan(_ request: LaunchRequest) throws(LaunchError) -> LaunchPlan {
        guard request.tasks >= 1 else { throw .configuration("the task count must be at least 1") }
        guard MegatronTokenizerType(rawValue: request.flags.tokenizerType) != nil else {
            throw .configuration("tokenizer type \(request.flags.tokenizerType) is not supported")
        }
        guard ErrorPolicy(rawValue: request.flags.onError) != nil else {
            throw .configuration("bad-line policy \(request.flags.onError): expected fail or skip")
        }
        let out = LaunchPaths.absolute(request.outputDirectory)
        if request.backend == .slurm, let bad = [out, request.executable].first(where: SbatchScript.needsQuoting) {
            throw .configuration("\(bad): paths in #SBATCH lines must not contain whitespace, quotes or '%'")
        }
        var flags = request.flags
        flags.tokenizerModel = LaunchPaths.absolute(flags.tokenizerModel)
        let tokenizerFile = try resolveTokenizerFile(flags.tokenizerModel)
        let tokenizerSHA256 = try LaunchError.readingInput { () throws(SystemError) in try FileDigest.sha256(path: tokenizerFile) }
        let encoder: DocumentEncoder
        do {
            encoder = try DocumentEncoder.load(type: MegatronTokenizerType(rawValue: flags.tokenizerType)!,
                                               modelPath: flags.tokenizerModel, appendEOD: flags.appendEod)
        } catch {
            throw .configuration(error.description)
        }

        let entries = try InputTree.entries(inputs: request.inputs, root: request.inputRoot)
        var inputs: [PlannedInput] = []
        for entry in entries {
            if entry.path.hasPrefix(out + "/") {
                throw .input("\(entry.path) is inside the output directory \(out)")
            }
            inputs.append(PlannedInput(path: entry.path, name: entry.name, fingerprint: try LaunchError.readingInput { () throws(SystemError) in try FileFingerprint.of(path: entry.path) }, task: 0))
        }
        let assignment = TaskAssignment.balance(sizes: inputs.map(\.fingerprint.size), tasks: request.tasks)
        for (task, indices) in assignment.enumerated() {
            for index in indices { inputs[index].task = task }
        }
        return LaunchPlan(
            outputDirectory: out, executable: LaunchPaths.absolute(request.executable), flags: flags,
            tokenizerSHA256: tokenizerSHA256, tokenizerFile: tokenizerFile, dtypeCode: encoder.dtype.megatronCode, inputs: inputs,
            assignment: assignment, backend: request.backend, slurm: request.slurm, corpuskitVersion: CorpusKitVersion.description)
    }

    /// The file a tokenizer path names: itself, or for a directory its `tokenizer.json`, else its
    /// one `.model` file (as the tokenizer loader picks).
    public static func resolveTokenizerFile(_ path: String) throws(LaunchError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .input("tokenizer \(path): no such file or directory")
        }
        guard isDirectory.boolValue else { return path }
        let json = (path as NSString).appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json) { return json }
        let models = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".model") }.sorted()
        guard models.count == 1 else {
            throw .input("tokenizer \(path): the directory must hold tokenizer.json or exactly one .model file")
        }
        return (path as NSString).appendingPathComponent(models[0])
    }

    /// Why `new` is not the plan already in OUT (`old`), or `nil` when they describe the same work.
    /// The first difference is named: an input file, a flag, the tokenizer, the task count.
    public static func difference(_ new: LaunchPlan, from old: LaunchPlan) -> String? {
        if new.tokenizerSHA256 != old.tokenizerSHA256 || new.tokenizerFile != old.tokenizerFile {
            return "the tokenizer differs (\(old.tokenizerFile), SHA-256 \(old.tokenizerSHA256.prefix(12))… in the plan; now \(new.tokenizerFile), \(new.tokenizerSHA256.prefix(12))…)"
        }
        if new.flags.outputDeciding != old.flags.outputDeciding {
            return "the flags differ (plan: \(old.flags.outputDeciding.joined(separator: " ")); now: \(new.flags.outputDeciding.joined(separator: " ")))"
        }
        let oldByPath = Dictionary(old.inputs.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        for input in new.inputs {
            guard let previous = oldByPath[input.path] else { return "input \(input.path) is not in the plan" }
            if let change = input.fingerprint.difference(from: previous.fingerprint) { return "input \(input.path) changed: \(change)" }
            if input.name != previous.name { return "input \(input.path) now maps to \(input.name), the plan has \(previous.name)" }
        }
        if new.inputs.count != old.inputs.count { return "the plan has \(old.inputs.count) input files, the inputs now expand to \(new.inputs.count)" }
        if new.assignment != old.assignment { return "the task assignment differs (\(old.taskCount) tasks in the plan, \(new.taskCount) now)" }
        return nil
    }
}
