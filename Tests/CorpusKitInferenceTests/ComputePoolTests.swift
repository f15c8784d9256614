import Foundation
import XCTest
@testable import CorpusKitInference

/// ``ComputePool``'s persistent workers (``WorkerThreads``): every hand-off covers each index once, in
/// the ranges `count * w / n ..< count * (w + 1) / n`, and a pool goes away without hanging.
final class ComputePoolTests: XCTestCase {
    /// Many hand-offs in a row with uneven counts (0, 1, fewer items than threads, more, and minimums
    /// per worker that leave fewer parts): each index is written exactly once, by the part whose range
    /// it is in, and only the expected parts run.
    func testHandOffsCoverEachIndexOnce() throws {
        for threads in [1, 2, 3, 5] {
            let pool = try ComputePool(threads: threads)
            let counts = [0, 1, 2, threads - 1, threads, threads + 1, 7, 64, 1_000]
            var hits = [Int32](repeating: 0, count: 1_000)
            var owner = [Int](repeating: -1, count: 1_000)
            for round in 0..<3_000 {
                let count = counts[round % counts.count]
                let minimum = [1, 1, 3, 100][round % 4]
                let parts = min(threads, max(1, count / minimum))
                var ranges = [Range<Int>?](repeating: nil, count: threads)
                hits.withUnsafeMutableBufferPointer { h in
                    owner.withUnsafeMutableBufferPointer { o in
                        ranges.withUnsafeMutableBufferPointer { r in
                            let hp = SharedPointer(h.baseAddress!), op = SharedPointer(o.baseAddress!), rp = SharedPointer(r.baseAddress!)
                            pool.parallel(count, minimumPerWorker: minimum) { worker, range in
                                rp.pointer[worker] = range
                                for i in range {
                                    hp.pointer[i] += 1
                                    op.pointer[i] = worker
                                }
                            }
                        }
                    }
                }
                for w in 0..<threads {
                    XCTAssertEqual(ranges[w], w < parts ? count * w / parts..<count * (w + 1) / parts : nil, "threads \(threads) count \(count) part \(w)")
                    for i in ranges[w] ?? 0..<0 { XCTAssertEqual(owner[i], w) }
                }
                for i in 0..<count {
                    XCTAssertEqual(hits[i], 1, "threads \(threads) count \(count) index \(i)")
                    hits[i] = 0
                }
                XCTAssertFalse(hits.contains { $0 != 0 }, "an index past count \(count) was written")
            }
        }
    }

    /// The guided split (a long block per worker, then the tail in grains from a shared counter): every
    /// index exactly once, and every range starting at a multiple of `align` (the bf16 kernel's 8-row passes).
    func testGuidedSplitCoversEachIndexOnceAligned() throws {
        for threads in [1, 2, 3] {
            let pool = try ComputePool(threads: threads)
            for count in [0, 1, 7, 8, 15, 16, 17, 100, 2_048, 6_144, 14_336, 99_584] {
                for round in 0..<20 {
                    var hits = [Int32](repeating: 0, count: count)
                    var starts: [Int] = []
                    let lock = NSLock()
                    hits.withUnsafeMutableBufferPointer { h in
                        let hp = SharedPointer(h.baseAddress!)
                        pool.parallelGuided(count, align: 8, grain: 16) { range in
                            lock.lock(); starts.append(range.lowerBound); lock.unlock()
                            for i in range { hp.pointer[i] += 1 }
                        }
                    }
                    XCTAssertFalse(hits.contains { $0 != 1 }, "threads \(threads) count \(count) round \(round)")
                    XCTAssertTrue(starts.allSatisfy { $0 % 8 == 0 }, "threads \(threads) count \(count): a range off the 8-row grid")
                }
            }
        }
    }

    /// Pools made and dropped, idle and just after work: deinit stops and waits for the workers.
    func testPoolsAreDestroyedWithoutHanging() throws {
        for round in 0..<200 {
            let pool = try ComputePool(threads: 2 + round % 3)
            if round % 2 == 0 { pool.parallel(10) { _, _ in } }
        }
    }
}
