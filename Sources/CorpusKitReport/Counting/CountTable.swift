import CorpusKitShards

/// The output formats of `corpuskit count`.
public enum CountFormat: String, Sendable, CaseIterable {
    /// llm-jp's `num_tokens.tsv`: `filename<TAB>tokens`.
    case tsv
    /// Every statistic, one row per dataset.
    case csv
    /// Every statistic, `{"datasets": [...]}` (readable by `corpuskit mixture --counts`).
    case json
    /// A Markdown table of every statistic.
    case markdown
}

/// Writes dataset counts in a ``CountFormat``. Rows are sorted by name in byte order (as the
/// `num_tokens.tsv` files are), whatever order the datasets were counted in.
public enum CountTable {
    /// The text of `counts` in `format`, ending with a newline.
    public static func render(_ counts: [DatasetCount], format: CountFormat) -> String {
        let rows = counts.sorted { DatasetNaming.precedes($0.name, $1.name) }
        // Shards made by corpuskit carry a provenance record: json and markdown name its tokenizer
        // (tsv stays llm-jp's two columns; csv keeps its columns).
        let hasRecords = rows.contains { $0.provenance != nil }
        switch format {
        case .tsv:
            return "filename\ttokens\n" + rows.map { "\($0.name)\t\($0.tokens)\n" }.joined()
        case .csv:
            var out = "filename,documents,empty_documents,tokens,text_bytes,text_characters,bytes_per_token,characters_per_token,p50_tokens,p90_tokens,p99_tokens,max_tokens\n"
            for row in rows {
                let bytes: String = row.textBytes.map { String($0) } ?? ""
                let characters: String = row.textCharacters.map { String($0) } ?? ""
                let bytesPerToken: String = row.bytesPerToken.map { TextFormatting.fixed($0, 4) } ?? ""
                let charactersPerToken: String = row.charactersPerToken.map { TextFormatting.fixed($0, 4) } ?? ""
                var fields: [String] = [TextFormatting.csv(row.name), String(row.documents), String(row.emptyDocuments)]
                fields += [String(row.tokens), bytes, characters, bytesPerToken, charactersPerToken]
                fields += [String(row.lengths.percentile(0.5)), String(row.lengths.percentile(0.9))]
                fields += [String(row.lengths.percentile(0.99)), String(row.lengths.maximum)]
                out += fields.joined(separator: ",") + "\n"
            }
            return out
        case .json:
            let items = rows.map { row -> String in
                var fields = [
                    "\"filename\": \(TextFormatting.json(row.name))",
                    "\"source\": \(TextFormatting.json(row.source))",
                    "\"documents\": \(row.documents)",
                    "\"empty_documents\": \(row.emptyDocuments)",
                    "\"tokens\": \(row.tokens)",
                ]
                if let bytes = row.textBytes, let characters = row.textCharacters {
                    fields += [
                        "\"text_bytes\": \(bytes)", "\"text_characters\": \(characters)",
                        "\"bytes_per_token\": \(TextFormatting.json(row.bytesPerToken))",
                        "\"characters_per_token\": \(TextFormatting.json(row.charactersPerToken))",
                    ]
                }
                fields += [
                    "\"p50_tokens\": \(row.lengths.percentile(0.5))", "\"p90_tokens\": \(row.lengths.percentile(0.9))",
                    "\"p99_tokens\": \(row.lengths.percentile(0.99))", "\"max_tokens\": \(row.lengths.maximum)",
                ]
                if hasRecords { fields.append("\"tokenizer\": \(tokenizerJSON(row.provenance))") }
                return "    {" + fields.joined(separator: ", ") + "}"
            }
            let total = rows.reduce(0) { $0 + $1.tokens }
            return "{\n  \"total_tokens\": \(total),\n  \"datasets\": [\n" + items.joined(separator: ",\n")
                + (items.isEmpty ? "" : "\n") + "  ]\n}\n"
        case .markdown:
            let hasText = rows.contains { $0.textBytes != nil }
            var header = ["dataset", "documents", "empty", "tokens"]
            if hasText { header += ["bytes/token", "chars/token"] }
            header += ["p50", "p90", "p99", "max"]
            if hasRecords { header.append("tokenizer") }
            var out = "| " + header.joined(separator: " | ") + " |\n"
            out += "|" + header.enumerated().map { $0.offset == 0 ? "---" : "---:" }.joined(separator: "|") + "|\n"
            for row in rows {
                var cells = [
                    TextFormatting.markdown(row.name), TextFormatting.grouped(row.documents),
                    TextFormatting.grouped(row.emptyDocuments), TextFormatting.grouped(row.tokens),
                ]
                if hasText { cells += [TextFormatting.fixed(row.bytesPerToken, 2), TextFormatting.fixed(row.charactersPerToken, 2)] }
                cells += [row.lengths.percentile(0.5), row.lengths.percentile(0.9), row.lengths.percentile(0.99), row.lengths.maximum]
                    .map(TextFormatting.grouped)
                if hasRecords { cells.append(TextFormatting.markdown(row.provenance?.tokenizerSummary ?? "(no provenance record)")) }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
            let total = rows.reduce(0) { $0 + $1.tokens }
            let documents = rows.reduce(0) { $0 + $1.documents }
            let tokenizers = Set(rows.compactMap { $0.provenance?.meaning })
            if tokenizers.count > 1 {
                out += "\nwarning: the datasets were made with \(tokenizers.count) different tokenizers or options (see the tokenizer column)\n"
            }
            out += "\n\(rows.count) datasets, \(TextFormatting.grouped(documents)) documents, \(TextFormatting.grouped(total)) tokens (\(Humanized.tokens(total)))\n"
            return out
        }
    }

    /// The tokenizer of a provenance record as a JSON object, `null` without a record.
    private static func tokenizerJSON(_ record: DatasetProvenance?) -> String {
        guard let record else { return "null" }
        let fields = [
            "\"file\": \(TextFormatting.json(record.tokenizer.file))",
            "\"sha256\": \(TextFormatting.json(record.tokenizer.sha256))",
            "\"type\": \(TextFormatting.json(record.tokenizer.type))",
            "\"vocabulary_size\": \(record.tokenizer.vocabularySize)",
            "\"append_eod\": \(record.options.appendEOD)",
            "\"dtype\": \(TextFormatting.json(record.options.dtype))",
            "\"corpuskit\": \(TextFormatting.json(record.corpuskit))",
        ]
        return "{" + fields.joined(separator: ", ") + "}"
    }
}
