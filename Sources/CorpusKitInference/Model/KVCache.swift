/// Keys and values of the positions seen so far, per layer, for incremental decoding.
///
/// Layout per layer: `[position, kvHead, headDimension]` float32, grown by doubling.
public final class KVCache: @unchecked Sendable {
    let width: Int
    private(set) var keys: [UnsafeMutablePointer<Float>]
    private(set) var values: [UnsafeMutablePointer<Float>]
    private var capacity: Int
    /// Positions stored (the next token's position).
    public private(set) var count = 0

    init(layers: Int, width: Int, capacity: Int = 64) {
        self.width = width
        self.capacity = max(1, capacity)
        keys = (0..<layers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(1, capacity) * width) }
        values = (0..<layers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(1, capacity) * width) }
    }

    deinit {
        for p in keys { p.deallocate() }
        for p in values { p.deallocate() }
    }

    /// Bytes held.
    public var bytes: Int { 2 * keys.count * capacity * width * 4 }

    /// Makes room for `extra` more positions.
    func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity
        while newCapacity < count + extra { newCapacity *= 2 }
        for l in 0..<keys.count {
            for isKey in [true, false] {
                let old = isKey ? keys[l] : values[l]
                let grown = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity * width)
                grown.update(from: old, count: count * width)
                old.deallocate()
                if isKey { keys[l] = grown } else { values[l] = grown }
            }
        }
        capacity = newCapacity
    }

    /// Marks `n` more positions as stored (after every layer wrote them).
    func advance(_ n: Int) { count += n }

    /// Forgets every position (the buffers are kept).
    public func reset() { count = 0 }
}
