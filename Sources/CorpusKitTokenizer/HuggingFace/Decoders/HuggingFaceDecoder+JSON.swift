/// Reading a decoder from its tokenizer.json object.
extension HuggingFaceDecoder {
    /// Builds a decoder from its tokenizer.json object.
    init(json: [String: Any]) throws(TokenizerError) {
        let type = json["type"] as? String ?? "<missing type>"
        switch type {
        case "Sequence":
            guard let items = json["decoders"] as? [[String: Any]] else { throw .malformedModel("Sequence decoder without decoders") }
            var list: [HuggingFaceDecoder] = []
            for item in items { list.append(try HuggingFaceDecoder(json: item)) }
            self = .sequence(list)
        case "ByteFallback": self = .byteFallback
        case "Fuse": self = .fuse
        case "Replace":
            let (pattern, content) = try HuggingFaceNormalizer.replaceArguments(json)
            self = .replace(pattern, content: content)
        case "Strip":
            guard let content = json["content"] as? String, content.unicodeScalars.count == 1 else {
                throw .malformedModel("Strip decoder needs a one-character content")
            }
            self = .strip(content: Array(content.utf8), start: json["start"] as? Int ?? 0, stop: json["stop"] as? Int ?? 0)
        case "Metaspace":
            guard case .metaspace(let replacement, let scheme, _) = try HuggingFacePreTokenizer(json: json) else {
                throw .malformedModel("bad Metaspace decoder")
            }
            self = .metaspace(replacement: replacement, prependScheme: scheme)
        default:
            throw .unsupported("tokenizer.json decoder type \(type)")
        }
    }
}
