#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered writes to a file descriptor (stdout by default): one `write(2)` per megabyte
/// instead of one per line.
final class OutputBuffer {
    private var buffer: [UInt8] = []
    private let descriptor: Int32
    private let flushThreshold: Int

    init(descriptor: Int32 = 1, flushThreshold: Int = 1 << 20) {
        self.descriptor = descriptor
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    func append(_ byte: UInt8) { buffer.append(byte) }

    func append<C: Collection>(_ bytes: C) where C.Element == UInt8 { buffer.append(contentsOf: bytes) }

    func append(_ string: String) { buffer.append(contentsOf: string.utf8) }

    /// Ends a record; flushes when the buffer is large.
    func endLine() throws {
        buffer.append(0x0A)
        if buffer.count >= flushThreshold { try flush() }
    }

    func flush() throws {
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress! + written, raw.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot write output: \(String(cString: strerror(errno)))")
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
