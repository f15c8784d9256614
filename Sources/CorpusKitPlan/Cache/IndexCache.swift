import CorpusKitSystem
import Foundation

/// Megatron's index cache (`--data-cache-path`) for a run, written or checked offline.
///
/// Writing: every file goes to a temporary name and is renamed when complete; a file already
/// there with the same bytes is kept, one with other bytes is refused (the run would silently
/// load it: Megatron trusts any file with the right name) unless `overwrite` is set.
/// Checking: every expected file is recomputed and compared byte for byte as it streams; files
/// in the folder that this configuration does not use are listed as extra.
public struct IndexCache {
    public let layout: IndexCacheLayout
    private let shapes: [DatasetShape]

    /// What a write did with each file.
    public struct WriteSummary: Sendable, Equatable {
        public var written: [String] = []
        public var kept: [String] = []
        public var replaced: [String] = []
    }

    /// What a check found.
    public struct CheckResult: Sendable, Equatable {
        /// Files the configuration needs and the folder holds with exactly the expected bytes.
        public var matching: [String] = []
        /// Files the configuration needs that the folder lacks.
        public var missing: [String] = []
        /// Files the folder holds under an expected name but with other bytes, with the first
        /// differing byte offset.
        public var wrong: [(name: String, offset: Int)] = []
        /// Files in the folder that these arguments never read (another run's, or stale).
        public var extra: [String] = []

        /// Whether Megatron pointed at the folder would load exactly what it would build.
        public var isExact: Bool { missing.isEmpty && wrong.isEmpty }

        public static func == (a: CheckResult, b: CheckResult) -> Bool {
            a.matching == b.matching && a.missing == b.missing && a.extra == b.extra
                && a.wrong.map(\.name) == b.wrong.map(\.name) && a.wrong.map(\.offset) == b.wrong.map(\.offset)
        }
    }

    /// Progress: files done, files in all, and the file being computed.
    public typealias Progress = (_ done: Int, _ total: Int, _ name: String) -> Void

    public init(configuration: PlanConfiguration, shapes: [DatasetShape], sizes: [Int], tokenizer: CacheTokenizer) throws {
        layout = try IndexCacheLayout(configuration: configuration, shapes: shapes, sizes: sizes, tokenizer: tokenizer)
        self.shapes = shapes
    }

    /// Loads every prefix's `.idx` (relative prefixes from `workingDirectory` when given, as a
    /// training job started there would) and computes the layout.
    public static func load(
        configuration: PlanConfiguration, sizes: [Int], tokenizer: CacheTokenizer, workingDirectory: String? = nil
    ) throws -> IndexCache {
        try configuration.validate()
        let shapes = try configuration.blend.prefixes.map { prefix -> DatasetShape in
            let path = (workingDirectory != nil && !prefix.hasPrefix("/")) ? workingDirectory! + "/" + prefix : prefix
            let loaded = try DatasetShape.load(prefix: path).0
            return DatasetShape(prefix: prefix, lengths: loaded.lengths)
        }
        return try IndexCache(configuration: configuration, shapes: shapes, sizes: sizes, tokenizer: tokenizer)
    }

    /// Writes the cache into `directory` (created if needed).
    public func write(into directory: String, overwrite: Bool = false, progress: Progress? = nil) throws -> WriteSummary {
        guard POSIXFile.makeDirectories(directory) else { throw IndexCacheError.cannotCreate(directory: directory) }
        var summary = WriteSummary()
        try run(directory: directory, progress: progress) { name, path in
            AtomicFile.removeStaleTemporaries(of: path)
            return try ArrayOutput(path: path, mode: .write)
        } finished: { name, path, output in
            let temporary = try output.finish()!
            if FileManager.default.fileExists(atPath: path) {
                if try Self.sameBytes(temporary, path) {
                    POSIXFile.removeQuietly(temporary)
                    summary.kept.append(name)
                    return
                }
                guard overwrite else {
                    POSIXFile.removeQuietly(temporary)
                    throw IndexCacheError.different(path: path)
                }
                try AtomicFile.publish(temporary, as: path)
                summary.replaced.append(name)
                return
            }
            try AtomicFile.publish(temporary, as: path)
            summary.written.append(name)
        }
        return summary
    }

