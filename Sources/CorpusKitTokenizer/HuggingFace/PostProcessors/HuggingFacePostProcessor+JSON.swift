/// Reading the post-processor from its tokenizer.json object.
extension HuggingFacePostProcessor {
    /// The `single` template of a `TemplateProcessing` post-processor; other types are refused.
    init(json: [String: Any]) throws(TokenizerError) {
        let type = json["type"] as? String ?? "<missing type>"
        guard type == "TemplateProcessing" else { throw .unsupported("tokenizer.json post_processor type \(type)") }
        guard let single = json["single"] as? [[String: Any]] else { throw .malformedModel("TemplateProcessing without single") }
        let specials = json["special_tokens"] as? [String: [String: Any]] ?? [:]
        var pieces: [Piece] = []
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
        template = pieces
    }
}
