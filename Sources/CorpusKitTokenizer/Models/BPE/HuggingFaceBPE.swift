/// HF tokenizers' BPE model (`BPE::tokenize` without dropout: `merge_word` + `Word::merge_all`):
/// the shared merge loop (``BPEMergeQueue``) over one pre-tokenized word, pairs of ids ranked by
/// their line in `merges`, ties (equal rank: the same pair) to the leftmost.
///
/// Symbols start as one character each, looked up in the model vocabulary (added tokens are
/// split out before the model runs). A missing character becomes its `<0xXX>` pieces when
/// `byte_fallback` is set and every byte has one; otherwise `unk_token` (a run of them fused into
/// one with `fuse_unk`), or nothing when the model has no `unk_token`. As in `merge_word`, a
/// pending unknown symbol is flushed only before a known character, so byte pieces can come
/// before it. With `ignore_merges`, a word that is itself in the vocabulary is one token. The
/// symbols are then cut into chunks no merge can cross (``BPEChunking``: between two symbols
/// whose pieces' last and first characters no merge joins) and each chunk is merged on its own.
struct HuggingFaceBPE: SegmentationModel {
    let table: PieceTable
    /// The model vocabulary, piece → id.
    let vocabulary: PieceIndex
    let merges: BPEPairTable
    /// The `unk_token` string, and its id when the vocabulary has it.
    let unknownToken: String?
    let unknownID: Int32?
    let byteFallback: Bool
    let fuseUnknown: Bool
    let ignoreMerges: Bool
    /// Id of `<0xXX>` per byte, or -1 when the vocabulary lacks it.
    let byteIDs: [Int32]
    /// Whether a merge could ever join two symbols (chunk boundaries), and the per-character table.
    let joins: JoinTable

