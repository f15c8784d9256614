import Foundation

/// The files transformers (v5.24) writes for a directory holding only a sentencepiece
/// `tokenizer.model`: `AutoTokenizer.from_pretrained(DIR).save_pretrained(OUT)` gives a
/// `TokenizersBackend` built by `SpmConverter.build_tokenizer_from_spm_proto` (legacy mode), whose
/// `tokenizer.json` and `tokenizer_config.json` this type reproduces byte for byte from the
/// `ModelProto` alone (no `special_tokens_map.json`: transformers 5 writes none).
///
/// What the conversion takes from the proto, one rule each:
///
/// | output | rule |
/// |---|---|
/// | model | BPE (`model_type` 2): vocab by id, `unk_token` = `unk_piece`, merges = every split of a normal piece into two normal pieces, sorted by (−score of the piece, its id, left, right); `ignore_merges` when user-defined pieces exist. Unigram (otherwise): `[piece, score]` by id, `unk_id`. Both: `byte_fallback` |
/// | normalizer | `Precompiled` (if a charsmap), `\A +| +\z`→"" and ` {2,}`→" " (remove_extra_whitespaces), " "→"▁" (escape_whitespaces), `\A▁`→"▁▁" (add_dummy_prefix) |
/// | pre-tokenizer | `Metaspace` (prepend "always", no split) if add_dummy_prefix; `Split` isolating user-defined pieces (longest first, `re.escape`d) |
/// | decoder | "▁"→" ", `ByteFallback`, then `Fuse` + `Strip(" ", 1, 0)` with a dummy prefix, else `Fuse` with byte fallback |
/// | added tokens | the unknown, BOS and EOS pieces and every control piece, by id, all special and not normalized |
/// | tokenizer_config.json | bos/eos/unk pieces (ids ≥ 0), control pieces as `extra_special_tokens`, `unk_id` for Unigram |
public struct TransformersConversion: Sendable {
    public let file: SentencePieceModelFile

    public init(file: SentencePieceModelFile) {
        self.file = file
    }

    private var pieces: [String] {
        (0..<file.pieceCount).map { String(decoding: file.piece($0), as: UTF8.self) }
    }

    private var isBPE: Bool { file.trainerSpec.rawModelType == 2 }

