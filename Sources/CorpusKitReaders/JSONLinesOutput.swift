import CorpusKitSystem

/// JSON lines written to a file descriptor (standard output by default) through a buffer: one
/// `write(2)` per megabyte instead of one per line. The lines are what `corpuskit encode`,
/// `decode` and `shard decode` print: id arrays in ``IDLines``' format (``appendIDArray(_:)``,
/// the fast form of ``IDLines/json(_:)``, which writes the same text), arrays of strings and
/// `{"text": …}` objects, strings escaped as Python's `json.dumps(ensure_ascii=False)` escapes them.
public final class JSONLinesOutput {
    /// Unchecked: a mutating call on a class's stored property gets a dynamic exclusivity check
    /// when the callee is not fully inlined (``ByteBuffer/grow(toHold:)`` is not), measured as
    /// `swift_beginAccess`/`swift_endAccess` around every append; one thread uses a buffer and
    /// nothing re-enters it.
    @exclusivity(unchecked) private var buffer: ByteBuffer
    private let descriptor: Int32
    private let flushThreshold: Int
    /// Where the line being written starts in `buffer` (everything before it is whole lines).
    private var lineStart = 0
    /// A failed write of whole lines made while appending (which cannot throw): thrown by the
    /// next ``endLine()`` or ``flush()``.
    private var pendingError: SystemError?

    /// - Parameters:
    ///   - descriptor: where the lines go (1: standard output).
    ///   - flushThreshold: the buffered bytes at which a finished line is written out.
    public init(descriptor: Int32 = 1, flushThreshold: Int = 1 << 20) {
        self.descriptor = descriptor
        self.flushThreshold = flushThreshold
        buffer = ByteBuffer(capacity: flushThreshold + 4096)
    }

    deinit { buffer.deallocate() }

    /// The bytes the buffer can hold now (for tests: it stays put while lines fit the threshold).
    var capacity: Int { buffer.capacity }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private func reserve(_ extra: Int) {
        if buffer.count &+ extra > buffer.capacity { makeRoom(extra) }
    }

    /// The cold path of ``reserve(_:)``: writes out the whole lines before the current one and
    /// moves that line's start to the front, so the buffer grows only for a single line larger
    /// than it. Growing instead (the old way, once per run as the buffer neared the threshold)
    /// cost a copy of the buffer and ~256 page faults of fresh memory. Only whole lines are
    /// written: a run that fails later never leaves half a line behind.
    @inline(never)
    private func makeRoom(_ extra: Int) {
        if lineStart > 0 && pendingError == nil {
            do {
                try POSIXFile.writeAll(descriptor, buffer.base, lineStart, path: "<output>")
                let partial = buffer.count - lineStart
                buffer.base.update(from: buffer.base + lineStart, count: partial)
                buffer.count = partial
                lineStart = 0
            } catch {
                pendingError = error
            }
        }
        buffer.reserve(extra)
    }

    /// Appends one raw byte.
    @inline(__always)
    public func append(_ byte: UInt8) {
        reserve(1)
        buffer.base[buffer.count] = byte
        buffer.count &+= 1
    }

