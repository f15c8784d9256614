import CInferenceKernels
import Foundation

/// ``ComputePool``'s worker threads: started once, each runs its part of every hand-off.
///
/// Why not `DispatchQueue.concurrentPerform`: a decode step hands work to the workers about 120 times
/// (each matrix-vector product, attention), and each of its hand-offs woke libdispatch's Linux pool
/// through futexes, expensive in a virtual machine. Here a worker that finishes spins on its own word for
/// ``spinNanoseconds`` (the next hand-off usually comes sooner) and only then sleeps, so it never holds
/// a core while decoding is idle; the caller waits for the workers the same way (`ck_handoff.c`).
/// Measured on the llm-jp-3-1.8b shape at 2 threads, 22 rounds alternating with concurrentPerform and
/// llama.cpp on a quiet machine: 8.7 % more decode tokens/s (geometric mean; 16 rounds of 22 faster), most
/// when the host's memory is in its fast state, where a hand-off's wake-up is a larger part of a
/// matrix-vector product (BENCHMARKS.md, "Decoding, seventh session").
///
/// One caller at a time, and not from inside a part (`run` is not reentrant).
final class WorkerThreads: @unchecked Sendable {
    /// How long a waiting thread spins before it sleeps (BENCHMARKS.md, issue 21).
    static let spinNanoseconds: UInt32 = 50_000

    /// The job of the current hand-off, written by the caller before `ck_handoff_publish` and read by
    /// the workers after it (the publication orders them).
    private struct Job {
        let count: Int
        let parts: Int
        let body: (Int, Range<Int>) -> Void
    }

    /// Worker threads, besides the caller.
    let workers: Int
    private let handOff: OpaquePointer
    private var job: Job?

    /// `workers` threads (none for 0).
    init(workers: Int, spinNanoseconds: UInt32 = WorkerThreads.spinNanoseconds) {
        self.workers = max(0, workers)
        guard let handOff = ck_handoff_create(Int32(self.workers), spinNanoseconds) else { fatalError("out of memory") }
        self.handOff = handOff
        for w in 0..<self.workers {
            let thread = Thread { [self] in loop(w + 1) }
            thread.stackSize = 8 << 20  // what a pthread gets by default: OpenBLAS runs inside
            thread.start()
        }
    }

    deinit { ck_handoff_destroy(handOff) }

    /// Stops the threads and waits until each has left its loop (they release `self` just after).
    func stop() {
        ck_handoff_stop(handOff)
        ck_handoff_caller_wait(handOff)
    }

    /// `body(part, range)` for `parts` (1 ... workers + 1) contiguous ranges of `count` items; part 0 runs on
    /// the calling thread. Returns when all are done.
    func run(_ count: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
        precondition(parts >= 1 && parts <= workers + 1)
        withoutActuallyEscaping(body) { body in
            job = Job(count: count, parts: parts, body: body)
            ck_handoff_publish(handOff, Int32(parts))
            runPart(0)
            ck_handoff_caller_wait(handOff)
            job = nil
        }
    }

    private func loop(_ worker: Int) {
        while ck_handoff_worker_wait(handOff, Int32(worker)) != 0 {
            runPart(worker)
            ck_handoff_worker_done(handOff)
        }
        ck_handoff_worker_done(handOff)
    }

    /// Runs one part; a function of its own so that its copy of the job is released before the part is
    /// reported done (the body must not outlive `run`).
    @inline(never)
    private func runPart(_ part: Int) {
        guard let job else { return }
        let lo = job.count * part / job.parts, hi = job.count * (part + 1) / job.parts
        job.body(part, lo..<hi)
    }
}
