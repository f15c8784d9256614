import Foundation

/// A parsed `tokenizer.json`, restricted to what CorpusKit implements; anything else is refused
/// with ``TokenizerError/unsupported(_:)`` naming it. This is the serialization layer only: each
/// component reads its own object (`…+JSON.swift`), the model through ``ModelRegistry``.
struct HuggingFaceTokenizerFile {
    var model: any SegmentationModel
    var table: PieceTable
    var unknownID: Int32?
    var addedTokens: [Vocabulary.AddedToken] = []
    var normalizer: HuggingFaceNormalizer?
    var preTokenizer: HuggingFacePreTokenizer?
    var postProcessor: HuggingFacePostProcessor?
    var decoder: HuggingFaceDecoder?

    init(contentsOf path: String, trieCache: TrieCache) throws(TokenizerError) {
        let root = try Self.readObject(path, cache: trieCache)
        if let truncation = root["truncation"], !(truncation is NSNull) {
            throw .unsupported("tokenizer.json truncation settings")
        }
        if let padding = root["padding"], !(padding is NSNull) {
            throw .unsupported("tokenizer.json padding settings")
        }
        guard let model = root["model"] as? [String: Any] else { throw .malformedModel("tokenizer.json has no model") }
        (self.model, table, unknownID) = try ModelRegistry.huggingFaceModel(json: model, trieCache: trieCache)

        addedTokens = try Self.readAddedTokens(root)
        if let json = root["normalizer"] as? [String: Any] { normalizer = try HuggingFaceNormalizer(json: json) }
        if let json = root["pre_tokenizer"] as? [String: Any] { preTokenizer = try HuggingFacePreTokenizer(json: json) }
        if let json = root["decoder"] as? [String: Any] { decoder = try HuggingFaceDecoder(json: json) }
        if let json = root["post_processor"] as? [String: Any] { postProcessor = try HuggingFacePostProcessor(json: json) }
    }

    /// `added_tokens`, in file order (the one reader of them).
    static func readAddedTokens(_ root: [String: Any]) throws(TokenizerError) -> [Vocabulary.AddedToken] {
        var tokens: [Vocabulary.AddedToken] = []
        for (index, item) in (root["added_tokens"] as? [[String: Any]] ?? []).enumerated() {
            guard let id = item["id"] as? Int, id >= 0, id <= Int(Int32.max), let content = item["content"] as? String else {
                throw .malformedModel("added_tokens[\(index)] lacks a valid id or content")
            }
            tokens.append(Vocabulary.AddedToken(
                id: Int32(id), content: content,
                special: item["special"] as? Bool ?? false,
                normalized: item["normalized"] as? Bool ?? true,
                singleWord: item["single_word"] as? Bool ?? false,
                leftStrip: item["lstrip"] as? Bool ?? false,
                rightStrip: item["rstrip"] as? Bool ?? false))
        }
        return tokens
    }

    /// The top-level object of a JSON file. The parsed vocabulary of a large file is taken from
    /// `cache` when it holds it (``JSONValueCache``, next to the trie cache).
    static func readObject(_ path: String, cache: TrieCache = .default) throws(TokenizerError) -> [String: Any] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard let object = try JSONValueCache(cache).parse(data) as? [String: Any] else {
            throw .malformedModel("\(path): the top level is not a JSON object")
        }
        return object
    }
}
