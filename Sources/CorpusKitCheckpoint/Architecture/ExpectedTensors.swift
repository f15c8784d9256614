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
/// plus the embedding (`model.embed_tokens.weight` / `transformer.wte.weight`, `[vocab_size, hidden]`),
/// the final norm, and `lm_head.weight [vocab_size, hidden]` unless the embeddings are tied.
public struct ExpectedTensors: Sendable {
    /// The architectures with a tensor table.
    public static let supportedArchitectures = ["LlamaForCausalLM", "MixtralForCausalLM", "Qwen3MoeForCausalLM", "GPT2LMHeadModel"]

    /// Expected tensors and their shapes.
    public let shapes: [String: [Int]]
    /// The input embedding's name.
    public let embeddingName: String
    /// The output projection's name (`lm_head.weight`), present in ``shapes`` only when untied.
    public let outputName = "lm_head.weight"

    /// Names that checkpoints may carry without the model using them (rotary caches, GPT-2's
    /// causal-mask buffers); never reported as unexpected.
    public static func isIgnorable(_ name: String) -> Bool {
        name.hasSuffix(".rotary_emb.inv_freq") || name.hasSuffix(".attn.masked_bias")
            || (name.hasPrefix("transformer.h.") && name.hasSuffix(".attn.bias"))
    }

