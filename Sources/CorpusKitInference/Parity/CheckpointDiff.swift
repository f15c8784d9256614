import Foundation
import CorpusKitCheckpoint

/// Tensor-by-tensor and config comparison of two Hugging Face checkpoints (`model diff`).
///
/// Weights are read through ``MappedWeights`` (memory-mapped, single file or sharded) and streamed
/// in blocks of ``blockElements`` values, so no tensor is ever copied whole. Values are compared as
/// the numbers they denote: a bf16 weight and the same weight stored as f32 are identical (every
/// f16/bf16 value is exact in float32); differing values give max |a−b|, relative L2
/// (‖a−b‖ / ‖a‖) and cosine, accumulated in float64. The vocabulary tensors (embedding and
/// `lm_head`) are compared on their first `tokenizerSize` rows (default: the rows both have), and
/// the padding rows beyond are reported apart: a conversion that pads or trims the vocabulary does
/// not change what the real tokens compute. A tied `lm_head` (no tensor, `tie_word_embeddings`) is
/// compared as the embedding it is, so a tied and an untied checkpoint with equal values match.
/// Attention projections that differ are checked for a permutation of whole heads (the wrong GQA
/// interleave of a conversion script), which is named.
public struct CheckpointDiff: Sendable {
    /// One `config.json` field that changes the computation, where A and B disagree.
    public struct ConfigDifference: Sendable {
        /// The field's name.
        public var field: String
        /// The values as JSON text (`absent` when neither the file nor a default gives one).
        public var a: String
        /// B's value, as ``a``.
        public var b: String
    }

    /// How one tensor compares (the raw values are the JSON report's).
    public enum Status: String, Sendable {
        /// Every compared value equal (dtype aside).
        case identical
        /// Equal on the real vocabulary rows; only the padding rows differ.
        case paddingDiffers = "padding_differs"
        /// Values differ.
        case different
        /// The shapes differ, so values are not compared.
        case shapeDiffers = "shape_differs"
        /// Only A has the tensor.
        case onlyInA = "only_in_a"
        /// Only B has the tensor.
        case onlyInB = "only_in_b"
        /// Non-float dtypes that differ (no common numeric form to compare).
        case incomparable
    }

    /// Value statistics of one compared range of elements.
    public struct Values: Sendable {
        /// Elements compared.
        public var elements = 0
        /// Elements whose values differ.
        public var differing = 0
        /// Largest |a − b|.
        public var maxAbs = 0.0
        /// Σ (a − b)², float64.
        public var sumSquaredDifference = 0.0
        /// Σ a², float64.
        public var sumSquaredA = 0.0
        /// Σ b², float64.
        public var sumSquaredB = 0.0
        /// Σ a·b, float64.
        public var dot = 0.0
        /// ‖a−b‖ / ‖a‖ (0 when identical; infinite when a is all zeros and b is not).
        public var relativeL2: Double {
            sumSquaredDifference == 0 ? 0 : (sumSquaredA > 0 ? (sumSquaredDifference / sumSquaredA).squareRoot() : .infinity)
        }
        /// a·b / (‖a‖ ‖b‖); 1 when both are all zeros, 0 when only one is.
        public var cosine: Double {
            sumSquaredA > 0 && sumSquaredB > 0 ? dot / (sumSquaredA.squareRoot() * sumSquaredB.squareRoot()) : (sumSquaredA == sumSquaredB ? 1 : 0)
        }
        /// No element differs.
        public var identical: Bool { differing == 0 }
    }

    /// The padding rows of a vocabulary tensor: rows at or beyond the real vocabulary.
    public struct Padding: Sendable {
        /// The first padding row (the real vocabulary's size).
        public var firstRow: Int
        /// A's rows (padding included).
        public var rowsA: Int
        /// B's rows (padding included).
        public var rowsB: Int
        /// The padding rows both have, compared.
        public var values: Values
    }

    /// One tensor of A or B and how it compares.
    public struct TensorDifference: Sendable {
        /// The tensor's name.
        public var name: String
        /// The verdict for this tensor.
        public var status: Status
        /// A's dtype; `nil` when A lacks the tensor.
        public var dtypeA: SafetensorsDType?
        /// B's dtype; `nil` when B lacks the tensor.
        public var dtypeB: SafetensorsDType?
        /// A's shape; `nil` when A lacks the tensor.
        public var shapeA: [Int]?
        /// B's shape; `nil` when B lacks the tensor.
        public var shapeB: [Int]?
        /// The compared values (the real vocabulary rows for embedding and `lm_head`).
        public var values: Values?
        /// The padding rows of a vocabulary tensor, when there are any.
        public var padding: Padding?
        /// What else is known: tied to the embedding, heads permuted.
        public var notes: [String] = []
    }

