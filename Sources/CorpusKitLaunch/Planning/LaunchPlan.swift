import Foundation
import CorpusKitSystem
import CorpusKitShards

/// The `corpuskit tokenize` options a launch applies to every input file: what decides the output
/// bytes (checked again by `resume`) and what only decides speed.
public struct TokenizeFlags: Codable, Sendable, Equatable {
    /// `--tokenizer-type`.
    public var tokenizerType: String
    /// The tokenizer file or directory, absolute (`--tokenizer-model`, or `--vocab-file` for
    /// JapaneseSentencePiece, as tokenize resolves them).
    public var tokenizerModel: String
    /// `--json-keys`.
    public var jsonKeys: [String]
    /// `--append-eod`.
    public var appendEod: Bool
    /// `--on-error` (`fail` or `skip`).
    public var onError: String
    /// `--workers` when given; otherwise each task uses its CPUs. Does not change the output.
    public var workers: Int?
    /// Bytes per batch. Does not change the output.
    public var batchBytes: Int

    /// The flags as given.
    public init(tokenizerType: String, tokenizerModel: String, jsonKeys: [String], appendEod: Bool,
                onError: String, workers: Int?, batchBytes: Int) {
        self.tokenizerType = tokenizerType
        self.tokenizerModel = tokenizerModel
        self.jsonKeys = jsonKeys
        self.appendEod = appendEod
        self.onError = onError
        self.workers = workers
        self.batchBytes = batchBytes
    }

    /// The flags that decide the output bytes, as `--flag value` words (for messages and digests).
    public var outputDeciding: [String] {
        var words = ["--tokenizer-type", tokenizerType, "--tokenizer-model", tokenizerModel, "--json-keys"] + jsonKeys
        if appendEod { words.append("--append-eod") }
        words += ["--on-error", onError]
        return words
    }
}

/// Scheduler options passed through to `sbatch`.
public struct SlurmOptions: Codable, Sendable, Equatable {
    /// `--partition`.
    public var partition: String?
    /// `--time`.
    public var time: String?
    /// `--cpus-per-task`.
    public var cpusPerTask: Int?
    /// `--mem`.
    public var mem: String?
    /// `--account`.
    public var account: String?
    /// `--sbatch-arg`, each passed as one `#SBATCH` line, in order.
    public var extraArguments: [String]

    /// The options as given.
    public init(partition: String? = nil, time: String? = nil, cpusPerTask: Int? = nil, mem: String? = nil,
                account: String? = nil, extraArguments: [String] = []) {
        self.partition = partition
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.mem = mem
        self.account = account
        self.extraArguments = extraArguments
    }
}

/// Which scheduler runs the tasks.
public enum BackendKind: String, Codable, Sendable, CaseIterable {
    /// A Slurm array job and a dependent final job (`sbatch`).
    case slurm
    /// Local processes, all tasks at once, then the final step.
    case local
}

/// One input file of the plan and the dataset(s) it becomes.
public struct PlannedInput: Codable, Sendable, Equatable {
    /// The input file, absolute.
    public var path: String
    /// Its place in the output tree, relative to OUT and without the corpus suffix
    /// (`ja/ja_wiki_0000` for `IN/ja/ja_wiki_0000.jsonl.gz`); datasets are
    /// `OUT/{name}_{key}_document.bin/.idx`.
    public var name: String
    /// Size and head/tail hashes at planning time.
    public var fingerprint: FileFingerprint
    /// The task that tokenizes it.
    public var task: Int
}

/// The manifest of a launch, `OUT/.corpuskit/plan.json`: everything a task, `status` and `resume`
/// need, so that they take nothing but OUT.
public struct LaunchPlan: Codable, Sendable, Equatable {
    /// Manifest format version.
    public var version = 1
    /// OUT, absolute.
    public var outputDirectory: String
    /// The `corpuskit` executable the scripts call, absolute.
    public var executable: String
    /// The tokenize options.
    public var flags: TokenizeFlags
    /// SHA-256 of the tokenizer file (the resolved file when `tokenizerModel` is a directory).
    public var tokenizerSHA256: String
    /// The tokenizer file hashed.
    public var tokenizerFile: String
    /// The Megatron dtype code of the datasets (what the tokenizer's vocabulary size gives).
    public var dtypeCode: UInt8
    /// The input files, in planning order (inputs as given, each expanded and sorted).
    public var inputs: [PlannedInput]
    /// Per task, the indices into ``inputs`` it tokenizes, largest file first.
    public var assignment: [[Int]]
    /// The backend `launch tokenize` used; `resume` uses it too unless told otherwise.
    public var backend: BackendKind
    /// Options for `sbatch`.
    public var slurm: SlurmOptions
    /// The corpuskit that planned (``CorpusKitVersion/description``: release and commit); absent
    /// in manifests of earlier versions. Not compared by ``Planner/difference(_:from:)``.
    public var corpuskitVersion: String?

    /// The `.bin` element type of every dataset.
    public var dtype: TokenDType { TokenDType(megatronCode: dtypeCode) ?? .int32 }

    /// The number of tasks.
    public var taskCount: Int { assignment.count }

