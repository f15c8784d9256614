/// The tensors transformers' `*ForCausalLM` classes store for a config, by name, with shapes.
///
/// Names and shapes follow transformers' modules (weights of `nn.Linear` are `[out, in]`; GPT-2's
/// `Conv1D` stores `[in, out]`):
///
/// | architecture | per layer `N` |
/// |---|---|
/// | `LlamaForCausalLM` | `model.layers.N.self_attn.{q,k,v,o}_proj.weight`, `mlp.{gate,up,down}_proj.weight`, `{input,post_attention}_layernorm.weight` |
/// | `MixtralForCausalLM` | attention as Llama; `block_sparse_moe.gate.weight [E, H]`, `block_sparse_moe.experts.E.w1/w3 [I, H]`, `w2 [H, I]` |
/// | `Qwen3MoeForCausalLM` | attention as Llama plus `self_attn.{q,k}_norm.weight [head_dim]`; MoE layers `mlp.gate.weight [E, H]`, `mlp.experts.E.{gate,up,down}_proj.weight` (moe_intermediate_size), dense layers (`mlp_only_layers`, `decoder_sparse_step`) `mlp.{gate,up,down}_proj.weight` |
/// | `GPT2LMHeadModel` | `transformer.h.N.ln_{1,2}.{weight,bias}`, `attn.c_attn [E, 3E]`, `attn.c_proj [E, E]`, `mlp.c_fc [E, inner]`, `mlp.c_proj [inner, E]` (+ biases) |
///
/// (the names from ``CheckpointArchitecture``), plus the embedding (`model.embed_tokens.weight` / `transformer.wte.weight`, `[vocab_size, hidden]`),
/// the final norm, and `lm_head.weight [vocab_size, hidden]` unless the embeddings are tied.
public struct ExpectedTensors: Sendable {
    /// The architectures with a tensor table (``CheckpointArchitecture/all``).
    public static var supportedArchitectures: [String] { CheckpointArchitecture.all.map(\.name) }

    /// Expected tensors and their shapes.
    public let shapes: [String: [Int]]
    /// The architecture the table is of.
    public let architecture: CheckpointArchitecture
    /// The input embedding's name.
    public var embeddingName: String { architecture.embeddingName }
    /// The output projection's name (`lm_head.weight`), present in ``shapes`` only when untied.
    public var outputName: String { CheckpointArchitecture.outputName }

    /// Names that checkpoints may carry without the model using them (rotary caches, GPT-2's
    /// causal-mask buffers); never reported as unexpected.
    public static func isIgnorable(_ name: String) -> Bool {
        name.hasSuffix(".rotary_emb.inv_freq") || name.hasSuffix(".attn.masked_bias")
            || (name.hasPrefix("transformer.h.") && name.hasSuffix(".attn.bias"))
    }

