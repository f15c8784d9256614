import CorpusKitTokenizer

/// A text prompt as `model generate --prompt` runs it, and the continuation as text.
///
/// The bos rule is transformers' for a causal LM: the checkpoint's own bos id (config.json or
/// generation_config.json) when it declares one, else the tokenizer's; a prompt gets it unless the
/// caller says not to. Continuation ids beyond the tokenizer (the padding rows of a wider
/// embedding) are dropped before decoding, as they have no piece.
public enum TextPrompt {
    /// The bos id a prompt starts with: the checkpoint's first, else the tokenizer's; nil when
    /// neither declares one.
    public static func bosID(model: CausalLM, tokenizer: Tokenizer) -> Int? {
        model.spec.bosTokenIDs.first ?? tokenizer.bosID.map(Int.init)
    }

    /// The ids of `text`, after the bos id when `addBOS` (and one is declared).
    public static func ids(_ text: String, model: CausalLM, tokenizer: Tokenizer, addBOS: Bool) throws(TokenizerError) -> [Int] {
        var ids: [Int] = []
        if addBOS, let bos = bosID(model: model, tokenizer: tokenizer) { ids.append(bos) }
        ids += try tokenizer.encode(text).map(Int.init)
        return ids
    }

    /// The text of generated `ids`, leaving out ids the tokenizer does not have.
    public static func text(_ ids: [Int], tokenizer: Tokenizer) throws(TokenizerError) -> String {
        try tokenizer.decode(ids.filter { $0 >= 0 && $0 < tokenizer.vocabularySize }.map(Int32.init))
    }
}
