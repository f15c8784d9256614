#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory. Immutable once created.
final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only (PROT_READ) and never changes while the object lives.
    let path: String
    let bytes: UnsafeRawBufferPointer
    private let mappedBase: UnsafeMutableRawPointer?

    init(path: String) throws {
        self.path = path
        let fd = try POSIX.openForReading(path)
        defer { try? POSIX.close(fd, path: path) }
        let size = try POSIX.size(of: fd, path: path)
        if size == 0 {
            mappedBase = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw ShardError.io(path: path, operation: "mmap", errno: errno)
        }
        mappedBase = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let mappedBase { munmap(mappedBase, bytes.count) }
    }

    var count: Int { bytes.count }

    /// Reads a little-endian integer at a byte offset (no alignment needed). The caller checks bounds.
    @inline(__always)
    func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
