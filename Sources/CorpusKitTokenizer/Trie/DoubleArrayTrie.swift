#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem

/// A byte-keyed double-array trie with an `Int32` value per key.
///
/// Hand-written rather than taken from a package: no Swift package offers a double array, and the
/// Viterbi hot loop needs one transition to cost one cache line (base, check, value and a 32-bit
/// payload of a state sit together in one 16-byte unit, four to a cache line, never straddling
/// two). The build needs no global sort: each state buckets its keys by the next byte (an MSD
/// radix pass), so loading a 196k-piece vocabulary stays fast.
///
/// State `s` moves on byte `c` to `t = base[s] + c` when `check[t] == 16 s` (the parent's byte
/// offset in the array, so a walk that keeps its state as a byte offset compares it without
/// scaling: x86 addressing scales by at most 8, and a 16-byte index cost two more instructions
/// per byte walked). `base` is stored as a byte offset too (`16 base[s]`), so the next cell's
/// address is that plus `16 c`, whose shift does not wait for the load: one cycle less on the
/// chain of dependent loads that a walk is (a whole `encode` job 3–5 % faster on an Intel Xeon
/// guest, same instruction count; BENCHMARKS.md, "Seventeenth session").
///
/// `value[t] >= 0` marks a key ending at `t`, and `payload[t]` is that key's payload
/// (sentencepiece's Unigram keeps the piece's float32 score there, so a candidate costs one load
/// from the unit just walked to instead of a second, dependent load into a score table; HF
/// tokenizers' Unigram keeps a float32 there and the rest of its float64 score in the value's top
/// bits, ``HuggingFaceCellScores``). The root is state 0. 256 cells follow the largest base, so
/// `base[s] + c` is always inside the array and a walk needs no bounds check.
public final class DoubleArrayTrie: @unchecked Sendable {
    @usableFromInline struct Unit {
        /// The byte offset of the cell for byte 0 of this state's children (the children's base
        /// index × the unit's stride; see the type's description).
        @usableFromInline var base: Int32
        @usableFromInline var check: Int32
        @usableFromInline var value: Int32
        /// The payload of the key ending here (0 when none was given).
        @usableFromInline var payload: UInt32
    }

    @usableFromInline let units: UnsafeMutablePointer<Unit>
    /// `check` of a child: its parent's byte offset (see the type's description).
    @inlinable @inline(__always)
    static func checkValue(parent: Int) -> Int32 { Int32(truncatingIfNeeded: parent &* MemoryLayout<Unit>.stride) }
    @usableFromInline let unitCount: Int
    /// At least the length of the longest key: a walk never reads more than this many bytes past
    /// its origin (no state lies deeper), so a walk with that many bytes ahead needs no end test.
    @usableFromInline let maxKeyLength: Int
    /// Position (in the `keys` given to the initializer) of one key that was given more than
    /// once, if any.
    let duplicateKeyPosition: Int?
    /// Set when `units` lies in a mapping of a ``TrieCache`` entry (unmapped with it); nil when
    /// it was built here (released with `free`).
    private let mapping: MappedFile?
    /// Whether the cells were mapped from a ``TrieCache`` entry rather than built.
    var isMappedFromCache: Bool { mapping != nil }

    /// Builds a trie from keys and their values. Duplicate keys keep the value given last.
    /// Empty keys are ignored (a prefix search never reports an empty match).
    public convenience init(keys: [[UInt8]], values: [Int32]) {
        var blob: [UInt8] = []
        var offsets: [Int32] = [0]
        for key in keys { blob.append(contentsOf: key); offsets.append(Int32(blob.count)) }
        self.init(blob: blob, offsets: offsets, keys: Array(0..<Int32(keys.count)), values: values)
    }

