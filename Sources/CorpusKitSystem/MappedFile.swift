import CMappedFileGuard
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory. Immutable once created; shared by the shard
/// reader, the checkpoint readers and anything else that reads large files in place.
///
/// A mapped file that another process truncates while it is mapped makes the next read of a page
/// past its new end raise SIGBUS. Every live mapping is therefore recorded for a SIGBUS handler
/// (`CMappedFileGuard`), which reports the file and the offset on standard error and exits with
/// status 1 instead of crashing with a bare "Bus error".
public final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only (PROT_READ) and never changes while the object lives.
    /// The file's path.
    public let path: String
    /// The file's bytes (empty for an empty file).
    public let bytes: UnsafeRawBufferPointer
    private let mappedBase: UnsafeMutableRawPointer?
    /// The mapping's record for the SIGBUS handler (`ck_mapped_file_remember`).
    private let guardSlot: Int32

    /// Maps `path`. `hugePages` asks the kernel (Linux, best-effort) to read the file's pages that are
    /// not yet cached in 2 MiB folios, so that they are mapped with huge pages: see
    /// ``adviseHugePages(_:count:)``.
    public init(path: String, hugePages: Bool = false) throws(SystemError) {
        self.path = path
        let fd = try POSIXFile.openForReading(path)
        defer { try? POSIXFile.close(fd, path: path) }
        let size = try POSIXFile.size(of: fd, path: path)
        if size == 0 {
            mappedBase = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            guardSlot = -1
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw SystemError(path: path, operation: "mmap", code: errno)
        }
        if hugePages { Self.adviseHugePages(address, count: size) }
        guardSlot = ck_mapped_file_remember(address, size, path)
        mappedBase = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// `madvise(MADV_HUGEPAGE)` on a fresh mapping, before its first touch; errors are ignored (an
    /// older kernel, THP off, another OS: the mapping works the same, on 4 KiB pages).
    ///
    /// Why, measured (BENCHMARKS.md, "Decoding, fourth pass"; Linux 6.18, ext4, THP in `madvise`
    /// mode): a file mapping is mapped with 2 MiB page-table entries wherever the page cache holds
    /// the file in 2 MiB folios, and the decoding kernel streams the weights from such a mapping
    /// 10-20 % faster than from 4 KiB pages (2,048-wide rows alone: 30-33 against 25.5-28 GB/s).
    /// Which folio size the cache uses is decided when the pages are read in: with this advice a
    /// page fault that misses the cache reads 2 MiB folios (mm/filemap.c, `VM_HUGEPAGE`), whatever
    /// the device's readahead window, which otherwise caps the folio size (128 KiB folios at the
    /// usual 128 KiB `read_ahead_kb`). A cold start on llm-jp-3-1.8b's shape left 3.2-3.6 GB of
    /// 3.7 mapped so, against 1.2-1.5 GB without. Pages already cached keep their folios:
    /// `MADV_COLLAPSE` cannot merge a regular file's without `CONFIG_READ_ONLY_THP_FOR_FS` (EINVAL
    /// there), so it is not tried.
    private static func adviseHugePages(_ address: UnsafeMutableRawPointer, count: Int) {
        #if os(Linux)
        _ = madvise(address, count, MADV_HUGEPAGE)
        #endif
    }

    deinit {
        if let mappedBase {
            ck_mapped_file_forget(guardSlot)
            munmap(mappedBase, bytes.count)
        }
    }

    /// The file size in bytes.
    public var count: Int { bytes.count }

    /// Reads a little-endian integer at a byte offset (no alignment needed). The caller checks bounds.
    @inline(__always)
    public func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
