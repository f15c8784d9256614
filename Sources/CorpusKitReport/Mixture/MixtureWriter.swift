/// The output formats of `corpuskit mixture`.
public enum MixtureFormat: String, Sendable, CaseIterable {
    /// llm-jp's train-data file, a bash array that training scripts `source`.
    case llmJP = "llm-jp"
    /// One line `w1 p1 w2 p2 …`, for `--data-path $(cat FILE)`.
    case dataPath = "data-path"
    /// The mixture as JSON: rates, weights, totals.
    case json
}

/// Writes a ``Mixture`` in a ``MixtureFormat``.
public enum MixtureWriter {
    /// The text of `mixture` in `format`, ending with a newline.
    ///
    /// `llm-jp` is byte for byte the train-data files of llm-jp's `stats/configs/`: the line
    /// `TRAIN_DATA_PATH=(`, the line `    --data-path`, per dataset four spaces, the weight
    /// right-aligned in 16 columns, a space and the path, then `)`.
    public static func render(_ mixture: Mixture, format: MixtureFormat) -> String {
        let entries = mixture.entries
        switch format {
        case .llmJP:
            var out = "TRAIN_DATA_PATH=(\n    --data-path\n"
            for entry in entries {
                let weight = String(entry.weight)
                out += "    " + String(repeating: " ", count: max(0, 16 - weight.count)) + weight + " " + entry.path + "\n"
            }
            return out + ")\n"
        case .dataPath:
            return entries.map { "\($0.weight) \($0.path)" }.joined(separator: " ") + "\n"
        case .json:
            let rows = mixture.selected.map { entry in
                "    {\"filename\": \(TextFormatting.json(entry.filename)), \"path\": \(TextFormatting.json(entry.path)), "
                    + "\"language\": \(TextFormatting.json(entry.language)), \"subset\": \(TextFormatting.json(entry.subset)), "
                    + "\"tokens\": \(entry.tokens), \"rate\": \(TextFormatting.json(entry.rate)), \"weight\": \(entry.weight)}"
            }
            let target = mixture.targetTokens.map(String.init) ?? "null"
            return "{\n  \"prefix\": \(TextFormatting.json(mixture.spec.prefix)),\n  \"target_tokens\": \(target),\n"
                + "  \"fill_rate\": \(TextFormatting.json(mixture.fillRate)),\n  \"total_weight\": \(mixture.totalWeight),\n"
                + "  \"datasets\": [\n" + rows.joined(separator: ",\n") + (rows.isEmpty ? "" : "\n") + "  ]\n}\n"
        }
    }
}
