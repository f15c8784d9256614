import Foundation
import Synchronization

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

    /// Runs `body(range)` over `count` items: each of at most `threads` workers first takes one long
    /// contiguous block (together `headShare` of the items, block starts multiples of `align`), then the
    /// workers claim the rest `grain` items at a time from a shared counter, so a worker on a faster core
    /// does more of the tail instead of waiting for the slower one.
    ///
    /// For decoding's matrix-vector products. The two vCPUs of this project's machine rarely run at the
    /// same speed, so with fixed halves one waits for the other; rows claimed 16 at a time from the start
    /// balance that but break each worker's weight stream into 32–64 KiB pieces, which lost the host's fast
    /// memory states (10 tok/s where fixed halves reached 11–14.6). Long blocks first keep the streams;
    /// measured on the llm-jp-3-1.8b shape at 2 threads, alternating with fixed halves (BENCHMARKS.md,
    /// "Decoding, seventh session").
    func parallelGuided(_ count: Int, align: Int, grain: Int, headShare: Double = 0.875, _ body: (Range<Int>) -> Void) {
        let workers = min(threads, max(1, count / max(1, grain)))
        if workers <= 1 {
            body(0..<count)
            return
        }
        let block = Int(Double(count) * headShare) / workers / align * align
        let tailStart = block * workers
        let tailChunks = (count - tailStart + grain - 1) / grain
        let next = Atomic<Int>(0)
        workerThreads.run(workers, parts: workers) { part, _ in
            if block > 0 { body(part * block..<(part + 1) * block) }
            while true {
                let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if c >= tailChunks { return }
                body(tailStart + c * grain..<min(count, tailStart + (c + 1) * grain))
            }
        }
    }

    func tile(_ worker: Int) -> UnsafeMutablePointer<Float> { tiles[worker] }
}