    /// Checkpoint directory A (the reference).
    public let pathA: String
    /// Checkpoint directory B.
    public let pathB: String
    /// The computing `config.json` fields that differ.
    public let config: [ConfigDifference]
    /// Every tensor of either checkpoint, in name order (layers numerically).
    public let tensors: [TensorDifference]

    /// Identical when no computing config field and no tensor differs (padding rows included).
    public var identical: Bool { config.isEmpty && tensors.allSatisfy { $0.status == .identical } }
    /// `identical`, `identical_except_padding` or `different`.
    public var verdict: String {
        if identical { return "identical" }
        if config.isEmpty && tensors.allSatisfy({ $0.status == .identical || $0.status == .paddingDiffers }) { return "identical_except_padding" }
        return "different"
    }

    /// Values converted and compared at once per tensor.
    static let blockElements = 1 << 16

    /// Compares the checkpoints in directories `a` and `b`. `tokenizerSize`, when given, is the real
    /// vocabulary's size: embedding and `lm_head` rows at or beyond it are padding.
    public init(a: String, b: String, tokenizerSize: Int? = nil) throws(ParityError) {
        pathA = a
        pathB = b
        let sideA = try Side(path: a), sideB = try Side(path: b)
        config = Self.configDifferences(sideA.config, sideB.config)
        let headDimension = sideA.checkpoint.config.headDimension
        var names = Set(sideA.tensors.keys).union(sideB.tensors.keys).sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        names.removeAll { ExpectedTensors.isIgnorable($0) && (sideA.tensors[$0] == nil || sideB.tensors[$0] == nil) }
        var tensors: [TensorDifference] = []
        for name in names {
            let ta = sideA.tensors[name], tb = sideB.tensors[name]
            var d = TensorDifference(name: name, status: .identical, dtypeA: ta?.dtype, dtypeB: tb?.dtype, shapeA: ta?.shape, shapeB: tb?.shape)
            for (side, label) in [(sideA, "A"), (sideB, "B")] where side.tiedHead && name == "lm_head.weight" {
                d.notes.append("tied to the embedding in \(label)")
            }
            guard let ta, let tb else {
                d.status = ta == nil ? .onlyInB : .onlyInA
                tensors.append(d)
                continue
            }
            let vocabularyRows = sideA.vocabularyNames.contains(name) || sideB.vocabularyNames.contains(name)
            if vocabularyRows, ta.shape.count == 2, tb.shape.count == 2, ta.shape[1] == tb.shape[1] {
                let common = min(ta.rows, tb.rows)
                let real = min(tokenizerSize ?? common, common)
                let width = ta.shape[1]
                let values = Self.compare(ta, tb, range: 0..<(real * width))
                d.values = values
                if real < max(ta.rows, tb.rows) {
                    d.padding = Padding(firstRow: real, rowsA: ta.rows - real, rowsB: tb.rows - real,
                                        values: Self.compare(ta, tb, range: (real * width)..<(common * width)))
                }
                if values.differing > 0 {
                    d.status = .different
                } else if let p = d.padding, p.rowsA != p.rowsB || p.values.differing > 0 {
                    d.status = .paddingDiffers
                }
            } else if ta.shape != tb.shape {
                d.status = .shapeDiffers
            } else if Self.isFloat(ta.dtype) && Self.isFloat(tb.dtype) {
                let values = Self.compare(ta, tb, range: 0..<ta.elementCount)
                d.values = values
                if values.differing > 0 {
                    d.status = .different
                    if let headDimension, let note = Self.headPermutation(ta, tb, name: name, headDimension: headDimension) { d.notes.append(note) }
                }
            } else if ta.dtype != tb.dtype || memcmp(ta.base, tb.base, ta.byteCount) != 0 {
                d.status = ta.dtype == tb.dtype ? .different : .incomparable
            }
            tensors.append(d)
        }
        self.tensors = tensors
    }

    /// One checkpoint: its config object and its tensors by (normalised) name, a tied head included.
    struct Side {
        let checkpoint: CheckpointDirectory
        let weights: MappedWeights
        let config: [String: Any]
        let tensors: [String: WeightTensor]
        let vocabularyNames: Set<String>
        let tiedHead: Bool

