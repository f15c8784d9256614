/// Bytes appended to raw memory that grows by doubling: the one growable byte buffer of the
/// hot paths (the JSON parser's decoded strings, the command-line output buffer).
///
/// Raw memory rather than `[UInt8]`, so appending a byte costs no uniqueness or exclusivity check
/// (measured: those checks were 5 % of `encode`'s instructions). A value owns its memory until
/// ``deallocate()``; copies share it, so keep one owner (a local or a class's property).
public struct ByteBuffer {
    /// The first byte. Moves when the buffer grows.
    public private(set) var base: UnsafeMutablePointer<UInt8>
    /// Bytes written. A writer that fills space made by ``reserve(_:)`` through ``base`` sets it
    /// past what it wrote.
    public var count = 0
    /// Bytes allocated.
    public private(set) var capacity: Int

    /// An empty buffer of `capacity` bytes (at least 16).
    public init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    /// Frees the memory; the buffer (and every copy) is unusable afterwards.
    public func deallocate() { base.deallocate() }

    /// Makes room for `extra` more bytes after ``count``.
    @inlinable @inline(__always)
    public mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(toHold: count &+ extra) }
    }

    /// Moves the bytes to a block of at least `needed` bytes and twice the capacity (the cold
    /// path of ``reserve(_:)``, not inlined).
    public mutating func grow(toHold needed: Int) {
        let newCapacity = max(capacity * 2, needed)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    /// Appends `length` bytes (a copy loop for short runs, `memmove` for longer ones).
    @inlinable @inline(__always)
    public mutating func append(_ bytes: UnsafePointer<UInt8>, _ length: Int) {
        reserve(length)
        if length > 16 {
            (base + count).update(from: bytes, count: length)
        } else {
            for i in 0..<length { base[count &+ i] = bytes[i] }
        }
        count &+= length
    }

    /// The bytes written, copied into an array.
    public func array() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
