import Foundation
import XCTest
import CInferenceKernels
import CorpusKitInference

/// The decoding kernels against float64 arithmetic and against the model's own full pass (which
/// `TransformersReferenceTests` ties to transformers).
final class DecodingKernelTests: XCTestCase {
    /// `ck_gemv_bf16` on shapes that leave remainders in both loops (rows not a multiple of 4, columns
    /// not of 16) and a row stride wider than the columns, against the float64 dot products: within
    /// float32 accumulation error.
    func testBF16MatrixVectorAgainstFloat64() throws {
        try XCTSkipUnless(ck_gemv_bf16_available() == 1, "no AVX2 + FMA on this CPU: the kernel is not used here")
        var generator = SystemRandomNumberGenerator()
        for (rows, cols, stride) in [(1, 1, 1), (3, 15, 15), (4, 16, 16), (7, 37, 40), (13, 2048, 2048), (9, 7168, 7170)] {
            let weights: [UInt16] = (0..<(rows * stride)).map { _ in
                UInt16(truncatingIfNeeded: Float.random(in: -1...1, using: &generator).bitPattern >> 16)
            }
            let x: [Float] = (0..<cols).map { _ in Float.random(in: -1...1, using: &generator) }
            var y = [Float](repeating: .nan, count: rows)
            ck_gemv_bf16(weights, stride, rows, cols, x, &y)
            for r in 0..<rows {
                var exact = 0.0, magnitude = 0.0
                for c in 0..<cols {
                    let w = Double(Float(bitPattern: UInt32(weights[r * stride + c]) << 16))
                    exact += w * Double(x[c])
                    magnitude += abs(w * Double(x[c]))
                }
                XCTAssertEqual(Double(y[r]), exact, accuracy: 1e-6 * magnitude + 1e-30, "rows \(rows) cols \(cols) row \(r)")
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
