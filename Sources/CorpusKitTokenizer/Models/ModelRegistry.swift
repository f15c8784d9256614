/// The one place that maps a file's model type to its ``SegmentationModel``. Adding a model type
/// means a folder under `Models/` and one case in each of these two functions.
enum ModelRegistry {
    /// The model of a sentencepiece `.model`, by `trainer_spec.model_type`.
    static func sentencePieceModel(file: SentencePieceModelFile, table: PieceTable, unknownID: Int32,
                                   trieCache: TrieCache) throws(TokenizerError) -> any SegmentationModel {
        let spec = file.trainerSpec
        switch spec.modelType {
        case .unigram where spec.rawModelType == 1:
            let unigram = SentencePieceUnigram(table: table, byteFallback: spec.byteFallback, unknownID: unknownID, trieCache: trieCache)
            // The trie holds the normal and user-defined pieces: sentencepiece refuses a repeat there.
            if let id = unigram.duplicatePieceID {
                throw .malformedModel("piece \(table.piece(Int(id)).debugDescription) is defined twice")
            }
            return unigram
        case .bpe:
            return try SentencePieceBPE(table: table, byteFallback: spec.byteFallback, unknownID: unknownID, trieCache: trieCache)
        default:
            let name = SentencePieceModelFile.ModelType(rawValue: spec.rawModelType)?.description ?? "type \(spec.rawModelType)"
            throw .unsupported("sentencepiece model_type \(name) (only Unigram and BPE are implemented)")
        }
    }

    /// The model of a tokenizer.json, by `model.type`, with the vocabulary it defines.
    static func huggingFaceModel(json model: [String: Any], trieCache: TrieCache) throws(TokenizerError)
        -> (model: any SegmentationModel, table: PieceTable, unknownID: Int32?) {
        let type = model["type"] as? String ?? (model["merges"] != nil ? "BPE" : "<missing type>")
        switch type {
        case "Unigram":
            let (unigram, table) = try HuggingFaceUnigram.load(json: model, trieCache: trieCache)
            return (unigram, table, unigram.unknownID)
        case "BPE":
            let (bpe, table) = try HuggingFaceBPE.load(json: model)
            return (bpe, table, bpe.unknownID)
        default:
            throw .unsupported("tokenizer.json model type \(type) (only Unigram and BPE are implemented)")
        }
    }
}
