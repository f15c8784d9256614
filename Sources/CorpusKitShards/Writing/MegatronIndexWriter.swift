import CorpusKitSystem
/// Streams one Megatron indexed dataset (`{prefix}.bin` + `{prefix}.idx`) to disk, producing the same
/// bytes as Megatron's `MMapIndexedDatasetBuilder` given the same calls.
///
/// Token ids go to `{prefix}.bin.tmp-{pid}` through a large buffer as they arrive; sequence sizes
/// (`Int32`) and document ends (`UInt32`) are kept in memory (8 bytes per one-sequence document) and the
/// `.idx` is written by ``finish()``, which then renames both temporary files into place (`.bin` first,
/// `.idx` last, so an `.idx` is only ever next to its complete `.bin`). ``abort()``, or dropping an
/// unfinished writer, removes the temporary files.
///
/// How `preprocess_data.py` drives the builder, and the matching call here:
///
/// | Megatron | here |
/// |---|---|
/// | `add_doc(ids, [len(ids)])` for a non-empty document | `addDocument(_:)` |
/// | `add_doc([], [])` for a document with no tokens (zero sequences, still a document) | `addDocument(_:)` with `[]` |
/// | `add_doc(ids, sentence_lens)` (a JSON list value: one sequence per non-empty string) | ``addDocument(_:sequenceLengths:)`` |
/// | `add_item(t)` … `end_document()` | ``addSequence(_:)`` … ``endDocument()`` |
///
/// Token ids that do not fit the dtype are refused with ``ShardError/tokenOutOfRange(token:dtype:document:position:)``
/// and nothing of that document is written.
///
/// Not thread-safe: use one writer from one task at a time.
public final class MegatronIndexWriter {
    /// The dataset prefix; the outputs are `{prefix}.bin` and `{prefix}.idx`.
    public let prefix: String
    /// Element type of the `.bin` file.
    public let dtype: TokenDType

    private let binPath: String
    private let idxPath: String
    private let bufferCapacity: Int
    private var data: BufferedFileOutput?
    private var sizes: ContiguousArray<Int32> = []
    private var documentEnds: ContiguousArray<UInt32> = []
    private var closed = false

    /// Tokens written so far.
    public private(set) var tokenCount = 0
    /// Documents completed so far.
    public var documentCount: Int { documentEnds.count }
    /// Sequences recorded so far.
    public var sequenceCount: Int { sizes.count }

    /// Starts a dataset at `prefix` (its directory must exist). Existing `{prefix}.bin/.idx` are replaced
    /// only when ``finish()`` succeeds.
    /// - Parameter bufferCapacity: bytes buffered before each write to the `.bin` file.
    public init(prefix: String, dtype: TokenDType, bufferCapacity: Int = 8 << 20) throws {
        self.prefix = prefix
        self.dtype = dtype
        self.binPath = MegatronFormat.dataPath(prefix: prefix)
        self.idxPath = MegatronFormat.indexPath(prefix: prefix)
        self.bufferCapacity = bufferCapacity
        self.data = try TemporaryName.createOutput(for: binPath, bufferCapacity: bufferCapacity)
    }

    deinit {
        if !closed { discardTemporaries() }
    }

    // MARK: - Adding documents

    /// Adds one document as `preprocess_data.py` does: a non-empty document becomes one sequence,
    /// an empty one a document with no sequences.
    public func addDocument(_ tokens: UnsafeBufferPointer<Int32>) throws {
        try appendSequenceTokens(tokens)
        if !tokens.isEmpty { try appendSize(tokens.count) }
        try endDocumentUnchecked()
    }

    /// Adds one document (see `addDocument(_:)`).
    public func addDocument(_ tokens: [Int32]) throws {
        try tokens.withUnsafeBufferPointer { try addDocument($0) }
    }

    /// Adds one document split into sequences, like Megatron's `add_doc(tokens, sizes)`.
    /// `sequenceLengths` must be non-negative and add up to `tokens.count`.
    public func addDocument(_ tokens: UnsafeBufferPointer<Int32>, sequenceLengths: [Int]) throws {
        let output = try openOutput()
        var total = 0
        for length in sequenceLengths {
            guard length >= 0 else {
                throw ShardError.invalidSequenceLengths(document: documentCount, reason: "negative length \(length)")
            }
            guard length <= Int(Int32.max) else {
                throw ShardError.limitExceeded("a sequence of \(length) tokens does not fit the Int32 sizes of the index")
            }
            total += length
        }
        guard total == tokens.count else {
            throw ShardError.invalidSequenceLengths(
                document: documentCount, reason: "lengths add up to \(total), the document has \(tokens.count) tokens")
        }
        try checkCapacity(sequenceLength: 0, newSequences: sequenceLengths.count)
        try checkRange(tokens, document: documentCount, offset: 0)
        try output.appendTokens(tokens, dtype: dtype)
        tokenCount += tokens.count
        for length in sequenceLengths { try appendSize(length) }
        try endDocumentUnchecked()
    }