    /// `tokenizer.json`, as HF tokenizers' `save(pretty=True)` writes it (no final newline).
    public func tokenizerJSON() -> [UInt8] {
        let pieces = pieces
        let spec = file.trainerSpec
        let normalizerSpec = file.normalizerSpec
        // Keys are bytes throughout: Swift's String equality is canonical equivalence, so "ί"
        // (U+1F77) and "ί" (U+03AF), two Llama 2 pieces, would be one key.
        var firstID: [[UInt8]: Int] = [:]
        for (id, piece) in pieces.enumerated() where firstID[Array(piece.utf8)] == nil { firstID[Array(piece.utf8)] = id }
        let userDefined = pieces.indices.filter { file.types[$0] == .userDefined }.map { pieces[$0] }

        var specialIDs = Set<Int>()
        if spec.unkID >= 0, let id = firstID[Array(spec.unkPiece.utf8)] { specialIDs.insert(id) }
        if spec.bosID >= 0, let id = firstID[Array(spec.bosPiece.utf8)] { specialIDs.insert(id) }
        if spec.eosID >= 0, let id = firstID[Array(spec.eosPiece.utf8)] { specialIDs.insert(id) }
        for id in pieces.indices where file.types[id] == .control { specialIDs.insert(id) }
        let addedTokens: [JSONValue] = specialIDs.sorted().map { id in
            .object([("id", .integer(Int64(id))), ("content", .string(pieces[id])), ("single_word", .bool(false)),
                     ("lstrip", .bool(false)), ("rstrip", .bool(false)), ("normalized", .bool(false)), ("special", .bool(true))])
        }

        var normalizers: [JSONValue] = []
        if !normalizerSpec.precompiledCharsmap.isEmpty {
            normalizers.append(.object([("type", .string("Precompiled")),
                                        ("precompiled_charsmap", .string(Data(normalizerSpec.precompiledCharsmap).base64EncodedString()))]))
        }
        func replace(regex: Bool, _ pattern: String, _ content: String) -> JSONValue {
            .object([("type", .string("Replace")), ("pattern", .object([(regex ? "Regex" : "String", .string(pattern))])),
                     ("content", .string(content))])
        }
        if normalizerSpec.removeExtraWhitespaces {
            normalizers.append(replace(regex: true, #"\A +| +\z"#, ""))
            normalizers.append(replace(regex: true, " {2,}", " "))
        }
        if normalizerSpec.escapeWhitespaces { normalizers.append(replace(regex: false, " ", "▁")) }
        if normalizerSpec.addDummyPrefix { normalizers.append(replace(regex: true, #"\A▁"#, "▁▁")) }

        var preTokenizers: [JSONValue] = []
        if normalizerSpec.addDummyPrefix {
            preTokenizers.append(.object([("type", .string("Metaspace")), ("replacement", .string("▁")),
                                          ("prepend_scheme", .string("always")), ("split", .bool(false))]))
        }
        if !userDefined.isEmpty {
            // Python's `sorted(key=len, reverse=True)` is stable: longest first (in code points), ties by id.
            let ordered = userDefined.enumerated().sorted { a, b in
                let (la, lb) = (a.element.unicodeScalars.count, b.element.unicodeScalars.count)
                return la != lb ? la > lb : a.offset < b.offset
            }.map { Self.pythonRegexEscape($0.element) }
            preTokenizers.append(.object([("type", .string("Split")), ("pattern", .object([("Regex", .string(ordered.joined(separator: "|")))])),
                                          ("behavior", .string("Isolated")), ("invert", .bool(false))]))
        }

        var decoders: [JSONValue] = [replace(regex: false, "▁", " ")]
        if spec.byteFallback { decoders.append(.object([("type", .string("ByteFallback"))])) }
        if normalizerSpec.addDummyPrefix {
            decoders.append(.object([("type", .string("Fuse"))]))
            decoders.append(.object([("type", .string("Strip")), ("content", .string(" ")), ("start", .integer(1)), ("stop", .integer(0))]))
        } else if spec.byteFallback {
            decoders.append(.object([("type", .string("Fuse"))]))
        }

        func sequence(_ id: String, _ typeID: Int64) -> JSONValue {
            .object([("Sequence", .object([("id", .string(id)), ("type_id", .integer(typeID))]))])
        }
        let postProcessor: JSONValue = .object([
            ("type", .string("TemplateProcessing")), ("single", .array([sequence("A", 0)])),
            ("pair", .array([sequence("A", 0), sequence("B", 1)])), ("special_tokens", .object([])),
        ])

        let model: JSONValue
        if isBPE {
            var vocab: [(String, JSONValue)] = []
            // {piece: id} keeps the last id of a repeated piece; HF writes the vocabulary by id.
            var lastID: [[UInt8]: Int] = [:]
            for (id, piece) in pieces.enumerated() { lastID[Array(piece.utf8)] = id }
            for (id, piece) in pieces.enumerated() where lastID[Array(piece.utf8)] == id {
                vocab.append((piece, .integer(Int64(id))))
            }
            model = .object([
                ("type", .string("BPE")), ("dropout", .null), ("unk_token", .string(spec.unkPiece)),
                ("continuing_subword_prefix", .null), ("end_of_word_suffix", .null), ("fuse_unk", .bool(true)),
                ("byte_fallback", .bool(spec.byteFallback)), ("ignore_merges", .bool(!userDefined.isEmpty)),
                ("vocab", .object(vocab)), ("merges", .array(merges(pieces).map { .array([.string($0.0), .string($0.1)]) })),
            ])
        } else {
            model = .object([
                ("type", .string("Unigram")), ("unk_id", .integer(Int64(spec.unkID))),
                ("vocab", .array(pieces.indices.map { .array([.string(pieces[$0]), .double(Self.asWritten(file.scores[$0]))]) })),
                ("byte_fallback", .bool(spec.byteFallback)),
            ])
        }

        return PrettyJSONWriter.write(.object([
            ("version", .string("1.0")), ("truncation", .null), ("padding", .null),
            ("added_tokens", .array(addedTokens)),
            ("normalizer", .object([("type", .string("Sequence")), ("normalizers", .array(normalizers))])),
            ("pre_tokenizer", preTokenizers.isEmpty ? .null : .object([("type", .string("Sequence")), ("pretokenizers", .array(preTokenizers))])),
            ("post_processor", postProcessor),
            ("decoder", .object([("type", .string("Sequence")), ("decoders", .array(decoders))])),
            ("model", model),
        ]))
    }

    /// BPE merges as the conversion derives them from the normal pieces (see the table above).
    func merges(_ pieces: [String]) -> [(String, String)] {
        // Normal pieces: {piece: (score, id)}, a repeated piece keeping its last entry.
        var normal: [[UInt8]: (score: Float, id: Int)] = [:]
        var order: [[UInt8]] = []
        for id in pieces.indices where file.types[id] == .normal {
            let bytes = Array(pieces[id].utf8)
            if normal[bytes] == nil { order.append(bytes) }
            normal[bytes] = (file.scores[id], id)
        }
        var ranked: [(score: Float, id: Int, left: [UInt8], right: [UInt8])] = []
        for piece in order {
            let rank = normal[piece]!
            // Splits at character (code point) boundaries, as Python's `token[:split]`.
            for split in 1..<piece.count where piece[split] & 0xC0 != 0x80 {
                let (left, right) = (Array(piece[..<split]), Array(piece[split...]))
                if normal[left] != nil && normal[right] != nil { ranked.append((rank.score, rank.id, left, right)) }
            }
        }
        // Python compares str by code point, which is UTF-8 byte order.
        ranked.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.id != b.id { return a.id < b.id }
            if a.left != b.left { return a.left.lexicographicallyPrecedes(b.left) }
            return a.right.lexicographicallyPrecedes(b.right)
        }
        return ranked.map { (String(decoding: $0.left, as: UTF8.self), String(decoding: $0.right, as: UTF8.self)) }
    }

    /// `tokenizer_config.json`, as transformers' `save_pretrained` writes it (keys sorted, final newline).
    public func tokenizerConfigJSON() -> [UInt8] {
        let pieces = pieces
        let spec = file.trainerSpec
        var members: [(String, JSONValue)] = [("backend", .string("tokenizers"))]
        if spec.bosID >= 0 { members.append(("bos_token", .string(spec.bosPiece))) }
        if spec.eosID >= 0 { members.append(("eos_token", .string(spec.eosPiece))) }
        let controls = pieces.indices.filter { file.types[$0] == .control }.map { JSONValue.string(pieces[$0]) }
        if !controls.isEmpty { members.append(("extra_special_tokens", .array(controls))) }
        members.append(("is_local", .bool(true)))
        members.append(("local_files_only", .bool(false)))
        // int(1e30), transformers' VERY_LARGE_INTEGER.
        members.append(("model_max_length", .literal("1000000000000000019884624838656")))
        members.append(("tokenizer_class", .string("TokenizersBackend")))
        if !isBPE { members.append(("unk_id", .integer(Int64(spec.unkID)))) }
        if spec.unkID >= 0 { members.append(("unk_token", .string(spec.unkPiece))) }
        return PrettyJSONWriter.write(.object(members)) + [0x0A]
    }

    /// A Unigram score as transformers writes it. The score reaches tokenizers as the float32's
    /// exact double, but transformers deep-copies the built tokenizer (`copy.deepcopy`, i.e.
    /// `to_str` then `from_str`), and serde_json's parse of the printed value is not correctly
    /// rounded (``SerdeJSONNumber``): about a quarter of the scores come back one ulp off, and that
    /// value is what `save_pretrained` prints.
    static func asWritten(_ score: Float) -> Double {
        var value = Double(score)
        for _ in 0..<serdeRoundTrips {
            let text = Array(PrettyJSONWriter.formatDouble(value).utf8)
            if case .success(let parsed) = text.withUnsafeBufferPointer({ SerdeJSONNumber.parse($0) }) { value = parsed.doubleValue }
        }
        return value
    }

    static let serdeRoundTrips = 1

    /// Python's `re.escape` (3.7+): a backslash before each of `()[]{}?*+-|^$\.&~#` and whitespace.
    static func pythonRegexEscape(_ text: String) -> String {
        let special = Set("()[]{}?*+-|^$\\.&~# \t\n\r\u{0B}\u{0C}".unicodeScalars)
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if special.contains(scalar) { out.append("\\") }
            out.append(scalar)
        }
        return String(out)
    }
}
