/// A byte-keyed double-array trie with an `Int32` value per key.
///
/// Hand-written rather than taken from a package: no Swift package offers a double array, and the
/// Viterbi hot loop needs one transition to cost one cache line (base, check and value of a state
/// sit together in one 12-byte unit). The build needs no global sort: each state buckets its keys
/// by the next byte (an MSD radix pass), so loading a 196k-piece vocabulary stays fast.
///
/// State `s` moves on byte `c` to `t = base[s] + c` when `check[t] == s`; `value[t] >= 0` marks a
/// key ending at `t`. The root is state 0.
public final class DoubleArrayTrie: @unchecked Sendable {
    @usableFromInline struct Unit {
        @usableFromInline var base: Int32
        @usableFromInline var check: Int32
        @usableFromInline var value: Int32
    }

    @usableFromInline let units: UnsafeMutablePointer<Unit>
    @usableFromInline let unitCount: Int
    /// Position (in the `keys` given to the initializer) of one key that was given more than
    /// once, if any.
    let duplicateKeyPosition: Int?

    /// Builds a trie from keys and their values. Duplicate keys keep the value given last.
    /// Empty keys are ignored (a prefix search never reports an empty match).
    public convenience init(keys: [[UInt8]], values: [Int32]) {
        var blob: [UInt8] = []
        var offsets: [Int32] = [0]
        for key in keys { blob.append(contentsOf: key); offsets.append(Int32(blob.count)) }
        self.init(blob: blob, offsets: offsets, keys: Array(0..<Int32(keys.count)), values: values)
    }

    /// Builds a trie over keys stored contiguously: key `k` is `blob[offsets[k] ..< offsets[k + 1]]`.
    /// `keys[i]` (an index into `offsets`) gets `values[i]`; for duplicate keys the later `i` wins.
    init(blob: [UInt8], offsets: [Int32], keys: [Int32], values: [Int32]) {
        precondition(keys.count == values.count)
        var builder = Builder()
        blob.withUnsafeBufferPointer { blob in
            offsets.withUnsafeBufferPointer { offsets in
                builder.build(blob: blob, offsets: offsets, keys: keys, values: values)
            }
        }
        unitCount = builder.count
        duplicateKeyPosition = builder.duplicatePosition
        units = .allocate(capacity: max(unitCount, 1))
        for i in 0..<unitCount {
            units[i] = Unit(base: builder.base[i], check: builder.check[i], value: builder.value[i])
        }
    }

    deinit { units.deallocate() }

    /// Follows byte `byte` from `state`; returns the next state or -1.
    @inlinable @inline(__always)
    public func next(_ state: Int32, _ byte: UInt8) -> Int32 {
        let target = Int(units[Int(state)].base) &+ Int(byte)
        if target < unitCount && units[target].check == state { return Int32(target) }
        return -1
    }

    /// The value of the key ending at `state`, or -1.
    @inlinable @inline(__always)
    public func value(at state: Int32) -> Int32 { units[Int(state)].value }

    /// Calls `body(length, value)` for every key that is a prefix of `bytes[start..<end]`, shortest first.
    @inlinable @inline(__always)
    public func forEachPrefix(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int,
                              _ body: (Int, Int32) -> Void) {
        var state: Int32 = 0
        var position = start
        while position < end {
            let target = Int(units[Int(state)].base) &+ Int(bytes[position])
            guard target < unitCount, units[target].check == state else { return }
            state = Int32(target)
            position += 1
            let value = units[target].value
            if value >= 0 { body(position - start, value) }
        }
    }

    /// The value of exactly `key`, or nil.
    public func lookup<C: Collection>(_ key: C) -> Int32? where C.Element == UInt8 {
        var state: Int32 = 0
        for byte in key {
            state = next(state, byte)
            if state < 0 { return nil }
        }
        let found = value(at: state)
        return (found >= 0 && !key.isEmpty) ? found : nil
    }

    /// Places states first-fit over a doubly linked list of free cells. States may share a base:
    /// `check` holds the parent state, so their children stay distinguishable.
    private struct Builder {
        var base: [Int32] = []
        var check: [Int32] = []
        var value: [Int32] = []
        var nextFree: [Int32] = []
        var previousFree: [Int32] = []
        var freeHead: Int32 = -1
        var freeTail: Int32 = -1
        var count = 1
        var duplicatePosition: Int?

        mutating func grow(to size: Int) {
            let old = base.count
            guard size > old else { return }
            let newSize = max(size, old * 2, 1024)
            base.append(contentsOf: repeatElement(0, count: newSize - old))
            check.append(contentsOf: repeatElement(-1, count: newSize - old))
            value.append(contentsOf: repeatElement(-1, count: newSize - old))
            nextFree.append(contentsOf: repeatElement(-1, count: newSize - old))
            previousFree.append(contentsOf: repeatElement(-1, count: newSize - old))
            for cell in old..<newSize where cell > 0 {
                previousFree[cell] = freeTail
                if freeTail >= 0 { nextFree[Int(freeTail)] = Int32(cell) } else { freeHead = Int32(cell) }
                freeTail = Int32(cell)
            }
        }