    /// Adds one document split into sequences (see `addDocument(_:sequenceLengths:)`).
    public func addDocument(_ tokens: [Int32], sequenceLengths: [Int]) throws {
        try tokens.withUnsafeBufferPointer { try addDocument($0, sequenceLengths: sequenceLengths) }
    }

    /// Adds many documents at once: `tokens` is their concatenation and `documentLengths[i]` the token
    /// count of document i (each handled like `addDocument(_:)`).
    /// All ids are range-checked before anything is written.
    public func addDocuments(tokens: UnsafeBufferPointer<Int32>, documentLengths: UnsafeBufferPointer<Int>) throws {
        let output = try openOutput()
        var total = 0
        for (i, length) in documentLengths.enumerated() {
            guard length >= 0 else {
                throw ShardError.invalidSequenceLengths(document: documentCount + i, reason: "negative length \(length)")
            }
            if length > Int(Int32.max) { try checkCapacity(sequenceLength: length, newSequences: 0) }
            total += length
        }
        try checkCapacity(sequenceLength: 0, newSequences: documentLengths.count)
        guard total == tokens.count else {
            throw ShardError.invalidSequenceLengths(
                document: documentCount,
                reason: "document lengths add up to \(total), \(tokens.count) tokens were given")
        }
        if let bad = Self.firstOutOfRange(tokens, dtype) {
            var document = documentCount
            var start = 0
            for length in documentLengths {
                if bad < start + length { break }
                start += length
                document += 1
            }
            throw ShardError.tokenOutOfRange(token: tokens[bad], dtype: dtype, document: document, position: bad - start)
        }
        try output.appendTokens(tokens, dtype: dtype)
        tokenCount += tokens.count
        Self.appendIndexEntries(documentLengths, sizes: &sizes, documentEnds: &documentEnds)
    }

    /// Appends each document's size (when it has tokens) and end, as ``addDocument(_:)`` does; the
    /// caller has checked the lengths and counts against the index's limits. Both arrays are passed
    /// in, so each is accessed once per batch: appending through the class's properties cost two
    /// dynamic exclusivity checks per document (`swift_beginAccess`, ~8 % of the `tokenize` writer
    /// thread's instructions, callgrind).
    ///
    /// The arrays grow geometrically: `reserveCapacity(count + n)` allocates exactly that much, so
    /// reserving each batch's room copied both whole arrays at every batch — quadratic in the
    /// documents, 16 ms of the writer's 92 ms on 258,564 documents and four times that on twice
    /// as many (perf, `tokenize --threads 1`).
    private static func appendIndexEntries(
        _ lengths: UnsafeBufferPointer<Int>, sizes: inout ContiguousArray<Int32>, documentEnds: inout ContiguousArray<UInt32>
    ) {
        reserveGeometrically(&sizes, adding: lengths.count)
        reserveGeometrically(&documentEnds, adding: lengths.count)
        for length in lengths {
            if length > 0 { sizes.append(Int32(truncatingIfNeeded: length)) }
            documentEnds.append(UInt32(truncatingIfNeeded: sizes.count))
        }
    }

    /// Room for `extra` more elements, at least doubling the capacity when it has to grow.
    private static func reserveGeometrically<T>(_ array: inout ContiguousArray<T>, adding extra: Int) {
        let needed = array.count + extra
        if needed > array.capacity { array.reserveCapacity(max(needed, 2 * array.capacity)) }
    }

    /// Appends one sequence to the current document, like Megatron's `add_item`.
    /// Call ``endDocument()`` to close the document.
    public func addSequence(_ tokens: UnsafeBufferPointer<Int32>) throws {
        try appendSequenceTokens(tokens)
        try appendSize(tokens.count)
    }

    /// Checks one sequence's tokens (capacity, dtype range) and appends them to `.bin`; the caller
    /// records its size.
    @inline(__always)
    private func appendSequenceTokens(_ tokens: UnsafeBufferPointer<Int32>) throws {
        let output = try openOutput()
        try checkCapacity(sequenceLength: tokens.count, newSequences: 1)
        try checkRange(tokens, document: documentCount, offset: 0)
        try output.appendTokens(tokens, dtype: dtype)
        tokenCount += tokens.count
    }

    /// Appends one sequence (see `addSequence(_:)`).
    public func addSequence(_ tokens: [Int32]) throws {
        try tokens.withUnsafeBufferPointer { try addSequence($0) }
    }

    /// Ends the current document, like Megatron's `end_document`: records the sequence count so far.
    public func endDocument() throws {
        _ = try openOutput()
        try endDocumentUnchecked()
    }

    // MARK: - Merging (used by MegatronMerge)

