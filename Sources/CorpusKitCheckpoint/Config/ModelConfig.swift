/// The fields of a checkpoint's `config.json` that vocabulary and tensor checks need.
///
/// Field names and defaults follow transformers' config classes for the supported architectures;
/// GPT-2's own names (`n_embd`, `n_layer`, `n_head`, `n_inner`, `n_positions`) are read for it.
public struct ModelConfig: Sendable {
    /// The file read.
    public let path: String
    /// `architectures[0]` (e.g. `LlamaForCausalLM`), or `model_type` when absent.
    public let architecture: String?
    /// `model_type`.
    public let modelType: String?
    /// `vocab_size`.
    public let vocabularySize: Int?
    /// `hidden_size` (GPT-2: `n_embd`).
    public let hiddenSize: Int?
    /// `num_hidden_layers` (GPT-2: `n_layer`).
    public let layerCount: Int?
    /// `intermediate_size` (GPT-2: `n_inner`, default 4 × hidden size).
    public let intermediateSize: Int?
    /// `num_attention_heads` (GPT-2: `n_head`).
    public let attentionHeads: Int?
    /// `num_key_value_heads`, default the attention heads.
    public let keyValueHeads: Int?
    /// `head_dim`, default hidden size / attention heads.
    public let headDimension: Int?
    /// `tie_word_embeddings` as written (nil when absent: the architecture's default applies).
    public let tieWordEmbeddings: Bool?
    /// `bos_token_id` (one id or a list).
    public let bosTokenIDs: [Int]?
    /// `eos_token_id` (one id or a list).
    public let eosTokenIDs: [Int]?
    /// `pad_token_id` (one id or a list).
    public let padTokenIDs: [Int]?
    /// `attention_bias`, default false.
    public let attentionBias: Bool
    /// `mlp_bias`, default false.
    public let mlpBias: Bool
    /// Mixtral `num_local_experts`, Qwen3-MoE `num_experts`.
    public let expertCount: Int?
    /// Qwen3-MoE `moe_intermediate_size`.
    public let moeIntermediateSize: Int?
    /// Qwen3-MoE `decoder_sparse_step` (default 1) and `mlp_only_layers` (default []).
    public let decoderSparseStep: Int
    /// See ``decoderSparseStep``.
    public let mlpOnlyLayers: [Int]
    /// GPT-2 `n_positions`.
    public let positionCount: Int?
    /// Every field of the file, for those this type does not name (the inference module reads
    /// its architecture settings here rather than parsing the file again).
    public let fields: ConfigFields

    /// Reads `path` (a `config.json`).
    public init(path: String) throws(CheckpointError) {
        let o = try JSONFile.object(at: path)
        self.path = path
        modelType = o["model_type"] as? String
        architecture = (o["architectures"] as? [Any])?.first as? String ?? modelType
        let isGPT2 = modelType == "gpt2" || architecture == "GPT2LMHeadModel"
        func int(_ key: String) -> Int? { JSONValue.int(o[key]) }
        vocabularySize = int("vocab_size")
        hiddenSize = isGPT2 ? (int("n_embd") ?? int("hidden_size")) : int("hidden_size")
        layerCount = isGPT2 ? (int("n_layer") ?? int("num_hidden_layers")) : int("num_hidden_layers")
        attentionHeads = isGPT2 ? (int("n_head") ?? int("num_attention_heads")) : int("num_attention_heads")
        if isGPT2 {
            intermediateSize = int("n_inner") ?? hiddenSize.map { 4 * $0 }
        } else {
            intermediateSize = int("intermediate_size")
        }
        keyValueHeads = int("num_key_value_heads") ?? attentionHeads
        if let explicit = int("head_dim") {
            headDimension = explicit
        } else if let h = hiddenSize, let a = attentionHeads, a > 0 {
            headDimension = h / a
        } else {
            headDimension = nil
        }
        tieWordEmbeddings = o["tie_word_embeddings"] as? Bool
        bosTokenIDs = JSONValue.ids(o["bos_token_id"])
        eosTokenIDs = JSONValue.ids(o["eos_token_id"])
        padTokenIDs = JSONValue.ids(o["pad_token_id"])
        attentionBias = o["attention_bias"] as? Bool ?? false
        mlpBias = o["mlp_bias"] as? Bool ?? false
        expertCount = int("num_local_experts") ?? int("num_experts")
        moeIntermediateSize = int("moe_intermediate_size")
        decoderSparseStep = int("decoder_sparse_step") ?? 1
        mlpOnlyLayers = (o["mlp_only_layers"] as? [Any] ?? []).compactMap { JSONValue.int($0) }
        positionCount = int("n_positions") ?? int("max_position_embeddings")
        fields = ConfigFields(object: o)
    }

    /// `tie_word_embeddings` with the architecture's default (transformers: true for GPT-2, false
    /// for Llama, Mixtral and Qwen3-MoE configs).
    public var tiesWordEmbeddings: Bool {
        tieWordEmbeddings ?? (architecture == "GPT2LMHeadModel" || modelType == "gpt2")
    }
}

/// The top-level fields of a config.json as `JSONSerialization` read them, read-only.
///
/// `@unchecked Sendable`: the values are the immutable Foundation objects `JSONSerialization`
/// returns (numbers, strings, arrays, dictionaries, null), never mutated after reading.
public struct ConfigFields: @unchecked Sendable {
    /// The object.
    public let object: [String: Any]

    /// The value of `key`, if present.
    public subscript(key: String) -> Any? { object[key] }

    /// `key` as an integer (a JSON number with no fraction), nil when absent, null or not one.
    public func int(_ key: String) -> Int? { JSONValue.int(object[key]) }
}
