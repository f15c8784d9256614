import Foundation
import XCTest
import CInferenceKernels
import CorpusKitInference

/// The decoding kernels against float64 arithmetic and against the model's own full pass (which
/// `TransformersReferenceTests` ties to transformers).
final class DecodingKernelTests: XCTestCase {
    /// Both C kernels (`ck_gemv_bf16_avx2`, `ck_gemv_bf16_avx512`, each where this CPU runs it) on
    /// shapes that leave remainders in both loops (rows not a multiple of 8, columns not of 16), a row
    /// stride wider than the columns, rows on both sides of the one-row-at-a-time width (4,096
    /// columns), and more than one eight-row pass of wide rows (the next pass prefetched), against the
    /// float64 dot products: within float32 accumulation error.
    func testBF16MatrixVectorKernelsAgainstFloat64() throws {
        let kernels: [(MatrixVectorKernel, (UnsafePointer<UInt16>, Int, Int, Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void)] = [
            (.avx2, ck_gemv_bf16_avx2), (.avx512, ck_gemv_bf16_avx512),
        ]
        let supported = kernels.filter { $0.0.isSupported }
        try XCTSkipIf(supported.isEmpty, "no AVX2 + FMA on this CPU: the kernels are not used here")
        var generator = SystemRandomNumberGenerator()
        let shapes = [(1, 1, 1), (3, 15, 15), (4, 16, 16), (7, 37, 40), (8, 16, 16), (9, 8, 8), (13, 2048, 2048), (17, 33, 35), (5, 4096, 4096), (9, 4097, 4100), (9, 7168, 7170), (17, 5000, 5003), (24, 7, 7)]
        for (kernel, run) in supported {
            for (rows, cols, stride) in shapes {
                let weights: [UInt16] = (0..<(rows * stride)).map { _ in
                    UInt16(truncatingIfNeeded: Float.random(in: -1...1, using: &generator).bitPattern >> 16)
                }
                let x: [Float] = (0..<cols).map { _ in Float.random(in: -1...1, using: &generator) }
                var y = [Float](repeating: .nan, count: rows)
                run(weights, stride, rows, cols, x, &y)
                for r in 0..<rows {
                    var exact = 0.0, magnitude = 0.0
                    for c in 0..<cols {
                        let w = Double(Float(bitPattern: UInt32(weights[r * stride + c]) << 16))
                        exact += w * Double(x[c])
                        magnitude += abs(w * Double(x[c]))
                    }
                    XCTAssertEqual(Double(y[r]), exact, accuracy: 1e-6 * magnitude + 1e-30, "\(kernel) rows \(rows) cols \(cols) row \(r)")
                }
            }
        }
    }

    /// Decoding on each kernel this CPU runs (and the portable converted tiles, and the layers' fused
    /// hand-offs) gives the same greedy ids and logits within float32 summation-order error: so the
    /// AVX2 path stays tested where the model would pick AVX-512. The default kernel is tied to
    /// transformers by `TransformersReferenceTests`.
    func testEveryKernelDecodesAlike() throws {
        for name in ["llama-gqa-llama3rope", "llama-tied-linear", "mixtral-sliding"] {
            var runs: [(MatrixVectorKernel, [Int], [Float])] = []
            for kernel in MatrixVectorKernel.allCases where kernel.isSupported {
                let model = try CausalLM(directory: Fixtures.path(name), threads: 2)
                model.pool.matrixVectorKernel = kernel
                let cache = model.makeCache()
                var logits = try model.forward([1, 5, 9], cache: cache)
                var ids: [Int] = [], all: [Float] = []
                for _ in 0..<8 {
                    let next = logits.indices.max { logits[$0] < logits[$1] }!
                    ids.append(next)
                    all += logits
                    logits = try model.forward([next], cache: cache)
                }
                runs.append((kernel, ids, all))
            }
            XCTAssertEqual(runs.first?.0, MatrixVectorKernel.best)
            for run in runs.dropFirst() {
                XCTAssertEqual(run.1, runs[0].1, "\(name): greedy ids of \(run.0) vs \(runs[0].0)")
                XCTAssertLessThan(Fixtures.relativeError(run.2, runs[0].2), 1e-5, "\(name): logits of \(run.0) vs \(runs[0].0)")
            }
        }
    }

    /// A prompt longer than one attention block (128 query rows) gives at every position the logits
    /// of one-token incremental decoding, whose logits match transformers; with a sliding window too.
    func testBlockedAttentionMatchesIncrementalDecoding() throws {
        for name in ["llama-gqa-llama3rope", "mixtral-sliding"] {
            let model = try CausalLM(directory: Fixtures.path(name), threads: 2)
            let vocab = model.spec.vocabularySize
            let prompt = (0..<300).map { (($0 * 7_919) % (vocab - 3)) + 3 }
            let full = try model.forward(prompt, cache: model.makeCache(), allPositions: true)
            let cache = model.makeCache(capacity: 1)
            for (i, id) in prompt.enumerated() {
                let step = try model.forward([id], cache: cache)
                guard [0, 127, 128, 129, 255, 256, 299].contains(i) else { continue }
                XCTAssertLessThan(Fixtures.relativeError(step, Array(full[(i * vocab)..<((i + 1) * vocab)])), 1e-5, "\(name) position \(i)")
            }
        }
    }
}
