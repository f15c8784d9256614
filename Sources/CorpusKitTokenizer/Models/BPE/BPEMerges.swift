/// The merge loop both BPE behaviours share (sentencepiece's `bpe::Model::SampleEncode` and HF
/// tokenizers' `Word::merge_all`).
///
/// ## The algorithm
///
/// The text is first split into symbols, one per character (sentencepiece: a user-defined symbol
/// is one frozen symbol; HF: a character missing from the vocabulary becomes byte pieces or an
/// unknown symbol). Every adjacent pair that forms a mergeable piece is a candidate in a priority
/// queue. The best candidate is popped; if it is stale (one of its symbols has since been merged
/// away or has grown) it is dropped, otherwise the two symbols become one and the new pairs with
/// its two neighbours are offered. Each merge costs O(log n): no rescans of the whole word, unlike
/// the textbook loop that looks for the best pair again after every merge.
///
/// ## What the two references do differently (and nothing else)
///
/// | | sentencepiece (`.model`, `model_type: BPE`) | HF tokenizers (`tokenizer.json`, `BPE`) |
/// |---|---|---|
/// | pair → piece | the concatenated string is a normal, user-defined or unused piece | the id pair is in `merges` |
/// | priority | the merged piece's float32 score, highest first | the merge's rank (line in `merges`), lowest first |
/// | ties | leftmost pair first | (ranks are unique) leftmost first |
/// | stale entry | a symbol emptied or the pair's byte length changed | a symbol emptied, no right neighbour, or the pair now merges to another id |
/// | unit | the whole normalized text (no pre-tokenizer; `split_by_whitespace` and `split_digits` only affect training) | each pre-tokenized word (Llama files: the whole segment, `Metaspace` with `split: false`) |
/// | unknown characters | after merging: `<unk>` (runs merged) or byte pieces when `byte_fallback` | before merging: byte pieces when `byte_fallback` and all `<0xXX>` exist, else `unk_token` (runs fused with `fuse_unk`) or dropped |
/// | unused pieces | may be merged, then split back into the two symbols last recorded for that piece | (no such type) |
///
/// ## Chunks
///
/// Both references merge over a whole unit (sentencepiece: the whole text; Llama-style HF files:
/// the whole segment, as `Metaspace` does not split), so the queue holds thousands of entries.
/// CorpusKit first cuts the unit into chunks that no merge can cross (``BPEChunking``) and runs
/// the loop on each: the first symbol to span a position is made by a merge whose two parts meet
/// exactly there, so where the characters on either side never meet inside a mergeable piece
/// (sentencepiece) or a merge (HF), nothing ever spans the cut. Merges in different chunks never
/// interact, and inside a chunk they keep their relative order (same priorities, positions
/// shifted alike), so the result is the references' exactly, with small queues. Both models
/// also cache each thread's chunk results (``BPEChunkCache``: natural text repeats its words).
///
/// Both queues order their entries totally (priority, then left position), so which of two equal
/// entries a heap returns first never matters: this binary heap gives the references' results.
struct BPECandidate {
    /// Smaller pops first: the priority in the high 32 bits, the left symbol's index in the low 32.
    var key: UInt64
    /// Behaviour-specific: what the validity check and the merge need.
    var payload: UInt64
}

/// One symbol of the word being merged, in a doubly linked list over the symbol array.
struct BPESymbol {
    /// Byte offset in the text.
    var start: Int32
    /// Byte length; 0 once merged into its left neighbour.
    var length: Int32
    var prev: Int32
    var next: Int32
    /// HF: the piece id. sentencepiece: the trie state reached by the symbol's bytes from the root
    /// (-1: none), so a pair is looked up by walking only the right symbol's bytes from there.
    var id: Int32
    /// sentencepiece: a user-defined symbol, never merged.
    var frozen: Bool
}

