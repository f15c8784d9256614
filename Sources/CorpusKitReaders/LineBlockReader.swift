#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run of whole lines read from one stream, in one growable buffer, to be split later
/// (possibly on another thread) with ``forEachLine(_:)``.
///
/// Lines follow ``LineReader``'s rules exactly: a line ends at `"\n"`, a `"\r"` directly before
/// it is removed, and so is a `"\r"` ending the last line of the stream, which needs no `"\n"`.
/// Not thread-safe; hand a block between threads only through a synchronizing queue.
public final class LineBlock {
    private var storage: UnsafeMutableRawPointer
    /// Allocated bytes.
    public private(set) var capacity: Int
    /// Valid bytes.
    public fileprivate(set) var count = 0
    /// Whether the last line of the block ends the stream (and may lack its `"\n"`).
    public fileprivate(set) var endsStream = false
    /// Offset of the block's first byte in the decompressed stream.
    public fileprivate(set) var streamOffset = 0

    /// Creates an empty block.
    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        guard let storage = malloc(self.capacity) else { fatalError("out of memory allocating \(self.capacity) bytes") }
        self.storage = storage
    }

    deinit { free(storage) }

    /// The block's bytes (valid until it is changed).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

    /// Empties the block; its buffer is kept unless it grew beyond `keepingAtMost` bytes.
    public func removeAll(keepingAtMost limit: Int = 64 << 20) {
        count = 0
        endsStream = false
        if capacity > limit { resize(to: 1 << 16) }
    }

    fileprivate func reserve(free minimum: Int) {
        guard capacity - count < minimum else { return }
        resize(to: max(capacity * 2, count + minimum))
    }

    private func resize(to newCapacity: Int) {
        guard let resized = realloc(storage, newCapacity) else { fatalError("out of memory growing a line block to \(newCapacity) bytes") }
        storage = resized
        capacity = newCapacity
    }

    fileprivate var freeSpace: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage + count, count: capacity - count)
    }

    fileprivate func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(free: bytes.count)
        (storage + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    /// Calls `body(line, index, offset)` for each line in order: the line without its terminator,
    /// its 0-based index in the block, and its offset in the block.
    /// - Returns: the number of lines in the block.
    @discardableResult
    public func forEachLine(_ body: (UnsafeRawBufferPointer, Int, Int) throws -> Void) rethrows -> Int {
        let base = UnsafeRawPointer(storage)
        var start = 0
        var index = 0
        while start < count {
            var end: Int
            var next: Int
            if let newline = memchr(base + start, 0x0A, count - start) {
                end = base.distance(to: UnsafeRawPointer(newline))
                next = end + 1
            } else {
                end = count       // the last line of the stream, without "\n"
                next = count
            }
            if end > start && base.load(fromByteOffset: end - 1, as: UInt8.self) == 0x0D { end -= 1 }
            try body(UnsafeRawBufferPointer(start: base + start, count: end - start), index, start)
            index += 1
            start = next
        }
        return index
    }
}

/// Reads a decompressed stream in ``LineBlock``s of whole lines: the serial part of a parallel
/// pipeline does no per-line work at all; lines are split, counted and parsed where the block
/// is processed.
///
/// Every read asks the decompressor for `readSize` bytes (1 MiB, as ``LineReader`` does), so
/// damaged input behaves the same: the complete lines decoded before a read fails are returned,
/// then the error, and the bytes a decompressor produced in the read that failed are never
/// handed out (a corrupt gzip member usually decodes to some garbage before zlib notices; with
/// large reads that garbage is dropped with the error rather than reported as bad lines).
///
/// Two ways to fill a block, chosen by `minimumBytes`:
/// * `minimumBytes >= readSize` (the pipeline's default): reads go straight into the block,
///   which ends after its last complete line; only the partial line after it is copied, to
///   start the next block. The block is then at most one line short of `minimumBytes`.
/// * smaller blocks: reads go into a staging buffer and whole lines are copied from there into
///   blocks, each the shortest run of lines reaching `minimumBytes`.
///
/// Hand-written rather than built on ``LineReader``: per-line calls, a full staging copy and a
/// newline count per block were a third of the reader thread's time (perf, 50 MB benchmark
/// corpus), and the reader is the one serial stage of `corpuskit tokenize`.
///
/// A line of hundreds of MB makes one large block.
public final class LineBlockReader {
    /// Bytes asked for in each read unless told otherwise: 1 MiB, as ``LineReader`` reads.
    public static let defaultReadSize = 1 << 20

    /// The stream being read.
    public let source: DecompressingReader
    /// Bytes asked for in each read.
    private let readSize: Int
    /// Decompressed bytes not yet in a block: `staging.bytes[stagingStart...]`.
    private let staging = LineBlock()
    private var stagingStart = 0
    private var reachedEndOfStream = false
    private var pendingError: InputStreamError?
    private var nextOffset = 0

