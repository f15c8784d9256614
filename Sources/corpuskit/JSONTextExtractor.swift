import CorpusKitReaders

/// Pulls the text of one key out of a JSONL line, with `json.loads` semantics.
struct JSONTextExtractor {
    private var extractor: JSONFieldExtractor
    private let fields = ExtractedFields()

    init(key: String) { extractor = JSONFieldExtractor(keys: [key]) }

    /// The UTF-8 text of the key; valid until the next call.
    mutating func extract(from line: UnsafeRawBufferPointer) throws -> UnsafeBufferPointer<UInt8> {
        try extractor.extract(from: line, into: fields)
        return fields[0].assumingMemoryBound(to: UInt8.self)
    }
}
