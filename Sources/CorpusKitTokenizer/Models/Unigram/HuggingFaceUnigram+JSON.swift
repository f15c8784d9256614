/// Reading a Unigram model from its tokenizer.json `model` object.
extension HuggingFaceUnigram {
    /// The model and its vocabulary from `{"type": "Unigram", "unk_id": …, "vocab": [[piece, score], …], "byte_fallback": …}`.
    static func load(json model: [String: Any], trieCache: TrieCache) throws(TokenizerError) -> (HuggingFaceUnigram, PieceTable) {
        let (table, unknownID) = try readVocabulary(json: model)
        let unigram = HuggingFaceUnigram(table: table, unknownID: unknownID, byteFallback: model["byte_fallback"] as? Bool ?? false,
                                         trieCache: trieCache)
        return (unigram, table)
    }

    /// The `[[piece, score], …]` vocabulary and `unk_id` (the one reader of a Unigram tokenizer.json
    /// vocabulary; ``VocabularyFile`` uses it too).
    static func readVocabulary(json model: [String: Any]) throws(TokenizerError) -> (table: PieceTable, unknownID: Int32?) {
        guard let vocab = model["vocab"] as? JSONDocumentParser.StringNumberPairs else {
            throw .malformedModel("the Unigram vocab is not a list of [piece, score] pairs")
        }
        var unknownID: Int32?
        if let unk = model["unk_id"] as? Int {
            guard unk >= 0 && unk < vocab.count else { throw .malformedModel("unk_id \(unk) is outside the vocabulary") }
            unknownID = Int32(unk)
        }
        let table = PieceTable(blob: vocab.blob, offsets: vocab.offsets, scores: vocab.numbers,
                               types: [PieceType](repeating: .normal, count: vocab.count))
        return (table, unknownID)
    }
}
