/// float64 arithmetic exactly as numpy performs it where megatron-core relies on it.
///
/// `numpy.sum` of a contiguous float64 array is not a left-to-right loop: starting from the identity
/// 0.0 it adds a pairwise sum (`pairwise_sum` in numpy's loops): below 8 elements a plain loop; up to
/// 128 elements eight interleaved accumulators combined as `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`
/// followed by the leftover tail; above that, the two halves (the first one a multiple of 8) summed
/// recursively. The results differ in the last bits from a plain loop, and those bits decide
/// megatron's per-dataset sample counts at a `ceil`.
public enum NumpyFloat {
    /// `numpy.sum(numpy.array(values, dtype=numpy.float64))`.
    public static func sum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { 0.0 + pairwise($0) }
    }

    private static func pairwise(_ a: UnsafeBufferPointer<Double>) -> Double {
        let n = a.count
        if n < 8 {
            var res = 0.0
            for v in a { res += v }
            return res
        }
        if n <= 128 {
            var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
            var i = 8
            while i < n - (n % 8) {
                r.0 += a[i]; r.1 += a[i + 1]; r.2 += a[i + 2]; r.3 += a[i + 3]
                r.4 += a[i + 4]; r.5 += a[i + 5]; r.6 += a[i + 6]; r.7 += a[i + 7]
                i += 8
            }
            var res = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
            while i < n {
                res += a[i]
                i += 1
            }
            return res
        }
        var n2 = n / 2
        n2 -= n2 % 8
        return pairwise(UnsafeBufferPointer(rebasing: a[0..<n2])) + pairwise(UnsafeBufferPointer(rebasing: a[n2..<n]))
    }

    /// megatron-core's `utils.normalize`: `(w / numpy.sum(w)).tolist()` in float64.
    public static func normalize(_ weights: [Double]) -> [Double] {
        let total = sum(weights)
        return weights.map { $0 / total }
    }
}