    /// Why a config has no table: a missing field or an unsupported architecture.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The architecture (named) has no table.
        case unsupported(String)
        /// config.json lacks the field (named) the table needs.
        case missingField(String)
        /// The message.
        public var description: String {
            switch self {
            case .unsupported(let name): return "architecture \(name) has no tensor table (supported: \(ExpectedTensors.supportedArchitectures.joined(separator: ", ")))"
            case .missingField(let name): return "config.json lacks \(name)"
            }
        }
    }

    /// The table for `config`.
    public init(config: ModelConfig) throws(Failure) {
        let name = config.architecture ?? "<none>"
        guard let architecture = CheckpointArchitecture(name: name) else { throw .unsupported(name) }
        self.architecture = architecture
        func need(_ value: Int?, _ name: String) throws(Failure) -> Int {
            guard let value else { throw .missingField(name) }
            return value
        }
        var shapes: [String: [Int]] = [:]
        /// `module.weight` (and `module.bias` when `bias`).
        func add(_ module: String, _ weight: [Int], bias: [Int]? = nil) {
            shapes[module + ".weight"] = weight
            if let bias { shapes[module + ".bias"] = bias }
        }
        let gpt2 = architecture.family == .gpt2
        let v = try need(config.vocabularySize, "vocab_size")
        let h = try need(config.hiddenSize, gpt2 ? "n_embd" : "hidden_size")
        let layers = try need(config.layerCount, gpt2 ? "n_layer" : "num_hidden_layers")
        shapes[architecture.embeddingName] = [v, h]
        if !config.tiesWordEmbeddings { shapes[CheckpointArchitecture.outputName] = [v, h] }
        let mlp = architecture.denseMLP, norms = architecture.layerNorms
        if gpt2 {
            let inner = try need(config.intermediateSize, "n_inner")
            let positions = try need(config.positionCount, "n_positions")
            shapes[architecture.positionEmbeddingName!] = [positions, h]
            add(architecture.finalNorm, [h], bias: [h])
            let attention = architecture.gpt2Attention
            for n in 0..<layers {
                let p = architecture.layer(n)
                add(p + norms.attention, [h], bias: [h])
                add(p + norms.mlp, [h], bias: [h])
                add(p + attention.fused, [h, 3 * h], bias: [3 * h])
                add(p + attention.output, [h, h], bias: [h])
                add(p + mlp.up, [h, inner], bias: [inner])
                add(p + mlp.down, [inner, h], bias: [h])
            }
            self.shapes = shapes
            return
        }
        let heads = try need(config.attentionHeads, "num_attention_heads")
        let kv = try need(config.keyValueHeads, "num_key_value_heads")
        let hd = try need(config.headDimension, "head_dim")
        add(architecture.finalNorm, [h])
        let attention = architecture.attention
        let sparse = architecture.sparseLayers(config, layerCount: layers)
        // Llama's and Qwen3-MoE's o_proj take the attention bias too (transformers:
        // `nn.Linear(..., bias=config.attention_bias)`); Mixtral has no attention_bias.
        let outputBias = config.attentionBias && architecture.family != .mixtral
        for n in 0..<layers {
            let p = architecture.layer(n)
            add(p + attention.q, [heads * hd, h], bias: config.attentionBias ? [heads * hd] : nil)
            add(p + attention.k, [kv * hd, h], bias: config.attentionBias ? [kv * hd] : nil)
            add(p + attention.v, [kv * hd, h], bias: config.attentionBias ? [kv * hd] : nil)
            add(p + attention.o, [h, heads * hd], bias: outputBias ? [h] : nil)
            add(p + norms.attention, [h])
            add(p + norms.mlp, [h])
            if let norm = architecture.queryKeyNorms {
                add(p + norm.q, [hd])
                add(p + norm.k, [hd])
            }
            if sparse.contains(n), let router = architecture.router {
                let experts = try need(config.expertCount, architecture.family == .mixtral ? "num_local_experts" : "num_experts")
                let i = architecture.family == .mixtral
                    ? try need(config.intermediateSize, "intermediate_size") : try need(config.moeIntermediateSize, "moe_intermediate_size")
                add(p + router, [experts, h])
                for e in 0..<experts {
                    let expert = architecture.expert(e)
                    add(p + expert.gate, [i, h])
                    add(p + expert.up, [i, h])
                    add(p + expert.down, [h, i])
                }
            } else {
                let i = try need(config.intermediateSize, "intermediate_size")
                // Only Llama's MLP has `mlp_bias`.
                let bias = architecture.family == .llama && config.mlpBias
                add(p + mlp.gate!, [i, h], bias: bias ? [i] : nil)
                add(p + mlp.up, [i, h], bias: bias ? [i] : nil)
                add(p + mlp.down, [h, i], bias: bias ? [h] : nil)
            }
        }
        self.shapes = shapes
    }

    /// GPT-2 checkpoints saved from the base `GPT2Model` lack the `transformer.` prefix
    /// (`h.0.attn.c_attn.weight`, `wte.weight`); transformers adds it when loading, and so does this.
    public static func normalizedName(_ name: String, architecture: String?) -> String {
        guard architecture.flatMap(CheckpointArchitecture.init(name:))?.family == .gpt2, !name.hasPrefix("transformer."),
              name != CheckpointArchitecture.outputName else { return name }
        return "transformer." + name
    }
}
