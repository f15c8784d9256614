import Foundation

/// A parsed `tokenizer.json` restricted to what CorpusKit implements; anything else is refused
/// with ``TokenizerError/unsupported(_:)`` naming it.
struct HuggingFaceTokenizerFile {
    struct AddedToken {
        var id: Int32
        var content: String
        var singleWord: Bool
        var leftStrip: Bool
        var rightStrip: Bool
        var normalized: Bool
        var special: Bool
    }

    /// One element of a `TemplateProcessing` template.
    enum TemplatePiece {
        case sequence
        case special(ids: [Int32])
    }

    var vocabulary = JSONDocumentParser.UnigramVocabulary()
    var unknownID: Int32?
    var byteFallback = false
    var addedTokens: [AddedToken] = []
    var normalizer: HuggingFaceNormalizer?
    var preTokenizer: HuggingFacePreTokenizer?
    var template: [TemplatePiece]?
    var decoder: HuggingFaceDecoder?

    init(contentsOf path: String) throws(TokenizerError) {
        var root: [String: Any] = [:]
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            let parsed = try JSONDocumentParser.parse(data)
            vocabulary = parsed.vocabulary ?? vocabulary
            guard let object = parsed.root as? [String: Any] else {
                throw TokenizerError.malformedModel("\(path): the top level is not a JSON object")
            }
            root = object
        } catch let error as TokenizerError {
            throw error
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile || error.code == .fileReadNoPermission {
            throw .unreadable(path: path, reason: error.localizedDescription)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        try load(root: root)
    }

    private mutating func load(root: [String: Any]) throws(TokenizerError) {
        if let truncation = root["truncation"], !(truncation is NSNull) {
            throw .unsupported("tokenizer.json truncation settings")
        }
        if let padding = root["padding"], !(padding is NSNull) {
            throw .unsupported("tokenizer.json padding settings")
        }
        guard let model = root["model"] as? [String: Any] else { throw .malformedModel("tokenizer.json has no model") }
        let modelType = model["type"] as? String ?? (model["merges"] != nil ? "BPE" : "<missing type>")
        guard modelType == "Unigram" else { throw .unsupported("tokenizer.json model type \(modelType) (only Unigram is implemented)") }
        guard model["vocab"] is JSONDocumentParser.VocabularyPlaceholder else {
            throw .malformedModel("the Unigram vocab is not a list of [piece, score] pairs")
        }
        if let unk = model["unk_id"] as? Int {
            guard unk >= 0 && unk < vocabulary.scores.count else { throw .malformedModel("unk_id \(unk) is outside the vocabulary") }
            unknownID = Int32(unk)
        }
        byteFallback = model["byte_fallback"] as? Bool ?? false

        for (index, item) in (root["added_tokens"] as? [[String: Any]] ?? []).enumerated() {
            guard let id = item["id"] as? Int, let content = item["content"] as? String else {
                throw .malformedModel("added_tokens[\(index)] lacks id or content")
            }
            addedTokens.append(AddedToken(
                id: Int32(id), content: content,
                singleWord: item["single_word"] as? Bool ?? false,
                leftStrip: item["lstrip"] as? Bool ?? false,
                rightStrip: item["rstrip"] as? Bool ?? false,
                normalized: item["normalized"] as? Bool ?? true,
                special: item["special"] as? Bool ?? false))
        }
        if let json = root["normalizer"] as? [String: Any] { normalizer = try HuggingFaceNormalizer(json: json) }
        if let json = root["pre_tokenizer"] as? [String: Any] { preTokenizer = try HuggingFacePreTokenizer(json: json) }
        if let json = root["decoder"] as? [String: Any] { decoder = try HuggingFaceDecoder(json: json) }
        if let json = root["post_processor"] as? [String: Any] { template = try Self.template(json) }
    }

    /// The `single` template of a `TemplateProcessing` post-processor.
    private static func template(_ json: [String: Any]) throws(TokenizerError) -> [TemplatePiece] {
        let type = json["type"] as? String ?? "<missing type>"
        guard type == "TemplateProcessing" else { throw .unsupported("tokenizer.json post_processor type \(type)") }
        guard let single = json["single"] as? [[String: Any]] else { throw .malformedModel("TemplateProcessing without single") }
        let specials = json["special_tokens"] as? [String: [String: Any]] ?? [:]
        var pieces: [TemplatePiece] = []
        for item in single {
            if let sequence = item["Sequence"] as? [String: Any] {
                guard sequence["id"] as? String == "A" else { throw .unsupported("TemplateProcessing single template using sequence B") }
                pieces.append(.sequence)
            } else if let special = item["SpecialToken"] as? [String: Any], let name = special["id"] as? String {
                guard let ids = specials[name]?["ids"] as? [Int] else {
                    throw .malformedModel("TemplateProcessing special token \(name) has no ids")
                }
                pieces.append(.special(ids: ids.map { Int32($0) }))
            } else {
                throw .malformedModel("TemplateProcessing template item \(item)")
            }
        }
        return pieces
    }
}