        init(path: String) throws(ParityError) {
            do { checkpoint = try CheckpointDirectory(path: path) } catch { throw .badCheckpoint(path: path, reason: "\(error)") }
            if let problem = checkpoint.tensors.indexProblems.first { throw .badCheckpoint(path: path, reason: "model.safetensors.index.json: \(problem)") }
            do { weights = try MappedWeights(checkpoint: checkpoint) } catch { throw .badCheckpoint(path: path, reason: error.description) }
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: checkpoint.config.path))
                config = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            } catch {
                throw .badCheckpoint(path: checkpoint.config.path, reason: error.localizedDescription)
            }
            var tensors = weights.tensors
            let embedding = (try? ExpectedTensors(config: checkpoint.config))?.embeddingName
                ?? ["model.embed_tokens.weight", "transformer.wte.weight"].first { tensors[$0] != nil }
            var vocabulary: Set<String> = ["lm_head.weight"]
            if let embedding { vocabulary.insert(embedding) }
            tiedHead = tensors["lm_head.weight"] == nil && checkpoint.config.tiesWordEmbeddings && embedding.flatMap { tensors[$0] } != nil
            if tiedHead, let embedding { tensors["lm_head.weight"] = tensors[embedding] }
            self.tensors = tensors
            vocabularyNames = vocabulary
        }
    }

    static func isFloat(_ dtype: SafetensorsDType) -> Bool { dtype == .f32 || dtype == .f16 || dtype == .bf16 }

    /// Statistics of elements `range` (storage order) of two float tensors.
    static func compare(_ a: WeightTensor, _ b: WeightTensor, range: Range<Int>) -> Values {
        var v = Values()
        guard isFloat(a.dtype), isFloat(b.dtype) else {
            // Same-dtype integer tensors: equal bytes or not.
            let size = a.dtype.itemSize
            let equal = a.dtype == b.dtype && memcmp(a.base + range.lowerBound * size, b.base + range.lowerBound * size, range.count * size) == 0
            v.elements = range.count
            v.differing = equal ? 0 : range.count
            return v
        }
        // Same dtype and same bytes: identical without converting (most tensors of a faithful copy;
        // runs at memory speed). The norms are then not accumulated: nothing reports them.
        if a.dtype == b.dtype {
            let size = a.dtype.itemSize
            if memcmp(a.base + range.lowerBound * size, b.base + range.lowerBound * size, range.count * size) == 0 {
                v.elements = range.count
                return v
            }
        }
        let block = min(blockElements, max(range.count, 1))
        let x = UnsafeMutablePointer<Float>.allocate(capacity: block), y = UnsafeMutablePointer<Float>.allocate(capacity: block)
        defer { x.deallocate(); y.deallocate() }
        // Another dtype: equal float32 bit patterns block by block first (the usual answer: the same
        // weights re-saved), the statistics pass only when a block differs.
        var start = range.lowerBound
        var allEqual = true
        while start < range.upperBound {
            let count = min(block, range.upperBound - start)
            a.convert(from: start, count: count, into: x)
            b.convert(from: start, count: count, into: y)
            if memcmp(x, y, count * MemoryLayout<Float>.size) != 0 { allEqual = false; break }
            start += count
        }
        if allEqual {
            v.elements = range.count
            return v
        }
        start = range.lowerBound
        while start < range.upperBound {
            let count = min(block, range.upperBound - start)
            a.convert(from: start, count: count, into: x)
            b.convert(from: start, count: count, into: y)
            for i in 0..<count {
                let p = Double(x[i]), q = Double(y[i])
                if p == q || (p.isNaN && q.isNaN) {
                    v.sumSquaredA += p * p
                    v.sumSquaredB += q * q
                    v.dot += p * q
                    continue
                }
                v.differing += 1
                let d = abs(p - q)
                if d.isNaN { v.maxAbs = .nan } else if !v.maxAbs.isNaN, d > v.maxAbs { v.maxAbs = d }
                v.sumSquaredDifference += d * d
                v.sumSquaredA += p * p
                v.sumSquaredB += q * q
                v.dot += p * q
            }
            start += count
        }
        v.elements = range.count
        return v
    }

    /// For a q/k/v projection (`[heads × head_dim, in]`) whose heads are the same blocks of rows in
    /// another order: which head of B holds which head of A.
    static func headPermutation(_ a: WeightTensor, _ b: WeightTensor, name: String, headDimension: Int) -> String? {
        guard ["q_proj.weight", "k_proj.weight", "v_proj.weight", "q_proj.bias", "k_proj.bias", "v_proj.bias"].contains(where: { name.hasSuffix($0) }),
              a.rows % headDimension == 0 else { return nil }
        let heads = a.rows / headDimension
        let block = a.elementCount / heads
        guard heads > 1, heads <= 1024 else { return nil }
        func head(_ t: WeightTensor, _ h: Int) -> [Float] {
            [Float](unsafeUninitializedCapacity: block) { buffer, n in
                t.convert(from: h * block, count: block, into: buffer.baseAddress!)
                n = block
            }
        }
        let headsA = (0..<heads).map { head(a, $0) }
        var moved: [String] = []
        var used = Set<Int>()
        for h in 0..<heads {
            let row = head(b, h)
            guard let source = (0..<heads).first(where: { !used.contains($0) && headsA[$0] == row }) else { return nil }
            used.insert(source)
            if source != h { moved.append("\(h)←\(source)") }
        }
        guard !moved.isEmpty else { return nil }
        if moved.count == 2 {
            let pair = moved[0].split(separator: "←")
            return "heads \(pair[0]) and \(pair[1]) swapped (whole heads of \(headDimension) rows permuted, values otherwise equal)"
        }
        return "heads permuted (B's head ← A's head): \(moved.joined(separator: ", ")) (values otherwise equal)"
    }

    /// `config.json` fields that change the computation, each with the default transformers uses when
    /// it is absent (nil: no default; shown as absent).
    nonisolated(unsafe) static let computingFields: [(field: String, fallback: Any?)] = [
        ("architectures", nil), ("model_type", nil), ("vocab_size", nil),
        ("hidden_size", nil), ("n_embd", nil), ("num_hidden_layers", nil), ("n_layer", nil),
        ("num_attention_heads", nil), ("n_head", nil), ("num_key_value_heads", nil), ("head_dim", nil),
        ("intermediate_size", nil), ("n_inner", nil), ("moe_intermediate_size", nil),
        ("hidden_act", "silu"), ("activation_function", nil),
        ("rms_norm_eps", nil), ("layer_norm_epsilon", nil),
        ("rope_theta", 10000.0), ("rope_scaling", NSNull()), ("rope_parameters", NSNull()), ("partial_rotary_factor", 1.0),
        ("max_position_embeddings", nil), ("n_positions", nil),
        ("tie_word_embeddings", nil), ("attention_bias", false), ("mlp_bias", false),
        ("num_local_experts", nil), ("num_experts", nil), ("num_experts_per_tok", nil), ("norm_topk_prob", nil),
        ("decoder_sparse_step", nil), ("mlp_only_layers", nil), ("shared_expert_intermediate_size", nil),
        ("sliding_window", NSNull()), ("use_sliding_window", false),
        ("scale_attn_weights", nil), ("scale_attn_by_inverse_layer_idx", nil), ("pretraining_tp", 1),
    ]

    static func configDifferences(_ a: [String: Any], _ b: [String: Any]) -> [ConfigDifference] {
        func value(_ o: [String: Any], _ field: String, _ fallback: Any?) -> Any? {
            switch field {
            case "architectures": return (o[field] as? [Any])?.first
            case "num_key_value_heads": return o[field] ?? o["num_attention_heads"]
            case "head_dim":
                if let explicit = o[field], !(explicit is NSNull) { return explicit }
                if let h = JSONValueInt(o["hidden_size"] ?? o["n_embd"]), let n = JSONValueInt(o["num_attention_heads"] ?? o["n_head"]), n > 0 { return h / n }
                return nil
            case "rope_theta":
                return o[field] ?? (o["rope_parameters"] as? [String: Any])?["rope_theta"] ?? fallback
            case "tie_word_embeddings":
                return o[field] ?? ((o["model_type"] as? String) == "gpt2")
            default: return o[field] ?? fallback
            }
        }
        var differences: [ConfigDifference] = []
        for (field, fallback) in computingFields {
            let x = value(a, field, fallback), y = value(b, field, fallback)
            if x == nil && y == nil { continue }
            if let x, let y, canonical(x) == canonical(y) { continue }
            differences.append(ConfigDifference(field: field, a: json(x), b: json(y)))
        }
        return differences
    }

    /// A config value in a form where equal JSON values are equal strings: numbers as float64
    /// (10000 and 10000.0 are one `rope_theta`), objects with sorted keys.
    static func canonical(_ value: Any) -> String {
        if value is NSNull { return "null" }
        if let text = value as? String { return "\"" + text + "\"" }
        if let list = value as? [Any] { return "[" + list.map(canonical).joined(separator: ",") + "]" }
        if let object = value as? [String: Any] {
            return "{" + object.keys.sorted().map { "\($0):" + canonical(object[$0]!) }.joined(separator: ",") + "}"
        }
        if let number = value as? NSNumber { return "\(number.doubleValue)" }
        if let number = value as? Double { return "\(number)" }
        if let number = value as? Int { return "\(Double(number))" }
        if let flag = value as? Bool { return flag ? "1.0" : "0.0" }
        return "\(value)"
    }

    /// A config value as compact JSON text.
    static func json(_ value: Any?) -> String {
        guard let value else { return "absent" }
        if value is NSNull { return "null" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }
}
