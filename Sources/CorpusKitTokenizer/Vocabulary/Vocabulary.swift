import Synchronization

/// A tokenizer's vocabulary, read-only and shared by every model type: pieces by id with their
/// types and scores, the ids of the special tokens, and a tokenizer.json's added tokens.
///
/// This is the view the compatibility checks and reports use; it never changes once loaded.
public struct Vocabulary: Sendable {
    /// A `tokenizer.json` added token (`added_tokens`), or a special token of a `.model`.
    public struct AddedToken: Sendable, Equatable {
        public var id: Int32
        public var content: String
        public var special: Bool
        public var normalized: Bool
        public var singleWord: Bool
        public var leftStrip: Bool
        public var rightStrip: Bool
    }

    /// The ids of the well-known special tokens, where the file defines them.
    public struct SpecialIDs: Sendable, Equatable {
        /// sentencepiece `bos_id()` (a control piece); for tokenizer.json, the `bos_token` of
        /// `tokenizer_config.json` / `special_tokens_map.json` next to it, when present.
        public var bos: Int32?
        /// sentencepiece `eos_id()`; for tokenizer.json, the configured `eos_token`.
        public var eos: Int32?
        /// sentencepiece `pad_id()`; for tokenizer.json, the configured `pad_token`.
        public var pad: Int32?
        /// sentencepiece `unk_id()`; for tokenizer.json, the model's `unk_id`.
        public var unknown: Int32?
    }

    /// How ``id(for:)`` resolves a piece: sentencepiece looks in its reserved map (control,
    /// unknown, byte pieces) first, then in its normal, user-defined and unused pieces; HF
    /// tokenizers looks at the added tokens first, then at the model vocabulary, where a repeated
    /// piece maps to its last id.
    enum LookupRule: Sendable {
        case sentencePiece
        case huggingFace
    }

    let table: PieceTable
    /// The added tokens, in file order.
    public let addedTokens: [AddedToken]
    /// The special-token ids.
    public private(set) var specialIDs: SpecialIDs
    let rule: LookupRule
    private let addedContents: [Int32: [UInt8]]
    /// One bit per id below ``count``: whether `addedContents` holds it (``bytes(_:)`` is called per
    /// id in loops over the whole vocabulary; the bit spares them a hash lookup).
    private let addedMask: [UInt64]
    private let addedIDs: [[UInt8]: Int32]
    /// Built on first use: most runs never look a piece up by its text.
    private let index: LazyPieceIndex
    /// sentencepiece's reserved map (control, unknown and byte pieces).
    let reservedIndex: PieceIndex?

    /// `reservedIndex`: sentencepiece's reserved map when the caller built it already (to check
    /// for duplicates), so that it is not built twice.
    init(table: PieceTable, addedTokens: [AddedToken] = [], specialIDs: SpecialIDs, rule: LookupRule,
         reservedIndex knownReservedIndex: PieceIndex? = nil) {
        self.table = table
        self.addedTokens = addedTokens
        self.specialIDs = specialIDs
        self.rule = rule
        var contents: [Int32: [UInt8]] = [:]
        var ids: [[UInt8]: Int32] = [:]
        for token in addedTokens {
            let bytes = Array(token.content.utf8)
            contents[token.id] = bytes
            ids[bytes] = token.id
        }
        addedContents = contents
        addedIDs = ids
        count = max(table.count, (contents.keys.max().map { Int($0) + 1 }) ?? 0)
        var mask = [UInt64](repeating: 0, count: contents.isEmpty ? 0 : (count + 63) / 64)
        for id in contents.keys where id >= 0 { mask[Int(id) >> 6] |= 1 << UInt64(id & 63) }
        addedMask = mask
        switch rule {
        case .sentencePiece:
            let types = table.types
            reservedIndex = knownReservedIndex
                ?? PieceIndex(table: table, include: { types[$0].isSentencePieceReserved })
            index = LazyPieceIndex { PieceIndex(table: table, include: { types[$0] == .normal || types[$0] == .userDefined || types[$0] == .unused }) }
        case .huggingFace:
            reservedIndex = nil
            index = LazyPieceIndex { PieceIndex(table: table) }
        }
    }

