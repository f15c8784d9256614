/// A linear layer over a memory-mapped weight: `y = x W^T + b` for `[out, in]` weights (nn.Linear),
/// `y = x W + b` for `[in, out]` (GPT-2's Conv1D).
struct Linear: @unchecked Sendable {
    let weight: WeightTensor
    let bias: [Float]?
    /// True for GPT-2's Conv1D layout `[in, out]`.
    let inputMajor: Bool
    var inFeatures: Int { inputMajor ? weight.shape[0] : weight.shape[1] }
    var outFeatures: Int { inputMajor ? weight.shape[1] : weight.shape[0] }

    init(_ weight: WeightTensor, bias: [Float]? = nil, inputMajor: Bool = false) {
        self.weight = weight
        self.bias = bias
        self.inputMajor = inputMajor
    }

    /// Whether one input row through this layer can go to `kernel` (a C kernel, a row-major bf16 weight).
    func runsMatrixVector(_ kernel: MatrixVectorKernel) -> Bool {
        kernel != .convertedTiles && !inputMajor && weight.dtype == .bf16 && Int(bitPattern: weight.base) % 2 == 0
    }

    /// `y_i = x · W_i^T` for one input row `x` and several layers with the same input width (q/k/v, gate/up):
    /// one hand-off to the workers for all of them, which split the layers' rows, stacked: each first a long
    /// block (starting on the kernels' 8-row grid), then the last eighth 16 rows at a time from a shared
    /// counter (``ComputePool/parallelGuided(_:align:grain:headShare:_:)``). Only when every layer
    /// ``runsMatrixVector(_:)`` with the pool's kernel; biases are not added.
    static func applyMatrixVector(_ layers: [(Linear, UnsafeMutablePointer<Float>)], _ x: UnsafePointer<Float>, pool: ComputePool) {
        let kernel = pool.matrixVectorKernel
        let n = layers[0].0.inFeatures
        let sizes = layers.map { $0.0.outFeatures }
        let total = sizes.reduce(0, +)
        let parts = layers.map { (bits: $0.0.weight.base.assumingMemoryBound(to: UInt16.self), out: SharedPointer($0.1)) }
        pool.parallelGuided(total, align: 8, grain: 16) { band in
            let lo = band.lowerBound, hi = band.upperBound
            var start = 0
            for (i, size) in sizes.enumerated() {
                let a = max(lo, start), b = min(hi, start + size)
                if a < b { kernel.run(parts[i].bits + (a - start) * n, n, b - a, n, x, parts[i].out.pointer + (a - start)) }
                start += size
            }
        }
    }

    /// `y[rows, out] = x[rows, in] · W` (+ bias).
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let n = inFeatures, m = outFeatures
        let out = SharedPointer(y)
        let direct = weight.alignedFloat32
        let w = weight
        if rows == 1, runsMatrixVector(pool.matrixVectorKernel) {
            // Decoding: one input row, so the time is reading the weights. The kernel widens bf16 in
            // registers (no float32 tile written and read back); workers split the output rows.
            Linear.applyMatrixVector([(self, y)], x, pool: pool)
        } else if !inputMajor {
            // Output features are weight rows: each worker takes a band of rows, tile by tile.
            pool.parallel(m, minimumPerWorker: max(1, 16_384 / max(n, 1))) { worker, band in
                if let direct {
                    gemmNT(x, rows, direct + band.lowerBound * n, band.count, n, out.pointer + band.lowerBound, m)
                    return
                }
                let tile = pool.tile(worker)
                let step = max(1, ComputePool.tileFloats / n)
                var r = band.lowerBound
                while r < band.upperBound {
                    let count = min(step, band.upperBound - r)
                    w.convert(from: r * n, count: count * n, into: tile)
                    gemmNT(x, rows, tile, count, n, out.pointer + r, m)
                    r += count
                }
            }
        } else {
            // Output features are weight columns: each worker takes a band of columns, input rows by tiles.
            pool.parallel(m, minimumPerWorker: max(1, 16_384 / max(n, 1))) { worker, band in
                let width = band.count
                if let direct {
                    OpenBLAS.sgemm(transposeB: false, rows, width, n, 1,
                                   x, n, direct + band.lowerBound, m, 0, out.pointer + band.lowerBound, m)
                    return
                }
                let tile = pool.tile(worker)
                let step = max(1, ComputePool.tileFloats / width)
                var k = 0
                while k < n {
                    let count = min(step, n - k)
                    for i in 0..<count {
                        w.convert(from: (k + i) * m + band.lowerBound, count: width, into: tile + i * width)
                    }
                    OpenBLAS.sgemm(transposeB: false, rows, width, count, 1,
                                   x + k, n, tile, width, k == 0 ? 0 : 1, out.pointer + band.lowerBound, m)
                    k += count
                }
            }
        }
        if let bias {
            bias.withUnsafeBufferPointer { b in
                for r in 0..<rows {
                    let row = y + r * m
                    for j in 0..<m { row[j] += b[j] }
                }
            }
        }
    }
}

/// `c[rows, cols] (ldc) = a[rows, k] · b[cols, k]^T`; matrix-vector when `rows == 1`.
@inline(__always)
func gemmNT(_ a: UnsafePointer<Float>, _ rows: Int, _ b: UnsafePointer<Float>, _ cols: Int, _ k: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    if rows == 1 {
        OpenBLAS.sgemv(cols, k, 1, b, k, a, 0, c)
    } else {
        OpenBLAS.sgemm(transposeB: true, rows, cols, k, 1, a, k, b, k, 0, c, ldc)
    }
}
