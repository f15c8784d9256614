// The cost of one hand-off to ComputePool's workers: `DispatchQueue.concurrentPerform` (what
// ComputePool used before issue 21's persistent workers) against `WorkerThreads` (Sources/CorpusKitInference/
// Model/WorkerThreads.swift, compiled in as it is) at several spin bounds. In each hand-off every part
// works BODY_US microseconds (a clock-bounded loop; 0: it only writes one word of its own cache line);
// between hand-offs the caller works GAP_US microseconds alone (a decode step's norms and additions
// between its ~120 hand-offs). Rounds alternate the variants; printed: the best round's wall and process
// CPU microseconds per hand-off, and the wall time over BODY_US + GAP_US (the hand-off's own cost).
//
//   mkdir -p /tmp/handoff && printf 'module CInferenceKernels {\n header "%s/Sources/CInferenceKernels/include/ck_handoff.h"\n export *\n}\n' "$PWD" > /tmp/handoff/module.modulemap
//   cc -O2 -c Sources/CInferenceKernels/ck_handoff.c -I Sources/CInferenceKernels/include -o /tmp/handoff/ck_handoff.o
//   swiftc -O -parse-as-library -module-name BenchHandoff -I /tmp/handoff Tools/benchmarks/bench_handoff.swift Sources/CorpusKitInference/Model/WorkerThreads.swift /tmp/handoff/ck_handoff.o -o /tmp/handoff/bench
//   /tmp/handoff/bench 2 20000 5 20 5
//
// Usage: bench THREADS HANDOFFS ROUNDS BODY_US GAP_US
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct Pad: @unchecked Sendable { let p: UnsafeMutablePointer<Int> }

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func busy(_ microseconds: Double) {
    guard microseconds > 0 else { return }
    let end = DispatchTime.now().uptimeNanoseconds + UInt64(microseconds * 1000)
    while DispatchTime.now().uptimeNanoseconds < end {}
}

@main
struct Bench {
    static func main() {
        let args = CommandLine.arguments
        guard args.count == 6, let threads = Int(args[1]), let handOffs = Int(args[2]), let rounds = Int(args[3]),
              let work = Double(args[4]), let gap = Double(args[5]), threads >= 2 else {
            print("usage: bench THREADS HANDOFFS ROUNDS BODY_US GAP_US"); exit(64)
        }
        let cells = Pad(p: .allocate(capacity: threads * 16))
        cells.p.initialize(repeating: 0, count: threads * 16)
        let body: (Int, Range<Int>) -> Void = { w, range in
            busy(work)
            cells.p[w * 16] &+= range.count
        }
        let spins: [UInt32] = [0, 5_000, 20_000, 50_000, 100_000]
        let pools = spins.map { WorkerThreads(workers: threads - 1, spinNanoseconds: $0) }
        var variants: [(String, () -> Void)] = [("concurrentPerform", {
            DispatchQueue.concurrentPerform(iterations: threads) { w in body(w, threads * w / threads..<threads * (w + 1) / threads) }
        })]
        for (spin, pool) in zip(spins, pools) {
            variants.append(("WorkerThreads spin \(spin / 1000) us", { pool.run(threads, parts: threads, body) }))
        }
        var best = [(wall: Double, cpu: Double)](repeating: (.infinity, .infinity), count: variants.count)
        for _ in 0..<rounds {
            for (i, variant) in variants.enumerated() {
                let wall0 = DispatchTime.now().uptimeNanoseconds, cpu0 = cpuSeconds()
                for _ in 0..<handOffs {
                    variant.1()
                    busy(gap)
                }
                let wall = Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e3 / Double(handOffs)
                let cpu = (cpuSeconds() - cpu0) * 1e6 / Double(handOffs)
                best[i] = (min(best[i].wall, wall), min(best[i].cpu, cpu))
            }
        }
        print("threads \(threads), \(handOffs) hand-offs x \(rounds) rounds, body \(work) us, gap \(gap) us; best round, per hand-off:")
        for (i, variant) in variants.enumerated() {
            print(String(format: "%-30@ wall %8.2f us (hand-off %7.2f)   CPU %8.2f us", variant.0 as NSString, best[i].wall, best[i].wall - work - gap, best[i].cpu))
        }
        for pool in pools { pool.stop() }
    }
}