/// A binary min-heap of ``BPECandidate``s, keeping its storage between words.
struct BPEMergeQueue {
    private(set) var heap: [BPECandidate] = []

    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    @inline(__always)
    mutating func push(_ candidate: BPECandidate) {
        heap.append(candidate)
        heap.withUnsafeMutableBufferPointer { buffer in
            var child = buffer.count - 1
            while child > 0 {
                let parent = (child - 1) >> 1
                guard candidate.key < buffer[parent].key else { break }
                buffer[child] = buffer[parent]
                child = parent
            }
            buffer[child] = candidate
        }
    }

    @inline(__always)
    mutating func popMin() -> BPECandidate? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        return heap.withUnsafeMutableBufferPointer { buffer -> BPECandidate in
            let top = buffer[0]
            let count = buffer.count
            var parent = 0
            while true {
                var child = 2 * parent + 1
                guard child < count else { break }
                if child + 1 < count && buffer[child + 1].key < buffer[child].key { child += 1 }
                guard buffer[child].key < last.key else { break }
                buffer[parent] = buffer[child]
                parent = child
            }
            buffer[parent] = last
            return top
        }
    }
}

/// The BPE models' scratch storage.
struct BPEScratch {
    var queue = BPEMergeQueue()
    /// sentencepiece: unused piece id → byte length of its left part, as last recorded (`rev_merge`).
    var unusedSplits: [Int32: Int32] = [:]
    /// The chunk being built and merge results of chunks seen before (made on first use).
    var chunkBuffers: BPEChunkBuffers?
    var chunkCache: BPEChunkCache?
}

/// Raw storage for chunks: (HF) the initial symbol ids, the linked symbols of a chunk merged with
/// the queue, and the ids a unit produces. Raw memory, so the per-character loop pays no uniqueness or exclusivity checks.
final class BPEChunkBuffers {
    private(set) var ids: UnsafeMutablePointer<Int32>
    private(set) var idCapacity: Int
    private(set) var symbols: UnsafeMutablePointer<BPESymbol>
    private(set) var symbolCapacity: Int
    private var outputs: UnsafeMutablePointer<Int32>
    private var outputCapacity: Int

    init() {
        idCapacity = 256
        ids = .allocate(capacity: idCapacity)
        symbolCapacity = 256
        symbols = .allocate(capacity: symbolCapacity)
        outputCapacity = 4096
        outputs = .allocate(capacity: outputCapacity)
    }

    deinit {
        ids.deallocate()
        symbols.deallocate()
        outputs.deallocate()
    }

    /// Room for a unit's output ids (its contents are not kept).
    func outputs(count: Int) -> UnsafeMutablePointer<Int32> { Self.room(&outputs, &outputCapacity, count, keeping: 0) }

    /// Doubles `ids`, keeping the first `count`.
    func growIDs(keeping count: Int) -> (UnsafeMutablePointer<Int32>, Int) {
        let wanted = idCapacity + 1
        let grown = Self.room(&ids, &idCapacity, wanted, keeping: count)
        return (grown, idCapacity)
    }

    /// `symbols` with room for `count` (its contents are not kept).
    func symbols(count: Int) -> UnsafeMutablePointer<BPESymbol> { Self.room(&symbols, &symbolCapacity, count, keeping: 0) }

    /// `storage` with room for `count`: when it has less, reallocated to a doubled capacity, its
    /// first `keeping` elements copied over.
    private static func room<T>(_ storage: inout UnsafeMutablePointer<T>, _ capacity: inout Int, _ count: Int,
                                keeping: Int) -> UnsafeMutablePointer<T> {
        guard count > capacity else { return storage }
        while capacity < count { capacity *= 2 }
        let bigger = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        bigger.update(from: storage, count: keeping)
        storage.deallocate()
        storage = bigger
        return storage
    }
}

