import CorpusKitReaders

/// The documents of a JSONL corpus (plain, .gz or .zst), one text field each, for the tasks that
/// score a corpus (``PerplexityEvaluator``, ``ModelComparison``); blank lines skipped, a bad line an
/// error naming the file, line and offset.
enum CorpusTexts {
    struct Document {
        var text: String
        var bytes: Int
        var line: Int
        /// Bytes of the file read when this document ends.
        var endOffset: Int
    }

    /// Calls `body` for each document in order; reader problems become `failure(path, reason)`.
    static func forEach<E: Error>(path: String, key: String, failure: (String, String) -> E,
                                  _ body: (Document) throws(E) -> Void) throws(E) {
        let reader: CorpusDocumentReader
        do { reader = try CorpusDocumentReader(path: path, keys: [key]) } catch { throw failure(path, "\(error)") }
        while true {
            let outcome: CorpusLineOutcome?
            do { outcome = try reader.next() } catch { throw failure(path, "\(error)") }
            guard let outcome else { return }
            switch outcome {
            case .blank: continue
            case .invalid(let error): throw failure(path, "\(error)")
            case .document(let document):
                let bytes = document[0]
                try body(Document(text: String(decoding: bytes, as: UTF8.self), bytes: bytes.count, line: document.lineNumber,
                                  endOffset: document.byteOffset + document.line.count))
            }
        }
    }
}
