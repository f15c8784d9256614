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
        // Temporaries an interrupted write left: one listing of the folder, not one per file.
        let expected = Set(layout.fileNames)
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let interrupted = Set(present.compactMap { entry in entry.range(of: ".tmp-").map { String(entry[..<$0.lowerBound]) } })
        for name in interrupted where expected.contains(name) { AtomicFile.removeStaleTemporaries(of: directory + "/" + name) }
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

    /// The blends' arrays, computed on a thread of their own while the calling thread computes the
    /// datasets' indices (neither depends on the other). Only `compute` runs on that thread; the
    /// outputs are opened and finished on the calling thread.
    private final class BlendJob: @unchecked Sendable { // handed to the thread whole, touched by one thread at a time
        let layout: IndexCacheLayout
        let items: [(blend: IndexCacheLayout.Blend, outputs: [ArrayOutput])]
        var counts: [BlendCounts] = []
        var failure: Error?
        private let done = DispatchSemaphore(value: 0)

        init(layout: IndexCacheLayout, items: [(blend: IndexCacheLayout.Blend, outputs: [ArrayOutput])]) {
            self.layout = layout
            self.items = items
        }

        func compute() {
            do {
                for (b, opened) in items {
                    try opened[0].append(bytes: Array(b.description.utf8))
                    counts.append(try IndexCacheArrays.write(
                        b, layout: layout, datasetIndex: opened[1], datasetSampleIndex: opened[2], prefix: layout.sizes[b.split]))
                }
            } catch {
                failure = error
            }
        }

        func start() {
            let thread = Thread { [self] in
                compute()
                done.signal()
            }
            thread.stackSize = 1 << 22
            thread.start()
        }

        func wait() { done.wait() }
    }

    /// Computes every file; `open` gives each its output, `finished` disposes of it. Returns the
    /// train blend's counts.
    private func run(
        directory: String, progress: Progress?,
        open: (String, String) throws -> ArrayOutput,
        finished: (String, String, ArrayOutput) throws -> Void
    ) throws -> BlendCounts? {
        let total = layout.fileNames.count
        var done = 0
        var pending: [ArrayOutput] = [] // opened and not yet finished, abandoned on failure
        func outputs(_ names: [String]) throws -> [ArrayOutput] {
            var opened: [ArrayOutput] = []
            for name in names {
                let output = try open(name, directory + "/" + name)
                opened.append(output)
                pending.append(output)
            }
            return opened
        }
        func complete(_ names: [String], _ opened: [ArrayOutput]) throws {
            for (name, output) in zip(names, opened) {
                try finished(name, directory + "/" + name, output)
                pending.removeAll { $0 === output }
                done += 1
            }
        }
        let blendNames = layout.blends.map { b in
            ["description.txt", "dataset_index.npy", "dataset_sample_index.npy"].map { layout.fileName(b, $0) }
        }
        var job: BlendJob?
        do {
            let items = try zip(layout.blends, blendNames).map { (blend: $0, outputs: try outputs($1)) }
            if !items.isEmpty {
                job = BlendJob(layout: layout, items: items)
                job!.start()
            }
            for d in layout.datasetSplits {
                let names = ["description.txt", "document_index.npy", "sample_index.npy", "shuffle_index.npy"].map { layout.fileName(d, $0) }
                progress?(done, total, names[1])
                let opened = try outputs(names)
                try opened[0].append(bytes: Array(d.description.utf8))
                try IndexCacheArrays.write(
                    d, lengths: shapes[d.dataset].lengths, seed: layout.configuration.seed,
                    document: opened[1], sample: opened[2], shuffle: opened[3])
                try complete(names, opened)
            }
            if let running = job {
                progress?(done, total, blendNames[0][1])
                running.wait()
                let finishedJob = running
                job = nil
                if let failure = finishedJob.failure { throw failure }
                for (names, item) in zip(blendNames, finishedJob.items) { try complete(names, item.outputs) }
                progress?(done, total, "")
                return zip(layout.blends, finishedJob.counts).first { $0.0.split == 0 }?.1
            }
            progress?(done, total, "")
            return nil
        } catch {
            job?.wait() // its outputs are abandoned below, once it no longer writes them
            pending.forEach { $0.abandon() }
            throw error
        }
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
