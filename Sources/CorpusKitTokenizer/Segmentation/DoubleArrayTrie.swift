/// A byte-keyed double-array trie with an `Int32` value per key.
///
/// Hand-written rather than taken from a package: no Swift package offers a double array, and the
/// Viterbi hot loop needs one transition to cost one cache line (base, check and value of a state
/// sit together in one 12-byte unit).
///
/// State `s` moves on byte `c` to `t = base[s] + c` when `check[t] == s`; `value[t] >= 0` marks a
/// key ending at `t`. The root is state 0.
public final class DoubleArrayTrie: @unchecked Sendable {
    /// One state. `check == -1` marks a free cell.
    @usableFromInline struct Unit {
        @usableFromInline var base: Int32
        @usableFromInline var check: Int32
        @usableFromInline var value: Int32
    }

    @usableFromInline let units: UnsafeMutablePointer<Unit>
    @usableFromInline let unitCount: Int

    /// The number of keys.
    public let keyCount: Int

    /// Builds a trie from keys and their values. Duplicate keys keep the value given last.
    /// Empty keys are ignored (a prefix search never reports an empty match).
    public init(keys: [ArraySlice<UInt8>], values: [Int32]) {
        precondition(keys.count == values.count)
        var builder = Builder()
        let order = keys.indices.filter { !keys[$0].isEmpty }.sorted { a, b in
            let ka = keys[a], kb = keys[b]
            if ka.lexicographicallyPrecedes(kb) { return true }
            if kb.lexicographicallyPrecedes(ka) { return false }
            return a < b
        }
        // Duplicates: keep the last given (largest index), like a map filled in order.
        var uniqueKeys: [ArraySlice<UInt8>] = []
        var uniqueValues: [Int32] = []
        uniqueKeys.reserveCapacity(order.count)
        uniqueValues.reserveCapacity(order.count)
        for index in order {
            if let last = uniqueKeys.last, last.elementsEqual(keys[index]) {
                uniqueValues[uniqueValues.count - 1] = values[index]
            } else {
                uniqueKeys.append(keys[index])
                uniqueValues.append(values[index])
            }
        }
        builder.build(keys: uniqueKeys, values: uniqueValues)
        keyCount = uniqueKeys.count
        unitCount = builder.base.count
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

    /// Construction from sorted unique keys: places each state's children at the first base where
    /// all their cells are free, walking a list of free cells.
    private struct Builder {
        var base: [Int32] = [0]
        var check: [Int32] = [-2]   // the root is in use
        var value: [Int32] = [-1]
        /// Doubly linked list of free cells (indices), for fast first-fit search.
        var nextFree: [Int32] = [-1]
        var previousFree: [Int32] = [-1]
        var freeHead: Int32 = -1
        var freeTail: Int32 = -1

        mutating func grow(to size: Int) {
            let old = base.count
            guard size > old else { return }
            let newSize = max(size, old * 2)
            base.append(contentsOf: repeatElement(0, count: newSize - old))
            check.append(contentsOf: repeatElement(-1, count: newSize - old))
            value.append(contentsOf: repeatElement(-1, count: newSize - old))
            nextFree.append(contentsOf: repeatElement(-1, count: newSize - old))
            previousFree.append(contentsOf: repeatElement(-1, count: newSize - old))
            // Append the new cells to the end of the free list, in order.
            for cell in old..<newSize {
                previousFree[cell] = freeTail
                if freeTail >= 0 { nextFree[Int(freeTail)] = Int32(cell) } else { freeHead = Int32(cell) }
                freeTail = Int32(cell)
            }
        }

        mutating func occupy(_ cell: Int) {
            let prev = previousFree[cell], next = nextFree[cell]
            if prev >= 0 { nextFree[Int(prev)] = next } else { freeHead = next }
            if next >= 0 { previousFree[Int(next)] = prev } else { freeTail = prev }
            nextFree[cell] = -1
            previousFree[cell] = -1
        }

        /// Finds a base where `labels` (sorted, non-empty) all land on free cells. States may share a
        /// base: `check` holds the parent state, so their children stay distinguishable.
        mutating func findBase(_ labels: [UInt8]) -> Int {
            let first = Int(labels[0])
            if freeHead < 0 { grow(to: base.count + 256) }
            var cell = Int(freeHead)
            while true {
                let candidate = cell - first
                if candidate >= 1 {
                    let needed = candidate + Int(labels[labels.count - 1]) + 1
                    if needed > base.count { grow(to: needed) }
                    if labels.allSatisfy({ check[candidate + Int($0)] == -1 }) {
                        return candidate
                    }
                }
                if nextFree[cell] < 0 { grow(to: base.count + 256) }
                cell = Int(nextFree[cell])
            }
        }

        mutating func build(keys: [ArraySlice<UInt8>], values: [Int32]) {
            // Work list of (state, key range, depth).
            var stack: [(state: Int, lower: Int, upper: Int, depth: Int)] = [(0, 0, keys.count, 0)]
            var labels: [UInt8] = []
            var childRanges: [(Int, Int)] = []
            while let (state, lower, upper, depth) = stack.popLast() {
                labels.removeAll(keepingCapacity: true)
                childRanges.removeAll(keepingCapacity: true)
                var index = lower
                // Keys ending exactly here come first in sorted order.
                while index < upper && keys[index].count == depth {
                    value[state] = values[index]
                    index += 1
                }
                while index < upper {
                    let label = keys[index][keys[index].startIndex + depth]
                    let start = index
                    while index < upper && keys[index][keys[index].startIndex + depth] == label { index += 1 }
                    labels.append(label)
                    childRanges.append((start, index))
                }
                if labels.isEmpty { continue }
                let chosen = findBase(labels)
                base[state] = Int32(chosen)
                for (label, range) in zip(labels, childRanges) {
                    let child = chosen + Int(label)
                    occupy(child)
                    check[child] = Int32(state)
                    stack.append((child, range.0, range.1, depth + 1))
                }
            }
            // Trim trailing free cells.
            var last = check.count - 1
            while last > 0 && check[last] == -1 { last -= 1 }
            let size = last + 1
            base.removeSubrange(size...)
            check.removeSubrange(size...)
            value.removeSubrange(size...)
            // Free cells keep check == -1, which never equals a real state.
        }
    }
}