    /// The same vocabulary with other special-token ids (its indexes are shared, not rebuilt).
    func with(specialIDs: SpecialIDs) -> Vocabulary {
        var copy = self
        copy.specialIDs = specialIDs
        return copy
    }

    /// The same vocabulary with sentencepiece's `bos_id()`, `eos_id()` and `pad_id()`: the control
    /// pieces the trainer spec names (a piece of that name of another type is no special id).
    func withSentencePieceSpecials(_ spec: SentencePieceModelFile.TrainerSpec, unknownID: Int32?) -> Vocabulary {
        func controlID(_ piece: String) -> Int32? {
            guard let id = reservedIndex?.id(piece.utf8), table.types[Int(id)] == .control else { return nil }
            return id
        }
        return with(specialIDs: .init(bos: controlID(spec.bosPiece), eos: controlID(spec.eosPiece),
                                      pad: controlID(spec.padPiece), unknown: unknownID))
    }

    /// Number of ids: the model's pieces plus added tokens beyond them.
    public let count: Int

    /// Number of pieces of the model itself (without added tokens beyond it).
    public var modelPieceCount: Int { table.count }

    /// The bytes of the token `id` (an added token's content wins over the model piece, as in
    /// HF tokenizers), or nil when out of range.
    public func bytes(_ id: Int32) -> ArraySlice<UInt8>? {
        if id >= 0, Int(id >> 6) < addedMask.count, addedMask[Int(id >> 6)] & (1 << UInt64(id & 63)) != 0, let added = addedContents[id] {
            return added[...]
        }
        guard id >= 0 && Int(id) < table.count else { return nil }
        return table.bytes(Int(id))
    }

    /// The text of the token `id`, or nil when out of range.
    public func piece(_ id: Int32) -> String? {
        bytes(id).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The type of model piece `id` (tokenizer.json pieces are all `normal`), or nil.
    public func type(_ id: Int32) -> PieceType? {
        id >= 0 && Int(id) < table.count ? table.types[Int(id)] : nil
    }

    /// The score of model piece `id` as the file stores it, or nil.
    public func score(_ id: Int32) -> Double? {
        id >= 0 && Int(id) < table.count ? table.score(Int(id)) : nil
    }

    /// The id of `piece` as the reference library resolves it (see ``LookupRule``), or nil.
    public func id(for piece: String) -> Int32? { id(forBytes: piece.utf8) }

    /// ``id(for:)`` on bytes (compared as bytes, never as canonically equivalent strings).
    public func id<C: Collection>(forBytes piece: C) -> Int32? where C.Element == UInt8 {
        switch rule {
        case .sentencePiece:
            return reservedIndex?.id(piece) ?? index.value.id(piece)
        case .huggingFace:
            if !addedIDs.isEmpty, let id = addedIDs[Array(piece)] { return id }
            return index.value.id(piece)
        }
    }

    /// ``id(for:)`` without building the index: a scan of the pieces, for the few lookups made
    /// while loading (building the index of llm-jp v3.0's 100k pieces for the special tokens of
    /// tokenizer_config.json cost 14 M instructions, a third of a cached load; a scan ~1 M each).
    func scanID(for piece: String) -> Int32? {
        let bytes = Array(piece.utf8)
        switch rule {
        case .sentencePiece:
            return id(forBytes: bytes)
        case .huggingFace:
            if !addedIDs.isEmpty, let id = addedIDs[bytes] { return id }
            return table.lastID(of: bytes)
        }
    }

    /// The content of an added token `id`.
    func addedContent(_ id: Int32) -> [UInt8]? { addedContents[id] }
}

/// A ``PieceIndex`` built once, on first use, by whichever thread asks first.
final class LazyPieceIndex: Sendable {
    private let build: @Sendable () -> PieceIndex
    private let storage = Mutex<PieceIndex?>(nil)

    init(_ build: @escaping @Sendable () -> PieceIndex) { self.build = build }

    var value: PieceIndex {
        storage.withLock { stored in
            if let stored { return stored }
            let built = build()
            stored = built
            return built
        }
    }
}
