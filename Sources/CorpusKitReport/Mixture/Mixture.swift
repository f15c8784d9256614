#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitShards

/// A training mixture: the selected datasets with their Megatron `--data-path` weights.
///
/// ## Arithmetic (as llm-jp's `corpus/llm-jp-corpus-v4/stats` notebooks do it)
///
/// Datasets are taken in the counts file's order. A dataset is selected when its subset is a key
/// of the spec's `subsets:`; its weight is `ceil(tokens × rate)`, computed shard by shard in
/// float64 (an integer rate multiplies exactly, as Python multiplies two `int`s). A `fill` subset
/// gets the rate `(target_tokens − Σ weights of the other selected datasets) / Σ tokens of the
/// fill subset` (a float64 division of two integers, exact below 2^53 as Python's `int / int`),
/// so the total reaches `target_tokens` up to the per-shard ceilings. Datasets whose weight is
/// 0 are left out of the data path.
public struct Mixture: Sendable, Equatable {
    /// One selected dataset.
    public struct Entry: Sendable, Equatable {
        /// The counts file's name of the dataset.
        public let filename: String
        /// The `--data-path` prefix: `PREFIX/filename_text_document`.
        public let path: String
        /// Its language (e.g. `ja`, or a `names:` rule's).
        public let language: String
        /// Its subset (e.g. `ja_wiki`, or a `names:` rule's).
        public let subset: String
        /// Tokens in the dataset.
        public let tokens: Int
        /// The rate applied.
        public let rate: Double
        /// `ceil(tokens × rate)`: the data-path weight.
        public let weight: Int
    }

    /// Every selected dataset in counts order, weight-0 ones included.
    public let selected: [Entry]
    /// The rate of the fill subset, when there is one.
    public let fillRate: Double?
    /// `target_tokens` of the spec.
    public let targetTokens: Int?
    /// The spec the mixture was made from.
    public let spec: MixtureSpec
    /// What is legal but probably not meant (a selected subset with rate 0; datasets whose
    /// provenance records name different tokenizers or options), one sentence each.
    public let warnings: [String]

    /// The data-path entries: selected datasets with a weight above 0.
    public var entries: [Entry] { selected.filter { $0.weight > 0 } }
    /// Σ weights: the tokens the mixture samples.
    public var totalWeight: Int { selected.reduce(0) { $0 + $1.weight } }

