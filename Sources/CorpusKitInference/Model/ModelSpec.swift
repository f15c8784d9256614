import Foundation
import CorpusKitCheckpoint

/// Everything the forward pass needs from `config.json`, validated.
///
/// Supported: `LlamaForCausalLM`, `MixtralForCausalLM`, `Qwen3MoeForCausalLM`, `GPT2LMHeadModel`, with
/// transformers' field names and defaults. A field whose value would change the computation in a way
/// not implemented here (another `hidden_act`, a `rope_type` other than default/linear/llama3, a
/// sliding window, partial rotary embeddings, …) is refused naming the field, never ignored.
public struct ModelSpec: Sendable {
    /// The architecture family (one description per family in `CorpusKitCheckpoint`).
    public typealias Family = CheckpointArchitecture.Family

    /// How routing weights are formed from the router's softmax.
    public struct Routing: Sendable {
        /// Experts per MoE layer (`num_local_experts`, Qwen3-MoE `num_experts`).
        public var experts: Int
        /// Experts each token is routed to (`num_experts_per_tok`).
        public var topK: Int
        /// Renormalise the top-k probabilities to sum to one (Mixtral always; Qwen3-MoE with `norm_topk_prob`).
        public var renormalize: Bool
        /// One expert's MLP width (Mixtral `intermediate_size`, Qwen3-MoE `moe_intermediate_size`).
        public var intermediateSize: Int
    }

    /// `architectures[0]` of `config.json` (e.g. `LlamaForCausalLM`), or `model_type` when absent.
    public let architecture: String
    /// Which forward pass runs (Llama, Mixtral, Qwen3-MoE, GPT-2).
    public let family: Family
    /// `vocab_size`: rows of the embedding and of `lm_head`.
    public let vocabularySize: Int
    /// `hidden_size` (GPT-2 `n_embd`).
    public let hiddenSize: Int
    /// `num_hidden_layers` (GPT-2 `n_layer`).
    public let layerCount: Int
    /// `num_attention_heads` (GPT-2 `n_head`): query heads.
    public let headCount: Int
    /// `num_key_value_heads` (grouped-query attention; default the query heads).
    public let keyValueHeadCount: Int
    /// `head_dim` (default `hidden_size / num_attention_heads`).
    public let headDimension: Int
    /// Dense MLP width (Llama, Qwen3-MoE dense layers, GPT-2 `n_inner`).
    public let intermediateSize: Int
    /// `rms_norm_eps` (GPT-2 `layer_norm_epsilon`).
    public let normEpsilon: Float
    /// `attention_bias`: whether q, k, v and o have biases.
    public let attentionBias: Bool
    /// `mlp_bias`: whether the MLP projections have biases.
    public let mlpBias: Bool
    /// `tie_word_embeddings`: `lm_head` is the embedding matrix.
    public let tiesWordEmbeddings: Bool
    /// The rotary position embedding; nil for GPT-2 (learned positions).
    public let rope: RotaryEmbedding?
    /// GPT-2 `n_positions`: the learned position table's length (also the longest input).
    public let maximumPositions: Int?
    /// MoE routing, when any layer is sparse.
    public let routing: Routing?
    /// Which layers are MoE (Mixtral: all; Qwen3-MoE: `decoder_sparse_step`, `mlp_only_layers`).
    public let sparseLayers: Set<Int>
    /// Mixtral `sliding_window`: position `p` attends to keys `p - window < j <= p` (transformers'
    /// `sliding_window_overlay`); nil when null.
    public let slidingWindow: Int?
    /// GPT-2 `scale_attn_weights`.
    public let scaleAttention: Bool
    /// `bos_token_id` of `generation_config.json`, else of `config.json` (a list; empty when neither has one).
    public let bosTokenIDs: [Int]
    /// `eos_token_id`, read as ``bosTokenIDs`` is: generation stops at any of them.
    public let eosTokenIDs: [Int]
    /// Tensors by name and shape that the checkpoint must hold.
    public let expected: ExpectedTensors

