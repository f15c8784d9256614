import CorpusKitSystem

/// Buffered writes to a file descriptor (stdout by default): one `write(2)` per megabyte
/// instead of one per line, from a ``ByteBuffer``.
final class OutputBuffer {
    /// Unchecked: a mutating call on a class's stored property gets a dynamic exclusivity check
    /// when the callee is not fully inlined (``ByteBuffer/grow(toHold:)`` is not), measured as
    /// `swift_beginAccess`/`swift_endAccess` around every append; one thread uses a buffer and
    /// nothing re-enters it.
    @exclusivity(unchecked) private var buffer: ByteBuffer
    private let descriptor: Int32
    private let flushThreshold: Int

    init(descriptor: Int32 = 1, flushThreshold: Int = 1 << 20) {
        self.descriptor = descriptor
        self.flushThreshold = flushThreshold
        buffer = ByteBuffer(capacity: flushThreshold + 4096)
    }

    deinit { buffer.deallocate() }

    @inline(__always)
    func append(_ byte: UInt8) { buffer.append(byte) }

    func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.reserve(bytes.count)
        var p = buffer.base + buffer.count
        for byte in bytes { p.pointee = byte; p += 1 }
        buffer.count = p - buffer.base
    }

    func append(_ string: String) { append(Array(string.utf8)) }

    /// Appends ids as a JSON array in ``IDLines``' format (`[1, 2, 3]`), formatting digits straight
    /// into the buffer (measured: per-byte appends were 16 % of an encode run, then one division per
    /// digit 12 % of its instructions). Ids below 10⁸ — every vocabulary's — are four digits at a
    /// time from a table, each group one 4-byte store (measured: ~25 → ~12 instructions per id;
    /// Llama 2 writes one id per 1.2 bytes of Japanese).
    func appendIDArray(_ ids: [Int32]) {
        buffer.reserve(ids.count * 13 + 2)
        var p = buffer.base + buffer.count
        p.pointee = 0x5B
        p += 1
        Self.fourDigits.withUnsafeBufferPointer { groups in
            let groups = groups.baseAddress!
            var first = true
            for id in ids {
                if !first { p[0] = 0x2C; p[1] = 0x20; p += 2 }
                first = false
                var value = UInt32(truncatingIfNeeded: id)
                if id < 0 { p.pointee = 0x2D; p += 1; value = 0 &- value }
                if value < 10_000 {
                    p = Self.appendShort(value, at: p, groups)
                } else if value < 100_000_000 {
                    p = Self.appendShort(value / 10_000, at: p, groups)
                    UnsafeMutableRawPointer(p).storeBytes(of: groups[Int(value % 10_000)], as: UInt32.self)
                    p += 4
                } else {
                    p = Self.appendLong(value, at: p)
                }
            }
        }
        p.pointee = 0x5D
        p += 1
        buffer.count = p - buffer.base
    }

    /// Writes `value` (< 10,000) without leading zeros: its four-digit group shifted down, stored
    /// as one word (the bytes past the digits are overwritten next or lie beyond `count`; each id
    /// has 13 bytes reserved). Returns the position after the digits.
    @inline(__always)
    private static func appendShort(_ value: UInt32, at p: UnsafeMutablePointer<UInt8>, _ groups: UnsafePointer<UInt32>) -> UnsafeMutablePointer<UInt8> {
        let length = value < 100 ? (value < 10 ? 1 : 2) : (value < 1_000 ? 3 : 4)
        UnsafeMutableRawPointer(p).storeBytes(of: groups[Int(value)] &>> UInt32(8 &* (4 &- length)), as: UInt32.self)
        return p + length
    }

    /// Writes any `value`, two digits at a time from the end.
    private static func appendLong(_ value: UInt32, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var value = value
        let length = decimalLength(value)
        var end = p + length
        digitPairs.withUnsafeBufferPointer { pairs in
            let table = pairs.baseAddress!
            while value >= 100 {
                let pair = Int(value % 100) * 2
                value /= 100
                end -= 2
                end[0] = table[pair]
                end[1] = table[pair + 1]
            }
            if value >= 10 {
                end[-2] = table[Int(value) * 2]
                end[-1] = table[Int(value) * 2 + 1]
            } else {
                end[-1] = UInt8(truncatingIfNeeded: value) &+ 0x30
            }
        }
        return p + length
    }

    /// "0000" … "9999", each as the word whose bytes in memory are its four digits (little-endian).
    /// (Built without intermediate arrays: allocating four-element arrays made this table cost
    /// more than writing the ids of a 1 MB job.)
    private static let fourDigits: [UInt32] = (0..<UInt32(10_000)).map { value in
        (0x30 + value / 1000) | (0x30 + value / 100 % 10) << 8 | (0x30 + value / 10 % 10) << 16 | (0x30 + value % 10) << 24
    }

    /// "00", "01", …, "99".
    private static let digitPairs: [UInt8] = {
        var pairs: [UInt8] = []
        for value in 0..<100 {
            pairs.append(UInt8(0x30 + value / 10))
            pairs.append(UInt8(0x30 + value % 10))
        }
        return pairs
    }()

    @inline(__always)
    private static func decimalLength(_ value: UInt32) -> Int {
        if value < 100_000 {
            return value < 100 ? (value < 10 ? 1 : 2) : value < 10_000 ? (value < 1_000 ? 3 : 4) : 5
        }
        return value < 10_000_000 ? (value < 1_000_000 ? 6 : 7)
            : value < 1_000_000_000 ? (value < 100_000_000 ? 8 : 9) : 10
    }

    /// Ends a record; flushes when the buffer is large.
    func endLine() throws {
        append(0x0A)
        if buffer.count >= flushThreshold { try flush() }
    }

    func flush() throws {
        do {
            try POSIXFile.writeAll(descriptor, buffer.base, buffer.count, path: "<output>")
        } catch {
            throw CLIError("cannot write output: \(error.message)")
        }
        buffer.count = 0
    }
}
