/// What one reference library does with its file, around the segmentation model: normalization,
/// splitting on special or added tokens, pre-tokenization, post-processing and decoding.
///
/// Two behaviours exist, one per file format: ``SentencePieceTokenizer`` (a `.model`, as
/// `SentencePieceProcessor`) and ``HuggingFaceTokenizer`` (a `tokenizer.json`, as HF tokenizers).
/// Each composes a ``SegmentationModel`` chosen by ``ModelRegistry``; neither knows which model
/// it holds. ``Tokenizer`` forwards to its behaviour and holds no per-format logic of its own.
protocol TokenizerBehavior: Sendable {
    var format: Tokenizer.Format { get }
    var vocabulary: Vocabulary { get }
    var model: any SegmentationModel { get }

    /// Encodes valid UTF-8 `text`; `addSpecialTokens` as ``Tokenizer/encode(utf8:addSpecialTokens:isValidatedUTF8:into:workspace:)``.
    func encode(_ text: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool,
                into output: inout [Int32], workspace: inout EncodingWorkspace) throws(TokenizerError)

    /// The ids that written integers (a JSON array of ids) are to the reference library's decode.
    func tokenIDs(_ values: [Int64]) throws(TokenizerError) -> [Int32]

    /// Decodes ids as the reference library does.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) throws(TokenizerError) -> [UInt8]

    /// The post-processor's special ids before and after a text (empty for sentencepiece, whose
    /// BOS/EOS are the vocabulary's).
    var postProcessorAffixes: (prefix: [Int32], suffix: [Int32]) { get }

    /// Normalizer, pre-tokenizer, post-processor and decoder, described for `corpuskit info`.
    var summary: TokenizerSummary { get }
}