    /// Appends raw bytes.
    public func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        reserve(bytes.count)
        var p = buffer.base + buffer.count
        for byte in bytes { p.pointee = byte; p += 1 }
        buffer.count = p - buffer.base
    }

    /// Appends a string's UTF-8 bytes as they are (no JSON escaping: ``appendJSONString(_:)`` escapes).
    public func append(_ string: String) { append(Array(string.utf8)) }

    /// Appends ids as a JSON array in ``IDLines``' format (`[1, 2, 3]`), formatting digits straight
    /// into the buffer (measured: per-byte appends were 16 % of an encode run, then one division per
    /// digit 12 % of its instructions, then four-digit groups with a length test and a pointer
    /// captured by the table's closure ~40 per id, callgrind). Every id after the first is one
    /// table word when below 10⁴ (`, ` and its digits, the length in the top byte: one load, one
    /// store, one add), and a digit or a digit pair plus one four-digit group below 10⁶ (every
    /// llm-jp and Llama 2 vocabulary's ids); anything else takes the general path. Each id has 13
    /// bytes reserved, so every store may be a whole word.
    public func appendIDArray(_ ids: [Int32]) {
        reserve(ids.count &* 13 &+ 16)
        let start = buffer.base + buffer.count
        start.pointee = 0x5B
        let end = ids.withUnsafeBufferPointer { ids in Self.format(ids, at: start + 1) }
        end.pointee = 0x5D
        buffer.count = end + 1 - buffer.base
    }

    /// Writes `ids` separated by `, ` at `p`; returns the position after the last.
    private static func format(_ ids: UnsafeBufferPointer<Int32>, at start: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        guard let base = ids.baseAddress, !ids.isEmpty else { return start }
        let groups = fourDigits, separated = separatedShort
        var p = appendID(base[0], at: start, groups)
        var next = base + 1
        let last = base + ids.count
        while next < last {
            let value = UInt32(bitPattern: next.pointee)
            next += 1
            if value < 10_000 {
                let entry = separated[Int(value)]
                UnsafeMutableRawPointer(p).storeBytes(of: entry, as: UInt64.self)
                p += Int(truncatingIfNeeded: entry &>> 56)
            } else if value < 100_000 {
                let high = value / 10_000
                // ", " and the leading digit in one store, then the group.
                UnsafeMutableRawPointer(p).storeBytes(of: 0x2C | 0x20 << 8 | (0x30 &+ high) << 16, as: UInt32.self)
                UnsafeMutableRawPointer(p + 3).storeBytes(of: groups[Int(value &- high &* 10_000)], as: UInt32.self)
                p += 7
            } else if value < 1_000_000 {
                let high = value / 10_000
                let tens = high / 10
                UnsafeMutableRawPointer(p).storeBytes(
                    of: 0x2C | 0x20 << 8 | (0x30 &+ tens) << 16 | (0x30 &+ high &- tens &* 10) << 24, as: UInt32.self)
                UnsafeMutableRawPointer(p + 4).storeBytes(of: groups[Int(value &- high &* 10_000)], as: UInt32.self)
                p += 8
            } else {
                p[0] = 0x2C
                p[1] = 0x20
                p = appendID(Int32(bitPattern: value), at: p + 2, groups)
            }
        }
        return p
    }

    /// Writes one id without a separator; returns the position after it.
    private static func appendID(_ id: Int32, at p: UnsafeMutablePointer<UInt8>, _ groups: UnsafePointer<UInt32>) -> UnsafeMutablePointer<UInt8> {
        var p = p
        var value = UInt32(truncatingIfNeeded: id)
        if id < 0 { p.pointee = 0x2D; p += 1; value = 0 &- value }
        if value < 10_000 { return appendShort(value, at: p, groups) }
        if value < 100_000_000 {
            p = appendShort(value / 10_000, at: p, groups)
            UnsafeMutableRawPointer(p).storeBytes(of: groups[Int(value % 10_000)], as: UInt32.self)
            return p + 4
        }
        return appendLong(value, at: p)
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
    /// Raw memory made once for the process (never freed): reading a static array inside its
    /// `withUnsafeBufferPointer` closure made the formatting loop keep its pointer in memory.
    /// Never written after it is made, so `nonisolated(unsafe)` is safe.
    nonisolated(unsafe) private static let fourDigits: UnsafePointer<UInt32> = {
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 10_000)
        for value in 0..<UInt32(10_000) {
            table[Int(value)] = (0x30 + value / 1000) | (0x30 + value / 100 % 10) << 8
                | (0x30 + value / 10 % 10) << 16 | (0x30 + value % 10) << 24
        }
        return UnsafePointer(table)
    }()

    /// ", 0" … ", 9999" as words whose bytes in memory are the separator and the digits without
    /// leading zeros, with the byte count (3…6) in the top byte (raw memory made once, as above).
    nonisolated(unsafe) private static let separatedShort: UnsafePointer<UInt64> = {
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: 10_000)
        for value in 0..<UInt64(10_000) {
            let length: UInt64 = value < 100 ? (value < 10 ? 1 : 2) : (value < 1_000 ? 3 : 4)
            var word: UInt64 = 0x2C | 0x20 << 8
            var rest = value
            for position in stride(from: length, to: 0, by: -1) {
                word |= (0x30 + rest % 10) << (8 * (1 + position))
                rest /= 10
            }
            table[Int(value)] = word | (2 + length) << 56
        }
        return UnsafePointer(table)
    }()

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

    /// Appends a JSON string literal of the UTF-8 `text`: non-ASCII kept as is, `"`, `\\` and the
    /// control characters escaped as `json.dumps(ensure_ascii=False)` escapes them, and DEL as
    /// `\u007f` too (Python leaves it raw; both read back as the same text).
    public func appendJSONString<C: Collection>(_ text: C) where C.Element == UInt8 {
        append(0x22)
        for byte in text {
            switch byte {
            case 0x22: append(0x5C); append(0x22)
            case 0x5C: append(0x5C); append(0x5C)
            case 0x0A: append(0x5C); append(0x6E)
            case 0x0D: append(0x5C); append(0x72)
            case 0x09: append(0x5C); append(0x74)
            case 0x08: append(0x5C); append(0x62)
            case 0x0C: append(0x5C); append(0x66)
            case 0..<0x20, 0x7F:
                append([0x5C, 0x75, 0x30, 0x30, Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)]])
            default: append(byte)
            }
        }
        append(0x22)
    }

    /// Appends `[s1, s2, …]`: a JSON array of strings, separated by `,` (encode's pieces).
    public func appendStringArray<S: Sequence>(_ strings: S) where S.Element == String {
        append(0x5B)
        var first = true
        for string in strings {
            if !first { append(0x2C) }
            first = false
            appendJSONString(string.utf8)
        }
        append(0x5D)
    }

    /// Appends one `{"text": …}` line (decode's and shard decode's output) and ends it.
    public func appendTextLine<C: Collection>(_ text: C) throws(SystemError) where C.Element == UInt8 {
        append(#"{"text": "#)
        appendJSONString(text)
        append(0x7D)
        try endLine()
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Ends a line; writes the buffer out when it is large.
    public func endLine() throws(SystemError) {
        append(0x0A)
        if let pendingError { throw pendingError }
        lineStart = buffer.count
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes out everything buffered.
    public func flush() throws(SystemError) {
        if let pendingError { throw pendingError }
        try POSIXFile.writeAll(descriptor, buffer.base, buffer.count, path: "<output>")
        buffer.count = 0
        lineStart = 0
    }
}
