import Foundation
import CorpusKitShards

/// One row of a counts file: a dataset's name (its prefix relative to the data root, without
/// `_text_document`) and its tokens.
public struct CountedDataset: Sendable, Equatable {
    /// The `filename` column of `num_tokens.tsv`, e.g. `corpus/tokenized/ja/ja_wiki_0000`.
    public var filename: String
    /// Tokens, EOD included.
    public var tokens: Int
    /// The dataset's own prefix, for shards counted without a root: the mixture writes it as the
    /// data path (`PREFIX/filename` would name a file that does not exist).
    public var location: String?
    /// What its ids mean, from its provenance record (shards counted here, or the `tokenizer`
    /// object of `corpuskit count --format json`); `nil` without a record.
    public var meaning: DatasetProvenance.IDMeaning?

    /// A row.
    public init(filename: String, tokens: Int, location: String? = nil, meaning: DatasetProvenance.IDMeaning? = nil) {
        self.filename = filename
        self.tokens = tokens
        self.location = location
        self.meaning = meaning
    }

    /// Rows for shard arguments counted from their `.idx` files (``ShardDiscovery``), sorted by
    /// name as `num_tokens.tsv` is. With `root` the names are relative to it and the data paths
    /// are the spec's `PREFIX/filename`; without, each dataset's path is its own prefix.
    public static func counting(shards: [String], root: String?) throws(ReportError) -> [CountedDataset] {
        let prefixes: [String]
        do { prefixes = try ShardDiscovery.prefixes(shards) } catch { throw .shard("\(error)") }
        return try ShardCounter.count(prefixes: prefixes, root: root)
            .sorted { DatasetNaming.precedes($0.name, $1.name) }
            .map { CountedDataset(filename: $0.name, tokens: $0.tokens, location: root == nil ? $0.source : nil, meaning: $0.provenance?.meaning) }
    }
}

/// Reads the token counts a mixture is made from, in the file's order (the order the mixture's
/// datasets are listed in). Three formats, told apart by their first line:
///
/// - llm-jp's `num_tokens.tsv`: header `filename<TAB>tokens`, then one row per dataset;
/// - the llm-jp fork's token-info CSV (`--output-result-total-token-info`), no header:
///   `input,output_prefix_text_document,total_tokens` (the input may itself hold commas, so the
///   two last fields are taken);
/// - `corpuskit count --format json` output (`{"datasets": [{"filename": …, "tokens": …}, …]}`).
public enum CountsFile {
    /// The rows of the file at `path`; CSV prefixes are named relative to `root` (see
    /// ``DatasetNaming/name(of:root:)``).
    public static func read(path: String, root: String? = nil) throws(ReportError) -> [CountedDataset] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .counts(path: path, line: 0, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .counts(path: path, line: 0, reason: "not valid UTF-8")
        }
        return try parse(text, path: path, root: root)
    }

    /// The rows of `text` (named `path` in errors).
    public static func parse(_ text: String, path: String, root: String? = nil) throws(ReportError) -> [CountedDataset] {
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.first == "{" { return try parseJSON(text, path: path) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { throw .counts(path: path, line: 0, reason: "the file is empty") }
        var rows: [CountedDataset] = []
        if first == "filename\ttokens" {
            for (i, line) in lines.enumerated().dropFirst() {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard fields.count == 2, !fields[0].isEmpty else {
                    throw .counts(path: path, line: i + 1, reason: "expected filename<TAB>tokens, got \"\(line)\"")
                }
                rows.append(CountedDataset(filename: String(fields[0]), tokens: try tokens(fields[1], path, i + 1)))
            }
        } else if first.contains(",") {
            for (i, line) in lines.enumerated() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                guard fields.count >= 3, !fields[fields.count - 2].isEmpty else {
                    throw .counts(path: path, line: i + 1, reason: "expected input,output_prefix,tokens, got \"\(line)\"")
                }
                let name = DatasetNaming.name(of: String(fields[fields.count - 2]), root: root)
                rows.append(CountedDataset(filename: name, tokens: try tokens(fields[fields.count - 1], path, i + 1)))
            }
        } else {
            throw .counts(path: path, line: 1, reason: "unknown counts format: expected the header \"filename<TAB>tokens\" (num_tokens.tsv), a token-info CSV line (input,prefix,tokens) or corpuskit count JSON")
        }
        try checkUnique(rows, path: path)
        return rows
    }

    private static func tokens(_ field: Substring, _ path: String, _ line: Int) throws(ReportError) -> Int {
        guard let value = Int(field), value >= 0 else {
            throw .counts(path: path, line: line, reason: "tokens \"\(field)\" is not a non-negative integer")
        }
        return value
    }

    private struct CountJSON: Decodable {
        struct Row: Decodable {
            let filename: String
            let tokens: Int
            /// `count --format json`'s provenance summary (`null` or absent without a record).
            let tokenizer: Tokenizer?
        }
        struct Tokenizer: Decodable {
            let file: String
            let sha256: String
            let type: String
            let append_eod: Bool
            let dtype: String
        }
        let datasets: [Row]
    }

    private static func parseJSON(_ text: String, path: String) throws(ReportError) -> [CountedDataset] {
        let decoded: CountJSON
        do {
            decoded = try JSONDecoder().decode(CountJSON.self, from: Data(text.utf8))
        } catch {
            throw .counts(path: path, line: 0, reason: "expected corpuskit count JSON ({\"datasets\": [{\"filename\": string, \"tokens\": integer}, ...]}): \(error)")
        }
        var rows: [CountedDataset] = []
        for (i, row) in decoded.datasets.enumerated() {
            guard row.tokens >= 0 else {
                throw .counts(path: path, line: 0, reason: "datasets[\(i)]: tokens \(row.tokens) is negative")
            }
            let meaning = row.tokenizer.map {
                DatasetProvenance.IDMeaning(tokenizerFile: $0.file, tokenizerSHA256: $0.sha256, tokenizerType: $0.type,
                                            appendEOD: $0.append_eod, dtype: $0.dtype)
            }
            rows.append(CountedDataset(filename: row.filename, tokens: row.tokens, meaning: meaning))
        }
        try checkUnique(rows, path: path)
        return rows
    }

    private static func checkUnique(_ rows: [CountedDataset], path: String) throws(ReportError) {
        var seen = Set<String>()
        for row in rows where !seen.insert(row.filename).inserted {
            throw .counts(path: path, line: 0, reason: "dataset \(row.filename) is listed twice")
        }
    }
}
