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
/// shifted alike), so the result is the references' exactly, with small queues.
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
    var symbols: [BPESymbol] = []
    /// Index of the first symbol of each chunk, then the symbol count.
    var chunkStarts: [Int32] = []
    var queue = BPEMergeQueue()
    /// sentencepiece: unused piece id → byte length of its left part, as last recorded (`rev_merge`).
    var unusedSplits: [Int32: Int32] = [:]
    /// HF: merge results of chunks seen before.
    var chunkCache = BPEChunkCache()
}

/// Merge results by chunk (the sequence of its initial symbol ids), per thread: natural text
/// repeats its words, so most chunks are found here instead of being merged again. Merging is a
/// function of the symbol ids alone, so a hit gives exactly what merging would. Direct-mapped (a
/// colliding entry replaces the older one); everything is dropped when the pool fills up.
struct BPEChunkCache {
    private static let slotCount = 1 << 14
    private static let poolLimit = 1 << 20
    /// Per slot: hash, then offsets into `pool` of the key and the value (`keyStart, valueStart, valueEnd`).
    /// Allocated on first use (an empty cache costs nothing to create or move).
    private var hashes: [UInt64] = []
    private var ranges: [Int32] = []
    /// Keys (initial symbol ids) and values (output ids), back to back.
    private var pool: [Int32] = []

    @inline(__always) static func start(_ id: Int32) -> UInt64 { combine(0x9E37_79B9_7F4A_7C15, id) }

    @inline(__always) static func combine(_ hash: UInt64, _ id: Int32) -> UInt64 {
        let h = (hash ^ UInt64(UInt32(bitPattern: id))) &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 29)
    }

    /// Appends the cached ids of `chunk` to `output`; false when it is not cached.
    @inline(__always)
    func append(hash: UInt64, chunk: UnsafeMutableBufferPointer<BPESymbol>, to output: inout [Int32]) -> Bool {
        guard !hashes.isEmpty else { return false }
        let slot = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        guard hashes[slot] == hash, ranges[3 * slot] >= 0 else { return false }
        let keyStart = Int(ranges[3 * slot]), valueStart = Int(ranges[3 * slot + 1]), valueEnd = Int(ranges[3 * slot + 2])
        guard valueStart - keyStart == chunk.count else { return false }
        for i in 0..<chunk.count where pool[keyStart + i] != chunk[i].id { return false }
        output.append(contentsOf: pool[valueStart..<valueEnd])
        return true
    }

    /// Records the key of a chunk about to be merged; returns the slot.
    mutating func beginEntry(hash: UInt64, chunk: UnsafeMutableBufferPointer<BPESymbol>) -> Int {
        if hashes.isEmpty {
            hashes = [UInt64](repeating: 0, count: Self.slotCount)
            ranges = [Int32](repeating: -1, count: 3 * Self.slotCount)
        }
        if pool.count + 2 * chunk.count > Self.poolLimit {
            pool.removeAll(keepingCapacity: true)
            for i in ranges.indices { ranges[i] = -1 }
        }
        let slot = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        hashes[slot] = hash
        ranges[3 * slot] = Int32(pool.count)
        for symbol in chunk { pool.append(symbol.id) }
        ranges[3 * slot + 1] = Int32(pool.count)
        ranges[3 * slot + 2] = -1
        return slot
    }

    /// Stores the merge result for the entry `beginEntry` started.
    mutating func finishEntry(_ slot: Int, values: ArraySlice<Int32>) {
        pool.append(contentsOf: values)
        ranges[3 * slot + 2] = Int32(pool.count)
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

/// Where a unit may be cut into independently merged chunks (see "Chunks" above): a set of
/// adjacent character pairs `(x, y)` (Unicode scalars) that may end up inside one symbol.
enum BPEChunking {
    /// sentencepiece: adjacent characters inside any mergeable piece (`ids` into `table`); nil
    /// (never cut) when a piece is not valid UTF-8.
    static func joinableCharacters(table: PieceTable, ids: [Int32]) -> BPEPairTable? {
        var entries: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)] = []
        let valid = table.blob.withUnsafeBufferPointer { blob -> Bool in
            guard let base = blob.baseAddress else { return true }
            for id in ids {
                let start = Int(table.offsets[Int(id)]), end = Int(table.offsets[Int(id) + 1])
                var position = start
                var previous: UInt32?
                while position < end {
                    guard let length = UTF8Scalars.validCharacterLength(base, at: position, end: end) else { return false }
                    let scalar = UTF8Scalars.decode(base, at: position).scalar
                    if let previous { entries.append((Int32(bitPattern: previous), Int32(bitPattern: scalar), 0, 0)) }
                    previous = scalar
                    position += length
                }
            }
            return true
        }
        return valid ? BPEPairTable(entries) : nil
    }

    /// HF: the last character of each merge's left piece with the first of its right piece.
    static func joinableCharacters(merges: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)],
                                   lastScalar: [UInt32], firstScalar: [UInt32]) -> BPEPairTable {
        BPEPairTable(merges.map { (Int32(bitPattern: lastScalar[Int($0.left)]), Int32(bitPattern: firstScalar[Int($0.right)]), 0, 0) })
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
