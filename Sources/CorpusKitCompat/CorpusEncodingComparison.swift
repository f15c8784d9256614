import CorpusKitChecks
import CorpusKitReaders
import CorpusKitTokenizer

/// Encodes the documents of a JSONL corpus with two tokenizers and compares the ids:
/// documents with identical ids, tokens per byte of each, the first differing documents.
public struct CorpusEncodingComparison: Sendable {
    /// Documents encoded.
    public let documents: Int
    /// Documents whose ids are identical.
    public let identicalDocuments: Int
    /// UTF-8 bytes of their texts.
    public let bytes: Int
    /// Tokens from tokenizer A.
    public let tokensA: Int
    /// Tokens from tokenizer B.
    public let tokensB: Int
    /// Up to three `line N: first differing token at position P: A […], B […]` lines.
    public let firstDifferences: [String]

    /// Reads up to `limit` documents of `corpus` (field `key`).
    public init(a: Tokenizer, b: Tokenizer, corpus: String, key: String = "text", limit: Int = 1000) throws(CompatError) {
        let reader: CorpusDocumentReader
        do { reader = try CorpusDocumentReader(path: corpus, keys: [key]) } catch { throw .corpusUnreadable(error) }
        var documents = 0, identical = 0, bytes = 0, tokensA = 0, tokensB = 0
        var differences: [String] = []
        while documents < limit {
            let outcome: CorpusLineOutcome?
            do { outcome = try reader.next() } catch { throw .corpusUnreadable(error) }
            guard let outcome else { break }
            guard case .document(let document) = outcome else {
                if case .invalid(let error) = outcome { throw .corpusLine(path: corpus, error) }
                continue
            }
            let text = document[0]
            let buffer = UnsafeBufferPointer(start: text.baseAddress?.assumingMemoryBound(to: UInt8.self), count: text.count)
            var x: [Int32] = [], y: [Int32] = []
            var wa = EncodingWorkspace(), wb = EncodingWorkspace()
            do {
                try a.encode(utf8: buffer, isValidatedUTF8: true, into: &x, workspace: &wa)
                try b.encode(utf8: buffer, isValidatedUTF8: true, into: &y, workspace: &wb)
            } catch {
                throw .encoding(path: corpus, line: document.lineNumber, error)
            }
            documents += 1
            bytes += text.count
            tokensA += x.count
            tokensB += y.count
            if x == y {
                identical += 1
            } else if differences.count < 3 {
                let position = (0..<min(x.count, y.count)).first { x[$0] != y[$0] } ?? min(x.count, y.count)
                let window = { (ids: [Int32], t: Tokenizer) -> String in
                    ids[position..<min(ids.count, position + 5)].map { "\($0) \(VocabularyViewEscaping.quoted(t.piece(for: $0) ?? "?"))" }.joined(separator: ", ")
                }
                differences.append("line \(document.lineNumber), token \(position): A [\(window(x, a))], B [\(window(y, b))]")
            }
        }
        self.documents = documents
        identicalDocuments = identical
        self.bytes = bytes
        self.tokensA = tokensA
        self.tokensB = tokensB
        firstDifferences = differences
    }

    /// The report lines.
    public var checks: [CompatCheck] {
        func perByte(_ tokens: Int) -> String { bytes == 0 ? "-" : String(format: "%.4f", Double(tokens) / Double(bytes)) }
        var checks = [CompatCheck("corpus", identicalDocuments == documents ? .ok : .warning,
            "\(identicalDocuments) of \(documents) documents encode to identical ids; tokens per byte A \(perByte(tokensA)), B \(perByte(tokensB)) (\(bytes) bytes)")]
        if !firstDifferences.isEmpty {
            checks.append(CompatCheck("corpus differences", .warning, firstDifferences.joined(separator: "\n")))
        }
        return checks
    }
}
