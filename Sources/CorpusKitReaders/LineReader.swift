#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a decompressed stream into lines, yielding each as borrowed bytes.
///
/// Line endings: a line ends at `"\n"`; a `"\r"` directly before it is removed, and so is a `"\r"`
/// ending the last line of the file. This matches Python's text-mode reading for `"\n"` and
/// `"\r\n"` files. Python's universal newlines would also split at a lone `"\r"` elsewhere; here
/// such a `"\r"` stays part of the line. Inside a JSON string it is then rejected as a control
/// character (as Python would reject the broken pieces), and ``JSONFieldExtractor`` by default
/// rejects it between tokens as well (see ``JSONExtractionOptions/rejectsCarriageReturnOutsideStrings``).
/// A last line without a terminating `"\n"` is still a line; an empty file has no lines.
///
/// Memory: one buffer (1 MiB by default) that grows only while a longer line is being
/// assembled — lines of hundreds of MB work — and shrinks back afterwards. Not thread-safe.
public final class LineReader {
    /// One line, borrowed from the reader's buffer.
    public struct Line {
        /// The line's bytes without its terminator. Valid only until the next call to
        /// ``LineReader/next()`` (or until the reader is deallocated).
        public let bytes: UnsafeRawBufferPointer
        /// 1-based line number.
        public let number: Int
        /// Offset of the line's first byte in the decompressed stream.
        public let byteOffset: Int
    }

    /// The stream being split.
    public let source: DecompressingReader

    /// Buffer size the reader starts with and shrinks back to.
    private let baseCapacity: Int
    /// Reads go into at least this much free space; the buffer grows when less is left.
    private let minimumRead: Int
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// Start of the unconsumed bytes.
    private var start = 0
    /// End of the valid bytes.
    private var end = 0
    /// Bytes before this index (and after `start`) are known to contain no `"\n"`.
    private var scanned = 0
    /// Stream offset of `storage[0]`.
    private var storageOffset = 0
    private var reachedEndOfStream = false
    private var lineCount = 0

    /// Creates a reader over `source`.
    /// - Parameter bufferSize: the initial (and resting) buffer size; at least 64 KiB is used.
    public init(source: DecompressingReader, bufferSize: Int = 1 << 20) {
        self.source = source
        self.baseCapacity = max(bufferSize, 1 << 16)
        self.minimumRead = max(baseCapacity / 4, 1 << 14)
        self.capacity = baseCapacity
        guard let storage = malloc(baseCapacity) else { fatalError("out of memory allocating \(baseCapacity) bytes") }
        self.storage = storage
    }

    /// Opens `path` (detecting its compression) and creates a reader over it.
    public convenience init(path: String, bufferSize: Int = 1 << 20) throws(InputStreamError) {
        self.init(source: try DecompressingReader(path: path), bufferSize: bufferSize)
    }

    deinit {
        free(storage)
    }

    /// The path of the file being read.
    public var path: String { source.path }

    /// The number of lines returned so far.
    public var lineNumber: Int { lineCount }

    /// The current buffer size in bytes (for tests and diagnostics).
    public var bufferCapacity: Int { capacity }

    /// Returns the next line, or `nil` at the end of the stream.
    ///
    /// The returned bytes are valid only until the next call.
    /// - Throws: ``InputStreamError`` when reading or decompressing fails.
    public func next() throws(InputStreamError) -> Line? {
        while true {
            if scanned < end, let newline = memchr(storage + scanned, 0x0A, end - scanned) {
                let newlineIndex = storage.distance(to: newline)
                var lineEnd = newlineIndex
                if lineEnd > start && storage.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D {
                    lineEnd -= 1
                }
                let line = makeLine(from: start, to: lineEnd)
                start = newlineIndex + 1
                scanned = start
                return line
            }
            scanned = end
            if reachedEndOfStream {
                guard start < end else { return nil }
                var lineEnd = end
                if storage.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D { lineEnd -= 1 }
                let line = makeLine(from: start, to: lineEnd)
                start = end
                scanned = end
                return line
            }
            try fill()
        }
    }

    private func makeLine(from lineStart: Int, to lineEnd: Int) -> Line {
        lineCount += 1
        return Line(
            bytes: UnsafeRawBufferPointer(start: storage + lineStart, count: lineEnd - lineStart),
            number: lineCount,
            byteOffset: storageOffset + lineStart)
    }

    /// Moves the pending partial line to the front, resizes the buffer if needed, and reads more.
    private func fill() throws(InputStreamError) {
        let pending = end - start
        if start > 0 {
            if pending > 0 { memmove(storage, storage + start, pending) }
            storageOffset += start
            scanned -= start
            start = 0
            end = pending
        }
        var newCapacity = capacity
        if pending + minimumRead > capacity {
            newCapacity = max(capacity * 2, pending + minimumRead)
        } else if capacity > baseCapacity && pending + minimumRead <= baseCapacity {
            newCapacity = baseCapacity
        }
        if newCapacity != capacity {
            guard let resized = realloc(storage, newCapacity) else {
                fatalError("out of memory growing the line buffer to \(newCapacity) bytes")
            }
            storage = resized
            capacity = newCapacity
        }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(start: storage + end, count: capacity - end))
        if count == 0 { reachedEndOfStream = true }
        end += count
    }
}
