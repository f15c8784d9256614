@testable import CorpusKitPlan
import CorpusKitTestSupport
import Testing

/// The blend walk (`BlendWalker`, behind `walk`, `counts` and the cache) against the
/// full scan of `helpers.cpp` (itself checked against megatron-core by MegatronFixtureTests, and the
/// walker against megatron-core by the cache fixtures and `Tools/benchmarks/bench_cache.py`): the
/// same dataset and dataset sample at every step, for random weight vectors of every shape that
/// stresses its exactness — llm-jp-like token counts over eight orders of magnitude, equal weights
/// (ties at every step), weights a few ulps apart (comparisons decided by rounding), tiny weights,
/// one dominant dataset, one dataset, thousands of datasets.
@Suite struct BlendingIndexTests {
    /// Returns the steps the walker scanned whole (its fallback).
    @discardableResult
    static func check(_ raw: [Double], size: Int, normalize: Bool = true, _ label: String) -> Int {
        let weights = normalize ? NumpyFloat.normalize(NumpyFloat.normalize(raw)) : raw
        let blend = BlendingIndex(weights: weights)
        var reference: [(Int, Int)] = []
        reference.reserveCapacity(size)
        blend.walkScanning(size: size) { _, i, s in reference.append((i, s)); return true }
        var g = 0
        var firstDifference: Int?
        blend.walk(size: size) { step, i, s in
            if step != g || reference[step] != (i, s) { firstDifference = step; return false }
            g += 1
            return true
        }
        #expect(firstDifference == nil && g == size, "\(label), \(raw.count) datasets: first difference at sample \(firstDifference ?? g)")
        var all = [Int](repeating: 0, count: weights.count)
        var atPrefix = all
        let prefix = size * 2 / 3
        for (k, (i, _)) in reference.enumerated() {
            all[i] += 1
            if k == prefix - 1 { atPrefix = all }
        }
        let counts = blend.counts(size: size, prefix: prefix)
        #expect(counts.prefix == atPrefix && counts.all == all, "\(label): counts")
        let walker = BlendWalker(weights: weights, size: size)
        walker.advance(size)
        #expect(walker.counts == all)
        return walker.fallbacks
    }

    @Test func walkerEqualsFullScanOnShapedBlends() {
        var rng = SplitMix64(seed: 20)
        for d in [2, 3, 25, 40, 97, 300] {
            let tokenCounts = (0..<d).map { _ in Double(rng.next() % 1000 + 1) * Double(UInt64(1) << (rng.next() % 26)) }
            Self.check(tokenCounts, size: 25_000, "token counts")
        }
        Self.check([1], size: 1000, "one dataset")
        Self.check([Double](repeating: 1, count: 64), size: 20_000, "equal")
        Self.check([Double](repeating: 1, count: 7), size: 20_000, "equal, not a power of two")
        Self.check([1e9] + [Double](repeating: 1, count: 40), size: 20_000, "dominant")
        Self.check((1...30).map { Double($0) }, size: 20_000, "1...30")
        Self.check([1, 1e-12, 1e-12, 1, 3e-13], size: 20_000, "tiny")
        // Past the walker's first reset of its level (every 4·d steps).
        Self.check((0..<1500).map { _ in Double(rng.next() % 1_000_000 + 1) }, size: 15_000, "thousands")
    }

    /// Random vectors mixing groups of equal weights, weights one to a few ulps apart, tiny ones and
    /// ordinary ones, in random order (the tie rule depends on the order).
    @Test func walkerEqualsFullScanOnRandomWeights() {
        var rng = SplitMix64(seed: 2026)
        var fallbacks = 0
        for trial in 0..<120 {
            let d = [1, 2, 3, 5, 8, 13, 31, 64, 100, 257][trial % 10]
            var raw: [Double] = []
            while raw.count < d {
                let base = Double(rng.next() % 10_000 + 1) / 100
                switch rng.next() % 5 {
                case 0: raw.append(contentsOf: [Double](repeating: base, count: Int(rng.next() % 4) + 1))
                case 1:
                    var x = base
                    for _ in 0..<(Int(rng.next() % 4) + 1) {
                        raw.append(x)
                        for _ in 0..<(rng.next() % 3 + 1) { x = x.nextUp }
                    }
                case 2: raw.append(base * 1e-9)
                default: raw.append(base)
                }
            }
            raw = Array(raw.prefix(d))
            raw.shuffle(using: &rng)
            fallbacks += Self.check(raw, size: 6_000, "random trial \(trial)")
            // The walk also runs with weights as given (not summing to 1), e.g. ulp-apart after normalising.
            let unnormalized = raw.map { $0 / raw.reduce(0, +) }
            fallbacks += Self.check(unnormalized, size: 3_000, normalize: false, "random trial \(trial), normalised once")
        }
        #expect(fallbacks > 0, "the whole-scan fallback was never taken")
    }
}
