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
        if weights.count > Self.windowedFrom {
            walkWindowed(size: size, body)
        } else {
            walkScanning(size: size, body)
        }
    }

    /// Blends of more datasets than this use the windowed walk.
    static let windowedFrom = 24

    /// The greedy choice as `helpers.cpp` writes it: every dataset's error at every step.
    func walkScanning(size: Int, _ body: (Int, Int, Int) -> Bool) {
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

    /// The same choices with far fewer error evaluations, for blends of many datasets.
    ///
    /// Every `k` steps (a window starting at step `g0`), all errors are computed once and `L`, the
    /// `k`-th largest, taken: during the window at most `k − 1` datasets are picked, so one of the
    /// top `k` is never picked and its error (which only grows while unpicked) keeps the maximum at
    /// or above `L`. A dataset whose error cannot reach `L` within `k` steps even growing by its
    /// weight each step can therefore neither win nor tie; only the others (the candidates, in index
    /// order) are evaluated in the window, with the same float64 expression and the same strict
    /// comparison as the full scan, so the choices are identical. The bounds are widened by a
    /// margin (`x·2⁻⁴⁴`) far above the rounding error of the computed errors (below `x·2⁻⁵¹`).
    func walkWindowed(size: Int, _ body: (Int, Int, Int) -> Bool) {
        let d = weights.count
        let k = Swift.max(8, Int(Double(d).squareRoot()))
        var counts = [Double](repeating: 0, count: d)
        var errors = [Double](repeating: 0, count: d)
        var top = [Double](repeating: -.infinity, count: k) // the k largest errors, ascending
        var candidates = [Int](repeating: 0, count: d)
        weights.withUnsafeBufferPointer { w in
            counts.withUnsafeMutableBufferPointer { c in
                // Steps 0 and 1 both use x = 1: scan them whole.
                var g = 0
                while g < Swift.min(2, size) {
                    let x = 1.0
                    var best = 0
                    var bestError = w[0] * x - c[0]
                    for i in 1..<d {
                        let e = w[i] * x - c[i]
                        if e > bestError { bestError = e; best = i }
                    }
                    let s = Int(c[best])
                    c[best] += 1
                    if !body(g, best, s) { return }
                    g += 1
                }
                while g < size {
                    let x0 = Double(g)
                    for t in 0..<k { top[t] = -.infinity }
                    for i in 0..<d {
                        let e = w[i] * x0 - c[i]
                        errors[i] = e
                        if e > top[0] { // insert, dropping the smallest
                            var t = 1
                            while t < k && top[t] < e { top[t - 1] = top[t]; t += 1 }
                            top[t - 1] = e
                        }
                    }
                    let margin = (x0 + Double(k) + 2) * 0x1p-44
                    let floor = top[0] - margin
                    let steps = Double(k)
                    var n = 0
                    for i in 0..<d where errors[i] + w[i] * steps + margin >= floor {
                        candidates[n] = i
                        n += 1
                    }
                    let end = Swift.min(size, g + k)
                    while g < end {
                        let x = Double(g)
                        var best = candidates[0]
                        var bestError = w[best] * x - c[best]
                        var j = 1
                        while j < n {
                            let i = candidates[j]
                            let e = w[i] * x - c[i]
                            if e > bestError { bestError = e; best = i }
                            j += 1
                        }
                        let s = Int(c[best])
                        c[best] += 1
                        if !body(g, best, s) { return }
                        g += 1
                    }
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
