#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem

/// Buffered writes to a file descriptor (stdout by default): one `write(2)` per megabyte
/// instead of one per line. The buffer is raw memory rather than `[UInt8]`, so appending a byte
/// costs no uniqueness or exclusivity check (measured: those checks were 5% of `encode`).
final class OutputBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private let descriptor: Int32
    private let flushThreshold: Int

    init(descriptor: Int32 = 1, flushThreshold: Int = 1 << 20) {
        self.descriptor = descriptor
        self.flushThreshold = flushThreshold
        capacity = flushThreshold + 4096
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    @inline(__always)
    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let newCapacity = max(capacity * 2, count + extra)
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.update(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        reserve(bytes.count)
        for byte in bytes { storage[count] = byte; count += 1 }
    }

    func append(_ string: String) { append(Array(string.utf8)) }

    /// Appends ids as a compact JSON array (`[1,2,3]`), formatting digits straight into the
    /// buffer (measured: per-byte appends were 16% of an encode run).
    func appendIDArray(_ ids: [Int32]) {
        reserve(ids.count * 12 + 2)
        var p = storage + count
        p.pointee = 0x5B
        p += 1
        var digits: (UInt64, UInt64) = (0, 0)
        for (index, id) in ids.enumerated() {
            if index > 0 { p.pointee = 0x2C; p += 1 }
            var value = Int64(id)
            if value < 0 { p.pointee = 0x2D; p += 1; value = -value }
            var magnitude = UInt64(value)
            withUnsafeMutableBytes(of: &digits) { scratch in
                var length = 0
                repeat {
                    scratch[15 - length] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
                    magnitude /= 10
                    length += 1
                } while magnitude > 0
                UnsafeMutableRawPointer(p).copyMemory(from: scratch.baseAddress! + 16 - length, byteCount: length)
                p += length
            }
        }
        p.pointee = 0x5D
        p += 1
        count = p - storage
    }

    /// Ends a record; flushes when the buffer is large.
    func endLine() throws {
        append(0x0A)
        if count >= flushThreshold { try flush() }
    }

    func flush() throws {
        do {
            try POSIXFile.writeAll(descriptor, storage, count, path: "<output>")
        } catch {
            throw CLIError("cannot write output: \(error.message)")
        }
        count = 0
    }
}