    /// Creates a reader over `source`, reading `readSize` bytes at a time.
    public init(source: DecompressingReader, readSize: Int = LineBlockReader.defaultReadSize) {
        self.source = source
        self.readSize = max(readSize, 1 << 12)
    }

    /// Opens `path` (detecting its compression).
    public convenience init(path: String, readSize: Int = LineBlockReader.defaultReadSize) throws(InputStreamError) {
        self.init(source: try DecompressingReader(path: path), readSize: readSize)
    }

    /// The path of the file being read.
    public var path: String { source.path }

    /// Decompressed bytes handed out in blocks so far.
    public var bytesReturned: Int { nextOffset }

    /// Fills `block` (emptied first) with the next whole lines: about `minimumBytes` of them (see
    /// the type's notes), at least one. Returns false, with `block` empty, at the end of the stream.
    ///
    /// When reading fails, the complete lines read before the failure are returned first and
    /// the error is thrown by the next call (and every call after it).
    /// - Throws: ``InputStreamError`` when reading or decompressing fails.
    public func readBlock(into block: LineBlock, minimumBytes: Int) throws(InputStreamError) -> Bool {
        block.removeAll()
        if let pendingError { throw pendingError }
        block.streamOffset = nextOffset
        do {
            if minimumBytes >= readSize {
                try fillDirectly(block, minimumBytes: minimumBytes)
            } else {
                try fillFromStaging(block, minimumBytes: max(minimumBytes, 1))
            }
        } catch {
            pendingError = error
            // Keep the complete lines; the partial one after the last "\n" is unusable.
            guard let newline = Self.lastNewline(in: block.bytes, from: 0) else {
                block.removeAll()
                throw error
            }
            block.count = newline + 1
        }
        nextOffset += block.count
        return block.count > 0
    }

    /// Reads one `readSize` chunk into `buffer`'s free space (grown to hold it); false at the end.
    private func read(into buffer: LineBlock) throws(InputStreamError) -> Bool {
        if reachedEndOfStream { return false }
        buffer.reserve(free: readSize)
        let space = buffer.freeSpace
        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: space[..<readSize]))
        if count == 0 {
            reachedEndOfStream = true
            return false
        }
        buffer.count += count
        return true
    }

    /// Large blocks: the staged partial line, then reads straight into the block until it holds
    /// `minimumBytes` and a `"\n"`; the bytes after its last `"\n"` go back to staging.
    private func fillDirectly(_ block: LineBlock, minimumBytes: Int) throws(InputStreamError) {
        block.append(UnsafeRawBufferPointer(rebasing: staging.bytes[stagingStart...]))
        staging.removeAll(keepingAtMost: 2 * readSize)
        stagingStart = 0
        /// Bytes before this offset are known to hold no "\n".
        var searchedUpTo = 0
        while true {
            if block.count >= minimumBytes {
                if let newline = Self.lastNewline(in: block.bytes, from: searchedUpTo) {
                    staging.append(UnsafeRawBufferPointer(rebasing: block.bytes[(newline + 1)...]))
                    block.count = newline + 1
                    return
                }
                searchedUpTo = block.count
            }
            guard try read(into: block) else {
                block.endsStream = block.count > 0
                return
            }
        }
    }

    /// Small blocks: whole lines copied from staging, refilled a read at a time, until the
    /// block holds at least `minimumBytes` and ends with a `"\n"` (or the stream ends).
    private func fillFromStaging(_ block: LineBlock, minimumBytes: Int) throws(InputStreamError) {
        while true {
            if stagingStart == staging.count {
                staging.removeAll(keepingAtMost: 2 * readSize)
                stagingStart = 0
                guard try read(into: staging) else {
                    block.endsStream = block.count > 0
                    return
                }
                continue
            }
            let available = UnsafeRawBufferPointer(rebasing: staging.bytes[stagingStart...])
            let missing = minimumBytes - block.count
            if missing > 0 {
                let take = min(missing, available.count)
                block.append(UnsafeRawBufferPointer(rebasing: available[..<take]))
                stagingStart += take
                continue
            }
            if block.bytes.last == 0x0A { return }
            // Finish the line in progress.
            if let newline = memchr(available.baseAddress!, 0x0A, available.count) {
                let take = available.baseAddress!.distance(to: UnsafeRawPointer(newline)) + 1
                block.append(UnsafeRawBufferPointer(rebasing: available[..<take]))
                stagingStart += take
                return
            }
            block.append(available)
            stagingStart = staging.count
        }
    }

    /// The offset of the last `"\n"` in `bytes[from...]` (a plain loop: `memrchr` is not
    /// portable, and the search rarely goes back further than one line).
    private static func lastNewline(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = bytes.count - 1
        while index >= start {
            if bytes[index] == 0x0A { return index }
            index -= 1
        }
        return nil
    }
}
