extension Tokenizer {
    /// A sentencepiece tokenizer over an already decoded (possibly modified or in-memory) model;
    /// `path` names it in messages. Vocabulary extension uses it for the extended model before it
    /// is written, and for the base without its dummy prefix.
    public static func sentencePiece(file: SentencePieceModelFile, path: String) throws(TokenizerError) -> Tokenizer {
        Tokenizer(behavior: try SentencePieceTokenizer(file: file, trieCache: .default), path: path)
    }
}
