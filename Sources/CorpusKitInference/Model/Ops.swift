import Foundation

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
