/// A tokenizer loaded from a sentencepiece `.model`: reproduces `SentencePieceProcessor`'s
/// `encode` / `decode` (v0.2.x) for Unigram models.
struct SentencePieceEngine: Sendable {
    let file: SentencePieceModelFile
    let table: PieceTable
    let normalizer: SentencePieceNormalizer
    let unigram: SentencePieceUnigram
    let decoder: SentencePieceDecoder
    let unknownID: Int32
    let bosID: Int32?
    let eosID: Int32?
    let padID: Int32?
    /// Control, unknown and byte pieces; the others are found in the segmentation trie.
    let reservedIDs: PieceIndex

    /// sentencepiece's `PieceToId` (reserved pieces first), without its fallback to unknown.
    func id<C: Collection>(for piece: C) -> Int32? where C.Element == UInt8 {
        reservedIDs.id(piece) ?? unigram.trie.lookup(piece)
    }

    init(file: SentencePieceModelFile, trieCache: TrieCache = .default) throws(TokenizerError) {
        let spec = file.trainerSpec
        guard spec.modelType == .unigram, spec.rawModelType == 1 else {
            let name = SentencePieceModelFile.ModelType(rawValue: spec.rawModelType)?.description ?? "type \(spec.rawModelType)"
            throw .unsupported("sentencepiece model_type \(name) (only Unigram is implemented)")
        }
        if let denormalizer = file.denormalizerSpec, !denormalizer.precompiledCharsmap.isEmpty {
            throw .unsupported("sentencepiece denormalizer_spec with a precompiled_charsmap")
        }
        var types = file.types
        var unknownID: Int32 = -1
        var byteFound = [Bool](repeating: false, count: 256)
        var userDefined: [[UInt8]] = []
        // Raw pointers rather than `file.piece(_:)`: an ArraySlice per piece costs a retain and
        // a release of the blob each, about 1.3 ms of a 15 ms v3.0 start-up (measured with perf).
        try file.pieceBlob.withUnsafeBufferPointer { blob throws(TokenizerError) in
            for index in 0..<file.pieceCount {
                let start = Int(file.pieceOffsets[index])
                let piece = UnsafeBufferPointer(rebasing: blob[start..<Int(file.pieceOffsets[index + 1])])
                if piece.isEmpty { throw .malformedModel("piece \(index) is empty") }
                if spec.byteFallback && piece.count == 1 && piece[0] == 0 { types[index] = .unused }   // sentencepiece's workaround for a raw NUL piece
                if piece.contains(0) && !(piece.count == 1 && types[index] == .unused) {
                    throw .malformedModel("piece \(index) contains a NUL character")
                }
                switch types[index] {
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
                default:
                    break
                }
            }
        }
        if unknownID < 0 { throw .malformedModel("the model defines no unknown piece") }
        if spec.byteFallback && byteFound.contains(false) {
            throw .malformedModel("byte_fallback is set but not all 256 byte pieces exist")
        }
        let table = PieceTable(blob: file.pieceBlob, offsets: file.pieceOffsets, scores: file.scores.map(Double.init), types: types)
        // sentencepiece keeps two maps: normal/user-defined/unused pieces, and the reserved ones
        // (control, unknown, byte). A name may appear once in each; lookups try reserved first.
        func isReserved(_ id: Int) -> Bool { types[id] == .control || types[id] == .unknown || types[id] == .byte }
        var duplicate: Int?
        let reservedIDs = PieceIndex(table: table, include: isReserved, duplicate: { duplicate = $0 })
        if let duplicate { throw .malformedModel("piece \(table.piece(duplicate).debugDescription) is defined twice") }
        self.file = file
        self.table = table
        self.unknownID = unknownID
        self.reservedIDs = reservedIDs
        func controlID(_ piece: String) -> Int32? {
            guard let id = reservedIDs.id(piece.utf8), types[Int(id)] == .control else { return nil }
            return id
        }
        bosID = controlID(spec.bosPiece)
        eosID = controlID(spec.eosPiece)
        padID = controlID(spec.padPiece)
        normalizer = try SentencePieceNormalizer(
            spec: file.normalizerSpec, treatWhitespaceAsSuffix: spec.treatWhitespaceAsSuffix,
            userDefinedSymbols: userDefined.isEmpty
                ? nil : DoubleArrayTrie(keys: userDefined, values: [Int32](repeating: 0, count: userDefined.count)))
        unigram = SentencePieceUnigram(table: table, byteFallback: spec.byteFallback, unknownID: unknownID, trieCache: trieCache)
        // The trie holds the normal, user-defined and unused pieces: sentencepiece's `pieces_` map.
        if let id = unigram.duplicatePieceID {
            throw .malformedModel("piece \(table.piece(Int(id)).debugDescription) is defined twice")
        }
        decoder = SentencePieceDecoder(
            table: table, unknownSurface: Array(spec.unkSurface.utf8),
            dropsLeadingSpace: file.normalizerSpec.addDummyPrefix || file.normalizerSpec.removeExtraWhitespaces,
            removeExtraWhitespaces: file.normalizerSpec.removeExtraWhitespaces, unknownID: unknownID)
    }

    /// `sp.encode(text, add_bos:, add_eos:)` for valid UTF-8 `text`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, addBOS: Bool, addEOS: Bool,
                into output: inout [Int32], workspace: inout EncodingWorkspace) throws(TokenizerError) {
        if addBOS {
            guard let bosID else { throw .missingSpecialToken("BOS (a control piece named \(file.trainerSpec.bosPiece))") }
            output.append(bosID)
        }
        if text.count > 0 {
            normalizer.normalize(text, inputIsValidUTF8: true, into: &workspace.normalized)
            workspace.normalized.withUnsafeBufferPointer { normalized in
                unigram.encode(normalized, into: &output, scratch: &workspace.floatScratch)
            }
        }
        if addEOS {
            guard let eosID else { throw .missingSpecialToken("EOS (a control piece named \(file.trainerSpec.eosPiece))") }
            output.append(eosID)
        }
    }
}
