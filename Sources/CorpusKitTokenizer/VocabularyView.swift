import Foundation
import CorpusKitSystem

/// A read-only view of a vocabulary file — pieces, ids, types, scores, special tokens and the
/// settings that decide how text becomes ids — that needs no encoder.
///
/// ``Tokenizer`` refuses what it cannot encode (sentencepiece BPE such as Llama 2, tokenizer.json
/// BPE); a vocabulary comparison must still read those files. The view reuses the tokenizer's own
/// loaders (``SentencePieceModelFile``, the tokenizer.json parser that keeps U+FEFF pieces and
/// rounds scores like serde_json) and never builds a trie.
///
/// Behaviour settings are kept as `name → canonical text` pairs (``settings``): for a `.model` the
/// normalizer spec and the encode-time trainer spec fields; for a tokenizer.json the canonical JSON
/// (sorted keys) of `normalizer`, `pre_tokenizer`, `post_processor`, `decoder` and the model options.
/// Two files of the same format encode alike when their pieces, scores and settings are equal.
public struct VocabularyView: Sendable {
    /// One entry of a tokenizer.json `added_tokens` list.
    public struct AddedToken: Sendable, Equatable {
        public var id: Int32
        public var content: String
        public var special: Bool
    }

    /// The file that was read.
    public let path: String
    /// Its format.
    public let format: Tokenizer.Format
    /// `Unigram`, `BPE`, `WordPiece`, `Word`, `Char`, … as the file names it.
    public let modelType: String
    /// Piece texts by id, concatenated; piece `id` is `blob[offsets[id] ..< offsets[id + 1]]`.
    private let blob: [UInt8]
    private let offsets: [Int32]
    /// Scores by id (sentencepiece: float32 widened; tokenizer.json Unigram: float64; tokenizer.json
    /// BPE has none: `nil`).
    public let scores: [Double]?
    /// Piece types by id. A tokenizer.json has no types; they are derived: the `unk_id` piece is
    /// `unknown`, special added tokens `control`, other added tokens `userDefined`, `<0xNN>` pieces
    /// of a byte-fallback model `byte`, the rest `normal`.
    public let types: [PieceType]
    /// BPE merges (tokenizer.json `model.merges`, each `"left right"`); empty otherwise.
    public let merges: [String]
    /// tokenizer.json `added_tokens` (empty for a `.model`).
    public let addedTokens: [AddedToken]
    /// sentencepiece `bos_id()` / `eos_id()` / `pad_id()` (control pieces named by the trainer spec);
    /// nil for tokenizer.json, whose BOS/EOS live in tokenizer_config.json.
    public let bosID: Int32?
    public let eosID: Int32?
    public let padID: Int32?
    /// The unknown piece (`.model`: the piece of type unknown; tokenizer.json: `model.unk_id`).
    public let unknownID: Int32?
    /// Whether unknown characters fall back to `<0xNN>` byte pieces.
    public let byteFallback: Bool
    /// Encode-relevant settings, `name → canonical text`, in a fixed order.
    public let settings: [(name: String, value: String)]

    /// Number of ids (tokenizer.json: model vocabulary plus added tokens beyond it).
    public var count: Int { types.count }

    /// The bytes of piece `id`.
    public func pieceBytes(_ id: Int) -> ArraySlice<UInt8> { blob[Int(offsets[id])..<Int(offsets[id + 1])] }

    /// The text of piece `id`.
    public func piece(_ id: Int) -> String { String(decoding: pieceBytes(id), as: UTF8.self) }

    /// Reads a `.model`, a `tokenizer.json`, or a directory holding either (tokenizer.json preferred,
    /// as ``Tokenizer/load(path:)`` does).
    public static func load(path: String) throws(TokenizerError) -> VocabularyView {
        let file = try resolve(path)
        if file.hasSuffix(".json") { return try VocabularyView(huggingFaceJSON: file) }
        return VocabularyView(sentencePiece: try SentencePieceModelFile(contentsOf: file), path: file)
    }

