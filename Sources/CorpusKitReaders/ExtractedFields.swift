#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reusable storage for the text values ``JSONFieldExtractor`` extracts from one line.
///
/// Create one and pass it to every extraction: its buffer is reused, so steady-state extraction
/// allocates nothing. Values are UTF-8 bytes (escapes decoded), one per requested key in the
/// order of ``JSONFieldExtractor/keys``; they are valid until the next extraction into the same
/// storage. The buffer grows for long values and shrinks back once values are small again.
/// Not thread-safe.
public final class ExtractedFields {
    /// Size the buffer starts with and shrinks back to.
    private static let baseCapacity = 1 << 16
    /// The buffer shrinks back only when it has grown beyond this.
    private static let shrinkThreshold = 1 << 22

    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    private var ranges: [Range<Int>] = []

    /// Creates empty storage.
    public init() {
        capacity = Self.baseCapacity
        guard let storage = malloc(capacity) else { fatalError("out of memory allocating \(capacity) bytes") }
        self.storage = storage
    }

    deinit {
        free(storage)
    }

    /// The number of values held (the number of requested keys after a successful extraction).
    public var count: Int { ranges.count }

    /// The UTF-8 bytes of the value at `index`, valid until the next extraction into this storage.
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        let range = ranges[index]
        return UnsafeRawBufferPointer(start: storage + range.lowerBound, count: range.count)
    }

    /// A copy of the value at `index` as bytes.
    public func bytes(at index: Int) -> [UInt8] {
        Array(self[index])
    }

    /// A copy of the value at `index` as a `String` (for tests and diagnostics, not hot paths).
    public func string(at index: Int) -> String {
        String(decoding: self[index], as: UTF8.self)
    }

    /// Forgets the held values and makes room for `byteCount` bytes of new ones.
    func reset(reserving byteCount: Int) {
        ranges.removeAll(keepingCapacity: true)
        used = 0
        var newCapacity = capacity
        if byteCount > capacity {
            newCapacity = max(byteCount, capacity * 2)
        } else if capacity > Self.shrinkThreshold && byteCount <= Self.baseCapacity {
            newCapacity = Self.baseCapacity
        }
        guard newCapacity != capacity else { return }
        // Nothing needs preserving, so free first rather than realloc (which would copy).
        free(storage)
        guard let resized = malloc(newCapacity) else { fatalError("out of memory allocating \(newCapacity) bytes") }
        storage = resized
        capacity = newCapacity
    }

    /// Where the next value's bytes go; room was reserved by `reset(reserving:)`.
    var writePointer: UnsafeMutablePointer<UInt8> {
        (storage + used).assumingMemoryBound(to: UInt8.self)
    }

    /// Records the `byteCount` bytes written at `writePointer` as the next value.
    func commitValue(byteCount: Int) {
        precondition(used + byteCount <= capacity, "ExtractedFields overflow")
        ranges.append(used..<(used + byteCount))
        used += byteCount
    }

    /// Copies `byteCount` bytes from `source` as the next value.
    func appendValue(_ source: UnsafeRawPointer, byteCount: Int) {
        precondition(used + byteCount <= capacity, "ExtractedFields overflow")
        if byteCount > 0 { memcpy(storage + used, source, byteCount) }
        commitValue(byteCount: byteCount)
    }
}