/// Merge results by chunk, per thread: natural text repeats its words, so most chunks are found
/// here instead of being merged again. The key is what the merge is a function of: HF, the
/// chunk's initial symbol ids; sentencepiece, the chunk's bytes. A hit therefore gives exactly
/// what merging would. Direct-mapped (a colliding entry replaces the older one); everything is
/// dropped when the pool fills up. Raw memory, counters included: `let` pointers cost no
/// exclusivity checks per chunk.
final class BPEChunkCache {
    private static let slotCount = 1 << 14
    private static let poolLimit = 1 << 20
    /// One cache line's worth per slot: the hash, then `keyStart, valueStart, valueEnd` into
    /// `pool` (keyStart -1: empty) and the key's length in bytes — one miss per lookup instead of
    /// one per array.
    private struct Slot {
        var hash: UInt64 = 0
        var keyStart: Int32 = -1
        var valueStart: Int32 = -1
        var valueEnd: Int32 = -1
        var keyBytes: Int32 = 0
    }
    private let slots: UnsafeMutablePointer<Slot>
    /// Keys (padded to whole `Int32`s) and values (output ids), back to back; pages are touched as used.
    private let pool: UnsafeMutablePointer<Int32>
    /// `used[0]`: the used length of `pool`.
    private let used: UnsafeMutablePointer<Int>

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(), count: Self.slotCount)
        pool = .allocate(capacity: Self.poolLimit)
        used = .allocate(capacity: 1)
        used.initialize(to: 0)
    }

    deinit {
        slots.deallocate()
        pool.deallocate()
        used.deallocate()
    }

    /// The hash of a chunk's initial ids (computed when it ends: most chunks are one symbol and
    /// need none).
    @inline(__always)
    static func hash(_ ids: UnsafePointer<Int32>, count: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<count {
            h = (h ^ UInt64(UInt32(bitPattern: ids[i]))) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
        }
        return h
    }

    /// The hash of a chunk's bytes, eight at a time (``words(_:count:)``).
    @inline(__always)
    static func hash(bytes: UnsafeRawPointer, count: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        forEachWord(bytes, count: count) { word in
            h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
        }
        // The slot is the low bits, which a product takes from the factors' low bits alone: mix
        // the high bits down (measured: without this, the chunks after `▁` — its three bytes first
        // — shared few slots and the English input missed the cache twice as often).
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    /// Calls `body` with words that together hold all `count` bytes at `bytes`, reading none
    /// outside them: whole 8-byte words, then the last 8 bytes (overlapping the previous word)
    /// when some remain; under 8 bytes, two overlapping 4-byte loads, or bytes 0, count / 2 and
    /// count − 1. For a given `count` the words determine the bytes, so two keys of equal length
    /// are equal exactly when their words are (and a per-byte tail loop, which cost more than
    /// the rest of a lookup on word-sized chunks, is avoided).
    @inline(__always)
    private static func forEachWord(_ bytes: UnsafeRawPointer, count: Int, _ body: (UInt64) -> Void) {
        if count >= 8 {
            var i = 0
            while i &+ 8 <= count {
                body(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i &+= 8
            }
            if i < count { body(bytes.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)) }
        } else if count >= 4 {
            body(UInt64(bytes.loadUnaligned(as: UInt32.self)) | UInt64(bytes.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)) << 32)
        } else if count > 0 {
            let b = bytes.assumingMemoryBound(to: UInt8.self)
            body(UInt64(b[0]) | UInt64(b[count >> 1]) << 8 | UInt64(b[count &- 1]) << 16)
        }
    }

    /// Whether the `count` bytes at `a` and at `b` are equal (see ``forEachWord(_:count:_:)``).
    @inline(__always)
    private static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        if count >= 8 {
            var i = 0
            while i &+ 8 <= count {
                guard a.loadUnaligned(fromByteOffset: i, as: UInt64.self) == b.loadUnaligned(fromByteOffset: i, as: UInt64.self) else { return false }
                i &+= 8
            }
            return i == count || a.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        }
        // Under 8 bytes: one word each.
        var x: UInt64 = 0, y: UInt64 = 0
        forEachWord(a, count: count) { x = $0 }
        forEachWord(b, count: count) { y = $0 }
        return x == y
    }

    /// The cached output ids of the chunk `ids[0 ..< count]`, or nil.
    @inline(__always)
    func lookup(hash: UInt64, ids: UnsafePointer<Int32>, count: Int) -> UnsafeBufferPointer<Int32>? {
        lookup(hash: hash, key: UnsafeRawPointer(ids), byteCount: count &* 4)
    }

    /// The cached output ids of the chunk whose key is the `byteCount` bytes at `key`, or nil.
    @inline(__always)
    func lookup(hash: UInt64, key: UnsafeRawPointer, byteCount: Int) -> UnsafeBufferPointer<Int32>? {
        let slot = slots[Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)]
        guard slot.hash == hash, slot.keyStart >= 0, slot.valueEnd >= 0, Int(slot.keyBytes) == byteCount else { return nil }
        // Chunks are a few words long: loads beat calling memcmp.
        guard Self.equal(UnsafeRawPointer(pool + Int(slot.keyStart)), key, count: byteCount) else { return nil }
        return UnsafeBufferPointer(start: pool + Int(slot.valueStart), count: Int(slot.valueEnd - slot.valueStart))
    }

    /// Records the key of a chunk about to be merged; returns its slot, or nil when the chunk is
    /// too long to cache.
    func beginEntry(hash: UInt64, ids: UnsafePointer<Int32>, count: Int) -> Int? {
        beginEntry(hash: hash, key: UnsafeRawPointer(ids), byteCount: count &* 4, maximumValues: count)
    }

    /// Records a key of `byteCount` bytes whose entry will hold at most `maximumValues` ids;
    /// returns its slot, or nil when that would not fit the pool.
    func beginEntry(hash: UInt64, key: UnsafeRawPointer, byteCount: Int, maximumValues: Int) -> Int? {
        let keyWords = (byteCount + 3) / 4
        guard keyWords + maximumValues <= Self.poolLimit else { return nil }
        if used[0] + keyWords + maximumValues > Self.poolLimit {
            used[0] = 0
            slots.update(repeating: Slot(), count: Self.slotCount)
        }
        let index = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        let keyStart = used[0]
        UnsafeMutableRawPointer(pool + keyStart).copyMemory(from: key, byteCount: byteCount)
        used[0] += keyWords
        slots[index] = Slot(hash: hash, keyStart: Int32(keyStart), valueStart: Int32(used[0]), valueEnd: -1, keyBytes: Int32(byteCount))
        return index
    }

    /// Stores the merge result (at most the `maximumValues` given to `beginEntry`) for the entry
    /// `beginEntry` started.
    func finishEntry(_ index: Int, values: UnsafeBufferPointer<Int32>) {
        if let base = values.baseAddress { (pool + used[0]).update(from: base, count: values.count) }
        used[0] += values.count
        slots[index].valueEnd = Int32(used[0])
    }
}