    /// The file ``load(path:)`` reads for `path` (a directory resolves to its tokenizer file).
    public static func resolve(_ path: String) throws(TokenizerError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return path }
        let json = (path as NSString).appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json) { return json }
        let models = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".model") }.sorted()
        guard models.count == 1 else {
            throw .unreadable(path: path, reason: models.isEmpty
                ? "the directory holds neither tokenizer.json nor a .model file"
                : "the directory holds several .model files (\(models.joined(separator: ", "))); name one")
        }
        return (path as NSString).appendingPathComponent(models[0])
    }

    // MARK: - sentencepiece

    /// A view of a decoded `.model` (any model type).
    public init(sentencePiece file: SentencePieceModelFile, path: String) {
        self.path = path
        format = .sentencePiece
        let spec = file.trainerSpec
        modelType = SentencePieceModelFile.ModelType(rawValue: spec.rawModelType)?.description ?? "type \(spec.rawModelType)"
        blob = file.pieceBlob
        offsets = file.pieceOffsets
        scores = file.scores.map(Double.init)
        types = file.types
        merges = []
        addedTokens = []
        byteFallback = spec.byteFallback
        var control: [String: Int32] = [:]
        var unknown: Int32?
        for id in 0..<file.pieceCount {
            switch file.types[id] {
            case .control:
                let text = String(decoding: file.piece(id), as: UTF8.self)
                if control[text] == nil { control[text] = Int32(id) }
            case .unknown:
                if unknown == nil { unknown = Int32(id) }
            default: break
            }
        }
        bosID = control[spec.bosPiece]
        eosID = control[spec.eosPiece]
        padID = control[spec.padPiece]
        unknownID = unknown
        func normalizer(_ n: SentencePieceModelFile.NormalizerSpec) -> String {
            "name=\(n.name) precompiled_charsmap=\(n.precompiledCharsmap.isEmpty ? "none" : "\(n.precompiledCharsmap.count) bytes, fnv1a \(Self.fnv1a(n.precompiledCharsmap))") "
                + "add_dummy_prefix=\(n.addDummyPrefix) remove_extra_whitespaces=\(n.removeExtraWhitespaces) "
                + "escape_whitespaces=\(n.escapeWhitespaces) normalization_rule_tsv=\(n.normalizationRuleTSV.isEmpty ? "none" : "fnv1a \(Self.fnv1a(Array(n.normalizationRuleTSV.utf8)))")"
        }
        settings = [
            ("model_type", modelType),
            ("normalizer_spec", normalizer(file.normalizerSpec)),
            ("denormalizer_spec", file.denormalizerSpec.map(normalizer) ?? "none"),
            ("byte_fallback", "\(spec.byteFallback)"),
            ("treat_whitespace_as_suffix", "\(spec.treatWhitespaceAsSuffix)"),
            ("split_digits", "\(spec.splitDigits)"),
            ("split_by_whitespace", "\(spec.splitByWhitespace)"),
            ("special_pieces", "unk=\(spec.unkPiece) bos=\(spec.bosPiece) eos=\(spec.eosPiece) pad=\(spec.padPiece) unk_surface=\(spec.unkSurface)"),
        ]
    }

    // MARK: - tokenizer.json

    /// `model.merges` as `"left right"` strings: from `["a b", …]`, `[["a", "b"], …]`, or the
    /// parser's compact ``JSONDocumentParser/StringPairs``.
    private static func mergeStrings(_ value: Any?, _ malformed: (String) -> TokenizerError) throws(TokenizerError) -> [String] {
        if let pairs = value as? JSONDocumentParser.StringPairs {
            return (0..<pairs.count).map { index in
                let (left, right) = pairs.pair(index)
                return String(decoding: left, as: UTF8.self) + " " + String(decoding: right, as: UTF8.self)
            }
        }
        var merges: [String] = []
        for (index, merge) in (value as? [Any] ?? []).enumerated() {
            if let text = merge as? String {
                merges.append(text)
            } else if let pair = merge as? [Any], pair.count == 2, let left = pair[0] as? String, let right = pair[1] as? String {
                merges.append(left + " " + right)
            } else {
                throw malformed("model.merges[\(index)] is neither \"a b\" nor [a, b]")
            }
        }
        return merges
    }

    private init(huggingFaceJSON path: String) throws(TokenizerError) {
        let root = try HuggingFaceTokenizerFile.readObject(path)
        func malformed(_ reason: String) -> TokenizerError { .malformedModel("\(path): \(reason)") }
        guard let model = root["model"] as? [String: Any] else { throw malformed("no model") }
        let type = model["type"] as? String ?? (model["merges"] != nil ? "BPE" : "<missing type>")
        self.path = path
        format = .huggingFace
        modelType = type

        var pieces: [[UInt8]] = []
        var scores: [Double]?
        var merges: [String] = []
        if let vocabulary = model["vocab"] as? JSONDocumentParser.StringNumberPairs {
            // Unigram: [[piece, score], ...].
            for id in 0..<vocabulary.count {
                pieces.append(Array(vocabulary.blob[Int(vocabulary.offsets[id])..<Int(vocabulary.offsets[id + 1])]))
            }
            scores = vocabulary.numbers
        } else if let members = model["vocab"] as? JSONDocumentParser.StringIntegerMembers {
            // BPE {piece: id}, as the parser keeps it (keys as bytes: no canonical merging).
            func piece(_ i: Int) -> String { String(decoding: members.key(i), as: UTF8.self) }
            switch members.membersByValue() {
            case .success(let order):
                pieces = order.map { Array(members.key(Int($0))) }
            case .failure(.outOfRange(let i)) where members.integers[i] < 0:
                throw malformed("model.vocab[\(piece(i))] is not a non-negative integer id")
            case .failure(.outOfRange(let i)):
                throw malformed("model.vocab has no piece for some id below \(members.integers[i]) (ids must run 0..<\(members.count))")
            case .failure(.shared(let id, let first, let second)):
                throw malformed("model.vocab gives id \(id) to both \(piece(first)) and \(piece(second))")
            }
            merges = try Self.mergeStrings(model["merges"], malformed)
        } else if let dictionary = model["vocab"] as? [String: Any] {
            // BPE / WordPiece / WordLevel: {piece: id}. (Keys went through `String`, whose equality
            // merges canonically equivalent pieces: a merged key shows up below as a missing id.)
            var byID: [Int: String] = [:]
            for (piece, value) in dictionary {
                guard let id = value as? Int, id >= 0 else { throw malformed("model.vocab[\(piece)] is not a non-negative integer id") }
                if let other = byID[id] { throw malformed("model.vocab gives id \(id) to both \(other) and \(piece)") }
                byID[id] = piece
            }
            let size = (byID.keys.max() ?? -1) + 1
            guard byID.count == size else {
                let missing = (0..<size).first { byID[$0] == nil }!
                throw malformed("model.vocab has no piece for id \(missing) (ids must run 0..<\(size))")
            }
            pieces = (0..<size).map { Array(byID[$0]!.utf8) }
            merges = try Self.mergeStrings(model["merges"], malformed)
        } else {
            throw malformed("model.vocab is neither a Unigram [[piece, score], ...] list nor a {piece: id} object")
        }

        var added: [AddedToken] = []
        for (index, item) in (root["added_tokens"] as? [[String: Any]] ?? []).enumerated() {
            guard let id = item["id"] as? Int, id >= 0, id <= Int(Int32.max), let content = item["content"] as? String else {
                throw malformed("added_tokens[\(index)] lacks a valid id or content")
            }
            added.append(AddedToken(id: Int32(id), content: content, special: item["special"] as? Bool ?? false))
        }
        // Added tokens beyond the model vocabulary extend it (HF's vocab size counts them).
        let modelCount = pieces.count
        let total = max(modelCount, (added.map { Int($0.id) }.max() ?? -1) + 1)
        var types = [PieceType](repeating: .normal, count: total)
        var texts = pieces + [[UInt8]](repeating: [], count: total - modelCount)
        for token in added {
            let id = Int(token.id)
            if id >= modelCount { texts[id] = Array(token.content.utf8) }
            types[id] = token.special ? .control : .userDefined
        }
        if total > modelCount, scores != nil { scores! += [Double](repeating: 0, count: total - modelCount) }
        byteFallback = model["byte_fallback"] as? Bool ?? false
        if byteFallback {
            for id in 0..<modelCount where types[id] == .normal && SentencePieceDecoder.byteValue(texts[id][...]) != nil {
                types[id] = .byte
            }
        }
        var unknown: Int32?
        if let unk = model["unk_id"] as? Int, unk >= 0, unk < total {
            unknown = Int32(unk)
            types[unk] = .unknown
        } else if let token = model["unk_token"] as? String, let id = texts.firstIndex(of: Array(token.utf8)) {
            unknown = Int32(id)
        }
        var blob: [UInt8] = []
        var offsets: [Int32] = [0]
        for text in texts {
            blob += text
            offsets.append(Int32(blob.count))
        }
        self.blob = blob
        self.offsets = offsets
        self.scores = scores
        self.types = types
        self.merges = merges
        addedTokens = added
        bosID = nil
        eosID = nil
        padID = nil
        unknownID = unknown
        var options = model
        options["vocab"] = nil
        options["merges"] = nil
        var settings: [(String, String)] = [("model_type", type), ("model_options", Self.canonicalJSON(options))]
        for key in ["normalizer", "pre_tokenizer", "post_processor", "decoder"] {
            settings.append((key, Self.canonicalJSON(root[key] ?? NSNull())))
        }
        settings.append(("merges", merges.isEmpty ? "none" : "\(merges.count), fnv1a \(Self.fnv1a(Array(merges.joined(separator: "\n").utf8)))"))
        self.settings = settings
    }

    /// JSON text with sorted keys and no whitespace, for comparing parsed settings.
    static func canonicalJSON(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let bool as Bool: return bool ? "true" : "false"
        case let int as Int: return String(int)
        case let double as Double: return "\(double)"
        case let string as String: return TextFormat.jsonString(string)
        case let array as [Any]: return "[" + array.map(canonicalJSON).joined(separator: ",") + "]"
        case let object as [String: Any]:
            // Keys compared as UTF-8 bytes, not as `String` (canonical equivalence).
            let keys = object.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            return "{" + keys.map { canonicalJSON($0) + ":" + canonicalJSON(object[$0]!) }.joined(separator: ",") + "}"
        case is JSONDocumentParser.StringNumberPairs: return "\"<vocab>\""
        default: return "\"\(value)\""
        }
    }

    /// FNV-1a of bytes, as hex (for summarising large settings such as a charsmap).
    static func fnv1a(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }
}
