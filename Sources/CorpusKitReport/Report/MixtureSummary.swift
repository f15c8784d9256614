/// A mixture summed per language and per subset: the numbers of the report tables and the chart.
public struct MixtureSummary: Sendable, Equatable {
    /// One table row.
    public struct Row: Sendable, Equatable {
        /// The language (display name when the spec gives one).
        public let language: String
        /// The subset (`nil` on a language row).
        public let subset: String?
        /// Datasets (shards) in the row.
        public let files: Int
        /// Tokens in those datasets.
        public let tokens: Int
        /// Σ weights: the tokens the mixture samples from them.
        public let sampled: Int
        /// The subset's rate; on a language row the effective rate `sampled / tokens`.
        public let rate: Double
        /// `sampled / total sampled`.
        public let share: Double
    }

    /// Per language, in the order languages first appear in the counts.
    public let languages: [Row]
    /// Per subset, grouped by language, in order of first appearance.
    public let subsets: [Row]
    /// Σ tokens of the selected datasets.
    public let totalTokens: Int
    /// Σ weights.
    public let totalSampled: Int
    /// Selected datasets.
    public let totalFiles: Int

    /// Sums `mixture`.
    public init(_ mixture: Mixture) {
        let display = mixture.spec.languageNames
        var languageOrder: [String] = []
        var subsetOrder: [String: [String]] = [:]
        var bySubset: [String: (files: Int, tokens: Int, sampled: Int, rate: Double)] = [:]
        for entry in mixture.selected {
            // Grouped by display name: `ja` (shown as Japanese) and a `names:` rule's `Japanese` are one language.
            let language = display[entry.language] ?? entry.language
            if subsetOrder[language] == nil { languageOrder.append(language); subsetOrder[language] = [] }
            let key = language + "\u{0}" + entry.subset
            if bySubset[key] == nil { subsetOrder[language]!.append(entry.subset) }
            var sums = bySubset[key] ?? (0, 0, 0, entry.rate)
            sums.files += 1
            sums.tokens += entry.tokens
            sums.sampled += entry.weight
            bySubset[key] = sums
        }
        let total = mixture.totalWeight
        func share(_ sampled: Int) -> Double { total > 0 ? Double(sampled) / Double(total) : 0 }
        var languages: [Row] = []
        var subsets: [Row] = []
        for language in languageOrder {
            let name = language
            var files = 0, tokens = 0, sampled = 0
            for subset in subsetOrder[language]! {
                let sums = bySubset[language + "\u{0}" + subset]!
                files += sums.files
                tokens += sums.tokens
                sampled += sums.sampled
                subsets.append(Row(language: name, subset: subset, files: sums.files, tokens: sums.tokens,
                                   sampled: sums.sampled, rate: sums.rate, share: share(sums.sampled)))
            }
            languages.append(Row(language: name, subset: nil, files: files, tokens: tokens, sampled: sampled,
                                 rate: tokens > 0 ? Double(sampled) / Double(tokens) : 0, share: share(sampled)))
        }
        self.languages = languages
        self.subsets = subsets
        self.totalTokens = mixture.selected.reduce(0) { $0 + $1.tokens }
        self.totalSampled = total
        self.totalFiles = mixture.selected.count
    }
}

/// The report formats, chosen by the file extension of `--report`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case markdown = "md", csv, json

    /// The format for a path ending in `.md`, `.csv` or `.json`.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: ".") else { return nil }
        let ext = path[path.index(after: dot)...].lowercased()
        self.init(rawValue: ext == "markdown" ? "md" : ext)
    }
}

/// The tables of a mixture: per language and per subset, files, tokens (exact and humanised as
/// the model cards print them), rate, sampled tokens and share of the mixture.
public enum MixtureReport {
    /// The report text in `format`.
    public static func render(_ summary: MixtureSummary, format: ReportFormat) -> String {
        switch format {
        case .markdown: return markdown(summary)
        case .csv: return csv(summary)
        case .json: return json(summary)
        }
    }

