import Foundation

/// A tokenizer file read for its vocabulary only — pieces, types, scores, special ids, added
/// tokens and merges, through the same readers as ``Tokenizer/load(path:)`` — without building
/// an encoder (no trie, no merge table, no normalizer), so that any model type can be read: a
/// vocabulary comparison must also read files CorpusKit cannot encode (sentencepiece Word/Char,
/// tokenizer.json WordPiece/WordLevel).
///
/// The pieces are a ``Vocabulary`` (the type a loaded ``Tokenizer`` exposes); around it the file's
/// facts a comparison needs: piece types for every id (a tokenizer.json has none: they are
/// derived, see ``types``), scores where the model has them, merges, and the settings that decide
/// how text becomes ids (``settings``).
public struct VocabularyFile: Sendable {
    /// The file that was read (a directory resolves as ``Tokenizer/resolve(path:)`` does).
    public let path: String
    /// Its format.
    public let format: Tokenizer.Format
    /// `Unigram`, `BPE`, `WordPiece`, `Word`, `Char`, … as the file names it.
    public let modelType: String
    /// The pieces. For a tokenizer.json its special ids hold only the unknown piece (the BOS/EOS of
    /// `tokenizer_config.json` beside it are read by ``Tokenizer/load(path:)``, not here).
    public let vocabulary: Vocabulary
    /// Scores by id (sentencepiece: float32 widened; tokenizer.json Unigram: float64, 0 for added
    /// tokens beyond the model; other tokenizer.json models have none: `nil`).
    public let scores: [Double]?
    /// Piece types by id. A `.model` stores them; for a tokenizer.json they are derived: the
    /// unknown piece is `unknown`, special added tokens `control`, other added tokens
    /// `userDefined`, `<0xNN>` pieces of a byte-fallback model `byte`, the rest `normal`.
    public let types: [PieceType]
    /// BPE merges as `"left right"`, in rank order (tokenizer.json `model.merges`); empty otherwise.
    public let merges: [String]
    /// Whether unknown characters fall back to `<0xNN>` byte pieces.
    public let byteFallback: Bool
    /// Encode-relevant settings, `name → canonical text`, in a fixed order: for a `.model` the
    /// normalizer spec and the encode-time trainer spec fields; for a tokenizer.json the canonical
    /// JSON (sorted keys) of `normalizer`, `pre_tokenizer`, `post_processor`, `decoder` and the
    /// model options. Two files of one format encode alike when pieces, scores and settings agree.
    public let settings: [(name: String, value: String)]

    /// Number of ids (tokenizer.json: the model vocabulary plus added tokens beyond it).
    public var count: Int { types.count }
    /// tokenizer.json `added_tokens` (empty for a `.model`).
    public var addedTokens: [Vocabulary.AddedToken] { vocabulary.addedTokens }
    /// sentencepiece `bos_id()` (nil for a tokenizer.json, see ``vocabulary``).
    public var bosID: Int32? { vocabulary.specialIDs.bos }
    /// sentencepiece `eos_id()` (nil for a tokenizer.json).
    public var eosID: Int32? { vocabulary.specialIDs.eos }
    /// sentencepiece `pad_id()` (nil for a tokenizer.json).
    public var padID: Int32? { vocabulary.specialIDs.pad }
    /// The unknown piece (`.model`: the first piece of type unknown; tokenizer.json: the model's).
    public var unknownID: Int32? { vocabulary.specialIDs.unknown }

    /// The bytes of id `id` in `0..<count` (empty for an id no piece or added token fills).
    public func pieceBytes(_ id: Int) -> ArraySlice<UInt8> { vocabulary.bytes(Int32(id)) ?? [] }

    /// The text of id `id` in `0..<count`.
    public func piece(_ id: Int) -> String { String(decoding: pieceBytes(id), as: UTF8.self) }

    /// An added token (the type ``Vocabulary`` uses).
    public typealias AddedToken = Vocabulary.AddedToken

    /// The former ``VocabularyView/resolve(_:)``.
    @available(*, deprecated, renamed: "Tokenizer.resolve(path:)")
    public static func resolve(_ path: String) throws(TokenizerError) -> String { try Tokenizer.resolve(path: path) }

