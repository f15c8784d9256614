import Foundation

/// Reading a normalizer from its tokenizer.json object.
extension HuggingFaceNormalizer {
    /// Builds a normalizer from its tokenizer.json object.
    init(json: [String: Any]) throws(TokenizerError) {
        let type = json["type"] as? String ?? "<missing type>"
        switch type {
        case "Sequence":
            guard let items = json["normalizers"] as? [[String: Any]] else { throw .malformedModel("Sequence normalizer without normalizers") }
            var list: [HuggingFaceNormalizer] = []
            for item in items { list.append(try HuggingFaceNormalizer(json: item)) }
            self = .sequence(list)
        case "Replace":
            let (pattern, content) = try HuggingFaceNormalizer.replaceArguments(json)
            self = .replace(pattern, content: content)
        case "Prepend":
            guard let prepend = json["prepend"] as? String else { throw .malformedModel("Prepend normalizer without prepend") }
            self = .prepend(Array(prepend.utf8))
        case "Strip":
            self = .strip(left: json["strip_left"] as? Bool ?? true, right: json["strip_right"] as? Bool ?? true)
        case "Lowercase": self = .lowercase
        case "NFC": self = .unicode(.nfc)
        case "NFD": self = .unicode(.nfd)
        case "NFKC": self = .unicode(.nfkc)
        case "NFKD": self = .unicode(.nfkd)
        case "Precompiled":
            guard let encoded = json["precompiled_charsmap"] as? String,
                  let data = Data(base64Encoded: encoded) else {
                throw .malformedModel("Precompiled normalizer without a base64 precompiled_charsmap")
            }
            self = .precompiled(try PrecompiledCharsmap([UInt8](data)))
        default:
            throw .unsupported("tokenizer.json normalizer type \(type)")
        }
        if callsICU { try ICU.require(for: "the \(type) normalizer") }
    }

    /// The `pattern` and `content` of a `Replace` normalizer or decoder.
    static func replaceArguments(_ json: [String: Any]) throws(TokenizerError) -> (ReplacePattern, [UInt8]) {
        guard let pattern = json["pattern"] as? [String: Any], let content = json["content"] as? String else {
            throw .malformedModel("Replace without pattern/content")
        }
        if let string = pattern["String"] as? String { return (try ReplacePattern(string: string), Array(content.utf8)) }
        if let regex = pattern["Regex"] as? String { return (try ReplacePattern(regex: regex), Array(content.utf8)) }
        throw .malformedModel("Replace pattern is neither String nor Regex")
    }
}
