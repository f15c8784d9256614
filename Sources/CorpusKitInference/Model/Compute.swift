import Foundation
import COpenBLAS

/// A raw pointer that may cross into the parallel workers (each writes a disjoint part).
struct SharedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// The worker threads and their scratch memory.
///
/// OpenBLAS runs single-threaded inside each worker (`openblas_set_num_threads(1)`): the work is
/// split here, by output rows (matrix products) or heads (attention), so that the bf16 → f32 tile
/// conversion runs in parallel too and `threads` bounds the cores used.
public final class ComputePool: @unchecked Sendable {
    public let threads: Int
    /// Floats of one worker's conversion tile (512 KiB: stays in L2 while sgemm reads it).
    static let tileFloats = 131_072
    private var tiles: [UnsafeMutablePointer<Float>]

    public init(threads: Int) {
        self.threads = max(1, threads)
        openblas_set_num_threads(1)
        tiles = (0..<self.threads).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: ComputePool.tileFloats) }
    }

    deinit { for tile in tiles { tile.deallocate() } }

    /// Runs `body(worker, range)` over `count` items split into at most `threads` contiguous ranges.
    func parallel(_ count: Int, minimumPerWorker: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let workers = min(threads, max(1, count / max(1, minimumPerWorker)))
        if workers <= 1 {
            body(0, 0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = count * w / workers, hi = count * (w + 1) / workers
                box.value(w, lo..<hi)
            }
        }
    }

    func tile(_ worker: Int) -> UnsafeMutablePointer<Float> { tiles[worker] }
}

struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

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

    /// `y[rows, out] = x[rows, in] · W` (+ bias).
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let n = inFeatures, m = outFeatures
        let out = SharedPointer(y)
        let direct = weight.alignedFloat32
        let w = weight
        if !inputMajor {
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
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(width), Int32(n), 1,
                                x, Int32(n), direct + band.lowerBound, Int32(m), 0, out.pointer + band.lowerBound, Int32(m))
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
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(width), Int32(count), 1,
                                x + k, Int32(n), tile, Int32(width), k == 0 ? 0 : 1, out.pointer + band.lowerBound, Int32(m))
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
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(cols), Int32(k), 1, b, Int32(k), a, 1, 0, c, 1)
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cols), Int32(k), 1, a, Int32(k), b, Int32(k), 0, c, Int32(ldc))
    }
}

/// Elementwise and row-wise operations, in float32 as transformers computes them.
enum Ops {
    /// RMSNorm: `w * (x / sqrt(mean(x²) + eps))`, per row of `width`.
    static func rmsNorm(_ x: UnsafePointer<Float>, rows: Int, width: Int, weight: [Float], epsilon: Float, into y: UnsafeMutablePointer<Float>) {
        weight.withUnsafeBufferPointer { w in
            for r in 0..<rows {
                let v = x + r * width, o = y + r * width
                var sum: Float = 0
                for i in 0..<width { sum += v[i] * v[i] }
                let scale = 1 / (sum / Float(width) + epsilon).squareRoot()
                for i in 0..<width { o[i] = w[i] * (v[i] * scale) }
            }
        }
    }

    /// LayerNorm with biased variance: `(x - mean) / sqrt(var + eps) * w + b`.
    static func layerNorm(_ x: UnsafePointer<Float>, rows: Int, width: Int, weight: [Float], bias: [Float], epsilon: Float, into y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let v = x + r * width, o = y + r * width
            var mean: Float = 0
            for i in 0..<width { mean += v[i] }
            mean /= Float(width)
            var variance: Float = 0
            for i in 0..<width { let d = v[i] - mean; variance += d * d }
            variance /= Float(width)
            let scale = 1 / (variance + epsilon).squareRoot()
            for i in 0..<width { o[i] = (v[i] - mean) * scale * weight[i] + bias[i] }
        }
    }

    /// `gate = silu(gate) * up` (SwiGLU), in place in `gate`.
    static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// GPT-2's `gelu_new`: `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`, in place.
    static func geluNew(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let c = Float((2.0 / Double.pi).squareRoot())
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + tanhf(c * (v + 0.044715 * (v * v * v))))
        }
    }

    /// Softmax of `count` floats in place (max-subtracted).
    static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.infinity
        for i in 0..<count where x[i] > m { m = x[i] }
        var sum: Float = 0
        for i in 0..<count { x[i] = expf(x[i] - m); sum += x[i] }
        for i in 0..<count { x[i] /= sum }
    }
}
