#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory. Immutable once created; shared by the shard
/// reader, the checkpoint readers and anything else that reads large files in place.
public final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only (PROT_READ) and never changes while the object lives.
    /// The file's path.
    public let path: String
    /// The file's bytes (empty for an empty file).
    public let bytes: UnsafeRawBufferPointer
    private let mappedBase: UnsafeMutableRawPointer?

    /// Maps `path`.
    public init(path: String) throws(SystemError) {
        self.path = path
        let fd = try POSIXFile.openForReading(path)
        defer { try? POSIXFile.close(fd, path: path) }
        let size = try POSIXFile.size(of: fd, path: path)
        if size == 0 {
            mappedBase = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw SystemError(path: path, operation: "mmap", code: errno)
        }
        mappedBase = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let mappedBase { munmap(mappedBase, bytes.count) }
    }

    /// The file size in bytes.
    public var count: Int { bytes.count }

    /// Reads a little-endian integer at a byte offset (no alignment needed). The caller checks bounds.
    @inline(__always)
    public func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
