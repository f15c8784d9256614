import CorpusKitSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the bytes of one cache file go as they are computed: a fresh temporary file (to be
/// published under the file's name), a comparison with the file already there, or nowhere (the
/// file is not wanted, but the arrays after it depend on the random state it consumed).
///
/// Comparison streams too: the expected bytes are checked chunk by chunk against the file, so a
/// check never holds an index in memory twice.
final class ArrayOutput {
    enum Mode { case write, compare, discard }

    let path: String
    let mode: Mode
    private var fd: Int32 = -1
    private(set) var temporary: String?
    /// Bytes computed and not yet written or compared (`count` of `chunk + 8` capacity).
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk + 8, alignment: 8)
    private var count = 0
    private var readBack: [UInt8] = []
    private(set) var offset = 0
    /// For `.compare`: the first byte offset that differs, or where the file ended early.
    private(set) var mismatch: Int?
    private static let chunk = 1 << 20

    init(path: String, mode: Mode) throws {
        self.path = path
        self.mode = mode
        switch mode {
        case .write:
            let (fd, temporary) = try AtomicFile.createTemporary(for: path)
            self.fd = fd
            self.temporary = temporary
        case .compare:
            fd = try POSIXFile.openForReading(path)
        case .discard:
            break
        }
    }

    deinit { buffer.deallocate() }

    func append(bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append(raw: $0) }
    }

    /// Appends the bytes of an array of fixed-width integers (little-endian on the hosts Swift runs on).
    func append<T: FixedWidthInteger>(array: [T]) throws {
        try array.withUnsafeBytes { try append(raw: $0) }
    }

    func append(raw: UnsafeRawBufferPointer) throws {
        guard mode != .discard else { return }
        var from = 0
        while from < raw.count {
            let n = Swift.min(raw.count - from, Self.chunk - count)
            (buffer + count).copyMemory(from: raw.baseAddress! + from, byteCount: n)
            count += n
            from += n
            if count >= Self.chunk { try flush() }
        }
    }

    /// Appends `value` as a little-endian integer of `width` bytes (2, 4 or 8).
    @inline(__always)
    func append(_ value: Int64, width: Int) throws {
        guard mode != .discard else { return }
        switch width {
        case 2: (buffer + count).storeBytes(of: Int16(truncatingIfNeeded: value).littleEndian, as: Int16.self)
        case 4: (buffer + count).storeBytes(of: Int32(truncatingIfNeeded: value).littleEndian, as: Int32.self)
        default: (buffer + count).storeBytes(of: value.littleEndian, as: Int64.self)
        }
        count += width
        if count >= Self.chunk { try flush() }
    }

    private func flush() throws {
        defer { offset += count; count = 0 }
        switch mode {
        case .discard: return
        case .write:
            try POSIXFile.writeAll(fd, UnsafeRawBufferPointer(start: buffer, count: count), path: temporary!)
        case .compare:
            guard mismatch == nil, count > 0 else { return }
            if readBack.count < count { readBack = [UInt8](repeating: 0, count: Self.chunk + 8) }
            var got = 0
            while got < count {
                let n = readBack.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, count - got) }
                if n <= 0 { break }
                got += n
            }
            let expected = buffer.assumingMemoryBound(to: UInt8.self)
            for k in 0..<got where readBack[k] != expected[k] {
                mismatch = offset + k
                return
            }
            if got < count { mismatch = offset + got }
        }
    }

    /// Ends the output. `.write`: returns the finished temporary file. `.compare`: returns nil and
    /// sets `mismatch` if the file differs in any byte or is longer.
    @discardableResult
    func finish() throws -> String? {
        try flush()
        switch mode {
        case .discard: return nil
        case .write:
            try POSIXFile.close(fd, path: temporary!)
            fd = -1
            return temporary
        case .compare:
            if mismatch == nil {
                var extra: UInt8 = 0
                if read(fd, &extra, 1) == 1 { mismatch = offset }
            }
            try? POSIXFile.close(fd, path: path)
            fd = -1
            return nil
        }
    }

    /// Closes the output and removes a temporary file after a failure.
    func abandon() {
        if fd >= 0 { try? POSIXFile.close(fd, path: temporary ?? path) }
        fd = -1
        if let temporary { POSIXFile.removeQuietly(temporary) }
    }
}