    /// Compares the cache in `directory` with what these arguments need.
    public func check(directory: String, progress: Progress? = nil) throws -> CheckResult {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IndexCacheError.notADirectory(path: directory)
        }
        var result = CheckResult()
        try run(directory: directory, progress: progress) { name, path in
            if FileManager.default.fileExists(atPath: path) { return try ArrayOutput(path: path, mode: .compare) }
            return try ArrayOutput(path: path, mode: .discard)
        } finished: { name, path, output in
            try output.finish()
            switch output.mode {
            case .discard: result.missing.append(name)
            case .compare:
                if let offset = output.mismatch { result.wrong.append((name, offset)) } else { result.matching.append(name) }
            case .write: break
            }
        }
        let expected = Set(layout.fileNames)
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        result.extra = present.filter { !expected.contains($0) }.sorted()
        result.matching.sort()
        result.missing.sort()
        result.wrong.sort { $0.name < $1.name }
        return result
    }

    /// Computes every file in turn; `open` gives each its output, `finished` disposes of it.
    private func run(
        directory: String, progress: Progress?,
        open: (String, String) throws -> ArrayOutput,
        finished: (String, String, ArrayOutput) throws -> Void
    ) throws {
        let total = layout.fileNames.count
        var done = 0
        func outputs(_ names: [String]) throws -> [ArrayOutput] {
            var opened: [ArrayOutput] = []
            do {
                for name in names { opened.append(try open(name, directory + "/" + name)) }
            } catch {
                opened.forEach { $0.abandon() }
                throw error
            }
            return opened
        }
        func complete(_ names: [String], _ opened: [ArrayOutput]) throws {
            for (k, (name, output)) in zip(names, opened).enumerated() {
                do {
                    try finished(name, directory + "/" + name, output)
                } catch {
                    output.abandon()
                    opened[(k + 1)...].forEach { $0.abandon() }
                    throw error
                }
                done += 1
            }
        }
        for d in layout.datasetSplits {
            let names = ["description.txt", "document_index.npy", "sample_index.npy", "shuffle_index.npy"].map { layout.fileName(d, $0) }
            progress?(done, total, names[1])
            let opened = try outputs(names)
            do {
                try opened[0].append(bytes: Array(d.description.utf8))
                try IndexCacheArrays.write(
                    d, lengths: shapes[d.dataset].lengths, seed: layout.configuration.seed,
                    document: opened[1], sample: opened[2], shuffle: opened[3])
            } catch {
                opened.forEach { $0.abandon() }
                throw error
            }
            try complete(names, opened)
        }
        for b in layout.blends {
            let names = ["description.txt", "dataset_index.npy", "dataset_sample_index.npy"].map { layout.fileName(b, $0) }
            progress?(done, total, names[1])
            let opened = try outputs(names)
            do {
                try opened[0].append(bytes: Array(b.description.utf8))
                let size = max(1, b.size)
                let current = done
                try IndexCacheArrays.write(b, layout: layout, datasetIndex: opened[1], datasetSampleIndex: opened[2]) { g in
                    progress?(current, total, "\(names[1]) \(g * 100 / size)%")
                }
            } catch {
                opened.forEach { $0.abandon() }
                throw error
            }
            try complete(names, opened)
        }
        progress?(done, total, "")
    }

    /// Whether two files hold the same bytes.
    static func sameBytes(_ a: String, _ b: String) throws -> Bool {
        guard let ha = FileHandle(forReadingAtPath: a), let hb = FileHandle(forReadingAtPath: b) else { return false }
        defer { try? ha.close(); try? hb.close() }
        while true {
            let x = ha.readData(ofLength: 1 << 20)
            let y = hb.readData(ofLength: 1 << 20)
            if x != y { return false }
            if x.isEmpty { return true }
        }
    }
}

/// Why a cache cannot be written or checked.
public enum IndexCacheError: Error, CustomStringConvertible, Equatable {
    case cannotCreate(directory: String)
    case notADirectory(path: String)
    case different(path: String)

    public var description: String {
        switch self {
        case let .cannotCreate(directory): return "\(directory): the cache folder cannot be created"
        case let .notADirectory(path): return "\(path): not a folder"
        case let .different(path):
            return "\(path): already exists with other contents (Megatron would load it as it is); "
                + "remove it or allow overwriting"
        }
    }
}

/// The sample counts Megatron's training loop asks of each split (`get_train_valid_test_num_samples`
/// in `megatron/training/training.py`): train `N`, valid `(train_iters ÷ eval_interval + 1) ·
/// eval_iters · G`, test `eval_iters · G`. With `--train-samples`, `train_iters = N ÷ G`.
public enum MegatronSplitSizes {
    public static let defaultEvalIters = 100
    public static let defaultEvalInterval = 1000

    public static func sizes(trainSamples: Int, trainIters: Int?, globalBatchSize: Int, evalIters: Int, evalInterval: Int) -> [Int] {
        let iters = trainIters ?? trainSamples / globalBatchSize
        let evalRuns = (iters / evalInterval + 1) * evalIters
        return [trainSamples, evalRuns * globalBatchSize, evalIters * globalBatchSize]
    }
}
