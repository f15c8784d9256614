import Foundation

/// A raw pointer that may cross into the parallel workers (each writes a disjoint part).
struct SharedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// The worker threads and their scratch memory.
///
/// OpenBLAS runs single-threaded inside each worker (`openblas_set_num_threads(1)`): the work is
/// split here, by output rows (matrix products) or heads (attention), so that the bf16 → f32 tile
/// conversion runs in parallel too and `threads` bounds the cores used.
public final class ComputePool: @unchecked Sendable {
    /// Worker threads (at least 1): the most cores a forward pass uses.
    public let threads: Int
    /// The code that multiplies bf16 weights by one activation row (decoding): the widest this CPU
    /// runs unless set (tests set each supported one to compare them).
    public var matrixVectorKernel = MatrixVectorKernel.best
    /// Floats of one worker's conversion tile (8 MiB: 1,024 rows of a 2,048-wide weight).
    ///
    /// Large because sgemm packs its other operand, the activations, again in every call: with a
    /// 2,048-position window that is 16 MiB read and written per call. Against the 64 rows a 512 KiB
    /// tile held, that packing took 21 % of a 534-position prompt pass's CPU time on the llm-jp-3-1.8b
    /// shape; against 1,024 rows, 4 % (BENCHMARKS.md). The tile itself is read once, by sgemm's packing.
    static let tileFloats = 2_097_152
    private var tiles: [UnsafeMutablePointer<Float>]
    private let workerThreads: WorkerThreads

    /// Fails when OpenBLAS cannot be loaded (``OpenBLAS/load()``).
    public init(threads: Int) throws(InferenceError) {
        try OpenBLAS.load()
        self.threads = max(1, threads)
        tiles = (0..<self.threads).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: ComputePool.tileFloats) }
        workerThreads = WorkerThreads(workers: self.threads - 1)
    }

    deinit {
        workerThreads.stop()
        for tile in tiles { tile.deallocate() }
    }

    /// Runs `body(worker, range)` over `count` items split into at most `threads` contiguous ranges
    /// (worker `w` of `n` takes `count * w / n ..< count * (w + 1) / n`); worker 0 is the calling thread.
    /// One caller at a time, and not from inside `body`.
    func parallel(_ count: Int, minimumPerWorker: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let workers = min(threads, max(1, count / max(1, minimumPerWorker)))
        if workers <= 1 {
            body(0, 0..<count)
            return
        }
        workerThreads.run(count, parts: workers, body)
    }

    func tile(_ worker: Int) -> UnsafeMutablePointer<Float> { tiles[worker] }
}