    /// Reads a `.model`, a `tokenizer.json`, or a directory holding either.
    public static func load(path: String) throws(TokenizerError) -> VocabularyFile {
        let file = try Tokenizer.resolve(path: path)
        if file.hasSuffix(".json") { return try VocabularyFile(huggingFaceJSON: file) }
        return VocabularyFile(sentencePiece: try SentencePieceModelFile(contentsOf: file), path: file)
    }

    // MARK: - sentencepiece

    /// The vocabulary of a decoded `.model` (any model type; none of the tokenizer's piece checks).
    public init(sentencePiece file: SentencePieceModelFile, path: String) {
        self.path = path
        format = .sentencePiece
        let spec = file.trainerSpec
        modelType = SentencePieceModelFile.ModelType(rawValue: spec.rawModelType)?.description ?? "type \(spec.rawModelType)"
        let table = PieceTable(blob: file.pieceBlob, offsets: file.pieceOffsets, float32Scores: file.scores, types: file.types)
        let unknown = file.types.firstIndex(of: .unknown).map { Int32($0) }
        vocabulary = Vocabulary(table: table, specialIDs: .init(unknown: unknown), rule: .sentencePiece)
            .withSentencePieceSpecials(spec, unknownID: unknown)
        scores = table.scores
        types = file.types
        merges = []
        byteFallback = spec.byteFallback
        settings = Self.settings(of: file, modelType: modelType)
    }

    // MARK: - tokenizer.json

    private init(huggingFaceJSON path: String) throws(TokenizerError) {
        let root = try HuggingFaceTokenizerFile.readObject(path)
        guard let model = root["model"] as? [String: Any] else { throw .malformedModel("\(path): no model") }
        let type = model["type"] as? String ?? (model["merges"] != nil ? "BPE" : "<missing type>")
        self.path = path
        format = .huggingFace
        modelType = type

        let table: PieceTable
        var unknown: Int32?
        var merges: [String] = []
        do throws(TokenizerError) {
            if model["vocab"] is JSONDocumentParser.StringNumberPairs {
                (table, unknown) = try HuggingFaceUnigram.readVocabulary(json: model)
            } else {
                // BPE, WordPiece, WordLevel: {piece: id}.
                table = try HuggingFaceBPE.readVocabulary(model["vocab"])
                if model["merges"] != nil {
                    let pairs = try HuggingFaceBPE.readMergePairs(model["merges"])
                    merges = (0..<pairs.count).map { index in
                        let (left, right) = pairs.pair(index)
                        return String(decoding: left, as: UTF8.self) + " " + String(decoding: right, as: UTF8.self)
                    }
                }
            }
        } catch {
            if case .malformedModel(let reason) = error { throw .malformedModel("\(path): \(reason)") }
            throw error
        }
        let added = try HuggingFaceTokenizerFile.readAddedTokens(root)
        let modelCount = table.count
        let total = max(modelCount, (added.map { Int($0.id) }.max() ?? -1) + 1)
        if unknown == nil, let token = model["unk_token"] as? String {
            unknown = (0..<modelCount).first { table.bytes($0).elementsEqual(token.utf8) }.map { Int32($0) }
        }
        byteFallback = model["byte_fallback"] as? Bool ?? false
        var types = [PieceType](repeating: .normal, count: total)
        for token in added { types[Int(token.id)] = token.special ? .control : .userDefined }
        if byteFallback {
            for id in 0..<modelCount where types[id] == .normal && SentencePieceDecoder.byteValue(table.bytes(id)) != nil {
                types[id] = .byte
            }
        }
        if let unknown, model["unk_id"] != nil { types[Int(unknown)] = .unknown }
        vocabulary = Vocabulary(table: table, addedTokens: added, specialIDs: .init(unknown: unknown), rule: .huggingFace)
        scores = model["vocab"] is JSONDocumentParser.StringNumberPairs
            ? table.scores + [Double](repeating: 0, count: total - modelCount) : nil
        self.types = types
        self.merges = merges
        settings = Self.settings(ofJSON: root, model: model, modelType: type, merges: merges)
    }
}

/// The former name of ``VocabularyFile``.
@available(*, deprecated, renamed: "VocabularyFile")
public typealias VocabularyView = VocabularyFile