    /// Makes the mixture of `counts` (in their order) under `spec`.
    /// - Throws: ``ReportError/spec(path:line:reason:)`` naming the spec line of a subset that
    ///   matches no dataset, or of a fill that cannot be computed.
    public init(counts: [CountedDataset], spec: MixtureSpec, specPath: String) throws(ReportError) {
        self.spec = spec
        self.targetTokens = spec.targetTokens
        var rateOf: [String: SubsetSelection] = [:]
        for selection in spec.subsets { rateOf[selection.subset] = selection }

        struct Candidate {
            let row: CountedDataset
            let language: String
            let subset: String
            let selection: SubsetSelection
        }
        var candidates: [Candidate] = []
        var matched = Set<String>()
        for row in counts {
            // A subset is selected by the name a `names:` rule gives it or by the convention's.
            let (language, subset) = Self.names(of: row.filename, rules: spec.names)
            let conventional = Self.names(of: row.filename, rules: []).subset
            guard let selection = rateOf[subset] ?? rateOf[conventional] else { continue }
            matched.insert(selection.subset)
            candidates.append(Candidate(row: row, language: language, subset: subset, selection: selection))
        }
        for selection in spec.subsets where !matched.contains(selection.subset) {
            throw .spec(path: specPath, line: selection.line,
                        reason: "subset \(selection.subset) matches no dataset in the counts")
        }

        var fillRate: Double?
        if let fill = spec.subsets.first(where: { $0.rate == .fill }), let target = spec.targetTokens {
            var others = 0
            var fillTokens = 0
            for candidate in candidates {
                if candidate.selection.rate == .fill {
                    fillTokens += candidate.row.tokens
                } else {
                    others += try Self.weight(tokens: candidate.row.tokens, rate: candidate.selection.rate, fill: 0,
                                              specPath: specPath, line: candidate.selection.line)
                }
            }
            guard fillTokens > 0 else {
                throw .spec(path: specPath, line: fill.line, reason: "fill subset \(fill.subset) has no tokens")
            }
            let remaining = target - others
            guard remaining >= 0 else {
                throw .spec(path: specPath, line: fill.line,
                            reason: "fill rate of \(fill.subset) would be negative: the other subsets already sample \(others) tokens, above target_tokens \(target)")
            }
            guard remaining <= 1 << 53, fillTokens <= 1 << 53 else {
                throw .spec(path: specPath, line: fill.line, reason: "token counts above 2^53 cannot be divided exactly in float64")
            }
            fillRate = Double(remaining) / Double(fillTokens)
        }
        self.fillRate = fillRate
        var warnings: [String] = []
        for selection in spec.subsets {
            let zero: Bool
            switch selection.rate {
            case .integer(let n): zero = n == 0
            case .real(let r): zero = r == 0
            case .fill: zero = fillRate == 0
            }
            if zero {
                warnings.append("\(specPath):\(selection.line): subset \(selection.subset) has rate 0: its datasets are left out of the mixture")
            }
        }
        var selected: [Entry] = []
        var meanings: [(name: String, meaning: DatasetProvenance.IDMeaning)] = []
        for candidate in candidates {
            let rate = candidate.selection.rate
            let weight = try Self.weight(tokens: candidate.row.tokens, rate: rate, fill: fillRate ?? 0,
                                         specPath: specPath, line: candidate.selection.line)
            let rateValue: Double
            switch rate {
            case .integer(let n): rateValue = Double(n)
            case .real(let r): rateValue = r
            case .fill: rateValue = fillRate ?? 0
            }
            selected.append(Entry(
                filename: candidate.row.filename,
                path: candidate.row.location ?? Self.dataPath(prefix: spec.prefix, filename: candidate.row.filename),
                language: candidate.language, subset: candidate.subset, tokens: candidate.row.tokens,
                rate: rateValue, weight: weight))
            if weight > 0, let meaning = candidate.row.meaning { meanings.append((candidate.row.filename, meaning)) }
        }
        self.selected = selected
        if let mixed = DatasetProvenance.mixedMeaningsWarning(meanings) { warnings.append(mixed) }
        self.warnings = warnings
    }

    /// `ceil(tokens × rate)` (exact integer product for an integer rate).
    static func weight(tokens: Int, rate: SamplingRate, fill: Double, specPath: String, line: Int) throws(ReportError) -> Int {
        let real: Double
        switch rate {
        case .integer(let n):
            let (product, overflow) = tokens.multipliedReportingOverflow(by: n)
            guard !overflow else { throw .spec(path: specPath, line: line, reason: "\(tokens) × \(n) overflows") }
            return product
        case .real(let r): real = r
        case .fill: real = fill
        }
        let value = (Double(tokens) * real).rounded(.up)
        guard value < 9.2e18 else { throw .spec(path: specPath, line: line, reason: "\(tokens) × \(real) is too large") }
        return Int(value)
    }

    /// The language and subset of a dataset: the first matching `names:` rule's, else llm-jp's
    /// convention on the stem (last path component) `<lang>_<subset>_<shard>`: language = first
    /// `_` field, subset = first two fields.
    public static func names(of filename: String, rules: [NamingRule]) -> (language: String, subset: String) {
        let stem = filename.split(separator: "/").last.map(String.init) ?? filename
        let fields = stem.split(separator: "_", omittingEmptySubsequences: false)
        let language = String(fields[0])
        let subset = fields.count >= 2 ? fields[0] + "_" + fields[1] : stem[...]
        for rule in rules where fnmatch(rule.match, filename, 0) == 0 {
            return (rule.language ?? language, rule.subset ?? String(subset))
        }
        return (language, String(subset))
    }

    /// `PREFIX/filename_text_document` (the filename alone under an empty prefix).
    public static func dataPath(prefix: String, filename: String) -> String {
        let name = filename + DatasetNaming.documentSuffix
        guard !prefix.isEmpty else { return name }
        return prefix.hasSuffix("/") ? prefix + name : prefix + "/" + name
    }
}
