import CorpusKitTokenizer

/// Turns the token ids of a shard's document back into text, as the tokenizer that wrote it
/// would: runs of vocabulary ids are decoded by the tokenizer; ids that Megatron's
/// `SentencePieceTokenizer` appended after a sentencepiece model's vocabulary (`<CLS>`, `<SEP>`,
/// `<EOD>`, `<MASK>`, …) become their token text, since the model itself cannot decode them.
public struct ShardTextDecoder: Sendable {
    /// The tokenizer the shards were made with.
    public let tokenizer: Tokenizer
    /// Token text of each id appended beyond the vocabulary (empty for tokenizer.json files).
    public let appendedSpecials: [Int32: String]

    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
        var appended: [Int32: String] = [:]
        if tokenizer.format == .sentencePiece {
            for (text, id) in DocumentEncoder.sentencePieceSpecials(tokenizer).0 where Int(id) >= tokenizer.vocabularySize {
                appended[id] = text
            }
        }
        appendedSpecials = appended
    }

    /// The UTF-8 text of `ids`; `skipSpecialTokens` drops special tokens, appended ones included.
    public func decode<S: Sequence>(_ ids: S, skipSpecialTokens: Bool) throws(TokenizerError) -> [UInt8] where S.Element == Int32 {
        var text: [UInt8] = []
        var run: [Int32] = []
        for id in ids {
            if let special = appendedSpecials[id] {
                text += try tokenizer.decodeUTF8(run, skipSpecialTokens: skipSpecialTokens)
                run.removeAll(keepingCapacity: true)
                if !skipSpecialTokens { text += special.utf8 }
            } else {
                run.append(id)
            }
        }
        text += try tokenizer.decodeUTF8(run, skipSpecialTokens: skipSpecialTokens)
        return text
    }
}