    /// Builds a trie over keys stored contiguously: key `k` is `blob[offsets[k] ..< offsets[k + 1]]`.
    /// `keys[i]` (an index into `offsets`) gets `values[i]` and `payloads[i]` (0 when nil); for
    /// duplicate keys the later `i` wins. With at least ``TrieCache/minimumKeyCount`` keys, a trie
    /// built before from the same input is taken from `cache` instead of being built again (and a
    /// new one is stored there).
    init(blob: [UInt8], offsets: [Int32], keys: [Int32], values: [Int32], payloads: [UInt32]? = nil,
         cache: TrieCache = .default) {
        precondition(keys.count == values.count && (payloads?.count ?? keys.count) == keys.count)
        let stride = MemoryLayout<Unit>.stride
        // Over every key of the blob, not only those placed: a bound is enough, and this loop
        // has no gather (vectorized: ~1 instruction per key).
        maxKeyLength = offsets.withUnsafeBufferPointer { offsets in
            var longest: Int32 = 0
            var index = 1
            while index < offsets.count {
                longest = max(longest, offsets[index] &- offsets[index &- 1])
                index &+= 1
            }
            return Int(longest)
        }
        var cacheKey: UInt64?
        if cache.directory != nil && keys.count >= TrieCache.minimumKeyCount {
            cacheKey = blob.withUnsafeBufferPointer { blob in
                offsets.withUnsafeBufferPointer { offsets in
                    keys.withUnsafeBufferPointer { keys in
                        values.withUnsafeBufferPointer { values in
                            (payloads ?? []).withUnsafeBufferPointer { payloads in
                                TrieCache.key(blob: blob, offsets: offsets, keys: keys, values: values, payloads: payloads)
                            }
                        }
                    }
                }
            }
        }
        if let cacheKey, let entry = cache.load(key: cacheKey, unitStride: stride) {
            units = entry.units.bindMemory(to: Unit.self, capacity: entry.unitCount)
            unitCount = entry.unitCount
            duplicateKeyPosition = entry.duplicateKeyPosition
            mapping = entry.mapping
            return
        }
        let builder = Builder()
        blob.withUnsafeBufferPointer { blob in
            offsets.withUnsafeBufferPointer { offsets in
                builder.build(blob: blob, offsets: offsets, keys: keys, values: values, payloads: payloads)
            }
        }
        unitCount = builder.count
        duplicateKeyPosition = builder.duplicatePosition
        units = builder.takeUnits()
        mapping = nil
        if let cacheKey {
            cache.store(key: cacheKey, units: UnsafeRawBufferPointer(start: units, count: unitCount * stride),
                        unitStride: stride, duplicateKeyPosition: duplicateKeyPosition)
        }
    }

    deinit {
        if mapping == nil { free(units) }
    }

    /// Follows byte `byte` from `state`; returns the next state or -1.
    @inlinable @inline(__always)
    public func next(_ state: Int32, _ byte: UInt8) -> Int32 {
        let target = Int(units[Int(state)].base) / MemoryLayout<Unit>.stride &+ Int(byte)
        if target < unitCount && units[target].check == Self.checkValue(parent: Int(state)) { return Int32(target) }
        return -1
    }

    /// The value of the key ending at `state`, or -1.
    @inlinable @inline(__always)
    public func value(at state: Int32) -> Int32 { units[Int(state)].value }

    /// Calls `body(length, value)` for every key that is a prefix of `bytes[start..<end]`, shortest first.
    @inlinable @inline(__always)
    public func forEachPrefix(_ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int,
                              _ body: (Int, Int32) -> Void) {
        forEachPrefix(bytes, resuming: 0, at: start, origin: start, to: end, body)
    }

    /// ``forEachPrefix(_:from:to:_:)`` continued from `state`, the state a walk from `origin`
    /// reached at `position` (having reported the keys up to there itself); lengths are counted
    /// from `origin`.
    @inlinable @inline(__always)
    func forEachPrefix(_ bytes: UnsafePointer<UInt8>, resuming state: Int32, at position: Int, origin start: Int, to end: Int,
                       _ body: (Int, Int32) -> Void) {
        forEachPrefixWithPayload(bytes, resuming: state, at: position, origin: start, to: end) { length, value, _ in body(length, value) }
    }

