import CInferenceKernels

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

    /// Whether this CPU runs the AVX2 bf16 matrix-vector kernel (else decoding converts tiles for sgemv).
    static let bf16MatrixVector = ck_gemv_bf16_available() == 1

    /// `y[rows, out] = x[rows, in] · W` (+ bias).
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let n = inFeatures, m = outFeatures
        let out = SharedPointer(y)
        let direct = weight.alignedFloat32
        let w = weight
        if rows == 1, !inputMajor, weight.dtype == .bf16, Int(bitPattern: weight.base) % 2 == 0, Linear.bf16MatrixVector {
            // Decoding: one input row, so the time is reading the weights. The kernel widens bf16 in
            // registers (no float32 tile written and read back); workers split the output rows.
            let bits = weight.base.assumingMemoryBound(to: UInt16.self)
            pool.parallel(m, minimumPerWorker: 64) { _, band in
                ck_gemv_bf16(bits + band.lowerBound * n, n, band.count, n, x, out.pointer + band.lowerBound)
            }
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
