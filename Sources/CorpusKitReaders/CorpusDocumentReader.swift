/// A document read from one line: its position and the extracted text values.
///
/// Borrowed: ``subscript(_:)`` and ``line`` are valid only until the reader's next call.
public struct CorpusDocument {
    /// 1-based line number.
    public let lineNumber: Int
    /// Offset of the line's first byte in the decompressed stream.
    public let byteOffset: Int
    /// The whole line (without its terminator).
    public let line: UnsafeRawBufferPointer
    /// The extracted values, one per requested key.
    public let fields: ExtractedFields

    /// The UTF-8 text of the `index`-th requested key.
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        fields[index]
    }
}

/// What one line of an input file turned out to be.
public enum CorpusLineOutcome {
    /// A valid document.
    case document(CorpusDocument)
    /// An empty line, or one of JSON whitespace only. `json.loads` would reject it; callers
    /// usually skip and count it.
    case blank(lineNumber: Int, byteOffset: Int)
    /// A line that is not a usable document; the caller skips it or stops.
    case invalid(CorpusReadError)
}

/// Reads the documents of one input file (plain, gzip or zstd JSON Lines), extracting the text
/// of the requested keys from each line.
///
/// ```swift
/// let reader = try CorpusDocumentReader(path: path, keys: ["text"])
/// while let outcome = try reader.next() {
///     switch outcome {
///     case .document(let document): consume(document[0])
///     case .blank: blankLines += 1
///     case .invalid(let error): if strict { throw error } else { skipped += 1 }
///     }
/// }
/// ```
///
/// Stream failures (I/O, corrupt or truncated compression) are thrown as ``InputStreamError``;
/// per-line problems are returned as ``CorpusLineOutcome/invalid(_:)``. Not thread-safe: use one
/// reader per task.
public final class CorpusDocumentReader {
    /// The lines being read.
    public let lines: LineReader
    private var extractor: JSONFieldExtractor
    private let fields = ExtractedFields()

    /// Opens `path` (detecting its compression) to extract `keys` from each line.
    public init(
        path: String, keys: [String], options: JSONExtractionOptions = JSONExtractionOptions()
    ) throws(InputStreamError) {
        self.lines = try LineReader(path: path)
        self.extractor = JSONFieldExtractor(keys: keys, options: options)
    }

    /// Reads documents from an existing line reader.
    public init(lines: LineReader, keys: [String], options: JSONExtractionOptions = JSONExtractionOptions()) {
        self.lines = lines
        self.extractor = JSONFieldExtractor(keys: keys, options: options)
    }

    /// The file being read.
    public var path: String { lines.path }

    /// The requested keys, in the order of the extracted values.
    public var keys: [String] { extractor.keys }

    /// The outcome for the next line, or `nil` at the end of the file.
    ///
    /// A returned document's bytes are valid only until the next call.
    /// - Throws: ``InputStreamError`` when reading or decompressing fails; the reader is then done.
    public func next() throws(InputStreamError) -> CorpusLineOutcome? {
        guard let line = try lines.next() else { return nil }
        if JSONFieldExtractor.isBlank(line.bytes) {
            return .blank(lineNumber: line.number, byteOffset: line.byteOffset)
        }
        do {
            try extractor.extract(from: line.bytes, into: fields)
        } catch {
            return .invalid(CorpusReadError(
                path: lines.path, lineNumber: line.number, byteOffset: line.byteOffset, reason: error))
        }
        return .document(CorpusDocument(
            lineNumber: line.number, byteOffset: line.byteOffset, line: line.bytes, fields: fields))
    }
}
