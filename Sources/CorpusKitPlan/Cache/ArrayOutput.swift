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
    private var buffer: [UInt8] = []
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
        buffer.reserveCapacity(Self.chunk + 64)
    }

    func append(bytes: [UInt8]) throws {
        guard mode != .discard else { return }
        buffer += bytes
        if buffer.count >= Self.chunk { try flush() }
    }

    /// Appends `value` as a little-endian integer of `width` bytes.
    @inline(__always)
    func append(_ value: Int64, width: Int) throws {
        guard mode != .discard else { return }
        var v = UInt64(bitPattern: value)
        for _ in 0..<width {
            buffer.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
        if buffer.count >= Self.chunk { try flush() }
    }

    private func flush() throws {
        defer { offset += buffer.count; buffer.removeAll(keepingCapacity: true) }
        switch mode {
        case .discard: return
        case .write:
            let target = temporary!
            let result: Result<Void, SystemError> = buffer.withUnsafeBytes { raw in
                Result { () throws(SystemError) in try POSIXFile.writeAll(fd, raw, path: target) }
            }
            try result.get()
        case .compare:
            guard mismatch == nil, !buffer.isEmpty else { return }
            if readBack.count < buffer.count { readBack = [UInt8](repeating: 0, count: buffer.count) }
            var got = 0
            while got < buffer.count {
                let n = readBack.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, buffer.count - got) }
                if n <= 0 { break }
                got += n
            }
            for k in 0..<got where readBack[k] != buffer[k] {
                mismatch = offset + k
                return
            }
            if got < buffer.count { mismatch = offset + got }
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
