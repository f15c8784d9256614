import Foundation   // memchr

/// The sentencepiece behaviour: a `.model` file, encoded and decoded as `SentencePieceProcessor`
/// (v0.2.x) does — its normalizer (``SentencePieceNormalizer``), the model the file names
/// (``ModelRegistry``), optional BOS/EOS, and its decoder (``SentencePieceDecoder``). The checks
/// on the pieces (one unknown piece, byte pieces, duplicates) are sentencepiece's shared
/// `ModelInterface` checks, made here for every model type.
struct SentencePieceTokenizer: TokenizerBehavior {
    let file: SentencePieceModelFile
    let vocabulary: Vocabulary
    let normalizer: SentencePieceNormalizer
    let model: any SegmentationModel
    let decoder: SentencePieceDecoder

    var format: Tokenizer.Format { .sentencePiece }
    var postProcessorAffixes: (prefix: [Int32], suffix: [Int32]) { ([], []) }

    init(file: SentencePieceModelFile, trieCache: TrieCache = .default) throws(TokenizerError) {
        let spec = file.trainerSpec
        if let denormalizer = file.denormalizerSpec, !denormalizer.precompiledCharsmap.isEmpty {
            throw .unsupported("sentencepiece denormalizer_spec with a precompiled_charsmap")
        }
        var types = file.types
        var unknownID: Int32 = -1
        var byteFound = [Bool](repeating: false, count: 256)
        var userDefined: [[UInt8]] = []
        /// sentencepiece's reserved pieces (control, unknown, byte), in id order.
        var reservedIDs: [Int] = []
        // Raw pointers rather than `file.piece(_:)` and array subscripts: an ArraySlice per piece
        // costs a retain and a release of the blob each, about 1.3 ms of a 15 ms v3.0 start-up
        // (measured with perf), and the checked accesses ~40 instructions per piece (callgrind).
        try file.pieceBlob.withUnsafeBufferPointer { blob throws(TokenizerError) in
        try file.pieceOffsets.withUnsafeBufferPointer { offsets throws(TokenizerError) in
        try types.withUnsafeMutableBufferPointer { types throws(TokenizerError) in
            // The NUL rules below concern only pieces holding a NUL byte: one `memchr` over all
            // the pieces spares the per-piece scan when there is none (every llm-jp file).
            let blobHasNUL = blob.baseAddress.map { memchr($0, 0, blob.count) != nil } ?? false
            guard offsets.count == types.count + 1, file.scores.count == types.count else {
                throw .malformedModel("the pieces' texts, scores and types differ in number")
            }
            for index in 0..<types.count {
                let start = Int(offsets[index])
                let piece = UnsafeBufferPointer(rebasing: blob[start..<Int(offsets[index + 1])])
                if piece.isEmpty { throw .malformedModel("piece \(index) is empty") }
                if blobHasNUL {
                    if spec.byteFallback && piece.count == 1 && piece[0] == 0 { types[index] = .unused }   // sentencepiece's workaround for a raw NUL piece
                    if piece.contains(0) && !(piece.count == 1 && types[index] == .unused) {
                        throw .malformedModel("piece \(index) contains a NUL character")
                    }
                }
                if types[index].isSentencePieceReserved { reservedIDs.append(index) }
                switch types[index] {
                case .normal, .unused, .control:
                    break
                case .unknown:
                    if unknownID >= 0 { throw .malformedModel("more than one unknown piece") }
                    unknownID = Int32(index)
                case .byte:
                    guard spec.byteFallback else { throw .malformedModel("byte piece \(String(decoding: piece, as: UTF8.self)) although byte_fallback is false") }
                    guard let byte = SentencePieceDecoder.byteValue(piece) else {
                        throw .malformedModel("invalid byte piece \(String(decoding: piece, as: UTF8.self))")
                    }
                    byteFound[Int(byte)] = true
                case .userDefined:
                    userDefined.append(Array(piece))
                }
            }
        }
        }
        }
        if unknownID < 0 { throw .malformedModel("the model defines no unknown piece") }
        if spec.byteFallback && byteFound.contains(false) {
            throw .malformedModel("byte_fallback is set but not all 256 byte pieces exist")
        }
        let table = PieceTable(blob: file.pieceBlob, offsets: file.pieceOffsets, float32Scores: file.scores, types: types)
        // sentencepiece keeps two maps: normal/user-defined/unused pieces, and the reserved ones
        // (control, unknown, byte). A name may appear once in each; lookups try reserved first.
        var duplicate: Int?
        let reservedIndex = PieceIndex(table: table, ids: reservedIDs, duplicate: { duplicate = $0 })
        if let duplicate { throw .malformedModel("piece \(table.piece(duplicate).debugDescription) is defined twice") }
        self.file = file
        vocabulary = Vocabulary(table: table, specialIDs: .init(unknown: unknownID), rule: .sentencePiece, reservedIndex: reservedIndex)
            .withSentencePieceSpecials(spec, unknownID: unknownID)
        normalizer = try SentencePieceNormalizer(
            spec: file.normalizerSpec, treatWhitespaceAsSuffix: spec.treatWhitespaceAsSuffix,
            userDefinedSymbols: userDefined.isEmpty
                ? nil : DoubleArrayTrie(keys: userDefined, values: [Int32](repeating: 0, count: userDefined.count)))
        model = try ModelRegistry.sentencePieceModel(file: file, table: table, unknownID: unknownID, trieCache: trieCache)
        decoder = SentencePieceDecoder(
            table: table, unknownSurface: Array(spec.unkSurface.utf8),
            dropsLeadingSpace: file.normalizerSpec.addDummyPrefix || file.normalizerSpec.removeExtraWhitespaces,
            removeExtraWhitespaces: file.normalizerSpec.removeExtraWhitespaces, unknownID: unknownID)
    }

