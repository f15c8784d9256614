import Foundation

/// Rotary position embeddings as transformers computes them (`ROPE_INIT_FUNCTIONS`), in float32.
///
/// Frequencies `inv_freq[i] = 1 / theta^(2i/d)`, then, by `rope_type`: `default` unchanged;
/// `linear` divided by `factor`; `llama3` divided by `factor` for wavelengths beyond
/// `original_max_position_embeddings / low_freq_factor`, kept below `… / high_freq_factor`, and
/// interpolated in between. The angle of position `p` is `Float(p) * inv_freq[i]` (one float32
/// multiply, as transformers' matmul of a [d/2, 1] by a [1, T] tensor), and the rotation is the
/// half-split `x * cos + rotate_half(x) * sin` of Hugging Face Llama checkpoints.
///
/// Both layouts are read: `rope_theta` + `rope_scaling` ({`type` | `rope_type`, …}) and the newer
/// `rope_parameters` ({`rope_type`, `rope_theta`, …}).
public struct RotaryEmbedding: Sendable {
    /// `rope_type`: `default`, `linear` or `llama3`.
    public let type: String
    /// `rope_theta`, the base of the frequencies.
    public let theta: Double
    /// `inv_freq`: one frequency per rotated pair (`head_dim / 2`), after the `rope_type` scaling.
    public let inverseFrequencies: [Float]

    init(config o: [String: Any], headDimension d: Int, path: String) throws(InferenceError) {
        var parameters: [String: Any] = [:]
        var field = "rope_scaling"
        if let p = o["rope_parameters"] as? [String: Any] {
            parameters = p
            field = "rope_parameters"
        } else if let p = o["rope_scaling"] as? [String: Any] {
            parameters = p
        } else if let p = o["rope_scaling"], !(p is NSNull) {
            throw .malformed(path: path, reason: "rope_scaling is not an object")
        }
        let type = parameters["rope_type"] as? String ?? parameters["type"] as? String ?? "default"
        let theta = (parameters["rope_theta"] as? NSNumber)?.doubleValue ?? (o["rope_theta"] as? NSNumber)?.doubleValue ?? 10000
        func number(_ key: String) throws(InferenceError) -> Float {
            guard let value = (parameters[key] as? NSNumber)?.doubleValue else { throw .malformed(path: path, reason: "\(field).\(key) is missing") }
            return Float(value)
        }
        guard d % 2 == 0 else { throw .malformed(path: path, reason: "head_dim \(d) is odd; rotary embeddings need an even size") }
        let base = Float(theta)
        var inv = (0..<(d / 2)).map { i -> Float in 1 / powf(base, Float(2 * i) / Float(d)) }
        switch type {
        case "default":
            break
        case "linear":
            let factor = try number("factor")
            inv = inv.map { $0 / factor }
        case "llama3":
            let factor = try number("factor")
            let low = try number("low_freq_factor")
            let high = try number("high_freq_factor")
            let old = try number("original_max_position_embeddings")
            let lowWavelength = old / low
            let highWavelength = old / high
            inv = inv.map { f -> Float in
                let wavelength = 2 * Float.pi / f
                var scaled = wavelength > lowWavelength ? f / factor : f
                let smooth = (old / wavelength - low) / (high - low)
                let smoothed = (1 - smooth) * scaled / factor + smooth * scaled
                if !(wavelength < highWavelength) && !(wavelength > lowWavelength) { scaled = smoothed }
                return scaled
            }
        default:
            throw .unsupported(path: path, field: "\(field).rope_type", value: type, reason: "default, linear, llama3")
        }
        for key in ["attention_factor", "mscale", "mscale_all_dim"] where parameters[key] != nil && !(parameters[key] is NSNull) {
            throw .malformed(path: path, reason: "\(field).\(key) is not supported")
        }
        self.type = type
        self.theta = theta
        self.inverseFrequencies = inv
    }

    /// Rotates `heads` vectors of `headDimension` floats (stride `headDimension`) at `x` for `position`.
    func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, position: Int, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        let half = inverseFrequencies.count
        for i in 0..<half {
            let angle = Float(position) * inverseFrequencies[i]
            cos[i] = Foundation.cos(angle)
            sin[i] = Foundation.sin(angle)
        }
        let d = 2 * half
        for h in 0..<heads {
            let v = x + h * d
            for i in 0..<half {
                let a = v[i], b = v[i + half]
                v[i] = a * cos[i] - b * sin[i]
                v[i + half] = b * cos[i] + a * sin[i]
            }
        }
    }
}
