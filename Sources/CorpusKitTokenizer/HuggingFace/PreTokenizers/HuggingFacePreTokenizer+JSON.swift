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
        case "Split":
            guard let raw = json["behavior"] as? String, let behavior = SplitBehavior(rawValue: raw) else {
                throw .unsupported("Split pre-tokenizer behavior \(json["behavior"] ?? "<missing>") (supported: Isolated, Removed)")
            }
            if json["invert"] as? Bool ?? false { throw .unsupported("Split pre-tokenizer with invert: true") }
            guard let pattern = json["pattern"] as? [String: Any] else { throw .malformedModel("Split pre-tokenizer without pattern") }
            if let string = pattern["String"] as? String, !string.isEmpty {
                self = .split(alternatives: [Array(string.utf8)], behavior: behavior, source: string)
            } else if let regex = pattern["Regex"] as? String, let alternatives = Self.literalAlternatives(regex) {
                self = .split(alternatives: alternatives, behavior: behavior, source: regex)
            } else {
                throw .unsupported("Split pre-tokenizer pattern \(pattern) (supported: a String, or a Regex of literal alternatives a|b|…)")
            }
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

    /// `a|b|…` with every alternative a non-empty literal (escapes allowed), or nil.
    private static func literalAlternatives(_ regex: String) -> [[UInt8]]? {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in regex {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" { current.append(character); escaped = true; continue }
            if character == "|" { parts.append(current); current = ""; continue }
            current.append(character)
        }
        parts.append(current)
        var alternatives: [[UInt8]] = []
        for part in parts {
            guard let literal = ReplacePattern.literal(fromRegex: part), !literal.isEmpty else { return nil }
            alternatives.append(literal)
        }
        return alternatives
    }
}