/// `(left id, right id) → (rank, merged id)`: HF's `MergeMap`, open addressing on one 64-bit key.
/// A class over raw memory, allocated once: the hot loops look pairs up without reference
/// counting or bounds checks.
final class BPEPairTable: @unchecked Sendable {
    private let keys: UnsafeMutablePointer<UInt64>
    private let values: UnsafeMutablePointer<UInt64>
    private let mask: Int
    private static let empty = UInt64.max

    /// Later entries for the same pair replace earlier ones (a Rust `HashMap` collected in order).
    init(_ entries: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: Self.empty, count: capacity)
        values = .allocate(capacity: capacity)
        values.initialize(repeating: 0, count: capacity)
        mask = capacity - 1
        for entry in entries {
            let key = Self.key(entry.left, entry.right)
            var slot = Self.hash(key) & mask
            while keys[slot] != Self.empty && keys[slot] != key { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = UInt64(entry.rank) << 32 | UInt64(UInt32(bitPattern: entry.merged))
        }
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private static func hash(_ key: UInt64) -> Int {
        let h = key &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h ^ (h >> 31))
    }

    /// `rank << 32 | merged id` of the pair, or nil.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64? {
        let key = Self.key(left, right)
        var slot = Self.hash(key) & mask
        while true {
            let found = keys[slot]
            if found == key { return values[slot] }
            if found == Self.empty { return nil }
            slot = (slot + 1) & mask
        }
    }
}

