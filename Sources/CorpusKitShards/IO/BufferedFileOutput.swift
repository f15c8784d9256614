#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem

/// An append-only file written through one large buffer, so the kernel sees few, big writes.
final class BufferedFileOutput {
    let path: String
    private var fd: Int32
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    /// Bytes appended so far, buffered ones included.
    private(set) var byteCount = 0

    /// Creates `path`, which must not exist.
    init(creatingExclusively path: String, capacity: Int = 8 << 20) throws {
        self.path = path
        self.fd = try ShardError.system { try POSIXFile.createExclusive(path) }
        self.capacity = max(capacity, 64)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit {
        if fd >= 0 { try? POSIXFile.close(fd, path: path) }
        buffer.deallocate()
    }

    var isOpen: Bool { fd >= 0 }

    /// Appends of at least this many bytes are written straight from the caller's memory (after the
    /// buffered ones) instead of being copied into the buffer first: the pipeline hands over
    /// hundreds of KB of int32 tokens per batch, and that copy was a quarter of its writer thread.
    static let directWriteThreshold = 64 << 10

    /// Appends raw bytes.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if bytes.count > capacity - used || bytes.count >= Self.directWriteThreshold {
            try flush()
            if bytes.count >= min(capacity, Self.directWriteThreshold) {
                try ShardError.system { try POSIXFile.writeAll(fd, base, bytes.count, path: path) }
                byteCount += bytes.count
                return
            }
        }
        (buffer + used).copyMemory(from: base, byteCount: bytes.count)
        used += bytes.count
        byteCount += bytes.count
    }

    /// Appends one integer in little-endian byte order.
    func append<T: FixedWidthInteger>(littleEndian value: T) throws {
        var le = value.littleEndian
        try withUnsafeBytes(of: &le) { try append($0) }
    }

    /// Appends `count` values produced by `element(i)`, each stored as little-endian `T`,
    /// converting straight into the buffer.
    func appendConverted<T: FixedWidthInteger>(
        count: Int, as _: T.Type, _ element: (Int) -> T
    ) throws {
        let width = MemoryLayout<T>.size
        var index = 0
        while index < count {
            if capacity - used < width { try flush() }
            let chunk = min(count - index, (capacity - used) / width)
            let destination = buffer + used
            for j in 0..<chunk {
                destination.storeBytes(of: element(index + j).littleEndian, toByteOffset: j * width, as: T.self)
            }
            used += chunk * width
            byteCount += chunk * width
            index += chunk
        }
    }

    /// Appends token ids in the `.bin` encoding of `dtype`. Callers have checked the range.
    func appendTokens(_ tokens: UnsafeBufferPointer<Int32>, dtype: TokenDType) throws {
        guard let base = tokens.baseAddress, tokens.count > 0 else { return }
        switch dtype {
        case .int32:
            if hostIsLittleEndian {
                try append(UnsafeRawBufferPointer(tokens))
            } else {
                try appendConverted(count: tokens.count, as: Int32.self) { base[$0] }
            }
        case .uint16:
            try appendConverted(count: tokens.count, as: UInt16.self) { UInt16(truncatingIfNeeded: base[$0]) }
        }
    }

    /// Writes the buffered bytes to the file.
    func flush() throws {
        guard used > 0 else { return }
        try ShardError.system { try POSIXFile.writeAll(fd, buffer, used, path: path) }
        used = 0
    }

    /// Flushes and closes; the object must not be appended to afterwards.
    func close() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        do {
            try flush()
        } catch {
            try? POSIXFile.close(fd, path: path)
            throw error
        }
        try ShardError.system { try POSIXFile.close(fd, path: path) }
    }

    /// Closes without flushing (for abandoning a temporary file).
    func discard() {
        guard fd >= 0 else { return }
        try? POSIXFile.close(fd, path: path)
        fd = -1
        used = 0
    }
}
