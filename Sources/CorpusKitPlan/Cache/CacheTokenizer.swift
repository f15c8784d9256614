/// What a Megatron training run's tokenizer contributes to every cache description: its wrapper
/// class, the path exactly as given on the command line, and the options the wrapper passes to
/// `MegatronTokenizer.__init__` (as strings), from `build_tokenizer` in the fork's
/// `megatron/training/tokenizer/tokenizer.py` (the same on main, v4 and nii-geniac):
///
/// | `--tokenizer-type` | class | options |
/// |---|---|---|
/// | `Llama2Tokenizer` | `_Llama2Tokenizer` | `vocab_extra_ids: "0"` |
/// | `GPTSentencePieceTokenizer` | `_GPTSentencePieceTokenizer` | `vocab_extra_ids: "0"` |
/// | `SentencePieceTokenizer` | `_SentencePieceTokenizer` | `vocab_extra_ids: "<--vocab-extra-ids>"` (default 0) |
/// | `HuggingFaceTokenizer` | `_HuggingFaceTokenizer` | none (not on nii-geniac) |
public struct CacheTokenizer: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case llama2 = "Llama2Tokenizer"
        case gptSentencePiece = "GPTSentencePieceTokenizer"
        case sentencePiece = "SentencePieceTokenizer"
        case huggingFace = "HuggingFaceTokenizer"

        var className: String { "_" + rawValue }
    }

    public let kind: Kind
    /// The tokenizer model path exactly as the training script passes it (not resolved).
    public let path: String
    /// `--vocab-extra-ids` (only `SentencePieceTokenizer` records it).
    public let vocabExtraIDs: Int

    public init(kind: Kind, path: String, vocabExtraIDs: Int = 0) {
        self.kind = kind
        self.path = path
        self.vocabExtraIDs = vocabExtraIDs
    }

    /// The tokenizer's `unique_identifiers`.
    public var identifiers: PythonJSON {
        var items: [(String, PythonJSON)] = [("class", .string(kind.className)), ("tokenizer_path", .list([.string(path)]))]
        switch kind {
        case .llama2, .gptSentencePiece: items.append(("vocab_extra_ids", .string("0")))
        case .sentencePiece: items.append(("vocab_extra_ids", .string(String(vocabExtraIDs))))
        case .huggingFace: break
        }
        return .dict(items)
    }
}
