/// megatron-core's blending of datasets (`build_blending_indices` in `helpers.cpp`).
///
/// Global sample `g` comes from the dataset whose count lags its share the most: the first `i`
/// maximising `w_i·max(g, 1) − c_i` (float64, strictly greater to replace, so ties go to the lower
/// index), where `c_i` counts the samples dataset `i` has given so far; the sample taken is its
/// `c_i`-th. The loop is inherently sequential; `count(upTo:)` and `walk` stop where asked, so a
/// replay of early steps never runs the whole blend.
public struct BlendingIndex: Sendable {
    /// The weights the blend runs with (megatron-core normalises the normalised weights once more).
    public let weights: [Double]

    public init(weights: [Double]) {
        self.weights = weights
    }

    /// Calls `body(g, dataset, datasetSample)` for `g` in `0 ..< size`, in order; stops early when
    /// `body` returns false.
    public func walk(size: Int, _ body: (Int, Int, Int) -> Bool) {
        let d = weights.count
        guard d > 0 else { return }
        var counts = [Int](repeating: 0, count: d)
        weights.withUnsafeBufferPointer { w in
            counts.withUnsafeMutableBufferPointer { c in
                for g in 0..<size {
                    let x = Swift.max(Double(g), 1.0)
                    var best = 0
                    var bestError = w[0] * x - Double(c[0])
                    var i = 1
                    while i < d {
                        let e = w[i] * x - Double(c[i])
                        if e > bestError { bestError = e; best = i }
                        i += 1
                    }
                    let s = c[best]
                    c[best] = s + 1
                    if !body(g, best, s) { return }
                }
            }
        }
    }

    /// Samples per dataset among the first `prefix` global samples, and among all `size`.
    public func counts(size: Int, prefix: Int) -> (prefix: [Int], all: [Int]) {
        var atPrefix = [Int](repeating: 0, count: weights.count)
        var all = [Int](repeating: 0, count: weights.count)
        if prefix >= size { // one pass, both the same
            walk(size: size) { _, i, _ in all[i] += 1; return true }
            return (all, all)
        }
        walk(size: size) { g, i, _ in
            all[i] += 1
            if g == prefix - 1 { atPrefix = all }
            return true
        }
        if prefix <= 0 { atPrefix = [Int](repeating: 0, count: weights.count) }
        return (atPrefix, all)
    }

    /// The dataset index and dataset sample index arrays of a blend of `size` samples.
    public func build(size: Int) -> (datasetIndex: [Int16], datasetSampleIndex: [Int64]) {
        var di = [Int16](); di.reserveCapacity(size)
        var si = [Int64](); si.reserveCapacity(size)
        walk(size: size) { _, i, s in di.append(Int16(i)); si.append(Int64(s)); return true }
        return (di, si)
    }
}