    /// Why a config has no table: a missing field or an unsupported architecture.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case unsupported(String)
        case missingField(String)
        public var description: String {
            switch self {
            case .unsupported(let name): return "architecture \(name) has no tensor table (supported: \(ExpectedTensors.supportedArchitectures.joined(separator: ", ")))"
            case .missingField(let name): return "config.json lacks \(name)"
            }
        }
    }

    /// The table for `config`.
    public init(config: ModelConfig) throws(Failure) {
        let architecture = config.architecture ?? "<none>"
        func need(_ value: Int?, _ name: String) throws(Failure) -> Int {
            guard let value else { throw .missingField(name) }
            return value
        }
        var shapes: [String: [Int]] = [:]
        switch architecture {
        case "LlamaForCausalLM", "MixtralForCausalLM", "Qwen3MoeForCausalLM":
            let v = try need(config.vocabularySize, "vocab_size")
            let h = try need(config.hiddenSize, "hidden_size")
            let layers = try need(config.layerCount, "num_hidden_layers")
            let heads = try need(config.attentionHeads, "num_attention_heads")
            let kv = try need(config.keyValueHeads, "num_key_value_heads")
            let hd = try need(config.headDimension, "head_dim")
            embeddingName = "model.embed_tokens.weight"
            shapes[embeddingName] = [v, h]
            shapes["model.norm.weight"] = [h]
            for n in 0..<layers {
                let p = "model.layers.\(n)."
                shapes[p + "self_attn.q_proj.weight"] = [heads * hd, h]
                shapes[p + "self_attn.k_proj.weight"] = [kv * hd, h]
                shapes[p + "self_attn.v_proj.weight"] = [kv * hd, h]
                shapes[p + "self_attn.o_proj.weight"] = [h, heads * hd]
                if config.attentionBias {
                    shapes[p + "self_attn.q_proj.bias"] = [heads * hd]
                    shapes[p + "self_attn.k_proj.bias"] = [kv * hd]
                    shapes[p + "self_attn.v_proj.bias"] = [kv * hd]
                    // Llama's and Qwen3-MoE's o_proj take the bias too (transformers:
                    // `nn.Linear(..., bias=config.attention_bias)`); Mixtral has no attention_bias.
                    if architecture != "MixtralForCausalLM" { shapes[p + "self_attn.o_proj.bias"] = [h] }
                }
                shapes[p + "input_layernorm.weight"] = [h]
                shapes[p + "post_attention_layernorm.weight"] = [h]
                func denseMLP(_ i: Int, bias: Bool) {
                    shapes[p + "mlp.gate_proj.weight"] = [i, h]
                    shapes[p + "mlp.up_proj.weight"] = [i, h]
                    shapes[p + "mlp.down_proj.weight"] = [h, i]
                    if bias {
                        shapes[p + "mlp.gate_proj.bias"] = [i]
                        shapes[p + "mlp.up_proj.bias"] = [i]
                        shapes[p + "mlp.down_proj.bias"] = [h]
                    }
                }
                switch architecture {
                case "LlamaForCausalLM":
                    denseMLP(try need(config.intermediateSize, "intermediate_size"), bias: config.mlpBias)
                case "MixtralForCausalLM":
                    let experts = try need(config.expertCount, "num_local_experts")
                    let i = try need(config.intermediateSize, "intermediate_size")
                    shapes[p + "block_sparse_moe.gate.weight"] = [experts, h]
                    for e in 0..<experts {
                        let q = p + "block_sparse_moe.experts.\(e)."
                        shapes[q + "w1.weight"] = [i, h]
                        shapes[q + "w2.weight"] = [h, i]
                        shapes[q + "w3.weight"] = [i, h]
                    }
                default:   // Qwen3MoeForCausalLM
                    shapes[p + "self_attn.q_norm.weight"] = [hd]
                    shapes[p + "self_attn.k_norm.weight"] = [hd]
                    let experts = config.expertCount ?? 0
                    let step = max(config.decoderSparseStep, 1)
                    if !config.mlpOnlyLayers.contains(n) && experts > 0 && (n + 1) % step == 0 {
                        let i = try need(config.moeIntermediateSize, "moe_intermediate_size")
                        shapes[p + "mlp.gate.weight"] = [experts, h]
                        for e in 0..<experts {
                            let q = p + "mlp.experts.\(e)."
                            shapes[q + "gate_proj.weight"] = [i, h]
                            shapes[q + "up_proj.weight"] = [i, h]
                            shapes[q + "down_proj.weight"] = [h, i]
                        }
                    } else {
                        denseMLP(try need(config.intermediateSize, "intermediate_size"), bias: false)
                    }
                }
            }
            if !config.tiesWordEmbeddings { shapes[outputName] = [v, h] }
        case "GPT2LMHeadModel":
            let v = try need(config.vocabularySize, "vocab_size")
            let e = try need(config.hiddenSize, "n_embd")
            let layers = try need(config.layerCount, "n_layer")
            let inner = try need(config.intermediateSize, "n_inner")
            let positions = try need(config.positionCount, "n_positions")
            embeddingName = "transformer.wte.weight"
            shapes[embeddingName] = [v, e]
            shapes["transformer.wpe.weight"] = [positions, e]
            shapes["transformer.ln_f.weight"] = [e]
            shapes["transformer.ln_f.bias"] = [e]
            for n in 0..<layers {
                let p = "transformer.h.\(n)."
                for norm in ["ln_1", "ln_2"] {
                    shapes[p + norm + ".weight"] = [e]
                    shapes[p + norm + ".bias"] = [e]
                }
                shapes[p + "attn.c_attn.weight"] = [e, 3 * e]
                shapes[p + "attn.c_attn.bias"] = [3 * e]
                shapes[p + "attn.c_proj.weight"] = [e, e]
                shapes[p + "attn.c_proj.bias"] = [e]
                shapes[p + "mlp.c_fc.weight"] = [e, inner]
                shapes[p + "mlp.c_fc.bias"] = [inner]
                shapes[p + "mlp.c_proj.weight"] = [inner, e]
                shapes[p + "mlp.c_proj.bias"] = [e]
            }
            if !config.tiesWordEmbeddings { shapes[outputName] = [v, e] }
        default:
            throw .unsupported(architecture)
        }
        self.shapes = shapes
    }

    /// GPT-2 checkpoints saved from the base `GPT2Model` lack the `transformer.` prefix
    /// (`h.0.attn.c_attn.weight`, `wte.weight`); transformers adds it when loading, and so does this.
    public static func normalizedName(_ name: String, architecture: String?) -> String {
        guard architecture == "GPT2LMHeadModel", !name.hasPrefix("transformer."), name != "lm_head.weight" else { return name }
        return "transformer." + name
    }
}