/// A set of integer keys (pairs packed into one integer), open addressing, sized by the distinct
/// keys: the chunk-boundary tests below run once per character, and a table sized by the merges
/// (61,249 for Llama 2 against 3,279 distinct character pairs) missed the cache on most of them
/// (measured: ~30 % of HF BPE's `segment`). Raw memory in a class with `let` properties, so a
/// lookup pays no reference counting or exclusivity checks.
final class BPEKeySet<Key: FixedWidthInteger & UnsignedInteger>: @unchecked Sendable {
    private let keys: UnsafeMutablePointer<Key>
    /// `64 - log2(capacity)`: slots are the high bits of a multiplicative hash (Fibonacci
    /// hashing), which mix every bit of the key; the low bits of a product depend only on the
    /// key's low bits (measured: long probe chains on `left << 16 | right` keys).
    private let shift: UInt64
    private let mask: Int
    /// Marks a free slot; whether the key with this value is in the set is kept apart.
    private static var empty: Key { Key.max }
    private let containsEmptyKey: Bool

    /// The distinct keys of `keys` (repeats are common: every merge gives one); the table doubles
    /// when half full.
    init(_ all: [Key]) {
        var bits: UInt64 = 4
        var keys = UnsafeMutablePointer<Key>.allocate(capacity: 1 << bits)
        keys.initialize(repeating: Self.empty, count: 1 << bits)
        var count = 0
        var containsEmptyKey = false
        for key in all {
            if key == Self.empty { containsEmptyKey = true; continue }
            if Self.insert(key, into: keys, bits: bits) { count += 1 }
            if count * 2 > 1 << bits {
                let old = keys, oldCapacity = 1 << bits
                bits += 1
                keys = .allocate(capacity: 1 << bits)
                keys.initialize(repeating: Self.empty, count: 1 << bits)
                for slot in 0..<oldCapacity where old[slot] != Self.empty { _ = Self.insert(old[slot], into: keys, bits: bits) }
                old.deallocate()
            }
        }
        self.keys = keys
        shift = 64 - bits
        mask = (1 << bits) - 1
        self.containsEmptyKey = containsEmptyKey
    }

    deinit { keys.deallocate() }