    private static func percent(_ share: Double) -> String { TextFormatting.fixed(share * 100, 2) + "%" }
    private static func shortRate(_ rate: Double) -> String {
        let rounded = (rate * 10000).rounded() / 10000
        return rounded == rounded.rounded() ? String(Int(rounded)) : "\(rounded)"
    }

    private static func markdown(_ s: MixtureSummary) -> String {
        var out = "## By language\n\n| language | files | tokens | rate | sampled | share | tokens (exact) | sampled (exact) |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in s.languages {
            out += "| \(TextFormatting.markdown(r.language)) | \(r.files) | \(Humanized.tokens(r.tokens)) | \(shortRate(r.rate)) | "
                + "\(Humanized.tokens(r.sampled)) | \(percent(r.share)) | \(TextFormatting.grouped(r.tokens)) | \(TextFormatting.grouped(r.sampled)) |\n"
        }
        out += "| **total** | \(s.totalFiles) | \(Humanized.tokens(s.totalTokens)) | | **\(Humanized.tokens(s.totalSampled))** | 100.00% | "
            + "\(TextFormatting.grouped(s.totalTokens)) | \(TextFormatting.grouped(s.totalSampled)) |\n"
        out += "\n## By subset\n\n| language | subset | files | tokens | rate | sampled | share | tokens (exact) | sampled (exact) |\n"
        out += "|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in s.subsets {
            out += "| \(TextFormatting.markdown(r.language)) | \(TextFormatting.markdown(r.subset ?? "")) | \(r.files) | \(Humanized.tokens(r.tokens)) | "
                + "\(shortRate(r.rate)) | \(Humanized.tokens(r.sampled)) | \(percent(r.share)) | \(TextFormatting.grouped(r.tokens)) | \(TextFormatting.grouped(r.sampled)) |\n"
        }
        return out
    }

    private static func csv(_ s: MixtureSummary) -> String {
        var out = "level,language,subset,files,tokens,tokens_humanized,rate,sampled_tokens,sampled_humanized,share\n"
        func line(_ level: String, _ r: MixtureSummary.Row) -> String {
            [level, TextFormatting.csv(r.language), TextFormatting.csv(r.subset ?? ""), String(r.files), String(r.tokens),
             Humanized.tokens(r.tokens), "\(r.rate)", String(r.sampled), Humanized.tokens(r.sampled), "\(r.share)"]
                .joined(separator: ",") + "\n"
        }
        for r in s.languages { out += line("language", r) }
        for r in s.subsets { out += line("subset", r) }
        let rate = s.totalTokens > 0 ? Double(s.totalSampled) / Double(s.totalTokens) : 0
        out += line("total", .init(language: "", subset: nil, files: s.totalFiles, tokens: s.totalTokens,
                                   sampled: s.totalSampled, rate: rate, share: 1))
        return out
    }

    private static func json(_ s: MixtureSummary) -> String {
        func row(_ r: MixtureSummary.Row) -> String {
            var fields = ["\"language\": \(TextFormatting.json(r.language))"]
            if let subset = r.subset { fields.append("\"subset\": \(TextFormatting.json(subset))") }
            fields += [
                "\"files\": \(r.files)", "\"tokens\": \(r.tokens)", "\"tokens_humanized\": \(TextFormatting.json(Humanized.tokens(r.tokens)))",
                "\"rate\": \(TextFormatting.json(r.rate))", "\"sampled_tokens\": \(r.sampled)",
                "\"sampled_humanized\": \(TextFormatting.json(Humanized.tokens(r.sampled)))", "\"share\": \(TextFormatting.json(r.share))",
            ]
            return "    {" + fields.joined(separator: ", ") + "}"
        }
        return "{\n  \"total_tokens\": \(s.totalTokens),\n  \"total_sampled_tokens\": \(s.totalSampled),\n  \"files\": \(s.totalFiles),\n"
            + "  \"languages\": [\n" + s.languages.map(row).joined(separator: ",\n") + "\n  ],\n"
            + "  \"subsets\": [\n" + s.subsets.map(row).joined(separator: ",\n") + "\n  ]\n}\n"
    }
}
