/// A supported transformers `*ForCausalLM` architecture, described once: its family, the names
/// of its tensors, and which of its layers are mixtures of experts. ``ExpectedTensors`` (the
/// checks), the inference module's model loader and `model info` all read it.
///
/// Names follow transformers' modules; a module name `M` stands for the tensors `M.weight` and,
/// where the module has one, `M.bias`.
public struct CheckpointArchitecture: Sendable, Equatable {
    /// The families whose modules differ.
    public enum Family: String, Sendable {
        /// Llama: a dense MLP in every layer, rotary positions, grouped-query attention.
        case llama
        /// Mixtral: Llama's attention with a mixture of experts in every layer.
        case mixtral
        /// Qwen3-MoE: experts in the sparse layers (``ModelConfig/decoderSparseStep``, ``ModelConfig/mlpOnlyLayers``).
        case qwen3MoE
        /// GPT-2: fused `c_attn`, learned positions, biases.
        case gpt2
    }

    /// `architectures[0]` of config.json, e.g. `LlamaForCausalLM`.
    public let name: String
    /// Its family: which module layout (and tensor names) it has.
    public let family: Family

    /// Every supported architecture.
    public static let all: [CheckpointArchitecture] = [
        CheckpointArchitecture(name: "LlamaForCausalLM", family: .llama),
        CheckpointArchitecture(name: "MixtralForCausalLM", family: .mixtral),
        CheckpointArchitecture(name: "Qwen3MoeForCausalLM", family: .qwen3MoE),
        CheckpointArchitecture(name: "GPT2LMHeadModel", family: .gpt2),
    ]

    /// The architecture named `name`, or nil when it is not supported.
    public init?(name: String) {
        guard let known = Self.all.first(where: { $0.name == name }) else { return nil }
        self = known
    }

    private init(name: String, family: Family) {
        self.name = name
        self.family = family
    }

    // MARK: Tensor names

    /// The output projection (absent when the embeddings are tied).
    public static let outputName = "lm_head.weight"

    /// The token embedding, `[vocab_size, hidden]`.
    public var embeddingName: String { family == .gpt2 ? "transformer.wte.weight" : "model.embed_tokens.weight" }

    /// GPT-2's learned position embedding, `[n_positions, hidden]`.
    public var positionEmbeddingName: String? { family == .gpt2 ? "transformer.wpe.weight" : nil }

    /// The final norm module (`transformer.ln_f` has a bias, `model.norm` none).
    public var finalNorm: String { family == .gpt2 ? "transformer.ln_f" : "model.norm" }

    /// What every layer's tensor names start with.
    public var layerPrefix: String { family == .gpt2 ? "transformer.h." : "model.layers." }

    /// The prefix of layer `n`'s tensors.
    public func layer(_ n: Int) -> String { layerPrefix + "\(n)." }

    /// The two norm modules of a layer, relative to ``layer(_:)``: before attention, before the MLP.
    public var layerNorms: (attention: String, mlp: String) {
        family == .gpt2 ? ("ln_1", "ln_2") : ("input_layernorm", "post_attention_layernorm")
    }

    /// Llama-style attention projections relative to ``layer(_:)`` (not GPT-2: see ``gpt2Attention``).
    public var attention: (q: String, k: String, v: String, o: String) {
        ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj")
    }

    /// Qwen3-MoE's per-head query and key norms (`[head_dim]`), relative to ``layer(_:)``.
    public var queryKeyNorms: (q: String, k: String)? {
        family == .qwen3MoE ? ("self_attn.q_norm", "self_attn.k_norm") : nil
    }

    /// GPT-2's fused query-key-value and output `Conv1D`s (`[in, out]` weights), relative to ``layer(_:)``.
    public var gpt2Attention: (fused: String, output: String) { ("attn.c_attn", "attn.c_proj") }

    /// The dense MLP modules relative to ``layer(_:)``: gate (none for GPT-2), up, down.
    public var denseMLP: (gate: String?, up: String, down: String) {
        family == .gpt2 ? (nil, "mlp.c_fc", "mlp.c_proj") : ("mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")
    }

    /// A sparse layer's router module relative to ``layer(_:)`` (nil for dense families).
    public var router: String? {
        switch family {
        case .mixtral: return "block_sparse_moe.gate"
        case .qwen3MoE: return "mlp.gate"
        default: return nil
        }
    }

    /// Expert `e`'s gate, up and down modules relative to ``layer(_:)`` (Mixtral's `w1`, `w3`, `w2`).
    public func expert(_ e: Int) -> (gate: String, up: String, down: String) {
        family == .mixtral
            ? ("block_sparse_moe.experts.\(e).w1", "block_sparse_moe.experts.\(e).w3", "block_sparse_moe.experts.\(e).w2")
            : ("mlp.experts.\(e).gate_proj", "mlp.experts.\(e).up_proj", "mlp.experts.\(e).down_proj")
    }

    // MARK: Layer rules

    /// The layers that are mixtures of experts: every layer of Mixtral; for Qwen3-MoE (transformers'
    /// `Qwen3MoeDecoderLayer`) layer `n` when it is not in `mlp_only_layers`, there are experts, and
    /// `(n + 1) % decoder_sparse_step == 0`; none for the dense families.
    public func sparseLayers(_ config: ModelConfig, layerCount: Int) -> Set<Int> {
        switch family {
        case .mixtral:
            return Set(0..<layerCount)
        case .qwen3MoE:
            guard (config.expertCount ?? 0) > 0 else { return [] }
            let step = max(config.decoderSparseStep, 1)
            return Set((0..<layerCount).filter { !config.mlpOnlyLayers.contains($0) && ($0 + 1) % step == 0 })
        case .llama, .gpt2:
            return []
        }
    }
}