    /// Adds `key`; false when it was there.
    private static func insert(_ key: Key, into keys: UnsafeMutablePointer<Key>, bits: UInt64) -> Bool {
        let mask = (1 << Int(bits)) - 1
        var slot = slot(key, shift: 64 - bits)
        while keys[slot] != empty {
            if keys[slot] == key { return false }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        return true
    }

    @inline(__always)
    private static func slot(_ key: Key, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (UInt64(truncatingIfNeeded: key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    @inline(__always)
    func contains(_ key: Key) -> Bool {
        if key == Self.empty { return containsEmptyKey }
        var slot = Self.slot(key, shift: shift)
        while true {
            let found = keys[slot]
            if found == key { return true }
            if found == Self.empty { return false }
            slot = (slot + 1) & mask
        }
    }
}

/// A set of pairs of Unicode scalars (the sentencepiece chunk-boundary test, once per character):
/// pairs of ASCII characters in a 128 × 128 bit matrix (2 KB: English and code need no hashing),
/// the others in a ``BPEKeySet`` of `first << 32 | second`.
final class BPECharacterPairs: @unchecked Sendable {
    private let others: BPEKeySet<UInt64>
    /// Bit `second` of the 128-bit row `first`: two words per row.
    private let ascii: UnsafeMutablePointer<UInt64>
    /// Per scalar of the Basic Multilingual Plane (0x10000 entries): ``first`` when it is the
    /// first of some pair, ``second`` when the second.
    let sides: UnsafeMutablePointer<UInt8>
    static let first: UInt8 = 1
    static let second: UInt8 = 2

    init(_ pairs: [UInt64]) {
        ascii = .allocate(capacity: 256)
        ascii.initialize(repeating: 0, count: 256)
        sides = .allocate(capacity: 0x10000)
        sides.initialize(repeating: 0, count: 0x10000)
        var others: [UInt64] = []
        for pair in pairs {
            let first = pair >> 32, second = pair & 0xFFFF_FFFF
            if first < 0x10000 { sides[Int(first)] |= Self.first }
            if second < 0x10000 { sides[Int(second)] |= Self.second }
            if first < 0x80 && second < 0x80 {
                ascii[Int(first << 1 | second >> 6)] |= 1 &<< (second & 63)
            } else {
                others.append(pair)
            }
        }
        self.others = BPEKeySet(others)
    }

    deinit {
        ascii.deallocate()
        sides.deallocate()
    }

    @inline(__always)
    static func key(_ first: UInt32, _ second: UInt32) -> UInt64 { UInt64(first) << 32 | UInt64(second) }

    @inline(__always)
    func contains(_ first: UInt32, _ second: UInt32) -> Bool {
        if first | second < 0x80 {
            return ascii[Int(first << 1 | second >> 6)] &>> UInt64(second & 63) & 1 != 0
        }
        return others.contains(Self.key(first, second))
    }
}

/// Where a unit may be cut into independently merged chunks (see "Chunks" above): a set of
/// adjacent character pairs `(x, y)` (Unicode scalars) that may end up inside one symbol.
enum BPEChunking {
    /// sentencepiece: adjacent characters inside any mergeable piece (`ids` into `table`); nil
    /// (never cut) when a piece is not valid UTF-8.
    static func joinableCharacters(table: PieceTable, ids: [Int32]) -> BPECharacterPairs? {
        var pairs: [UInt64] = []
        let valid = table.blob.withUnsafeBufferPointer { blob -> Bool in
            guard let base = blob.baseAddress else { return true }
            for id in ids {
                let start = Int(table.offsets[Int(id)]), end = Int(table.offsets[Int(id) + 1])
                var position = start
                var previous: UInt32?
                while position < end {
                    guard let length = UTF8Scalars.validCharacterLength(base, at: position, end: end) else { return false }
                    let scalar = UTF8Scalars.decode(base, at: position).scalar
                    if let previous { pairs.append(BPECharacterPairs.key(previous, scalar)) }
                    previous = scalar
                    position += length
                }
            }
            return true
        }
        return valid ? BPECharacterPairs(pairs) : nil
    }

    /// The first and last Unicode scalar of every piece (`UInt32.max` where a piece is empty or not
    /// valid UTF-8: the same value on both sides, so such pieces are never cut apart wrongly).
    static func edgeScalars(table: PieceTable) -> (first: [UInt32], last: [UInt32]) {
        var first = [UInt32](repeating: .max, count: table.count)
        var last = [UInt32](repeating: .max, count: table.count)
        table.blob.withUnsafeBufferPointer { blob in
            guard let base = blob.baseAddress else { return }
            for id in 0..<table.count {
                let start = Int(table.offsets[id]), end = Int(table.offsets[id + 1])
                guard start < end, UTF8Scalars.validCharacterLength(base, at: start, end: end) != nil else { continue }
                first[id] = UTF8Scalars.decode(base, at: start).scalar
                var lead = end - 1
                while lead > start && base[lead] & 0xC0 == 0x80 { lead -= 1 }
                if UTF8Scalars.validCharacterLength(base, at: lead, end: end) == end - lead {
                    last[id] = UTF8Scalars.decode(base, at: lead).scalar
                }
            }
        }
        return (first, last)
    }
}
