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
    /// Id of each character of the Basic Multilingual Plane (one to three UTF-8 bytes), or -1.
    let bmpIDs: [Int32]
    let merges: BPEPairTable
    /// The `unk_token` string, and its id when the vocabulary has it.
    let unknownToken: String?
    let unknownID: Int32?
    let byteFallback: Bool
    let fuseUnknown: Bool
    let ignoreMerges: Bool
    /// Id of `<0xXX>` per byte, or -1 when the vocabulary lacks it.
    let byteIDs: [Int32]
    /// Whether a merge could ever join two symbols (chunk boundaries).
    let joins: JoinTable

    init(table: PieceTable, merges: BPEPairTable, mergeList: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)], unknownToken: String?, byteFallback: Bool, fuseUnknown: Bool, ignoreMerges: Bool) {
        self.table = table
        let vocabulary = PieceIndex(table: table)
        self.vocabulary = vocabulary
        self.merges = merges
        joins = JoinTable(table: table, merges: mergeList)
        self.unknownToken = unknownToken
        unknownID = unknownToken.flatMap { vocabulary.id(Array($0.utf8)) }
        self.byteFallback = byteFallback
        self.fuseUnknown = fuseUnknown
        self.ignoreMerges = ignoreMerges
        var bmpIDs = [Int32](repeating: -1, count: 0x10000)
        table.blob.withUnsafeBufferPointer { blob in
            guard let base = blob.baseAddress else { return }
            for id in 0..<table.count {
                let start = Int(table.offsets[id]), end = Int(table.offsets[id + 1])
                guard end - start < 4, let length = UTF8Scalars.validCharacterLength(base, at: start, end: end), length == end - start else { continue }
                let scalar = Int(UTF8Scalars.decode(base, at: start).scalar)
                // The vocabulary's lookup decides between repeated pieces, as HF's map does.
                if bmpIDs[scalar] < 0 { bmpIDs[scalar] = vocabulary.id(base + start, count: end - start) ?? -1 }
            }
        }
        self.bmpIDs = bmpIDs
        byteIDs = (0..<256).map { byte in
            vocabulary.id(Array(("<0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) + ">").utf8)) ?? -1
        }
    }

    var typeName: String { "BPE" }
    var vocabularyTrie: DoubleArrayTrie? { nil }

    /// Whether a merge could ever join a symbol `left` with a following symbol `right`: the last
    /// character of `left`'s piece and the first of `right`'s meet in some merge. Raw memory in a
    /// class, allocated once, so the per-symbol test costs no reference counting.
    final class JoinTable: @unchecked Sendable {
        /// (last character of a merge's left piece, first character of its right piece), every merge.
        private let pairs: BPEPairTable
        private let first: UnsafeMutablePointer<UInt32>
        private let last: UnsafeMutablePointer<UInt32>
        /// Per id: bit 0 when its last character starts some pair, bit 1 when its first ends one
        /// (most symbols fail one test, which saves the pair lookup).
        private let flags: UnsafeMutablePointer<UInt8>

        init(table: PieceTable, merges: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)]) {
            let (firstScalar, lastScalar) = BPEChunking.edgeScalars(table: table)
            pairs = BPEChunking.joinableCharacters(merges: merges, lastScalar: lastScalar, firstScalar: firstScalar)
            var lefts = Set<UInt32>(), rights = Set<UInt32>()
            for merge in merges {
                lefts.insert(lastScalar[Int(merge.left)])
                rights.insert(firstScalar[Int(merge.right)])
            }
            let count = table.count
            first = .allocate(capacity: max(1, count))
            last = .allocate(capacity: max(1, count))
            flags = .allocate(capacity: max(1, count))
            for id in 0..<count {
                first[id] = firstScalar[id]
                last[id] = lastScalar[id]
                flags[id] = (lefts.contains(lastScalar[id]) ? 1 : 0) | (rights.contains(firstScalar[id]) ? 2 : 0)
            }
        }

        deinit {
            first.deallocate()
            last.deallocate()
            flags.deallocate()
        }

        @inline(__always)
        func mayJoin(_ left: Int32, _ right: Int32) -> Bool {
            flags[Int(left)] & 1 != 0 && flags[Int(right)] & 2 != 0
                && pairs.lookup(Int32(bitPattern: last[Int(left)]), Int32(bitPattern: first[Int(right)])) != nil
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
        var chunk = ChunkMerger(model: self, symbols: scratch.bpe.symbols, queue: scratch.bpe.queue, cache: scratch.bpe.chunkCache)
        scratch.bpe.symbols = []
        scratch.bpe.queue = BPEMergeQueue()
        scratch.bpe.chunkCache = BPEChunkCache()
        defer {
            scratch.bpe.symbols = chunk.symbols
            scratch.bpe.queue = chunk.queue
            scratch.bpe.chunkCache = chunk.cache
        }

        // `merge_word`: characters to ids, streamed into chunks (merged as soon as they end).
        var pendingUnknown: (start: Int, length: Int)?
        var position = 0
        while position < size {
            let lead = bytes[position]
            let length = min(UTF8Scalars.sequenceLength(lead: lead), size - position)
            let id: Int32
            if length < 4 {
                let scalar = UTF8Scalars.decode(bytes, at: position).scalar
                id = bmpIDs[Int(scalar)]
            } else {
                id = vocabulary.id(bytes + position, count: length) ?? -1
            }
            if id >= 0 {
                if let pending = pendingUnknown {
                    chunk.add(unknownID!, length: pending.length, into: &output)
                    pendingUnknown = nil
                }
                chunk.add(id, length: length, into: &output)
            } else if byteFallback && (position..<position + length).allSatisfy({ byteIDs[Int(bytes[$0])] >= 0 }) {
                for i in position..<position + length { chunk.add(byteIDs[Int(bytes[i])], length: 1, into: &output) }
            } else if let unknownToken {
                guard unknownID != nil else { throw .malformedModel("the BPE unk_token \(unknownToken.debugDescription) is not in the vocabulary") }
                if let pending = pendingUnknown {
                    if fuseUnknown {
                        pendingUnknown = (pending.start, pending.length + length)
                    } else {
                        chunk.add(unknownID!, length: pending.length, into: &output)
                        pendingUnknown = (position, length)
                    }
                } else {
                    pendingUnknown = (position, length)
                }
            }
            position += length
        }
        if let pending = pendingUnknown { chunk.add(unknownID!, length: pending.length, into: &output) }
        chunk.flush(into: &output)
    }

    /// The symbols of the current chunk and the merge loop (`merge_all`) that runs when it ends.
    private struct ChunkMerger {
        let merges: BPEPairTable
        let joins: JoinTable
        /// Storage; the chunk is `symbols[0 ..< count]`.
        var symbols: [BPESymbol]
        var count = 0
        var queue: BPEMergeQueue
        var cache: BPEChunkCache
        var hash: UInt64 = 0

        init(model: HuggingFaceBPE, symbols: [BPESymbol], queue: BPEMergeQueue, cache: BPEChunkCache) {
            merges = model.merges
            joins = model.joins
            self.symbols = symbols
            self.queue = queue
            self.cache = cache
        }

        /// Appends a symbol; first merges and emits the chunk so far when no merge can join them.
        @inline(__always)
        mutating func add(_ id: Int32, length: Int, into output: inout [Int32]) {
            if count > 0 && !joins.mayJoin(symbols[count - 1].id, id) { flush(into: &output) }
            let index = Int32(count)
            if count > 0 { symbols[count - 1].next = index }
            hash = count == 0 ? BPEChunkCache.start(id) : BPEChunkCache.combine(hash, id)
            let symbol = BPESymbol(start: 0, length: Int32(length), prev: index - 1, next: -1, id: id, frozen: false)
            if count < symbols.count { symbols[count] = symbol } else { symbols.append(symbol) }
            count += 1
        }

        /// Merges the chunk (or takes it from the cache), appends its ids and empties it.
        mutating func flush(into output: inout [Int32]) {
            defer { count = 0 }
            guard count > 1 else {
                if count == 1 { output.append(symbols[0].id) }
                return
            }
            let hash = self.hash
            let count = self.count
            let merges = self.merges
            symbols.withUnsafeMutableBufferPointer { storage in
                let symbols = UnsafeMutableBufferPointer(rebasing: storage[0..<count])
                if cache.append(hash: hash, chunk: symbols, to: &output) { return }
                let entry = cache.beginEntry(hash: hash, chunk: symbols)
                Self.merge(symbols, merges: merges, queue: &queue)
                let outputStart = output.count
                for symbol in symbols where symbol.length != 0 { output.append(symbol.id) }
                cache.finishEntry(entry, values: output[outputStart...])
            }
        }

        /// Chunks up to this many symbols are merged by scanning for the best pair instead of queueing.
        private static let smallChunk = 24

        /// `Word::merge_all` over one chunk (explicit `inout` arguments: static exclusivity checks).
        private static func merge(_ symbols: UnsafeMutableBufferPointer<BPESymbol>, merges: BPEPairTable, queue: inout BPEMergeQueue) {
            if symbols.count <= smallChunk { return mergeSmall(symbols, merges: merges) }
            queue.removeAll()
            for left in 0..<Int32(symbols.count - 1) { offer(symbols, left, merges: merges, queue: &queue) }
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
        }

        /// The same merges for a short chunk: the queue always pops the valid pair of lowest
        /// (rank, position), which is the current adjacent pair of lowest rank, leftmost on a tie;
        /// a scan over a few symbols finds it without the queue. The symbols are compacted in place
        /// (the merged-away tail gets length 0).
        private static func mergeSmall(_ symbols: UnsafeMutableBufferPointer<BPESymbol>, merges: BPEPairTable) {
            var count = symbols.count
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: smallChunk) { pairs in
                // `rank << 32 | merged id` of each adjacent pair, or .max (no merge).
                for i in 0..<count - 1 { pairs[i] = merges.lookup(symbols[i].id, symbols[i + 1].id) ?? .max }
                while count > 1 {
                    var best = 0
                    for i in 1..<count - 1 where pairs[i] < pairs[best] { best = i }
                    guard pairs[best] != .max else { break }
                    symbols[best].id = Int32(truncatingIfNeeded: pairs[best] & 0xFFFF_FFFF)
                    for i in best + 1..<count - 1 {
                        symbols[i].id = symbols[i + 1].id
                        pairs[i] = pairs[i + 1]
                    }
                    count -= 1
                    if best > 0 { pairs[best - 1] = merges.lookup(symbols[best - 1].id, symbols[best].id) ?? .max }
                    if best < count - 1 { pairs[best] = merges.lookup(symbols[best].id, symbols[best + 1].id) ?? .max }
                }
            }
            for i in count..<symbols.count { symbols[i].length = 0 }
        }

        /// Queues the pair starting at `left` when a merge joins it.
        @inline(__always)
        private static func offer(_ symbols: UnsafeMutableBufferPointer<BPESymbol>, _ left: Int32, merges: BPEPairTable, queue: inout BPEMergeQueue) {
            let next = symbols[Int(left)].next
            guard next >= 0, let merge = merges.lookup(symbols[Int(left)].id, symbols[Int(next)].id) else { return }
            queue.push(BPECandidate(key: merge & 0xFFFF_FFFF_0000_0000 | UInt64(UInt32(bitPattern: left)), payload: merge))
        }
    }
}
