import Foundation
import CorpusKitReaders
import CorpusKitTokenizer

/// Tokens per byte and per character of a corpus with the base tokenizer and with its extension,
/// per input file and language: the compression an extension buys, and what re-tokenizing each
/// dataset costs. Each value of each JSON key is one text, encoded without BOS/EOS.
///
/// The language of a text is guessed from its script (no language identifier is bundled): `ja`
/// when it holds any hiragana or katakana, `en` when at least 90% of its characters are ASCII,
/// else `other`.
public struct CompressionComparison: Sendable {
    /// The texts of one language in one input file (counted here; read-only to callers).
    public struct Row: Sendable {
        /// The input file.
        public internal(set) var file: String
        /// `ja`, `en` or `other` (see the type's description).
        public internal(set) var language: String
        /// Texts (values of the JSON keys).
        public internal(set) var texts = 0
        /// Their UTF-8 bytes.
        public internal(set) var bytes = 0
        /// Their Unicode scalars.
        public internal(set) var characters = 0
        /// Tokens with the base tokenizer.
        public internal(set) var baseTokens = 0
        /// Tokens with the extended tokenizer.
        public internal(set) var extendedTokens = 0
    }

    /// One row per input file and language, files in the order given, languages sorted.
    public let rows: [Row]

    /// Encodes the values of `keys` in every document of `inputs` with the base tokenizer and
    /// with its extension; a bad line or an encoding failure throws.
    public init(extension vocabulary: VocabularyExtension, inputs: [String], keys: [String]) throws(VocabError) {
        let (baseTokenizer, extendedTokenizer) = try VocabError.mapping {
            (try Tokenizer.sentencePiece(file: vocabulary.base, path: vocabulary.basePath),
             try Tokenizer.sentencePiece(file: try SentencePieceModelFile(serialized: try vocabulary.extendedModel()), path: "the extended model"))
        }
        var rows: [Row] = []
        var workspace = EncodingWorkspace()
        var ids: [Int32] = []
        for path in inputs {
            var byLanguage: [String: Row] = [:]
            try VocabError.mapping {
                let reader = try CorpusDocumentReader(path: path, keys: keys)
                while let outcome = try reader.next() {
                    guard case .document(let document) = outcome else {
                        if case .invalid(let error) = outcome { throw VocabError.corpus(error) }
                        continue
                    }
                    for index in keys.indices {
                        let text = document[index].bindMemory(to: UInt8.self)
                        let language = Self.language(text)
                        var row = byLanguage[language] ?? Row(file: path, language: language)
                        row.texts += 1
                        row.bytes += text.count
                        row.characters += text.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) }
                        ids.removeAll(keepingCapacity: true)
                        try baseTokenizer.encode(utf8: text, isValidatedUTF8: true, into: &ids, workspace: &workspace)
                        row.baseTokens += ids.count
                        ids.removeAll(keepingCapacity: true)
                        try extendedTokenizer.encode(utf8: text, isValidatedUTF8: true, into: &ids, workspace: &workspace)
                        row.extendedTokens += ids.count
                        byLanguage[language] = row
                    }
                }
            }
            rows += byLanguage.values.sorted { $0.language < $1.language }
        }
        self.rows = rows
    }

    static func language(_ text: UnsafeBufferPointer<UInt8>) -> String {
        var ascii = 0, characters = 0
        var index = 0
        while index < text.count {
            let byte = text[index]
            // Hiragana and katakana are U+3040–U+30FF: UTF-8 E3 81 80 … E3 83 BF.
            if byte == 0xE3, index + 1 < text.count, (0x81...0x83).contains(text[index + 1]) { return "ja" }
            if byte & 0xC0 != 0x80 { characters += 1 }
            if byte < 0x80 { ascii += 1 }
            index += 1
        }
        return characters > 0 && ascii * 10 >= characters * 9 ? "en" : "other"
    }

    /// A TSV table: file, language, texts, bytes, characters, tokens and tokens per byte and
    /// character with each tokenizer, and the ratio extended/base.
    public var table: String {
        var lines = ["file\tlanguage\ttexts\tbytes\tcharacters\tbase_tokens\textended_tokens\tbase_tokens_per_byte\textended_tokens_per_byte\tbase_tokens_per_char\textended_tokens_per_char\textended/base"]
        func ratio(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : String(format: "%.4f", Double(a) / Double(b)) }
        for row in rows {
            lines.append([row.file, row.language, "\(row.texts)", "\(row.bytes)", "\(row.characters)", "\(row.baseTokens)",
                          "\(row.extendedTokens)", ratio(row.baseTokens, row.bytes), ratio(row.extendedTokens, row.bytes),
                          ratio(row.baseTokens, row.characters), ratio(row.extendedTokens, row.characters),
                          ratio(row.extendedTokens, row.baseTokens)].joined(separator: "\t"))
        }
        return lines.joined(separator: "\n")
    }
}
