/// The `--tokenizer-type` values of llm-jp's Megatron-LM `tools/preprocess_data.py` that CorpusKit
/// reproduces, named exactly as on its command line.
///
/// Each follows the fork's wrapper in `megatron/tokenizer/tokenizer.py` (see
/// `Tools/references/megatron_reference.py` and `Sources/CorpusKitShards/FORMAT.md`):
///
/// | type | document tokens | EOD | vocab size (dtype) |
/// |---|---|---|---|
/// | `Llama2Tokenizer` | `[bos] + sp.encode(text)` | `eos_id` | pieces |
/// | `SentencePieceTokenizer` | specials cut out first, the rest `sp.encode` | id of `<EOD>` | pieces + appended specials |
/// | `GPTSentencePieceTokenizer` | `sp.encode(text)` | `eos_id` | pieces |
/// | `JapaneseSentencePiece` | `sp.encode(text.replace("\r\n", "\n"))` | `piece_to_id("</s>")` | pieces |
/// | `HuggingFaceTokenizer` | `tokenizer.json` encode with special tokens | `eos_token` of the config | vocabulary + added tokens |
public enum MegatronTokenizerType: String, Sendable, CaseIterable, CustomStringConvertible {
    case llama2 = "Llama2Tokenizer"
    case sentencePiece = "SentencePieceTokenizer"
    case gptSentencePiece = "GPTSentencePieceTokenizer"
    case japaneseSentencePiece = "JapaneseSentencePiece"
    case huggingFace = "HuggingFaceTokenizer"

    public var description: String { rawValue }

    /// Whether the type reads a sentencepiece `.model` (all but `HuggingFaceTokenizer`).
    public var usesSentencePieceModel: Bool { self != .huggingFace }
}