    /// Appends a whole dataset like Megatron's `merge_file_` / `add_index`: its sizes, its document
    /// index shifted by the current sequence count (without its leading 0), and its `.bin` bytes.
    func appendDataset(_ reader: MegatronIndexReader) throws {
        let output = try openOutput()
        guard reader.dtype == dtype else {
            throw ShardError.dtypeMismatch(path: reader.indexPath, expected: dtype, found: reader.dtype)
        }
        let offset = sizes.count
        guard offset + reader.sequenceCount <= Int(UInt32.max) else {
            throw ShardError.limitExceeded("\(reader.indexPath): merged dataset would exceed \(UInt32.max) sequences")
        }
        Self.reserveGeometrically(&sizes, adding: reader.sequenceCount)
        for i in 0..<reader.sequenceCount {
            sizes.append(Int32(truncatingIfNeeded: reader.sequenceLength(i)))
        }
        Self.reserveGeometrically(&documentEnds, adding: reader.documentCount)
        if reader.documentCount > 0 {
            for d in 1...reader.documentCount {
                documentEnds.append(UInt32(offset + reader.documentIndexEntry(d)))
            }
        }
        try output.append(reader.dataBytes)
        tokenCount += reader.tokenCount
    }

    // MARK: - Finishing

    /// Writes the `.idx`, renames `{prefix}.bin` and `{prefix}.idx` into place and returns what was written.
    /// On failure the temporary files are removed and the writer is closed.
    @discardableResult
    public func finish() throws -> ShardSummary {
        let output = try openOutput()
        closed = true
        var indexOutput: BufferedFileOutput?
        do {
            try output.close()
            // 1 MiB: the sizes go straight from `sizes`; the pointers and document index are
            // converted through this buffer, and an 8 MiB one was 2,000 fresh pages (page faults)
            // filled once at the end of every run (perf, 517k documents).
            let idx = try TemporaryName.createOutput(for: idxPath, bufferCapacity: min(bufferCapacity, Self.indexBufferCapacity))
            indexOutput = idx
            try sizes.withUnsafeBufferPointer { sizes in
                try documentEnds.withUnsafeBufferPointer { ends in
                    try IndexFileEncoder.write(dtype: dtype, sizes: sizes, documentEnds: ends, to: idx)
                }
            }
            try idx.close()
            let summary = ShardSummary(
                prefix: prefix, dtype: dtype, documents: documentEnds.count, sequences: sizes.count,
                tokens: tokenCount, indexBytes: idx.byteCount, dataBytes: output.byteCount)
            try ShardError.system { try POSIXFile.rename(output.path, to: binPath) }
            try ShardError.system { try POSIXFile.rename(idx.path, to: idxPath) }
            data = nil
            sizes = []
            documentEnds = []
            return summary
        } catch {
            indexOutput?.discard()
            if let indexOutput { POSIXFile.removeQuietly(indexOutput.path) }
            discardTemporaries()
            throw error
        }
    }

    /// Abandons the dataset: closes and removes the temporary files. Safe to call more than once.
    public func abort() {
        closed = true
        discardTemporaries()
    }

    /// The `.idx` output's buffer (see ``finish()``).
    static let indexBufferCapacity = 1 << 20

    // MARK: - Internals

    private func openOutput() throws -> BufferedFileOutput {
        guard !closed, let data else { throw ShardError.writerClosed(prefix: prefix) }
        return data
    }

    private func discardTemporaries() {
        if let data {
            data.discard()
            POSIXFile.removeQuietly(data.path)
        }
        data = nil
        sizes = []
        documentEnds = []
    }

    /// Refuses, before anything is written, a sequence longer than `Int32.max` or a sequence count
    /// beyond what the document ends (`UInt32`) can hold.
    private func checkCapacity(sequenceLength: Int, newSequences: Int) throws {
        guard sequenceLength <= Int(Int32.max) else {
            throw ShardError.limitExceeded("a sequence of \(sequenceLength) tokens does not fit the Int32 sizes of the index")
        }
        guard sizes.count + newSequences <= Int(UInt32.max) else {
            throw ShardError.limitExceeded("\(prefix): more than \(UInt32.max) sequences in one dataset")
        }
    }

    private func appendSize(_ length: Int) throws {
        guard let size = Int32(exactly: length) else {
            throw ShardError.limitExceeded("a sequence of \(length) tokens does not fit the Int32 sizes of the index")
        }
        sizes.append(size)
    }

    private func endDocumentUnchecked() throws {
        guard let end = UInt32(exactly: sizes.count) else {
            throw ShardError.limitExceeded("\(prefix): more than \(UInt32.max) sequences in one dataset")
        }
        documentEnds.append(end)
    }

    private func checkRange(_ tokens: UnsafeBufferPointer<Int32>, document: Int, offset: Int) throws {
        if let bad = Self.firstOutOfRange(tokens, dtype) {
            throw ShardError.tokenOutOfRange(token: tokens[bad], dtype: dtype, document: document, position: offset + bad)
        }
    }

    /// The index of the first id that does not fit `dtype`, found with one branch-free pass first.
    static func firstOutOfRange(_ tokens: UnsafeBufferPointer<Int32>, _ dtype: TokenDType) -> Int? {
        guard dtype == .uint16 else { return nil }
        var high: UInt32 = 0
        for token in tokens { high |= UInt32(bitPattern: token) }
        guard high > 0xFFFF else { return nil }
        return tokens.firstIndex { !dtype.canRepresent($0) }
    }
}
