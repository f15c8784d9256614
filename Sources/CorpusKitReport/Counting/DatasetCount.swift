import CorpusKitShards

/// Token statistics of one dataset: a Megatron indexed dataset, or one input file (per JSON key)
/// of a raw corpus.
public struct DatasetCount: Sendable, Equatable {
    /// Where the numbers come from: the dataset prefix (shards) or the input file (raw corpora).
    public var source: String
    /// The name printed in tables: `source` relative to the root, without `_text_document`
    /// (llm-jp's `num_tokens.tsv` `filename` column).
    public var name: String
    /// Documents (entries of the document index; kept lines of a raw corpus).
    public var documents = 0
    /// Documents without tokens.
    public var emptyDocuments = 0
    /// Tokens, EOD included (as Megatron and the token-info CSV count them).
    public var tokens = 0
    /// UTF-8 bytes of the documents' text (raw corpora only).
    public var textBytes: Int?
    /// Characters (Unicode scalars, Python's `len`) of the documents' text (raw corpora only).
    public var textCharacters: Int?
    /// Document lengths in tokens.
    public var lengths = LengthHistogram()
    /// The shard's provenance record (``DatasetProvenance``: tokenizer, options, inputs), `nil` for
    /// shards without one and for raw corpora.
    public var provenance: DatasetProvenance?

    /// An empty count.
    public init(source: String, name: String) {
        self.source = source
        self.name = name
    }

    /// Text bytes per token (the compression figure vocabularies are compared by); `nil` without text or tokens.
    public var bytesPerToken: Double? {
        guard let textBytes, tokens > 0 else { return nil }
        return Double(textBytes) / Double(tokens)
    }

    /// Characters per token; `nil` without text or tokens.
    public var charactersPerToken: Double? {
        guard let textCharacters, tokens > 0 else { return nil }
        return Double(textCharacters) / Double(tokens)
    }

    /// Counts one document.
    public mutating func addDocument(tokens length: Int) {
        documents += 1
        tokens += length
        if length == 0 { emptyDocuments += 1 }
        lengths.add(length)
    }
}

/// How dataset names are made from prefixes and paths.
public enum DatasetNaming {
    /// The suffix `preprocess_data.py` adds for the default key.
    public static let documentSuffix = "_text_document"

    /// `source` relative to `root` (when it lies under it) and without a trailing `_text_document`:
    /// `/data/corpus/tokenized/ja/ja_wiki_0000_text_document` with root `/data` →
    /// `corpus/tokenized/ja/ja_wiki_0000`.
    public static func name(of source: String, root: String?) -> String {
        var name = source
        if let root, !root.isEmpty {
            let base = root.hasSuffix("/") ? root : root + "/"
            if name.hasPrefix(base) {
                name = String(name.dropFirst(base.count))
            } else if name.hasPrefix("./"), let stripped = Optional(String(name.dropFirst(2))), stripped.hasPrefix(base) {
                name = String(stripped.dropFirst(base.count))
            }
        }
        if name.hasSuffix(documentSuffix) { name = String(name.dropLast(documentSuffix.count)) }
        return name
    }

    /// Byte order (Python's `sorted` on `str` for valid UTF-8 names).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
