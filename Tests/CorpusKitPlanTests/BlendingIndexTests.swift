@testable import CorpusKitPlan
import CorpusKitTestSupport
import Testing

/// The windowed blend walk (many datasets) against the full scan of `helpers.cpp` (itself checked
/// against megatron-core by MegatronFixtureTests): the same dataset and dataset sample at every
/// step, for blends shaped like llm-jp's (token-count weights over eight orders of magnitude),
/// equal weights (many ties), and one dominant dataset.
@Suite struct BlendingIndexTests {
    static func check(_ raw: [Double], size: Int) {
        let weights = NumpyFloat.normalize(NumpyFloat.normalize(raw))
        let blend = BlendingIndex(weights: weights)
        var reference: [(Int, Int)] = []
        reference.reserveCapacity(size)
        blend.walkScanning(size: size) { _, i, s in reference.append((i, s)); return true }
        var g = 0
        var firstDifference: Int?
        blend.walkWindowed(size: size) { step, i, s in
            if step != g || reference[step] != (i, s) { firstDifference = step; return false }
            g += 1
            return true
        }
        #expect(firstDifference == nil && g == size, "\(raw.count) datasets: first difference at sample \(firstDifference ?? g)")
    }

    @Test func windowedWalkEqualsFullScan() {
        var rng = SplitMix64(seed: 20)
        for d in [25, 40, 97, 300] {
            let tokenCounts = (0..<d).map { _ in Double(rng.next() % 1000 + 1) * Double(UInt64(1) << (rng.next() % 26)) }
            Self.check(tokenCounts, size: 60_000)
        }
        Self.check([Double](repeating: 1, count: 64), size: 20_000)
        Self.check([1e9] + [Double](repeating: 1, count: 40), size: 20_000)
        Self.check((1...30).map { Double($0) }, size: 20_000)
    }
}
