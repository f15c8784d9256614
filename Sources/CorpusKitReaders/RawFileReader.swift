#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the raw bytes of a file sequentially, with POSIX `read(2)`.
///
/// Use it directly to checksum an input file (``ByteChunkSource/forEachChunk(bufferSize:_:)``);
/// ``DecompressingReader`` uses it underneath.
/// The file descriptor is closed when the reader is deallocated. Not thread-safe: use one
/// reader from one task at a time.
public final class RawFileReader: ByteChunkSource {
    /// The file being read.
    public let path: String
    /// The number of bytes read so far, i.e. the file offset of the next read.
    public private(set) var bytesRead: Int = 0

    private let descriptor: Int32

    /// Opens `path` for reading.
    /// - Throws: ``InputStreamError`` with kind `.io(operation: "open", …)`.
    public init(path: String) throws(InputStreamError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputStreamError(path: path, compressedOffset: 0, kind: .io(operation: "open", errno: errno))
        }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        self.path = path
        self.descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Reads up to `buffer.count` bytes into `buffer`, retrying on `EINTR`.
    /// - Returns: the number of bytes read; 0 only at the end of the file (or for an empty buffer).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputStreamError) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        while true {
            #if canImport(Glibc)
            let count = Glibc.read(descriptor, base, buffer.count)
            #else
            let count = Darwin.read(descriptor, base, buffer.count)
            #endif
            if count >= 0 {
                bytesRead += count
                return count
            }
            let code = errno
            if code == EINTR { continue }
            throw InputStreamError(path: path, compressedOffset: bytesRead, kind: .io(operation: "read", errno: code))
        }
    }
}
