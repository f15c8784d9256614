import CorpusKitSystem
/// A Megatron indexed dataset (`.idx` + `.bin`) mapped read-only into memory and fully validated.
///
/// Opening checks everything Megatron's writer guarantees, and reports the first violation with the
/// file and byte offset: magic, version, dtype code, the exact `.idx` size, non-negative sizes,
/// pointers equal to the running byte address (as `MMapIndexedDatasetBuilder` computes them), a document
/// index that starts at 0, never decreases and ends at the sequence count, and a `.bin` of exactly
/// `sum(sizes) × itemsize` bytes.
///
/// A document is the run of sequences `doc_idx[d] ..< doc_idx[d+1]`; its tokens are those sequences'
/// tokens, which are contiguous in the `.bin`. Documents may have no sequences (an empty text).
///
/// Immutable after opening, so it can be shared between tasks.
public final class MegatronIndexReader: @unchecked Sendable {
    // @unchecked: all stored state is immutable; the two mappings are read-only for the object's lifetime.

    /// Path of the `.idx` file.
    public let indexPath: String
    /// Path of the `.bin` file.
    public let dataPath: String
    /// Element type of the `.bin` file.
    public let dtype: TokenDType
    /// Number of sequences (entries of the sizes section).
    public let sequenceCount: Int
    /// Number of documents (document index entries − 1).
    public let documentCount: Int
    /// Total tokens (the sum of the sizes; equals the `.bin` size ÷ itemsize).
    public let tokenCount: Int

    let index: MappedFile
    let data: MappedFile
    let header: IndexHeader

    /// Opens `{prefix}.idx` and `{prefix}.bin`. A path ending in `.idx` or `.bin` is accepted as well.
    public convenience init(prefix: String) throws {
        let prefix = MegatronFormat.prefix(fromPath: prefix)
        try self.init(indexPath: MegatronFormat.indexPath(prefix: prefix), dataPath: MegatronFormat.dataPath(prefix: prefix))
    }

    /// Opens an index file and its data file.
    public init(indexPath: String, dataPath: String) throws {
        self.indexPath = indexPath
        self.dataPath = dataPath
        let index = try ShardError.system { try MappedFile(path: indexPath) }
        let header = try IndexHeader(file: index)
        let tokens = try Self.validateSections(index, header)
        let data = try ShardError.system { try MappedFile(path: dataPath) }
        let expectedBytes = tokens.multipliedReportingOverflow(by: header.dtype.itemSize)
        guard !expectedBytes.overflow, data.count == expectedBytes.partialValue else {
            let expected = expectedBytes.overflow ? Int.max : expectedBytes.partialValue
            throw ShardError.dataSizeMismatch(
                path: dataPath, expectedBytes: expected, actualBytes: data.count,
                hint: Self.sizeMismatchHint(index, header, extraBytes: data.count - expected))
        }
        self.index = index
        self.data = data
        self.header = header
        self.dtype = header.dtype
        self.sequenceCount = header.sequenceCount
        self.documentCount = header.documentIndexCount - 1
        self.tokenCount = tokens
    }

    // MARK: - Index fields

    /// Token count of sequence `i` (`0 ..< sequenceCount`, unchecked beyond a precondition).
    public func sequenceLength(_ i: Int) -> Int {
        precondition(i >= 0 && i < sequenceCount, "sequence \(i) out of range")
        return Int(index.load(Int32.self, at: header.sizesOffset + 4 * i))
    }

    /// Byte offset of sequence `i` in the `.bin` file.
    public func sequencePointer(_ i: Int) -> Int {
        precondition(i >= 0 && i < sequenceCount, "sequence \(i) out of range")
        return Int(index.load(Int64.self, at: header.pointersOffset + 8 * i))
    }

    /// Entry `i` of the document index (`0 ... documentCount`): the first sequence of document `i`.
    public func documentIndexEntry(_ i: Int) -> Int {
        precondition(i >= 0 && i <= documentCount, "document index entry \(i) out of range")
        return Int(index.load(Int64.self, at: header.documentIndexOffset + 8 * i))
    }

    /// The sequences of document `d`.
    public func sequenceRange(ofDocument d: Int) throws -> Range<Int> {
        try checkDocument(d)
        return documentIndexEntry(d) ..< documentIndexEntry(d + 1)
    }

    /// Token count of document `d`.
    public func tokenCount(ofDocument d: Int) throws -> Int {
        let (start, end) = try tokenSpan(ofDocument: d)
        return end - start
    }

    // MARK: - Tokens

    /// The token ids of document `d`, as `Int32`.
    public func documentTokens(_ d: Int) throws -> [Int32] {
        let (start, end) = try tokenSpan(ofDocument: d)
        return tokens(from: start, to: end)
    }

    /// The token ids of documents in `range`, one array per document.
    public func documents(_ range: Range<Int>) throws -> [[Int32]] {
        if let first = range.first { try checkDocument(first) }
        if let last = range.last { try checkDocument(last) }
        return try range.map { try documentTokens($0) }
    }

    /// The token ids of sequence `i`.
    public func sequenceTokens(_ i: Int) throws -> [Int32] {
        guard i >= 0 && i < sequenceCount else {
            throw ShardError.sequenceOutOfRange(index: i, count: sequenceCount)
        }
        let start = sequencePointer(i) / dtype.itemSize
        return tokens(from: start, to: start + sequenceLength(i))
    }