    /// `vocabulary`: the index of `table` (built once by the reader, which needs it for the merges).
    init(table: PieceTable, vocabulary: PieceIndex, merges: BPEPairTable, mergeList: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)],
         unknownToken: String?, byteFallback: Bool, fuseUnknown: Bool, ignoreMerges: Bool, chunking: Bool = true) {
        self.table = table
        self.vocabulary = vocabulary
        self.merges = merges
        joins = JoinTable(table: table, merges: mergeList, vocabulary: vocabulary, chunking: chunking)
        self.unknownToken = unknownToken
        unknownID = unknownToken.flatMap { vocabulary.id(Array($0.utf8)) }
        self.byteFallback = byteFallback
        self.fuseUnknown = fuseUnknown
        self.ignoreMerges = ignoreMerges
        byteIDs = (0..<256).map { byte in
            vocabulary.id(Array(("<0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) + ">").utf8)) ?? -1
        }
    }

    var typeName: String { "BPE" }
    var vocabularyTrie: DoubleArrayTrie? { nil }

    /// Whether a merge could ever join a symbol `left` with a following symbol `right`: the last
    /// character of `left`'s piece and the first of `right`'s meet in some merge.
    ///
    /// The characters that end a merge's left piece get dense "left classes", those that start a
    /// right piece "right classes" (a few hundred each for Llama 2 and its extension), so a pair
    /// is one 32-bit key in a table of a few thousand: small enough to stay in cache, which the
    /// per-character test needs. Raw memory in a class, allocated once, so the test costs no
    /// reference counting.
    final class JoinTable: @unchecked Sendable {
        /// The class of a character that no merge joins on that side.
        static let none: UInt32 = 0xFFFF
        /// `left class << 16 | right class` of every merge.
        let pairs: BPEKeySet<UInt32>
        /// False when a side has 65,535 classes or more (they would not pack): nothing is cut.
        let cuts: Bool
        /// Per id: the left class of its piece's last character << 16 | the right class of its first.
        private let classes: UnsafeMutablePointer<UInt32>
        /// Per character of the Basic Multilingual Plane (one to three UTF-8 bytes), one load: its
        /// id in the low 32 bits (-1: none), its ``classes(_:)`` in the high 32.
        let characters: UnsafeMutablePointer<UInt64>

        /// `chunking: false`: nothing is cut (as when the classes do not pack).
        init(table: PieceTable, merges: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)], vocabulary: PieceIndex,
             chunking: Bool = true) {
            let (firstScalar, lastScalar) = BPEChunking.edgeScalars(table: table)
            var left = ScalarClasses(), right = ScalarClasses()
            var keys: [UInt32] = []
            keys.reserveCapacity(merges.count)
            for merge in merges {
                let l = left.assign(lastScalar[Int(merge.left)]), r = right.assign(firstScalar[Int(merge.right)])
                keys.append(l << 16 | r)
            }
            cuts = chunking && left.count < Int(Self.none) && right.count < Int(Self.none)
            pairs = BPEKeySet(cuts ? keys : [])
            let count = table.count
            classes = .allocate(capacity: max(1, count))
            for id in 0..<count {
                classes[id] = cuts ? left.class(of: lastScalar[id]) << 16 | right.class(of: firstScalar[id]) : 0
            }
            characters = .allocate(capacity: 0x10000)
            characters.initialize(repeating: 0xFFFF_FFFF, count: 0x10000)
            table.blob.withUnsafeBufferPointer { blob in
                guard let base = blob.baseAddress else { return }
                for id in 0..<count {
                    let start = Int(table.offsets[id]), end = Int(table.offsets[id + 1])
                    guard end - start < 4, let length = UTF8Scalars.validCharacterLength(base, at: start, end: end), length == end - start else { continue }
                    let scalar = Int(UTF8Scalars.decode(base, at: start).scalar)
                    // The vocabulary's lookup decides between repeated pieces, as HF's map does.
                    guard characters[scalar] == 0xFFFF_FFFF, let found = vocabulary.id(base + start, count: end - start) else { continue }
                    characters[scalar] = UInt64(UInt32(bitPattern: found)) | UInt64(classes[Int(found)]) << 32
                }
            }
        }

        deinit {
            classes.deallocate()
            characters.deallocate()
        }

        /// `left class << 16 | right class` of piece `id`.
        @inline(__always)
        func classes(_ id: Int32) -> UInt32 { classes[Int(id)] }

        /// Whether a symbol whose last character has left class `leftClass` may merge with a
        /// following one of classes `next` (``classes(_:)``).
        @inline(__always)
        func mayJoin(leftClass: UInt32, next: UInt32) -> Bool {
            let rightClass = next & 0xFFFF
            return !cuts || (leftClass != Self.none && rightClass != Self.none && pairs.contains(leftClass << 16 | rightClass))
        }

        /// Dense numbers for scalars: flat for the Basic Multilingual Plane, a dictionary beyond
        /// (rare; it includes `UInt32.max`, the edge of a piece that is not valid UTF-8).
        private struct ScalarClasses {
            private var bmp = [UInt32](repeating: JoinTable.none, count: 0x10000)
            private var other: [UInt32: UInt32] = [:]
            private(set) var count = 0

            mutating func assign(_ scalar: UInt32) -> UInt32 {
                if scalar < 0x10000 {
                    if bmp[Int(scalar)] == JoinTable.none { bmp[Int(scalar)] = UInt32(truncatingIfNeeded: count); count += 1 }
                    return bmp[Int(scalar)]
                }
                if let known = other[scalar] { return known }
                let new = UInt32(truncatingIfNeeded: count)
                other[scalar] = new
                count += 1
                return new
            }

            func `class`(of scalar: UInt32) -> UInt32 {
                scalar < 0x10000 ? bmp[Int(scalar)] : other[scalar] ?? JoinTable.none
            }
        }
    }

    func segment(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32],
                 scratch: inout ModelScratch) throws(TokenizerError) {
        let size = text.count
        guard size > 0, let bytes = text.baseAddress else { return }
        if ignoreMerges, let id = vocabulary.id(bytes, count: size) {
            output.append(id)
            return
        }
        if scratch.bpe.chunkBuffers == nil {
            scratch.bpe.chunkBuffers = BPEChunkBuffers()
            scratch.bpe.chunkCache = BPEChunkCache()
        }
        // At most one symbol per byte (byte fallback), so the ids fit in `size`.
        var chunk = ChunkMerger(model: self, buffers: scratch.bpe.chunkBuffers!, outputCapacity: size,
                                queue: scratch.bpe.queue, cache: scratch.bpe.chunkCache!)
        scratch.bpe.queue = BPEMergeQueue()
        defer { scratch.bpe.queue = chunk.queue }

        // `merge_word`: characters to ids, streamed into chunks (merged as soon as they end).
        // The text is valid UTF-8; one- to three-byte characters are decoded inline (wrapping
        // arithmetic: the general decoder's overflow checks were a fifth of this loop).
        let characters = joins.characters
        var pendingUnknown: (start: Int, length: Int)?
        var position = 0
        while position < size {
            let b0 = UInt32(bytes[position])
            var length = 1
            var scalar = b0
            if b0 >= 0x80 {
                let remaining = size &- position
                if b0 >= 0xE0 && b0 < 0xF0 && remaining >= 3 {
                    scalar = (b0 & 0x0F) << 12 | UInt32(bytes[position &+ 1] & 0x3F) << 6 | UInt32(bytes[position &+ 2] & 0x3F)
                    length = 3
                } else if b0 >= 0xC0 && b0 < 0xE0 && remaining >= 2 {
                    scalar = (b0 & 0x1F) << 6 | UInt32(bytes[position &+ 1] & 0x3F)
                    length = 2
                } else {
                    length = min(UTF8Scalars.sequenceLength(lead: UInt8(b0)), remaining)
                    scalar = .max
                }
            }
            if scalar != .max {
                let info = characters[Int(scalar)]
                let id = Int32(truncatingIfNeeded: info)
                if id >= 0 {
                    if pendingUnknown != nil {
                        chunk.add(unknownID!)
                        pendingUnknown = nil
                    }
                    chunk.add(id, classes: UInt32(truncatingIfNeeded: info >> 32))
                    position &+= length
                    continue
                }
            } else if let id = vocabulary.id(bytes + position, count: length) {
                if pendingUnknown != nil {
                    chunk.add(unknownID!)
                    pendingUnknown = nil
                }
                chunk.add(id)
                position &+= length
                continue
            }
            // A character missing from the vocabulary.
            if byteFallback && (position..<position + length).allSatisfy({ byteIDs[Int(bytes[$0])] >= 0 }) {
                for i in position..<position + length { chunk.add(byteIDs[Int(bytes[i])]) }
            } else if let unknownToken {
                guard unknownID != nil else { throw .malformedModel("the BPE unk_token \(unknownToken.debugDescription) is not in the vocabulary") }
                if let pending = pendingUnknown {
                    if fuseUnknown {
                        pendingUnknown = (pending.start, pending.length + length)
                    } else {
                        chunk.add(unknownID!)
                        pendingUnknown = (position, length)
                    }
                } else {
                    pendingUnknown = (position, length)
                }
            }
            position += length
        }
        if pendingUnknown != nil { chunk.add(unknownID!) }
        chunk.flush()
        output.append(contentsOf: UnsafeBufferPointer(start: chunk.out, count: chunk.outCount))
    }

    /// The ids of the current chunk and the merge loop (`merge_all`) that runs when it ends.
    private struct ChunkMerger {
        let merges: BPEPairTable
        let joins: JoinTable
        let buffers: BPEChunkBuffers
        let cache: BPEChunkCache
        /// The chunk is `ids[0 ..< count]` (storage owned by `buffers`).
        var ids: UnsafeMutablePointer<Int32>
        var capacity: Int
        var count = 0
        var queue: BPEMergeQueue
        /// The left class of the chunk's last character.
        var leftClass = JoinTable.none
        /// The unit's output so far, `out[0 ..< outCount]` (storage owned by `buffers`): copied
        /// into the caller's array once, not appended to it per chunk.
        let out: UnsafeMutablePointer<Int32>
        var outCount = 0

        init(model: HuggingFaceBPE, buffers: BPEChunkBuffers, outputCapacity: Int, queue: BPEMergeQueue, cache: BPEChunkCache) {
            merges = model.merges
            joins = model.joins
            self.buffers = buffers
            self.cache = cache
            ids = buffers.ids
            capacity = buffers.idCapacity
            out = buffers.outputs(count: outputCapacity)
            self.queue = queue
        }

        /// Appends a symbol whose classes are looked up.
        @inline(__always)
        mutating func add(_ id: Int32) {
            add(id, classes: joins.classes(id))
        }

        /// Appends a symbol; first merges and emits the chunk so far when no merge can join them.
        @inline(__always)
        mutating func add(_ id: Int32, classes: UInt32) {
            if count > 0 && !joins.mayJoin(leftClass: leftClass, next: classes) { flush() }
            if count == capacity { (ids, capacity) = buffers.growIDs(keeping: count) }
            ids[count] = id
            count += 1
            leftClass = classes >> 16
        }

        /// Merges the chunk (or takes it from the cache), appends its ids and empties it.
        mutating func flush() {
            defer { count = 0 }
            guard count > 1 else {
                if count == 1 { out[outCount] = ids[0]; outCount += 1 }
                return
            }
            if count == 2 {
                // One pair: the merge table answers as cheaply as the cache would.
                if let merge = merges.lookup(ids[0], ids[1]) {
                    out[outCount] = Int32(truncatingIfNeeded: merge & 0xFFFF_FFFF)
                    outCount += 1
                } else {
                    out[outCount] = ids[0]
                    out[outCount + 1] = ids[1]
                    outCount += 2
                }
                return
            }
            let hash = BPEChunkCache.hash(ids, count: count)
            if let values = cache.lookup(hash: hash, ids: ids, count: count) {
                for value in values { out[outCount] = value; outCount += 1 }
                return
            }
            let entry = cache.beginEntry(hash: hash, ids: ids, count: count)
            let merged = count <= Self.smallChunk
                ? Self.mergeSmall(ids, count: count, merges: merges)
                : Self.merge(ids, count: count, symbols: buffers.symbols(count: count), merges: merges, queue: &queue)
            let values = UnsafeBufferPointer(start: ids, count: merged)
            (out + outCount).update(from: ids, count: merged)
            outCount += merged
            if let entry { cache.finishEntry(entry, values: values) }
        }

        /// Chunks up to this many symbols are merged by scanning for the best pair instead of queueing.
        private static let smallChunk = 24

        /// `Word::merge_all` over one chunk: the ids are merged in place; returns how many remain.
        private static func merge(_ ids: UnsafeMutablePointer<Int32>, count: Int, symbols: UnsafeMutablePointer<BPESymbol>,
                                  merges: BPEPairTable, queue: inout BPEMergeQueue) -> Int {
            for i in 0..<count {
                symbols[i] = BPESymbol(start: 0, length: 1, prev: Int32(i) - 1, next: i + 1 < count ? Int32(i + 1) : -1, id: ids[i], frozen: false)
            }
            queue.removeAll()
            for left in 0..<Int32(count - 1) { offer(symbols, left, merges: merges, queue: &queue) }
            while let top = queue.popMin() {
                let position = Int(UInt32(truncatingIfNeeded: top.key))
                let l = symbols[position]
                guard l.length > 0, l.next >= 0 else { continue }
                let right = Int(l.next)
                let r = symbols[right]
                let merged = Int32(truncatingIfNeeded: top.payload & 0xFFFF_FFFF)
                guard let current = merges.lookup(l.id, r.id), Int32(truncatingIfNeeded: current & 0xFFFF_FFFF) == merged else { continue }
                symbols[position].id = merged
                symbols[position].length = l.length + r.length
                symbols[position].next = r.next
                symbols[right].length = 0
                if r.next >= 0 { symbols[Int(r.next)].prev = Int32(position) }
                if l.prev >= 0 { offer(symbols, l.prev, merges: merges, queue: &queue) }
                offer(symbols, Int32(position), merges: merges, queue: &queue)
            }
            var remaining = 0
            for i in 0..<count where symbols[i].length != 0 {
                ids[remaining] = symbols[i].id
                remaining += 1
            }
            return remaining
        }

        /// The same merges for a short chunk: the queue always pops the valid pair of lowest
        /// (rank, position), which is the current adjacent pair of lowest rank, leftmost on a tie;
        /// a scan over a few symbols finds it without the queue. The ids are compacted in place;
        /// returns how many remain.
        private static func mergeSmall(_ ids: UnsafeMutablePointer<Int32>, count initialCount: Int, merges: BPEPairTable) -> Int {
            var count = initialCount
            return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: smallChunk) { pairs in
                // `rank << 32 | merged id` of each adjacent pair, or .max (no merge).
                for i in 0..<count - 1 { pairs[i] = merges.lookup(ids[i], ids[i + 1]) ?? .max }
                while count > 1 {
                    var best = 0
                    for i in 1..<count - 1 where pairs[i] < pairs[best] { best = i }
                    guard pairs[best] != .max else { break }
                    ids[best] = Int32(truncatingIfNeeded: pairs[best] & 0xFFFF_FFFF)
                    for i in best + 1..<count - 1 {
                        ids[i] = ids[i + 1]
                        pairs[i] = pairs[i + 1]
                    }
                    count -= 1
                    if best > 0 { pairs[best - 1] = merges.lookup(ids[best - 1], ids[best]) ?? .max }
                    if best < count - 1 { pairs[best] = merges.lookup(ids[best], ids[best + 1]) ?? .max }
                }
                return count
            }
        }

        /// Queues the pair starting at `left` when a merge joins it.
        @inline(__always)
        private static func offer(_ symbols: UnsafeMutablePointer<BPESymbol>, _ left: Int32, merges: BPEPairTable, queue: inout BPEMergeQueue) {
            let next = symbols[Int(left)].next
            guard next >= 0, let merge = merges.lookup(symbols[Int(left)].id, symbols[Int(next)].id) else { return }
            queue.push(BPECandidate(key: merge & 0xFFFF_FFFF_0000_0000 | UInt64(UInt32(bitPattern: left)), payload: merge))
        }
    }
}
