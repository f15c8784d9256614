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
    /// The datasets' sequence lengths, in data-path order.
    public let shapes: [DatasetShape]

    /// How long a temporary file of a process that is not alive on this machine must have been
    /// left unmodified before a write removes it. The cache folder may be shared by a cluster's
    /// nodes, and a write holds its finished files' temporaries until every file is computed (a
    /// blend of 10⁸ samples took 1–4 minutes here), so an hour leaves any live writer alone.
    static let staleAfterSeconds: Double = 3600

    /// What a write did with each file.
    public struct WriteSummary: Sendable, Equatable {
        public var written: [String] = []
        public var kept: [String] = []
        public var replaced: [String] = []
        /// The train blend's samples per dataset (nil without a train blend), for the plan's table.
        public var trainBlendCounts: BlendCounts?
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
        /// The train blend's samples per dataset (nil without a train blend), for the plan's table.
        public var trainBlendCounts: BlendCounts?

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

    /// Writes the cache into `directory` (created if needed). Files are published (renamed from
    /// their temporary names) only once every file has been computed, so a failure part way (a
    /// dataset the blend oversamples) leaves the folder as it was.
    public func write(into directory: String, overwrite: Bool = false, progress: Progress? = nil) throws -> WriteSummary {
        guard POSIXFile.makeDirectories(directory) else { throw IndexCacheError.cannotCreate(directory: directory) }
        var summary = WriteSummary()
        var computed: [(name: String, path: String, temporary: String)] = []
        // Temporaries an interrupted write left (one listing of the folder). The folder may be
        // shared by the nodes of a cluster, where another node's live writer has a process id that
        // is not alive here: only files idle for ``staleAfterSeconds`` go.
        AtomicFile.removeStaleTemporaries(of: layout.fileNames.map { directory + "/" + $0 }, idleFor: Self.staleAfterSeconds)
        do {
            summary.trainBlendCounts = try run(directory: directory, progress: progress) { name, path in
                try ArrayOutput(path: path, mode: .write)
            } finished: { name, path, output in
                computed.append((name, path, try output.finish()!))
            }
            // Refuse before publishing anything: the folder stays as it was.
            let existing = try computed.map { item -> Bool? in
                FileManager.default.fileExists(atPath: item.path) ? try Self.sameBytes(item.temporary, item.path) : nil
            }
            if !overwrite, let k = existing.firstIndex(of: false) { throw IndexCacheError.different(path: computed[k].path) }
            for ((name, path, temporary), same) in zip(computed, existing) {
                if same == true {
                    POSIXFile.removeQuietly(temporary)
                    summary.kept.append(name)
                } else {
                    try AtomicFile.publish(temporary, as: path)
                    if same == false { summary.replaced.append(name) } else { summary.written.append(name) }
                }
            }
        } catch {
            computed.forEach { POSIXFile.removeQuietly($0.temporary) }
            throw error
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
        result.trainBlendCounts = try run(directory: directory, progress: progress) { name, path in
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

    /// A cache computation shared by two threads (the datasets' indices and the blends' arrays do
    /// not depend on each other): a second thread computes the blends, then takes dataset splits
    /// from the back of the list while the calling thread takes them from the front. `open`,
    /// `finished` and `progress` run under `lock`, one at a time; at most two datasets' indices are
    /// in memory at once.
    private final class Work: @unchecked Sendable { // its mutable state is only touched under `lock`
        let cache: IndexCache
        let directory: String
        let open: (String, String) throws -> ArrayOutput
        let finished: (String, String, ArrayOutput) throws -> Void
        let progress: Progress?
        let lock = NSLock()
        let helperDone = DispatchSemaphore(value: 0)
        var front = 0
        var back: Int
        var done = 0
        var failure: Error?
        var trainCounts: BlendCounts?
        let total: Int

        init(
            cache: IndexCache, directory: String, open: @escaping (String, String) throws -> ArrayOutput,
            finished: @escaping (String, String, ArrayOutput) throws -> Void, progress: Progress?
        ) {
            self.cache = cache
            self.directory = directory
            self.open = open
            self.finished = finished
            self.progress = progress
            back = cache.layout.datasetSplits.count
            total = 4 * cache.layout.datasetSplits.count + 3 * cache.layout.blends.count
        }

        func locked<T>(_ body: () throws -> T) rethrows -> T {
            lock.lock()
            defer { lock.unlock() }
            return try body()
        }

        /// Opens `names`, lets `compute` fill them, and finishes them; on failure abandons them and
        /// records the failure (the first one) for both threads to stop.
        func task(_ names: [String], _ compute: ([ArrayOutput]) throws -> Void) {
            var opened: [ArrayOutput] = []
            do {
                try locked {
                    progress?(done, total, names[1])
                    for name in names { opened.append(try open(name, directory + "/" + name)) }
                }
                try compute(opened)
                try locked {
                    for (name, output) in zip(names, opened) {
                        try finished(name, directory + "/" + name, output)
                        done += 1
                    }
                }
            } catch {
                opened.forEach { $0.abandon() }
                locked { if failure == nil { failure = error } }
            }
        }

        func dataset(_ k: Int) {
            let layout = cache.layout
            let d = layout.datasetSplits[k]
            let names = ["description.txt", "document_index.npy", "sample_index.npy", "shuffle_index.npy"].map { layout.fileName(d, $0) }
            task(names) { opened in
                try opened[0].append(bytes: Array(d.description.utf8))
                try IndexCacheArrays.write(
                    d, lengths: cache.shapes[d.dataset].lengths, seed: layout.configuration.seed,
                    document: opened[1], sample: opened[2], shuffle: opened[3])
            }
        }

        func blend(_ b: IndexCacheLayout.Blend) {
            let layout = cache.layout
            let names = ["description.txt", "dataset_index.npy", "dataset_sample_index.npy"].map { layout.fileName(b, $0) }
            task(names) { opened in
                try opened[0].append(bytes: Array(b.description.utf8))
                let counts = try IndexCacheArrays.write(
                    b, layout: layout, datasetIndex: opened[1], datasetSampleIndex: opened[2], prefix: layout.sizes[b.split])
                if b.split == 0 { locked { trainCounts = counts } }
            }
        }

        /// The next dataset split from the front (or the back), nil when none is left or a task failed.
        func take(fromBack: Bool) -> Int? {
            locked {
                guard failure == nil, front < back else { return nil }
                if fromBack {
                    back -= 1
                    return back
                }
                front += 1
                return front - 1
            }
        }

        func helper() {
            for b in cache.layout.blends where locked({ failure == nil }) { blend(b) }
            while let k = take(fromBack: true) { dataset(k) }
            helperDone.signal()
        }
    }

    /// Computes every file; `open` gives each its output, `finished` disposes of it (both called
    /// under a lock, from either of two threads). Returns the train blend's counts.
    private func run(
        directory: String, progress: Progress?,
        open: @escaping (String, String) throws -> ArrayOutput,
        finished: @escaping (String, String, ArrayOutput) throws -> Void
    ) throws -> BlendCounts? {
        let work = Work(cache: self, directory: directory, open: open, finished: finished, progress: progress)
        let thread = Thread { work.helper() }
        thread.stackSize = 1 << 22
        thread.start()
        while let k = work.take(fromBack: false) { work.dataset(k) }
        work.helperDone.wait()
        if let failure = work.failure { throw failure }
        progress?(work.done, work.total, "")
        return work.trainCounts
    }

    /// Whether two files hold the same bytes (false when `b` is not a regular file, e.g. a folder).
    static func sameBytes(_ a: String, _ b: String) throws -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: b, isDirectory: &isDirectory), !isDirectory.boolValue,
              let size = POSIXFile.size(path: a), POSIXFile.size(path: b) == size
        else { return false }
        let fa = try POSIXFile.openForReading(a)
        defer { try? POSIXFile.close(fa, path: a) }
        let fb = try POSIXFile.openForReading(b)
        defer { try? POSIXFile.close(fb, path: b) }
        var offset = 0
        while offset < size {
            let n = min(1 << 20, size - offset)
            if try POSIXFile.read(fa, offset: offset, count: n, path: a) != POSIXFile.read(fb, offset: offset, count: n, path: b) {
                return false
            }
            offset += n
        }
        return true
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
/// eval_iters · G`, test `eval_iters · G`. With `--train-samples`, `train_iters = N ÷ G`. The
/// evaluation interval's default depends on the Megatron (`MegatronFlavor.defaultEvalInterval`).
public enum MegatronSplitSizes {
    public static let defaultEvalIters = 100

    public static func sizes(trainSamples: Int, trainIters: Int?, globalBatchSize: Int, evalIters: Int, evalInterval: Int) -> [Int] {
        let iters = trainIters ?? trainSamples / globalBatchSize
        let evalRuns = (iters / evalInterval + 1) * evalIters
        return [trainSamples, evalRuns * globalBatchSize, evalIters * globalBatchSize]
    }
}
