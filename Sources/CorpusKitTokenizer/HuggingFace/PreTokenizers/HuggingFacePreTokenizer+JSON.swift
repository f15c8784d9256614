/// Reading a pre-tokenizer from its tokenizer.json object.
extension HuggingFacePreTokenizer {
    /// Builds a pre-tokenizer from its tokenizer.json object.
    init(json: [String: Any]) throws(TokenizerError) {
        let type = json["type"] as? String ?? "<missing type>"
        switch type {
        case "Metaspace":
            guard let replacement = json["replacement"] as? String, replacement.unicodeScalars.count == 1 else {
                throw .malformedModel("Metaspace needs a one-character replacement")
            }
            var scheme = PrependScheme.always
            if let raw = json["prepend_scheme"] as? String {
                guard let parsed = PrependScheme(rawValue: raw) else { throw .unsupported("Metaspace prepend_scheme \(raw)") }
                scheme = parsed
            }
            if let addPrefixSpace = json["add_prefix_space"] as? Bool, !addPrefixSpace {
                guard scheme == .never || json["prepend_scheme"] == nil else {
                    throw .malformedModel("Metaspace add_prefix_space does not match prepend_scheme")
                }
                scheme = .never
            }
            self = .metaspace(replacement: Array(replacement.utf8), prependScheme: scheme, split: json["split"] as? Bool ?? true)
        case "WhitespaceSplit":
            self = .whitespaceSplit
        case "Sequence":
            guard let items = json["pretokenizers"] as? [[String: Any]] else { throw .malformedModel("Sequence pre-tokenizer without pretokenizers") }
            var list: [HuggingFacePreTokenizer] = []
            for item in items { list.append(try HuggingFacePreTokenizer(json: item)) }
            self = .sequence(list)
        default:
            throw .unsupported("tokenizer.json pre_tokenizer type \(type)")
        }
    }
}