    /// `sp.encode(text, add_bos: addSpecialTokens, add_eos: addSpecialTokens)` for valid UTF-8 `text`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool,
                into output: inout [Int32], workspace: inout EncodingWorkspace) throws(TokenizerError) {
        if addSpecialTokens {
            guard let bosID = vocabulary.specialIDs.bos else { throw .missingSpecialToken("BOS (a control piece named \(file.trainerSpec.bosPiece))") }
            output.append(bosID)
        }
        if text.count > 0 {
            normalizer.normalize(text, inputIsValidUTF8: true, into: &workspace.normalized)
            try workspace.normalized.withUnsafeBufferPointer { (buffer) throws(TokenizerError) in
                try model.segment(buffer, into: &output, scratch: &workspace.model)
            }
        }
        if addSpecialTokens {
            guard let eosID = vocabulary.specialIDs.eos else { throw .missingSpecialToken("EOS (a control piece named \(file.trainerSpec.eosPiece))") }
            output.append(eosID)
        }
    }

    /// sentencepiece refuses any id outside the vocabulary (``decode(_:skipSpecialTokens:)``
    /// reports those within `Int32`; larger ones are refused here with the same error).
    func tokenIDs(_ values: [Int64]) throws(TokenizerError) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(values.count)
        for value in values {
            guard let id = Int32(exactly: value) else { throw .idOutOfRange(id: Int(value), vocabularySize: vocabulary.count) }
            ids.append(id)
        }
        return ids
    }

    /// `sp.decode(ids)`.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) throws(TokenizerError) -> [UInt8] {
        try decoder.decode(ids)
    }

    var summary: TokenizerSummary {
        let spec = file.normalizerSpec
        let table = vocabulary.table
        var normalizer = spec.precompiledCharsmap.isEmpty ? "identity" : "precompiled charsmap (\(spec.name.isEmpty ? "custom" : spec.name))"
        if spec.addDummyPrefix { normalizer += ", add_dummy_prefix" }
        if spec.escapeWhitespaces { normalizer += ", escape_whitespaces (▁)" }
        if spec.removeExtraWhitespaces { normalizer += ", remove_extra_whitespaces" }
        var specials: [(String, Int32)] = []
        for id in 0..<table.count where [.unknown, .control, .userDefined].contains(table.types[id]) {
            specials.append(("\(table.piece(id)) (\(table.types[id]))", Int32(id)))
        }
        var post = "none"
        if let bos = vocabulary.specialIDs.bos, let eos = vocabulary.specialIDs.eos {
            post = "with --add-special-tokens: BOS \(table.piece(Int(bos))) (\(bos)) + ids + EOS \(table.piece(Int(eos))) (\(eos))"
        }
        return TokenizerSummary(format: .sentencePiece, modelType: model.typeName, vocabularySize: table.count,
                                byteFallback: model.byteFallback, normalizer: normalizer,
                                preTokenizer: "none", decoder: "sentencepiece", postProcessor: post,
                                specialTokens: specials)
    }
}