    /// The datasets of `input`: `OUT/{name}_{key}_document`, one per key.
    public func datasetPrefixes(of input: PlannedInput) -> [String] {
        flags.jsonKeys.map { key in (outputDirectory as NSString).appendingPathComponent("\(input.name)_\(key)_document") }
    }

    /// A digest of what decides `input`'s output bytes: its fingerprint, the output-deciding flags
    /// and the tokenizer. Completion records carry it, so that a record made under another plan is
    /// never taken for this one.
    public func outputDigest(of input: PlannedInput) -> String {
        let words = [input.path, input.name, String(input.fingerprint.size), input.fingerprint.firstMiBSHA256,
                     input.fingerprint.lastMiBSHA256, tokenizerSHA256] + flags.outputDeciding
        return FileDigest.sha256Hex(words.joined(separator: "\u{0}"))
    }
}

/// Where a launch keeps its state under OUT.
public struct LaunchLayout: Sendable {
    /// OUT, absolute.
    public let outputDirectory: String

    /// The layout of `outputDirectory` (made absolute).
    public init(outputDirectory: String) {
        self.outputDirectory = LaunchPaths.absolute(outputDirectory)
    }

    /// `OUT/.corpuskit`.
    public var stateDirectory: String { join(outputDirectory, ".corpuskit") }
    /// `OUT/.corpuskit/plan.json`.
    public var planFile: String { join(stateDirectory, "plan.json") }
    /// `OUT/.corpuskit/tokenize.sbatch`: the array job script.
    public var taskScript: String { join(stateDirectory, "tokenize.sbatch") }
    /// `OUT/.corpuskit/final.sbatch`: the dependent final job script.
    public var finalScript: String { join(stateDirectory, "final.sbatch") }
    /// `OUT/.corpuskit/submissions.json`.
    public var submissionsFile: String { join(stateDirectory, "submissions.json") }
    /// `OUT/.corpuskit/logs`.
    public var logDirectory: String { join(stateDirectory, "logs") }
    /// `OUT/.corpuskit/tasks`: one state file per task.
    public var taskDirectory: String { join(stateDirectory, "tasks") }
    /// `OUT/num_tokens.tsv`.
    public var numTokensFile: String { join(outputDirectory, "num_tokens.tsv") }
    /// `OUT/token_info.csv`.
    public var tokenInfoFile: String { join(outputDirectory, "token_info.csv") }

    /// `OUT/.corpuskit/tasks/task-NNNN.json`.
    public func taskStateFile(_ task: Int) -> String { join(taskDirectory, "task-\(Self.number(task)).json") }
    /// `OUT/.corpuskit/records/task-NNNN`: the task's completion records, one per input file.
    public func recordDirectory(_ task: Int) -> String { join(join(stateDirectory, "records"), "task-\(Self.number(task))") }
    /// The completion record of input `index` (done by `task`).
    public func recordFile(task: Int, input index: Int) -> String { join(recordDirectory(task), "input-\(Self.number(index)).json") }
    /// The marker a paused task writes (test hook, see ``TaskRunner``).
    public func pauseMarker(_ task: Int) -> String { join(taskDirectory, "task-\(Self.number(task)).paused") }

    static func number(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func join(_ a: String, _ b: String) -> String { (a as NSString).appendingPathComponent(b) }
}

/// Path helpers.
public enum LaunchPaths {
    /// `path` made absolute against the current directory, with `.`/`..` and duplicate slashes
    /// removed (symbolic links are kept).
    public static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}

/// JSON files of the launch state, written atomically (temporary name, then rename).
enum StateFile {
    static func write<T: Encodable>(_ value: T, to path: String) throws(LaunchError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var data = try encoder.encode(value)
            data.append(UInt8(ascii: "\n"))
            try AtomicFile.write([UInt8](data), to: path)
        } catch {
            throw .manifest("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func read<T: Decodable>(_ type: T.Type, from path: String) throws(LaunchError) -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .manifest("cannot read \(path): no such file")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .manifest("\(path) is damaged: \(error)")
        }
    }

    static func readIfPresent<T: Decodable>(_ type: T.Type, from path: String) -> T? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }
}

extension LaunchPlan {
    /// Reads `OUT/.corpuskit/plan.json`.
    /// - Throws: ``LaunchError/manifest(_:)`` when OUT holds no plan or it is damaged.
    public static func load(outputDirectory: String) throws(LaunchError) -> LaunchPlan {
        let layout = LaunchLayout(outputDirectory: outputDirectory)
        guard FileManager.default.fileExists(atPath: layout.planFile) else {
            throw .manifest("\(layout.outputDirectory) holds no launch plan (\(layout.planFile) is missing); run corpuskit launch tokenize first")
        }
        let plan = try StateFile.read(LaunchPlan.self, from: layout.planFile)
        guard plan.version == 1 else { throw .manifest("\(layout.planFile): unsupported manifest version \(plan.version)") }
        return plan
    }

    /// Writes the plan to `OUT/.corpuskit/plan.json` atomically.
    public func save() throws(LaunchError) {
        try StateFile.write(self, to: LaunchLayout(outputDirectory: outputDirectory).planFile)
    }
}
