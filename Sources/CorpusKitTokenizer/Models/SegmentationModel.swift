/// A segmentation model: the part of a tokenizer that turns one normalized, pre-tokenized piece
/// of text into vocabulary ids (HF tokenizers' `Model`, sentencepiece's `ModelInterface`).
///
/// Everything around the model — normalization, splitting on added tokens, pre-tokenization,
/// post-processing and decoding — belongs to the file format's ``TokenizerBehavior`` and is the
/// same whatever the model. A model type (Unigram today, BPE next) lives in its own folder under
/// `Models/` with one implementation per reference library where the libraries differ, and is
/// registered in ``ModelRegistry``.
protocol SegmentationModel: Sendable {
    /// The model type as the files name it (`Unigram`, `BPE`).
    var typeName: String { get }
    /// Whether unknown characters become byte pieces.
    var byteFallback: Bool { get }
    /// The trie over the vocabulary, when the model searches one (tests compare built and cached tries).
    var vocabularyTrie: DoubleArrayTrie? { get }

    /// Appends the ids of `text` (already normalized and pre-tokenized; valid UTF-8) to `output`.
    func segment(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32],
                 scratch: inout ModelScratch) throws(TokenizerError)
}
