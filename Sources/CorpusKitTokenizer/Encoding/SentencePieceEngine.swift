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
    /// Piece bytes to id (keyed by bytes: `String` equality would merge canonically equivalent pieces).
    let pieceIDs: [[UInt8]: Int32]

    init(file: SentencePieceModelFile) throws(TokenizerError) {
        let spec = file.trainerSpec
        guard spec.modelType == .unigram, spec.rawModelType == 1 else {
            let name = SentencePieceModelFile.ModelType(rawValue: spec.rawModelType)?.description ?? "type \(spec.rawModelType)"
            throw .unsupported("sentencepiece model_type \(name) (only Unigram is implemented)")
        }
        if let denormalizer = file.denormalizerSpec, !denormalizer.precompiledCharsmap.isEmpty {
            throw .unsupported("sentencepiece denormalizer_spec with a precompiled_charsmap")
        }
        var types = file.types
        // sentencepiece keeps two maps: normal/user-defined/unused pieces, and the reserved ones
        // (control, unknown, byte). A name may appear once in each; lookups try reserved first.
        var normalIDs: [[UInt8]: Int32] = [:]
        var reservedIDs: [[UInt8]: Int32] = [:]
        normalIDs.reserveCapacity(file.pieces.count)
        var unknownID: Int32 = -1
        var byteFound = [Bool](repeating: false, count: 256)
        var userDefined: [ArraySlice<UInt8>] = []
        for (index, piece) in file.pieces.enumerated() {
            if piece.isEmpty { throw .malformedModel("piece \(index) is empty") }
            if spec.byteFallback && piece == [0] { types[index] = .unused }   // sentencepiece's workaround for a raw NUL piece
            if piece.contains(0) && !(piece == [0] && types[index] == .unused) {
                throw .malformedModel("piece \(index) contains a NUL character")
            }
            let text = String(decoding: piece, as: UTF8.self)
            let isReserved = types[index] == .control || types[index] == .unknown || types[index] == .byte
            let previous = isReserved
                ? reservedIDs.updateValue(Int32(index), forKey: piece)
                : normalIDs.updateValue(Int32(index), forKey: piece)
            if previous != nil { throw .malformedModel("piece \(text.debugDescription) is defined twice") }
            switch types[index] {
            case .unknown:
                if unknownID >= 0 { throw .malformedModel("more than one unknown piece") }
                unknownID = Int32(index)
            case .byte:
                guard spec.byteFallback else { throw .malformedModel("byte piece \(text) although byte_fallback is false") }
                guard let byte = SentencePieceDecoder.byteValue(piece) else { throw .malformedModel("invalid byte piece \(text)") }
                byteFound[Int(byte)] = true
            case .userDefined:
                userDefined.append(piece[...])
            default:
                break
            }
        }
        if unknownID < 0 { throw .malformedModel("the model defines no unknown piece") }
        if spec.byteFallback && byteFound.contains(false) {
            throw .malformedModel("byte_fallback is set but not all 256 byte pieces exist")
        }
        let table = PieceTable(pieces: file.pieces, scores: file.scores.map(Double.init), types: types)
        self.file = file
        self.table = table
        self.unknownID = unknownID
        let pieceIDs = normalIDs.merging(reservedIDs) { _, reserved in reserved }
        self.pieceIDs = pieceIDs
        func controlID(_ piece: String) -> Int32? {
            guard let id = pieceIDs[Array(piece.utf8)], types[Int(id)] == .control else { return nil }
            return id
        }
        bosID = controlID(spec.bosPiece)
        eosID = controlID(spec.eosPiece)
        padID = controlID(spec.padPiece)
        normalizer = try SentencePieceNormalizer(
            spec: file.normalizerSpec, treatWhitespaceAsSuffix: spec.treatWhitespaceAsSuffix,
            userDefinedSymbols: userDefined.isEmpty
                ? nil : DoubleArrayTrie(keys: userDefined, values: [Int32](repeating: 0, count: userDefined.count)))
        unigram = SentencePieceUnigram(table: table, byteFallback: spec.byteFallback, unknownID: unknownID)
        decoder = SentencePieceDecoder(
            table: table, unknownSurface: Array(spec.unkSurface.utf8),
            dropsLeadingSpace: file.normalizerSpec.addDummyPrefix || file.normalizerSpec.removeExtraWhitespaces,
            removeExtraWhitespaces: file.normalizerSpec.removeExtraWhitespaces, unknownID: unknownID)
    }

    /// `sp.encode(text, add_bos:, add_eos:)`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, addBOS: Bool, addEOS: Bool,
                into output: inout [Int32], workspace: inout EncodingWorkspace) throws(TokenizerError) {
        if addBOS {
            guard let bosID else { throw .missingSpecialToken("BOS (a control piece named \(file.trainerSpec.bosPiece))") }
            output.append(bosID)
        }
        if text.count > 0 {
            normalizer.normalize(text, into: &workspace.normalized)
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
