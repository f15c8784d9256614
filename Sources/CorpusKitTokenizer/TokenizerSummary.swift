/// What `corpuskit info` shows about a tokenizer.
public struct TokenizerSummary: Sendable {
    public var format: Tokenizer.Format
    public var modelType: String
    public var vocabularySize: Int
    public var byteFallback: Bool
    public var normalizer: String
    public var preTokenizer: String
    public var decoder: String
    public var postProcessor: String
    /// Special tokens with their ids (sentencepiece: unknown, control and user-defined pieces).
    public var specialTokens: [(name: String, id: Int32)]
}

extension Tokenizer {
    /// A description of the loaded tokenizer.
    public var summary: TokenizerSummary {
        switch engine {
        case .sentencePiece(let sp):
            let spec = sp.file.normalizerSpec
            var normalizer = spec.precompiledCharsmap.isEmpty ? "identity" : "precompiled charsmap (\(spec.name.isEmpty ? "custom" : spec.name))"
            if spec.addDummyPrefix { normalizer += ", add_dummy_prefix" }
            if spec.escapeWhitespaces { normalizer += ", escape_whitespaces (▁)" }
            if spec.removeExtraWhitespaces { normalizer += ", remove_extra_whitespaces" }
            var specials: [(String, Int32)] = []
            for id in 0..<sp.table.count where [.unknown, .control, .userDefined].contains(sp.table.types[id]) {
                specials.append(("\(sp.table.piece(id)) (\(sp.table.types[id]))", Int32(id)))
            }
            var post = "none"
            if let bos = sp.bosID, let eos = sp.eosID {
                post = "with --add-special-tokens: BOS \(sp.table.piece(Int(bos))) (\(bos)) + ids + EOS \(sp.table.piece(Int(eos))) (\(eos))"
            }
            return TokenizerSummary(format: .sentencePiece, modelType: "Unigram", vocabularySize: sp.table.count,
                                    byteFallback: sp.file.trainerSpec.byteFallback, normalizer: normalizer,
                                    preTokenizer: "none", decoder: "sentencepiece", postProcessor: post,
                                    specialTokens: specials)
        case .huggingFace(let hf):
            var post = "none"
            if let template = hf.template {
                post = "TemplateProcessing: " + template.map { piece -> String in
                    switch piece {
                    case .sequence: return "$A"
                    case .special(let ids): return ids.map { hf.token(for: $0) ?? "\($0)" }.joined(separator: " ")
                    }
                }.joined(separator: " ")
            }
            return TokenizerSummary(format: .huggingFace, modelType: "Unigram", vocabularySize: hf.vocabularySize,
                                    byteFallback: hf.unigram.byteFallback, normalizer: hf.summary.normalizer,
                                    preTokenizer: hf.summary.preTokenizer, decoder: hf.summary.decoder,
                                    postProcessor: post, specialTokens: hf.summary.specialTokens.map { ($0.0, $0.1) })
        }
    }
}
