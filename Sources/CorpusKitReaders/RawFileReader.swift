#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem

/// Reads the raw bytes of a file sequentially, with POSIX `read(2)` (``POSIXFile``).
///
/// Use it directly to checksum an input file (``ByteChunkSource/forEachChunk(bufferSize:_:)``);
/// ``DecompressingReader`` uses it underneath.
///
/// A regular file that ends early because it was cut shorter while being read (its size is
/// then smaller than when it was opened) is an error naming the file, never a silently shorter
/// input: `read` just returns 0 at the new end. (Files whose size says nothing about their
/// contents, such as those under `/proc` and `/sys`, keep their size and read normally.)
///
/// The file descriptor is closed when the reader is deallocated. Not thread-safe: use one
/// reader from one task at a time.
public final class RawFileReader: ByteChunkSource {
    /// The file being read.
    public let path: String
    /// The number of bytes read so far, i.e. the file offset of the next read.
    public private(set) var bytesRead: Int = 0

    private let descriptor: Int32
    /// The size of a regular file when it was opened; nil for pipes and other streams.
    private let sizeAtOpen: Int?

    /// Opens `path` for reading.
    /// - Throws: ``InputStreamError`` with kind `.io(operation: "open", …)`.
    public init(path: String) throws(InputStreamError) {
        let fd: Int32
        do { fd = try POSIXFile.openForReading(path) } catch {
            throw InputStreamError(path: path, compressedOffset: 0, kind: .io(operation: "open", errno: error.code))
        }
        POSIXFile.adviseSequential(fd)
        self.path = path
        self.descriptor = fd
        self.sizeAtOpen = POSIXFile.regularFileSize(of: fd)
    }

    deinit {
        try? POSIXFile.close(descriptor, path: path)
    }

    /// Reads up to `buffer.count` bytes into `buffer`, retrying on `EINTR`.
    /// - Returns: the number of bytes read; 0 only at the end of the file (or for an empty buffer).
    /// - Throws: ``InputStreamError`` when a read fails, or when a regular file ends because it
    ///   shrank while being read.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputStreamError) -> Int {
        let count: Int
        do { count = try POSIXFile.readSome(descriptor, into: buffer, path: path) } catch {
            throw InputStreamError(path: path, compressedOffset: bytesRead, kind: .io(operation: "read", errno: error.code))
        }
        if count == 0 && !buffer.isEmpty { try checkNotShrunk() }
        bytesRead += count
        return count
    }

    /// At the end of a regular file: an error when the file is now smaller than when it was
    /// opened and the end came before that size.
    private func checkNotShrunk() throws(InputStreamError) {
        guard let sizeAtOpen, bytesRead < sizeAtOpen,
              let size = POSIXFile.regularFileSize(of: descriptor), size < sizeAtOpen else { return }
        throw InputStreamError(
            path: path, compressedOffset: bytesRead,
            kind: .io(operation: "read (the file shrank from \(sizeAtOpen) to \(size) bytes while being read)", errno: EIO))
    }
}