        mutating func occupy(_ cell: Int, parent: Int) {
            let prev = previousFree[cell], next = nextFree[cell]
            if prev >= 0 { nextFree[Int(prev)] = next } else { freeHead = next }
            if next >= 0 { previousFree[Int(next)] = prev } else { freeTail = prev }
            check[cell] = Int32(parent)
            count = max(count, cell + 1)
        }

        /// The first base at which every label lands on a free cell.
        mutating func findBase(_ labels: UnsafeBufferPointer<UInt8>) -> Int {
            let first = Int(labels[0]), last = Int(labels[labels.count - 1])
            if freeHead < 0 { grow(to: base.count + 256) }
            var cell = Int(freeHead)
            while true {
                let candidate = cell - first
                if candidate >= 1 {
                    if candidate + last >= base.count { grow(to: candidate + last + 1) }
                    var fits = true
                    for label in labels where check[candidate + Int(label)] != -1 { fits = false; break }
                    if fits { return candidate }
                }
                if nextFree[cell] < 0 { grow(to: base.count + 256) }
                cell = Int(nextFree[cell])
            }
        }

        mutating func build(blob: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int32>,
                            keys: [Int32], values: [Int32]) {
            // A trie never has more states than key bytes plus the root; sizing up front avoids
            // repeated growth (page faults dominated loading before).
            var totalBytes = 0
            for key in keys { totalBytes += Int(offsets[Int(key) + 1] - offsets[Int(key)]) }
            grow(to: totalBytes + totalBytes / 8 + 1024)
            check[0] = -2   // the root is in use and never free
            // Start and end of each key in the blob, by position in `keys`.
            let keyStart = UnsafeMutablePointer<Int32>.allocate(capacity: max(keys.count, 1))
            let keyEnd = UnsafeMutablePointer<Int32>.allocate(capacity: max(keys.count, 1))
            // Positions into `keys`, bucketed in place per state; `scratch` backs the counting sort.
            let order = UnsafeMutablePointer<Int32>.allocate(capacity: max(keys.count, 1))
            let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: max(keys.count, 1))
            defer { keyStart.deallocate(); keyEnd.deallocate(); order.deallocate(); scratch.deallocate() }
            var orderCount = 0
            for (position, key) in keys.enumerated() {
                keyStart[position] = offsets[Int(key)]
                keyEnd[position] = offsets[Int(key) + 1]
                if keyEnd[position] > keyStart[position] { order[orderCount] = Int32(position); orderCount += 1 }
            }
            let bytes = blob.baseAddress!
            var stack: [(state: Int, lower: Int, upper: Int, depth: Int)] = [(0, 0, orderCount, 0)]
            var labels = [UInt8](repeating: 0, count: 256)
            var counts = [Int](repeating: 0, count: 257)
            var ranges: [(Int, Int)] = []
            while let (state, lower, upper, depth) = stack.popLast() {
                // The byte of the key at `position` at this depth, or -1 when the key ends here.
                @inline(__always) func label(_ position: Int32) -> Int {
                    let at = Int(keyStart[Int(position)]) + depth
                    return at < Int(keyEnd[Int(position)]) ? Int(bytes[at]) : -1
                }
                // Bucket order[lower..<upper] by label (stable: duplicates keep input order):
                // insertion sort for small ranges, a counting sort for large ones (zeroing 257
                // counters per state would dominate otherwise).
                if upper - lower <= 48 {
                    var i = lower + 1
                    while i < upper {
                        let item = order[i], itemLabel = label(item)
                        var j = i - 1
                        while j >= lower && label(order[j]) > itemLabel { order[j + 1] = order[j]; j -= 1 }
                        order[j + 1] = item
                        i += 1
                    }
                } else {
                    for i in 0..<257 { counts[i] = 0 }
                    for i in lower..<upper { counts[label(order[i]) + 1] += 1 }
                    var running = lower
                    for i in 0..<257 { let c = counts[i]; counts[i] = running; running += c }
                    for i in lower..<upper { let l = label(order[i]) + 1; scratch[counts[l]] = order[i]; counts[l] += 1 }
                    (order + lower).update(from: scratch + lower, count: upper - lower)
                }
                // Keys ending here: the last given wins.
                var index = lower
                var best: Int32 = -1
                while index < upper && label(order[index]) == -1 {
                    if best >= 0 { duplicatePosition = Int(order[index]) }
                    best = max(best, order[index])
                    index += 1
                }
                if best >= 0 { value[state] = values[Int(best)] }
                var labelCount = 0
                ranges.removeAll(keepingCapacity: true)
                while index < upper {
                    let current = label(order[index])
                    let start = index
                    while index < upper && label(order[index]) == current { index += 1 }
                    labels[labelCount] = UInt8(current)
                    labelCount += 1
                    ranges.append((start, index))
                }
                if labelCount == 0 { continue }
                let chosen = labels.withUnsafeBufferPointer { findBase(UnsafeBufferPointer(rebasing: $0[0..<labelCount])) }
                base[state] = Int32(chosen)
                for i in 0..<labelCount {
                    let child = chosen + Int(labels[i])
                    occupy(child, parent: state)
                    stack.append((child, ranges[i].0, ranges[i].1, depth + 1))
                }
            }
        }
    }
}