    /// ``forEachPrefix(_:resuming:at:origin:to:_:)`` that also reports each key's payload (read
    /// from the same unit as its value).
    @inlinable @inline(__always)
    func forEachPrefixWithPayload(_ bytes: UnsafePointer<UInt8>, resuming state: Int32, at position: Int, origin start: Int,
                                  to end: Int, _ body: (Int, Int32, UInt32) -> Void) {
        walker.forEachPrefixWithPayload(bytes, resuming: state, at: position, origin: start, to: end, body)
    }

    /// The cells and the longest key's length as plain values, for a loop that walks from every
    /// start of a text: read from the trie once before the loop rather than from the class
    /// instance at every walk (the walk's closure could alias its properties).
    @inlinable
    var walker: Walker { Walker(cells: UnsafeRawPointer(units), maxKeyLength: maxKeyLength) }

    /// See ``DoubleArrayTrie/walker``.
    @usableFromInline struct Walker {
        @usableFromInline let cells: UnsafeRawPointer
        @usableFromInline let maxKeyLength: Int

        @inlinable init(cells: UnsafeRawPointer, maxKeyLength: Int) {
            self.cells = cells
            self.maxKeyLength = maxKeyLength
        }

        /// ``DoubleArrayTrie/forEachPrefixWithPayload(_:resuming:at:origin:to:_:)``.
        @inlinable @inline(__always)
        func forEachPrefixWithPayload(_ bytes: UnsafePointer<UInt8>, resuming state: Int32, at position: Int, origin start: Int,
                                      to end: Int, _ body: (Int, Int32, UInt32) -> Void) {
            // Wrapping arithmetic, no checked Int32 conversions, and the state kept as a byte
            // offset into the cells (what `check` holds): 12 instructions per byte walked, the
            // value test included (objdump of the release build; 15 with 16-byte cells indexed by
            // state, 13 with the former 12-byte cells), and the base a byte offset too, so the
            // byte's scaling is off the chain of dependent loads. The fields are read at `Unit`'s offsets
            // (base 0, check 4, value 8, payload 12; DoubleArrayTrieTests checks them).
            let cells = self.cells
            let stride = MemoryLayout<Unit>.stride
            var offset = Int(state) &* stride
            var position = position
            // One byte of the walk; false when no key continues with it.
            @inline(__always) func step() -> Bool {
                // No bounds check: the builder leaves 256 cells after the largest base.
                let base = cells.load(fromByteOffset: offset, as: Int32.self)
                let target = Int(base) &+ Int(bytes[position]) &* stride
                guard cells.load(fromByteOffset: target &+ 4, as: Int32.self) == Int32(truncatingIfNeeded: offset) else { return false }
                offset = target
                position &+= 1
                let value = cells.load(fromByteOffset: target &+ 8, as: Int32.self)
                if value >= 0 { body(position &- start, value, cells.load(fromByteOffset: target &+ 12, as: UInt32.self)) }
                return true
            }
            if end &- start > maxKeyLength {
                // The walk ends inside the text (it cannot go deeper than the longest key, and it
                // reads at most one byte past the deepest state): no end test per byte.
                while step() {}
                return
            }
            while position < end && step() {}
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

    /// Places states first-fit over a list of free cells. States may share a base: `check` holds
    /// the parent state, so their children stay distinguishable. The free list is singly linked
    /// and cleaned lazily (occupied cells are unlinked when a search passes them), so occupying a
    /// cell is O(1). Raw memory throughout: with Swift arrays, uniqueness checks and growth made
    /// this build most of a 196k-piece model's load time.
    private final class Builder {
        private(set) var units: UnsafeMutablePointer<Unit>
        /// Next cell in the free list (may point at a cell occupied since; skipped lazily).
        private var nextFree: UnsafeMutablePointer<Int32>
        private var capacity: Int
        private var freeHead = 1
        private(set) var count = 1
        private(set) var duplicatePosition: Int?

        // malloc/realloc rather than UnsafeMutablePointer.allocate: growing and trimming with
        // realloc moves large blocks by remapping pages instead of copying them into freshly
        // faulted ones. Page faults were half of a 196k-piece model's load time (measured with perf).
        init() {
            capacity = 0
            units = Self.reallocate(nil, count: 1)
            nextFree = Self.reallocate(nil, count: 1)
        }

        deinit {
            free(units)
            free(nextFree)
        }

        private static func reallocate<T>(_ pointer: UnsafeMutablePointer<T>?, count: Int) -> UnsafeMutablePointer<T> {
            guard let raw = realloc(pointer, max(count, 1) * MemoryLayout<T>.stride) else {
                fatalError("out of memory growing a trie to \(count) cells")
            }
            return raw.assumingMemoryBound(to: T.self)
        }

        /// Hands the units over (trimmed to `count`, to be released with `free`); the builder
        /// keeps an empty block and must not be used afterwards.
        func takeUnits() -> UnsafeMutablePointer<Unit> {
            let result = Self.reallocate(units, count: count)
            units = Self.reallocate(nil, count: 1)
            capacity = 0
            return result
        }

        private func grow(to size: Int) {
            guard size > capacity else { return }
            let newCapacity = max(size, capacity + capacity / 2, 1024)
            units = Self.reallocate(units, count: newCapacity)
            (units + capacity).initialize(repeating: Unit(base: 0, check: -1, value: -1, payload: 0), count: newCapacity - capacity)
            nextFree = Self.reallocate(nextFree, count: newCapacity)
            for cell in capacity..<newCapacity { nextFree[cell] = Int32(cell + 1) }
            capacity = newCapacity
        }

        /// The first base at which every label lands on a free cell.
        @inline(__always)
        private func findBase(_ labels: UnsafePointer<UInt8>, _ labelCount: Int) -> Int {
            let first = Int(labels[0]), last = Int(labels[labelCount - 1])
            while freeHead < capacity && units[freeHead].check != -1 { freeHead = Int(nextFree[freeHead]) }
            var previous = -1
            var cell = freeHead
            while true {
                if cell >= capacity { grow(to: cell + 257) }
                if units[cell].check != -1 {
                    // Occupied since it was listed: unlink it and go on.
                    let next = Int(nextFree[cell])
                    if previous >= 0 { nextFree[previous] = Int32(next) } else { freeHead = next }
                    cell = next
                    continue
                }
                let candidate = cell - first
                if candidate >= 1 {
                    if candidate + last >= capacity { grow(to: candidate + last + 1) }
                    var fits = true
                    var i = 1
                    while i < labelCount {
                        if units[candidate + Int(labels[i])].check != -1 { fits = false; break }
                        i += 1
                    }
                    if fits { return candidate }
                }
                previous = cell
                cell = Int(nextFree[cell])
            }
        }

        func build(blob: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int32>,
                   keys: [Int32], values: [Int32], payloads: [UInt32]?) {
            let keyCount = keys.count
            // A trie has at most one state per key byte, but shared prefixes make it far fewer
            // (llm-jp v4.0: 527k states for 1.66M bytes). Start near that and grow by half when
            // needed: every cell reserved here is written (and so faulted in) at once.
            var totalBytes = 0
            for key in keys { totalBytes += Int(offsets[Int(key) + 1] - offsets[Int(key)]) }
            grow(to: totalBytes / 3 + 1024)
            units[0].check = -2   // the root is in use and never free
            freeHead = 1
            // The keys to place, as (start, end, position) entries that the per-state bucketing
            // moves together: reading a key's bounds then touches memory in order instead of at
            // random (cache misses dominated this build before).
            struct Entry { var start: Int32; var end: Int32; var position: Int32 }
            let order = UnsafeMutablePointer<Entry>.allocate(capacity: max(keyCount, 1))
            let scratch = UnsafeMutablePointer<Entry>.allocate(capacity: max(keyCount, 1))
            // Work list of states to expand: (state, lower, upper, depth), four Ints each.
            var stackCapacity = 1024
            var stack = UnsafeMutablePointer<Int>.allocate(capacity: stackCapacity * 4)
            let labels = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
            let rangeStarts = UnsafeMutablePointer<Int>.allocate(capacity: 257)
            let counts = UnsafeMutablePointer<Int>.allocate(capacity: 257)
            defer {
                order.deallocate(); scratch.deallocate()
                stack.deallocate(); labels.deallocate(); rangeStarts.deallocate(); counts.deallocate()
            }
            var orderCount = 0
            for position in 0..<keyCount {
                let key = Int(keys[position])
                let start = offsets[key], end = offsets[key + 1]
                if end > start { order[orderCount] = Entry(start: start, end: end, position: Int32(position)); orderCount += 1 }
            }
            let bytes = blob.baseAddress!
            var stackCount = 1
            var maxBase = 0
            stack[0] = 0; stack[1] = 0; stack[2] = orderCount; stack[3] = 0
            defer {
                // Room for every byte after every base, so a walk needs no bounds check: the
                // cells past the last state are free (check -1) and never match.
                grow(to: maxBase + 256)
                count = max(count, maxBase + 256)
            }
            while stackCount > 0 {
                stackCount -= 1
                let state = stack[stackCount * 4], lower = stack[stackCount * 4 + 1]
                let upper = stack[stackCount * 4 + 2], depth = stack[stackCount * 4 + 3]
                // The byte of a key at this depth, or -1 when the key ends here.
                @inline(__always) func label(_ entry: Entry) -> Int {
                    let at = Int(entry.start) &+ depth
                    return at < Int(entry.end) ? Int(bytes[at]) : -1
                }
                // Bucket order[lower..<upper] by label (stable: duplicates keep input order):
                // insertion sort for small ranges, a counting sort for large ones.
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
                    counts.initialize(repeating: 0, count: 257)
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
                    if best >= 0 { duplicatePosition = Int(order[index].position) }
                    best = max(best, order[index].position)
                    index += 1
                }
                if best >= 0 {
                    units[state].value = values[Int(best)]
                    if let payloads { units[state].payload = payloads[Int(best)] }
                }
                var labelCount = 0
                while index < upper {
                    let current = label(order[index])
                    rangeStarts[labelCount] = index
                    labels[labelCount] = UInt8(current)
                    labelCount += 1
                    index += 1
                    while index < upper && label(order[index]) == current { index += 1 }
                }
                if labelCount == 0 { continue }
                rangeStarts[labelCount] = upper
                let chosen = findBase(labels, labelCount)
                // `check` holds byte offsets: every state's must fit an Int32 (2^27 states; the
                // largest vocabularies have well under a million).
                precondition(chosen + 256 <= Int(Int32.max) / MemoryLayout<Unit>.stride, "a trie over 2^27 states")
                units[state].base = Int32(chosen &* MemoryLayout<Unit>.stride)
                if chosen > maxBase { maxBase = chosen }
                if stackCount + labelCount > stackCapacity {
                    let newCapacity = max(stackCapacity * 2, stackCount + labelCount)
                    let newStack = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity * 4)
                    newStack.moveInitialize(from: stack, count: stackCount * 4)
                    stack.deallocate()
                    stack = newStack
                    stackCapacity = newCapacity
                }
                for i in 0..<labelCount {
                    let child = chosen + Int(labels[i])
                    units[child].check = DoubleArrayTrie.checkValue(parent: state)
                    if child >= count { count = child + 1 }
                    stack[stackCount * 4] = child
                    stack[stackCount * 4 + 1] = rangeStarts[i]
                    stack[stackCount * 4 + 2] = rangeStarts[i + 1]
                    stack[stackCount * 4 + 3] = depth + 1
                    stackCount += 1
                }
            }
        }
    }
}
