/// megatron-core's blending of datasets (`build_blending_indices` in `helpers.cpp`).
///
/// Global sample `g` comes from the dataset whose count lags its share the most: the first `i`
/// maximising `w_i·max(g, 1) − c_i` (float64, strictly greater to replace, so ties go to the lower
/// index), where `c_i` counts the samples dataset `i` has given so far; the sample taken is its
/// `c_i`-th. The loop is inherently sequential; `count(upTo:)` and `walk` stop where asked, so a
/// replay of early steps never runs the whole blend. `BlendWalker` takes the same choices
/// evaluating only the datasets near the top; the full scan stays as its oracle.
public struct BlendingIndex: Sendable {
    /// The weights the blend runs with (megatron-core normalises the normalised weights once more).
    public let weights: [Double]

    public init(weights: [Double]) {
        self.weights = weights
    }

    /// Calls `body(g, dataset, datasetSample)` for `g` in `0 ..< size`, in order; stops early when
    /// `body` returns false.
    public func walk(size: Int, _ body: (Int, Int, Int) -> Bool) {
        guard !weights.isEmpty else { return }
        guard BlendWalker.handles(weights: weights, size: size) else { return walkScanning(size: size, body) }
        let walker = BlendWalker(weights: weights, size: size)
        let chunk = 4096
        var ds = [Int32](repeating: 0, count: chunk)
        var ss = [Int64](repeating: 0, count: chunk)
        var g = 0
        while g < size {
            let n = Swift.min(chunk, size - g)
            ds.withUnsafeMutableBufferPointer { d in
                ss.withUnsafeMutableBufferPointer { s in walker.advance(n, datasets: d.baseAddress, samples: s.baseAddress) }
            }
            for k in 0..<n where !body(g + k, Int(ds[k]), Int(ss[k])) { return }
            g += n
        }
    }

    /// The greedy choice as `helpers.cpp` writes it: every dataset's error at every step (the
    /// oracle of `BlendWalker`, and the walk for blends outside its bounds).
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

    /// Samples per dataset among the first `prefix` global samples, and among all `size`.
    public func counts(size: Int, prefix: Int) -> (prefix: [Int], all: [Int]) {
        let none = [Int](repeating: 0, count: weights.count)
        guard !weights.isEmpty, size > 0 else { return (none, none) }
        guard BlendWalker.handles(weights: weights, size: size) else {
            var atPrefix = none, all = none
            walkScanning(size: size) { g, i, _ in
                all[i] += 1
                if g == prefix - 1 { atPrefix = all }
                return true
            }
            return (prefix >= size ? all : atPrefix, all)
        }
        let walker = BlendWalker(weights: weights, size: size)
        let head = Swift.min(Swift.max(prefix, 0), size)
        walker.advance(head)
        let atPrefix = walker.counts
        walker.advance(size - head)
        return (atPrefix, walker.counts)
    }

    /// The dataset index and dataset sample index arrays of a blend of `size` samples.
    public func build(size: Int) -> (datasetIndex: [Int16], datasetSampleIndex: [Int64]) {
        var di = [Int16](); di.reserveCapacity(size)
        var si = [Int64](); si.reserveCapacity(size)
        walk(size: size) { _, i, s in di.append(Int16(i)); si.append(Int64(s)); return true }
        return (di, si)
    }
}

/// How many samples each dataset of a blend gives among its first `prefixLength` samples (a run's
/// `N`) and among all `size`, with the weights of the blend: one walk serves both the cache and
/// the plan's table.
public struct BlendCounts: Sendable, Equatable {
    public let weights: [Double]
    public let size: Int
    public let prefixLength: Int
    public let atPrefix: [Int]
    public let all: [Int]

    public init(weights: [Double], size: Int, prefixLength: Int, atPrefix: [Int], all: [Int]) {
        self.weights = weights
        self.size = size
        self.prefixLength = prefixLength
        self.atPrefix = atPrefix
        self.all = all
    }
}