    /// Validates a checkpoint's config (read once, by ``ModelConfig``) for the forward pass.
    public init(config: ModelConfig, generation: GenerationConfig?) throws(InferenceError) {
        let o = config.fields.object
        let path = config.path
        func refuse(_ field: String, _ value: Any?, _ why: String) -> InferenceError {
            InferenceError.unsupported(path: path, field: field, value: value.map { "\($0)" } ?? "null", reason: why)
        }
        func need(_ value: Int?, _ field: String) throws(InferenceError) -> Int {
            guard let value, value > 0 else { throw .missingField(path: path, field: field) }
            return value
        }
        func double(_ key: String, _ fallback: Double) -> Double { (o[key] as? NSNumber)?.doubleValue ?? fallback }

        guard let architecture = config.architecture else { throw .malformed(path: path, reason: "no architectures and no model_type") }
        self.architecture = architecture
        guard let described = CheckpointArchitecture(name: architecture) else {
            throw refuse("architectures", architecture, "supported: \(ExpectedTensors.supportedArchitectures.joined(separator: ", "))")
        }
        family = described.family
        do { expected = try ExpectedTensors(config: config) } catch { throw .malformed(path: path, reason: "\(error)") }
        vocabularySize = try need(config.vocabularySize, "vocab_size")
        hiddenSize = try need(config.hiddenSize, family == .gpt2 ? "n_embd" : "hidden_size")
        layerCount = try need(config.layerCount, family == .gpt2 ? "n_layer" : "num_hidden_layers")
        headCount = try need(config.attentionHeads, family == .gpt2 ? "n_head" : "num_attention_heads")
        keyValueHeadCount = try need(config.keyValueHeads, "num_key_value_heads")
        headDimension = try need(config.headDimension, "head_dim")
        guard headCount % keyValueHeadCount == 0 else {
            throw refuse("num_key_value_heads", keyValueHeadCount, "must divide num_attention_heads \(headCount)")
        }
        tiesWordEmbeddings = config.tiesWordEmbeddings
        attentionBias = config.attentionBias
        mlpBias = config.mlpBias
        bosTokenIDs = generation?.bosTokenIDs ?? config.bosTokenIDs ?? []
        eosTokenIDs = generation?.eosTokenIDs ?? config.eosTokenIDs ?? []

        if family == .gpt2 {
            intermediateSize = try need(config.intermediateSize, "n_inner")
            normEpsilon = Float(double("layer_norm_epsilon", 1e-5))
            let activation = o["activation_function"] as? String ?? "gelu_new"
            guard activation == "gelu_new" else { throw refuse("activation_function", activation, "only gelu_new") }
            if o["scale_attn_by_inverse_layer_idx"] as? Bool == true {
                throw refuse("scale_attn_by_inverse_layer_idx", true, "only false")
            }
            if let dim = config.hiddenSize, dim % headCount != 0 { throw refuse("n_head", headCount, "must divide n_embd") }
            scaleAttention = o["scale_attn_weights"] as? Bool ?? true
            slidingWindow = nil
            maximumPositions = try need(config.positionCount, "n_positions")
            rope = nil
            routing = nil
            sparseLayers = []
            return
        }
        scaleAttention = true
        maximumPositions = nil
        normEpsilon = Float(double("rms_norm_eps", 1e-6))
        let activation = o["hidden_act"] as? String ?? "silu"
        guard activation == "silu" else { throw refuse("hidden_act", activation, "only silu") }
        for key in ["use_sliding_window"] where o[key] as? Bool == true { throw refuse(key, true, "sliding-window attention is not implemented") }
        if family == .mixtral, let window = o["sliding_window"], !(window is NSNull) {
            guard let w = JSONValueInt(window), w > 0 else { throw refuse("sliding_window", window, "a positive integer or null") }
            slidingWindow = w
        } else {
            slidingWindow = nil
        }
        if let tp = JSONValueInt(o["pretraining_tp"]), tp != 1 { throw refuse("pretraining_tp", tp, "only 1") }
        if let partial = (o["partial_rotary_factor"] as? NSNumber)?.doubleValue, partial != 1 {
            throw refuse("partial_rotary_factor", partial, "only 1.0")
        }
        rope = try RotaryEmbedding(config: o, headDimension: headDimension, path: path)

        switch family {
        case .mixtral:
            intermediateSize = try need(config.intermediateSize, "intermediate_size")
            let experts = try need(config.expertCount, "num_local_experts")
            let k = try need(JSONValueInt(o["num_experts_per_tok"]), "num_experts_per_tok")
            guard k <= experts else { throw refuse("num_experts_per_tok", k, "more than num_local_experts \(experts)") }
            routing = Routing(experts: experts, topK: k, renormalize: true, intermediateSize: intermediateSize)
            sparseLayers = described.sparseLayers(config, layerCount: layerCount)
        case .qwen3MoE:
            intermediateSize = config.intermediateSize ?? 0
            let experts = config.expertCount ?? 0
            let sparse = described.sparseLayers(config, layerCount: layerCount)
            sparseLayers = sparse
            if sparse.count < layerCount { _ = try need(config.intermediateSize, "intermediate_size") }
            if sparse.isEmpty {
                routing = nil
            } else {
                let k = try need(JSONValueInt(o["num_experts_per_tok"]), "num_experts_per_tok")
                guard k <= experts else { throw refuse("num_experts_per_tok", k, "more than num_experts \(experts)") }
                routing = Routing(experts: experts, topK: k, renormalize: o["norm_topk_prob"] as? Bool ?? false,
                                  intermediateSize: try need(config.moeIntermediateSize, "moe_intermediate_size"))
            }
        default:
            intermediateSize = try need(config.intermediateSize, "intermediate_size")
            routing = nil
            sparseLayers = []
        }
    }

    /// Parameters in the checkpoint's expected tensors, and those used per token (MoE: only the
    /// top-k experts of each sparse layer count).
    public var parameterCounts: (total: Int, active: Int) {
        let total = expected.shapes.values.reduce(0) { $0 + $1.reduce(1, *) }
        guard let routing else { return (total, total) }
        let perExpert = 3 * routing.intermediateSize * hiddenSize
        return (total, total - sparseLayers.count * (routing.experts - routing.topK) * perExpert)
    }
}

func JSONValueInt(_ value: Any?) -> Int? {
    guard let value, !(value is NSNull) else { return nil }
    if let n = value as? NSNumber {
        let d = n.doubleValue
        return d == d.rounded() && abs(d) < 9e15 ? Int(d) : nil
    }
    return nil
}
