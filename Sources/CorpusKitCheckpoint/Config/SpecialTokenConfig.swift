/// Special tokens a Hugging Face directory declares: `generation_config.json` ids and the
/// strings of `tokenizer_config.json` / `special_tokens_map.json`.
public struct GenerationConfig: Sendable {
    /// The file read.
    public let path: String
    /// `bos_token_id` (one id or a list).
    public let bosTokenIDs: [Int]?
    /// `eos_token_id` (one id or a list).
    public let eosTokenIDs: [Int]?
    /// `pad_token_id` (one id or a list).
    public let padTokenIDs: [Int]?
    /// `decoder_start_token_id` (one id or a list).
    public let decoderStartTokenIDs: [Int]?

    /// Reads `path` (a `generation_config.json`).
    public init(path: String) throws(CheckpointError) {
        let o = try JSONFile.object(at: path)
        self.path = path
        bosTokenIDs = JSONValue.ids(o["bos_token_id"])
        eosTokenIDs = JSONValue.ids(o["eos_token_id"])
        padTokenIDs = JSONValue.ids(o["pad_token_id"])
        decoderStartTokenIDs = JSONValue.ids(o["decoder_start_token_id"])
    }
}

/// `tokenizer_config.json` or `special_tokens_map.json`.
public struct TokenizerConfig: Sendable {
    /// The file read.
    public let path: String
    /// `bos_token`, `eos_token`, `pad_token`, `unk_token`, … (a string, or an object's `content`), by key.
    public let specialTokens: [(key: String, content: String)]
    /// `additional_special_tokens`.
    public let additionalSpecialTokens: [String]
    /// `added_tokens_decoder`: id → content.
    public let addedTokensDecoder: [(id: Int, content: String)]
    /// `chat_template` (a string, or the named templates of a list).
    public let chatTemplates: [String]

    /// Reads `path` (a `tokenizer_config.json` or `special_tokens_map.json`).
    public init(path: String) throws(CheckpointError) {
        let o = try JSONFile.object(at: path)
        self.path = path
        func content(_ value: Any?) -> String? {
            if let text = value as? String { return text }
            return (value as? [String: Any])?["content"] as? String
        }
        var specials: [(String, String)] = []
        for key in o.keys.sorted() where key.hasSuffix("_token") {
            if let text = content(o[key]) { specials.append((key, text)) }
        }
        specialTokens = specials
        additionalSpecialTokens = (o["additional_special_tokens"] as? [Any] ?? []).compactMap(content)
        var decoder: [(Int, String)] = []
        for (key, value) in (o["added_tokens_decoder"] as? [String: Any] ?? [:]) {
            if let id = Int(key), let text = content(value) { decoder.append((id, text)) }
        }
        addedTokensDecoder = decoder.sorted { $0.0 < $1.0 }
        if let template = o["chat_template"] as? String {
            chatTemplates = [template]
        } else {
            chatTemplates = (o["chat_template"] as? [Any] ?? []).compactMap { ($0 as? [String: Any])?["template"] as? String }
        }
    }

    /// The `eos_token` string, if declared.
    public var eosToken: String? { specialTokens.first { $0.key == "eos_token" }?.content }
    /// The `bos_token` string, if declared.
    public var bosToken: String? { specialTokens.first { $0.key == "bos_token" }?.content }
    /// The `pad_token` string, if declared.
    public var padToken: String? { specialTokens.first { $0.key == "pad_token" }?.content }
}