    /// The whole sizes section: the token count of every sequence.
    public func sequenceLengths() -> [Int32] {
        [Int32](unsafeUninitializedCapacity: sequenceCount) { buffer, initialized in
            for i in 0..<sequenceCount {
                buffer[i] = index.load(Int32.self, at: header.sizesOffset + 4 * i)
            }
            initialized = sequenceCount
        }
    }

    /// `length` token ids of sequence `i` from token `offset` (megatron-core's `IndexedDataset.get`).
    public func sequenceTokens(_ i: Int, offset: Int, length: Int) throws -> [Int32] {
        guard i >= 0 && i < sequenceCount else {
            throw ShardError.sequenceOutOfRange(index: i, count: sequenceCount)
        }
        guard offset >= 0, length >= 0, offset + length <= sequenceLength(i) else {
            throw ShardError.sequenceOutOfRange(index: i, count: sequenceCount)
        }
        let start = sequencePointer(i) / dtype.itemSize + offset
        return tokens(from: start, to: start + length)
    }

    /// The raw `.bin` bytes.
    var dataBytes: UnsafeRawBufferPointer { data.bytes }

    // MARK: - Internals

    private func checkDocument(_ d: Int) throws {
        guard d >= 0 && d < documentCount else {
            throw ShardError.documentOutOfRange(index: d, count: documentCount)
        }
    }

    /// Token positions `start ..< end` of document `d` in the `.bin` (sequences are contiguous).
    private func tokenSpan(ofDocument d: Int) throws -> (Int, Int) {
        try checkDocument(d)
        let first = documentIndexEntry(d)
        let last = documentIndexEntry(d + 1)
        guard first < last else { return (0, 0) }
        let start = sequencePointer(first) / dtype.itemSize
        let end = last < sequenceCount ? sequencePointer(last) / dtype.itemSize : tokenCount
        return (start, end)
    }

    private func tokens(from start: Int, to end: Int) -> [Int32] {
        let count = end - start
        guard count > 0 else { return [] }
        let bytes = data.bytes
        switch dtype {
        case .int32:
            return [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
                let base = start * 4
                if hostIsLittleEndian {
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: bytes[base ..< base + count * 4]))
                } else {
                    for j in 0..<count {
                        buffer[j] = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 4 * j, as: Int32.self))
                    }
                }
                initialized = count
            }
        case .uint16:
            return [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
                let base = start * 2
                for j in 0..<count {
                    buffer[j] = Int32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 2 * j, as: UInt16.self)))
                }
                initialized = count
            }
        }
    }

    /// Recognizes the `.bin` of Megatron-LM's preprocess_data.py before commit 0609f27f (and of
    /// llm-jp/Megatron-DeepSpeed): one EOD per non-empty document written but not counted in the sizes.
    private static func sizeMismatchHint(_ index: MappedFile, _ header: IndexHeader, extraBytes: Int) -> String {
        guard extraBytes > 0 else { return "" }
        var nonEmpty = 0
        var previous = 0
        for d in 1..<header.documentIndexCount {
            let entry = Int(index.load(Int64.self, at: header.documentIndexOffset + 8 * d))
            if entry > previous { nonEmpty += 1 }
            previous = entry
        }
        guard extraBytes == nonEmpty * header.dtype.itemSize else { return "" }
        return "exactly one token per non-empty document more: written by a preprocess_data.py that appended "
            + "EOD without counting it in the sequence sizes (Megatron-LM before 0609f27f, llm-jp/Megatron-DeepSpeed)"
    }

    /// Checks sizes, pointers and the document index; returns the total token count.
    private static func validateSections(_ index: MappedFile, _ header: IndexHeader) throws -> Int {
        let path = index.path
        let itemSize = header.dtype.itemSize
        var tokens = 0
        for i in 0..<header.sequenceCount {
            let sizeOffset = header.sizesOffset + 4 * i
            let size = Int(index.load(Int32.self, at: sizeOffset))
            guard size >= 0 else {
                throw ShardError.invalidIndex(path: path, offset: sizeOffset, reason: "size of sequence \(i) is \(size)")
            }
            let pointerOffset = header.pointersOffset + 8 * i
            let pointer = index.load(Int64.self, at: pointerOffset)
            guard pointer == Int64(tokens) * Int64(itemSize) else {
                throw ShardError.invalidIndex(
                    path: path, offset: pointerOffset,
                    reason: "pointer of sequence \(i) is \(pointer), expected \(Int64(tokens) * Int64(itemSize)) "
                        + "(the byte address after the previous sequences)")
            }
            tokens += size
        }
        var previous = 0
        for d in 0..<header.documentIndexCount {
            let offset = header.documentIndexOffset + 8 * d
            let entry = index.load(Int64.self, at: offset)
            if d == 0 && entry != 0 {
                throw ShardError.invalidIndex(path: path, offset: offset, reason: "document index starts with \(entry), expected 0")
            }
            guard entry >= Int64(previous) else {
                throw ShardError.invalidIndex(
                    path: path, offset: offset, reason: "document index entry \(d) is \(entry), below the previous \(previous)")
            }
            guard entry <= Int64(header.sequenceCount) else {
                throw ShardError.invalidIndex(
                    path: path, offset: offset,
                    reason: "document index entry \(d) is \(entry), beyond the \(header.sequenceCount) sequences")
            }
            previous = Int(entry)
        }
        guard previous == header.sequenceCount else {
            throw ShardError.invalidIndex(
                path: path, offset: header.documentIndexOffset + 8 * (header.documentIndexCount - 1),
                reason: "document index ends at sequence \(previous) but there are \(header.sequenceCount) sequences")
        }
        return tokens
    }
}
