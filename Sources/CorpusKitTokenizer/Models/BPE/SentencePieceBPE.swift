/// sentencepiece's BPE segmentation (`bpe::Model::SampleEncode` without dropout, v0.2.x, and the
/// unknown-piece handling of `SentencePieceProcessor::PopulateSentencePieceText`): the shared
/// merge loop (``BPEMergeQueue``) over the whole normalized text, pairs ranked by the float32
/// score of the piece they form, ties to the leftmost pair.
///
/// Symbols start as one character each, or one frozen user-defined symbol (the longest
/// user-defined piece at that position). A pair is a candidate when its concatenated bytes are a
/// normal, user-defined or unused piece (sentencepiece's `pieces_`; control, unknown and byte
/// pieces never merge). Rather than hashing the concatenation, each symbol keeps the state of a
/// double-array trie over those pieces after its own bytes, and a pair is looked up by walking
/// the right symbol's bytes from the left one's state (a symbol is always a piece or one
/// character, so its state is known). The text is cut into independent chunks as it is read
/// (``BPEChunking``), unless the model has unused pieces (their `rev_merge` is shared by the
/// whole text). A merged unused piece is split back, recursively, into the two symbols
/// last recorded for its string. Each final symbol gets `PieceToId`'s id (the reserved pieces
/// first, then the others, else `<unk>`); unknown symbols become byte pieces with byte fallback,
/// else runs of them one `<unk>`.
///
/// Speed (none of it changes a result): a chunk of one known character is emitted from a
/// per-character table (``CharacterTable``, which also answers most chunk-boundary tests); a
/// longer chunk's ids are taken from a per-thread cache keyed by its bytes (``BPEChunkCache``:
/// a chunk's ids are a function of its bytes, except for `<unk>` runs, handled in
/// ``flush(_:_:symbols:cache:state:)``); a missed chunk of up to ``smallChunk`` characters is
/// merged by a scan (``mergeSmall(_:_:symbols:state:)``), a longer one with the queue.
struct SentencePieceBPE: SegmentationModel {
    let table: PieceTable
    /// sentencepiece's `pieces_` (normal, user-defined and unused pieces) → id.
    let trie: DoubleArrayTrie
    /// float32 score by id, `-0` made `+0` (C++ compares them equal).
    let scores: [Float]
    /// `PieceToId` of each piece's string (the reserved map wins over `pieces_` for a shared name).
    let outputIDs: [Int32]
    /// One-character reserved pieces (control, unknown, byte) not in `pieces_` (usually none).
    let reservedCharacters: [[UInt8]: Int32]
    /// Whether any piece is unused (only then is `rev_merge` recorded).
    let hasUnusedPieces: Bool
    /// Adjacent characters inside some mergeable piece; nil: the text is never cut (unused pieces).
    let joinable: BPECharacterPairs?
    /// Longest-prefix matcher over the user-defined pieces (nil when there are none).
    let userDefinedSymbols: DoubleArrayTrie?
    let unknownID: Int32
    let byteFallback: Bool
    /// Id of `<0xXX>` for every byte (unknown id when missing).
    let byteIDs: [Int32]
    /// Per character of the Basic Multilingual Plane: what the per-character loop needs.
    let characters: CharacterTable

    /// - Throws: when a normal, user-defined or unused piece is defined twice.
    init(table: PieceTable, byteFallback: Bool, unknownID: Int32, trieCache: TrieCache = .default) throws(TokenizerError) {
        let types = table.types
        let ids = (0..<Int32(table.count)).filter { types[Int($0)] == .normal || types[Int($0)] == .userDefined || types[Int($0)] == .unused }
        trie = DoubleArrayTrie(blob: table.blob, offsets: table.offsets, keys: ids, values: ids, cache: trieCache)
        if let position = trie.duplicateKeyPosition {
            throw .malformedModel("piece \(table.piece(Int(ids[position])).debugDescription) is defined twice")
        }
        self.table = table
        scores = table.float32Scores.map { $0 == 0 ? Float(0) : $0 }
        var outputIDs = (0..<Int32(table.count)).map { $0 }
        var reservedCharacters: [[UInt8]: Int32] = [:]
        var userDefined: [[UInt8]] = []
        for id in 0..<table.count {
            switch types[id] {
            case .control, .unknown, .byte:
                let bytes = Array(table.bytes(id))
                if let shadowed = trie.lookup(bytes) {
                    outputIDs[Int(shadowed)] = Int32(id)
                } else if let length = bytes.withUnsafeBufferPointer({ UTF8Scalars.validCharacterLength($0.baseAddress!, at: 0, end: $0.count) }),
                          length == bytes.count {
                    reservedCharacters[bytes] = Int32(id)
                }
            case .userDefined:
                userDefined.append(Array(table.bytes(id)))
            default:
                break
            }
        }
        self.outputIDs = outputIDs
        self.reservedCharacters = reservedCharacters
        hasUnusedPieces = types.contains(.unused)
        joinable = hasUnusedPieces ? nil : BPEChunking.joinableCharacters(table: table, ids: ids)
        userDefinedSymbols = userDefined.isEmpty ? nil : DoubleArrayTrie(keys: userDefined, values: [Int32](repeating: 0, count: userDefined.count))
        self.unknownID = unknownID
        self.byteFallback = byteFallback
        var byteIDs = [Int32](repeating: unknownID, count: 256)
        for id in 0..<table.count where types[id] == .byte {
            if let byte = SentencePieceDecoder.byteValue(table.bytes(id)) { byteIDs[Int(byte)] = Int32(id) }
        }
        self.byteIDs = byteIDs
        characters = CharacterTable(table: table, trie: trie, outputIDs: outputIDs, pairs: joinable)
    }

    /// One 32-bit entry per character of the Basic Multilingual Plane, so that one load per
    /// character answers most chunk-boundary tests and emits most one-character chunks (nearly
    /// all of Japanese text with Llama 2's vocabulary) without the trie: bit 31, the character is
    /// the first of some joinable pair (``BPECharacterPairs``); bit 30, the second; the low 24
    /// bits, 1 + the id a chunk of this character alone emits when that is a known piece (0:
    /// otherwise — unknown, byte fallback, reserved characters: the general emission).
    final class CharacterTable: @unchecked Sendable {
        static let joinsFirst: UInt32 = 1 << 31
        static let joinsSecond: UInt32 = 1 << 30
        static let idMask: UInt32 = 0x00FF_FFFF
        /// 0x10000 entries (all 0 when the text is not cut: then nothing reads them).
        let entries: UnsafeMutablePointer<UInt32>

        init(table: PieceTable, trie: DoubleArrayTrie, outputIDs: [Int32], pairs: BPECharacterPairs?) {
            entries = .allocate(capacity: 0x10000)
            entries.initialize(repeating: 0, count: 0x10000)
            guard let pairs else { return }
            let sides = pairs.sides
            for scalar in 0..<0x10000 {
                let side = UInt32(sides[scalar])
                entries[scalar] = (side & UInt32(BPECharacterPairs.first) != 0 ? Self.joinsFirst : 0)
                    | (side & UInt32(BPECharacterPairs.second) != 0 ? Self.joinsSecond : 0)
            }
            guard table.count < Int(Self.idMask) else { return }
            // The emission of a lone character: its `pieces_` id by the same trie walk, then
            // `PieceToId`'s id; only when that is not the unknown piece.
            for id in 0..<table.count {
                let bytes = table.bytes(id)
                guard (1...3).contains(bytes.count) else { continue }
                let piece = Array(bytes)
                let valid = piece.withUnsafeBufferPointer { UTF8Scalars.validCharacterLength($0.baseAddress!, at: 0, end: $0.count) }
                guard valid == piece.count, let found = trie.lookup(piece) else { continue }
                let output = outputIDs[Int(found)]
                guard table.types[Int(output)] != .unknown else { continue }
                let scalar = piece.withUnsafeBufferPointer { UTF8Scalars.decode($0.baseAddress!, at: 0).scalar }
                entries[Int(scalar)] = entries[Int(scalar)] & ~Self.idMask | UInt32(output + 1)
            }
        }

        deinit { entries.deallocate() }
    }

    var typeName: String { "BPE" }
    var vocabularyTrie: DoubleArrayTrie? { trie }

    /// The trie state after `count` bytes from `state`, or -1.
    @inline(__always)
    private func walk(_ state: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        var state = state
        var i = 0
        while i < count && state >= 0 {
            state = trie.next(state, bytes[i])
            i += 1
        }
        return state
    }

    /// The `pieces_` id of the symbol whose trie state is `state`, or nil.
    @inline(__always)
    private func piece(atState state: Int32) -> Int32? {
        guard state >= 0 else { return nil }
        let value = trie.value(at: state)
        return value >= 0 ? value : nil
    }

    /// The priority key: higher score first, then the leftmost pair.
    @inline(__always)
    private static func key(score: Float, left: Int32) -> UInt64 {
        let bits = score.bitPattern
        let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(~ascending) << 32 | UInt64(UInt32(bitPattern: left))
    }

    /// The symbol at `position`: the longest user-defined piece there (frozen), else one character.
    @inline(__always)
    private func symbol(_ text: UnsafePointer<UInt8>, at position: Int, end: Int) -> (length: Int, frozen: Bool) {
        if let matcher = userDefinedSymbols {
            var length = 0
            matcher.forEachPrefix(text, from: position, to: end) { matched, _ in length = max(length, matched) }
            if length > 0 { return (length, true) }
        }
        return (min(UTF8Scalars.sequenceLength(lead: text[position]), end - position), false)
    }

    func segment(_ normalized: UnsafeBufferPointer<UInt8>, into output: inout [Int32],
                 scratch: inout ModelScratch) {
        let size = normalized.count
        guard size > 0, let text = normalized.baseAddress else { return }
        if scratch.bpe.chunkBuffers == nil {
            scratch.bpe.chunkBuffers = BPEChunkBuffers()
            scratch.bpe.chunkCache = BPEChunkCache()
        }
        // Non-optional locals: reading the optionals from `self` inside the loop copied them
        // through a value witness (and `unowned(unsafe)` ones were retained at every use).
        let cuts = joinable != nil
        let pairs = joinable ?? Self.noPairs
        let cache = scratch.bpe.chunkCache!
        let entries = characters.entries
        let hasUserDefined = userDefinedSymbols != nil
        var state = ChunkState(buffers: scratch.bpe.chunkBuffers!, caching: cuts,
                               outputCapacity: size, queue: scratch.bpe.queue, splits: scratch.bpe.unusedSplits)
        scratch.bpe.queue = BPEMergeQueue()
        scratch.bpe.unusedSplits = [:]
        defer {
            scratch.bpe.queue = state.queue
            scratch.bpe.unusedSplits = state.splits
        }
        state.splits.removeAll(keepingCapacity: true)

        // Symbols (characters or frozen user-defined symbols), streamed into chunks no merge can
        // cross; each chunk is merged (or found in the cache) and emitted as soon as it ends.
        var chunkStart = 0
        var chunkSymbols = 0
        var position = 0
        var previousScalar: UInt32 = 0
        var previousEntry: UInt32 = 0
        var previousFrozen = true
        while position < size {
            // One- to three-byte characters decoded inline (the text is valid UTF-8).
            let lead = text[position]
            var length = 1
            var scalar = UInt32(lead)
            var simple = true
            if lead >= 0x80 {
                let remaining = size &- position
                if lead >= 0xE0 && lead < 0xF0 && remaining >= 3 {
                    scalar = (scalar & 0x0F) << 12 | UInt32(text[position &+ 1] & 0x3F) << 6 | UInt32(text[position &+ 2] & 0x3F)
                    length = 3
                } else if lead >= 0xC0 && lead < 0xE0 && remaining >= 2 {
                    scalar = (scalar & 0x1F) << 6 | UInt32(text[position &+ 1] & 0x3F)
                    length = 2
                } else {
                    length = min(UTF8Scalars.sequenceLength(lead: lead), remaining)
                    scalar = UTF8Scalars.decode(text, at: position).scalar
                    simple = false
                }
            }
            var frozen = false
            if hasUserDefined { (length, frozen) = symbol(text, at: position, end: size) }
            if cuts {
                let entry = simple ? entries[Int(scalar)] : CharacterTable.joinsFirst | CharacterTable.joinsSecond
                if chunkSymbols > 0 {
                    let joined = !frozen && !previousFrozen && previousEntry & CharacterTable.joinsFirst != 0
                        && entry & CharacterTable.joinsSecond != 0 && pairs.contains(previousScalar, scalar)
                    if !joined {
                        if chunkSymbols == 1 && !previousFrozen && previousEntry & CharacterTable.idMask != 0 {
                            state.out[state.outCount] = Int32(bitPattern: previousEntry & CharacterTable.idMask) &- 1
                            state.outCount &+= 1
                            state.previousUnknown = false
                        } else {
                            flush(text, chunkStart..<position, symbols: chunkSymbols, cache: cache, state: &state)
                        }
                        chunkStart = position
                        chunkSymbols = 0
                    }
                }
                previousScalar = scalar
                previousEntry = entry
                previousFrozen = frozen
            }
            chunkSymbols += 1
            position += length
        }
        if cuts && chunkSymbols == 1 && !previousFrozen && previousEntry & CharacterTable.idMask != 0 {
            state.out[state.outCount] = Int32(bitPattern: previousEntry & CharacterTable.idMask) &- 1
            state.outCount &+= 1
        } else {
            flush(text, chunkStart..<size, symbols: chunkSymbols, cache: cache, state: &state)
        }
        output.append(contentsOf: UnsafeBufferPointer(start: state.out, count: state.outCount))
    }

    /// Stands in for ``joinable`` when the text is not cut (never asked).
    private static let noPairs = BPECharacterPairs([])

    /// What the chunks of one text share: scratch storage, the cache, and the output so far.
    private struct ChunkState {
        let buffers: BPEChunkBuffers
        /// False when the text is not cut (unused pieces: their `rev_merge` spans the whole text).
        let caching: Bool
        /// The ids so far, `out[0 ..< outCount]` (at most one per byte: byte fallback).
        let out: UnsafeMutablePointer<Int32>
        var outCount = 0
        var previousUnknown = false
        var queue: BPEMergeQueue
        var splits: [Int32: Int32]

        init(buffers: BPEChunkBuffers, caching: Bool, outputCapacity: Int, queue: BPEMergeQueue, splits: [Int32: Int32]) {
            self.buffers = buffers
            self.caching = caching
            out = buffers.outputs(count: outputCapacity)
            self.queue = queue
            self.splits = splits
        }
    }

    /// Chunks longer than this many bytes are not cached (they rarely repeat and would fill the pool).
    private static let longestCachedChunk = 512

    /// Merges and emits the chunk `range` of `symbolCount` symbols, or takes its ids from the cache.
    ///
    /// A chunk's ids are a function of its bytes, but for one thing: without byte fallback a run
    /// of unknown symbols is one `<unk>`, across chunks too. Entries are made as if no unknown
    /// symbol came before; a chunk's first id is an unknown piece exactly when its first symbol
    /// is unknown (then dropped when the text so far ended with one), and its last id exactly when
    /// its last symbol is.
    /// (`cache`: a parameter, so using it costs no reference counting.)
    private func flush(_ text: UnsafePointer<UInt8>, _ range: Range<Int>, symbols symbolCount: Int, cache: BPEChunkCache,
                       state: inout ChunkState) {
        if symbolCount == 1 {
            let length = range.count
            emit(text, start: range.lowerBound, length: length, pieceID: piece(atState: walk(0, text + range.lowerBound, length)),
                 splits: state.splits, previousUnknown: &state.previousUnknown, into: state.out, count: &state.outCount)
            return
        }
        guard state.caching && range.count <= Self.longestCachedChunk else {
            mergeAndEmit(text, range, symbols: symbolCount, state: &state)
            return
        }
        let key = UnsafeRawPointer(text + range.lowerBound)
        let hash = BPEChunkCache.hash(bytes: key, count: range.count)
        let first = state.outCount
        if let values = cache.lookup(hash: hash, key: key, byteCount: range.count) {
            // A few ids: a loop beats calling memcpy.
            let out = state.out
            var count = state.outCount
            for value in values {
                out[count] = value
                count &+= 1
            }
            state.outCount = count
        } else {
            let entry = cache.beginEntry(hash: hash, key: key, byteCount: range.count, maximumValues: range.count)
            let previousUnknown = state.previousUnknown
            state.previousUnknown = false
            mergeAndEmit(text, range, symbols: symbolCount, state: &state)
            state.previousUnknown = previousUnknown
            if let entry { cache.finishEntry(entry, values: UnsafeBufferPointer(start: state.out + first, count: state.outCount - first)) }
        }
        guard !byteFallback else { return }
        let out = state.out
        if state.previousUnknown && table.types[Int(out[first])] == .unknown {
            (out + first).update(from: out + first + 1, count: state.outCount - first - 1)
            state.outCount -= 1
        }
        if state.outCount > first { state.previousUnknown = table.types[Int(out[state.outCount - 1])] == .unknown }
    }

    /// The symbols of the chunk `range`, merged, then emitted in text order.
    private func mergeAndEmit(_ text: UnsafePointer<UInt8>, _ range: Range<Int>, symbols symbolCount: Int, state: inout ChunkState) {
        if state.caching && symbolCount <= Self.smallChunk {
            mergeSmall(text, range, symbols: symbolCount, state: &state)
            return
        }
        let symbols = UnsafeMutableBufferPointer(start: state.buffers.symbols(count: symbolCount), count: symbolCount)
        var position = range.lowerBound
        for index in 0..<symbolCount {
            let (length, frozen) = symbol(text, at: position, end: range.upperBound)
            symbols[index] = BPESymbol(start: Int32(position), length: Int32(length), prev: Int32(index) - 1,
                                       next: index + 1 < symbolCount ? Int32(index + 1) : -1,
                                       id: walk(0, text + position, length), frozen: frozen)
            position += length
        }
        merge(symbols, 0..<symbolCount, text: text, queue: &state.queue, splits: &state.splits)
        // Symbols merged away have length 0; the rest are in text order.
        for symbol in symbols where symbol.length > 0 {
            emit(text, start: Int(symbol.start), length: Int(symbol.length), pieceID: piece(atState: symbol.id),
                 splits: state.splits, previousUnknown: &state.previousUnknown, into: state.out, count: &state.outCount)
        }
    }

    /// Chunks up to this many symbols are merged by scanning for the best pair instead of queueing.
    private static let smallChunk = 24

    /// One symbol of a short chunk: where it starts, its length, its trie state.
    private struct ShortSymbol {
        var start: Int32
        var length: Int32
        var state: Int32
    }

    /// The merges of ``merge(_:_:text:queue:splits:)`` for a short chunk of characters (the text
    /// is cut, so none is frozen and no piece is unused), then its emission. The queue always pops
    /// the adjacent pair of the highest score, the leftmost on a tie (stale entries are those no
    /// longer adjacent): a scan over a few symbols finds the same pair without the queue.
    private func mergeSmall(_ text: UnsafePointer<UInt8>, _ range: Range<Int>, symbols symbolCount: Int, state: inout ChunkState) {
        withUnsafeTemporaryAllocation(of: ShortSymbol.self, capacity: Self.smallChunk) { symbols in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.smallChunk) { keys in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.smallChunk) { merged in
                    // keys[i]: the priority of pair (i, i + 1), smaller first (.max: not a piece);
                    // merged[i]: the trie state of its concatenation.
                    @inline(__always) func offer(_ i: Int) {
                        keys[i] = .max
                        let l = symbols[i], r = symbols[i + 1]
                        guard l.state >= 0 else { return }
                        let next = walk(l.state, text + Int(r.start), Int(r.length))
                        guard let id = piece(atState: next) else { return }
                        keys[i] = Self.key(score: scores[Int(id)], left: 0)
                        merged[i] = next
                    }
                    var position = range.lowerBound
                    for i in 0..<symbolCount {
                        let length = min(UTF8Scalars.sequenceLength(lead: text[position]), range.upperBound - position)
                        symbols[i] = ShortSymbol(start: Int32(position), length: Int32(length), state: walk(0, text + position, length))
                        position += length
                    }
                    for i in 0..<symbolCount - 1 { offer(i) }
                    var count = symbolCount
                    while count > 1 {
                        var best = 0
                        for i in 1..<count - 1 where keys[i] < keys[best] { best = i }
                        guard keys[best] != .max else { break }
                        symbols[best].state = merged[best]
                        symbols[best].length += symbols[best + 1].length
                        for i in best + 1..<count - 1 {
                            symbols[i] = symbols[i + 1]
                            keys[i] = keys[i + 1]
                            merged[i] = merged[i + 1]
                        }
                        count -= 1
                        if best > 0 { offer(best - 1) }
                        if best < count - 1 { offer(best) }
                    }
                    for i in 0..<count {
                        emit(text, start: Int(symbols[i].start), length: Int(symbols[i].length), pieceID: piece(atState: symbols[i].state),
                             splits: state.splits, previousUnknown: &state.previousUnknown, into: state.out, count: &state.outCount)
                    }
                }
            }
        }
    }

    /// The main loop of `SampleEncode` over one chunk (no captured variables: explicit `inout`
    /// arguments keep exclusivity checks static).
    private func merge(_ symbols: UnsafeMutableBufferPointer<BPESymbol>, _ chunk: Range<Int>, text: UnsafePointer<UInt8>,
                       queue: inout BPEMergeQueue, splits: inout [Int32: Int32]) {
        queue.removeAll()
        for right in chunk.lowerBound + 1..<chunk.upperBound {
            offer(symbols, Int32(right - 1), Int32(right), text: text, queue: &queue, splits: &splits)
        }
        while let top = queue.popMin() {
            let left = Int(UInt32(truncatingIfNeeded: top.key))
            let mergedLength = Int32(truncatingIfNeeded: top.payload >> 32)
            let l = symbols[left]
            guard l.length > 0, l.next >= 0 else { continue }
            let right = Int(l.next)
            let r = symbols[right]
            guard r.length > 0, l.length + r.length == mergedLength else { continue }
            symbols[left].length = mergedLength
            symbols[left].id = Int32(truncatingIfNeeded: top.payload & 0xFFFF_FFFF)
            symbols[left].next = r.next
            if r.next >= 0 { symbols[Int(r.next)].prev = Int32(left) }
            symbols[right].length = 0
            offer(symbols, symbols[left].prev, Int32(left), text: text, queue: &queue, splits: &splits)
            offer(symbols, Int32(left), symbols[left].next, text: text, queue: &queue, splits: &splits)
        }
    }

    /// `MaybeAddNewSymbolPair`: queues the pair when its concatenation is a mergeable piece.
    @inline(__always)
    private func offer(_ symbols: UnsafeMutableBufferPointer<BPESymbol>, _ left: Int32, _ right: Int32, text: UnsafePointer<UInt8>,
                       queue: inout BPEMergeQueue, splits: inout [Int32: Int32]) {
        guard left >= 0 && right >= 0 else { return }
        let l = symbols[Int(left)], r = symbols[Int(right)]
        guard !l.frozen && !r.frozen && l.id >= 0 else { return }
        let state = walk(l.id, text + Int(r.start), Int(r.length))
        guard let id = piece(atState: state) else { return }
        queue.push(BPECandidate(key: Self.key(score: scores[Int(id)], left: left),
                                payload: UInt64(UInt32(l.length + r.length)) << 32 | UInt64(UInt32(bitPattern: state))))
        if hasUnusedPieces && table.types[Int(id)] == .unused { splits[id] = l.length }
    }

    /// `resegment` then the processor's emission for one symbol (`pieceID`: its `pieces_` id, or nil).
    private func emit(_ text: UnsafePointer<UInt8>, start: Int, length: Int, pieceID: Int32?, splits: [Int32: Int32],
                      previousUnknown: inout Bool, into output: UnsafeMutablePointer<Int32>, count: inout Int) {
        var id: Int32
        if let pieceID {
            id = outputIDs[Int(pieceID)]
            if id == pieceID && table.types[Int(pieceID)] == .unused, let leftLength = splits[pieceID] {
                let left = Int(leftLength)
                emit(text, start: start, length: left, pieceID: piece(atState: walk(0, text + start, left)),
                     splits: splits, previousUnknown: &previousUnknown, into: output, count: &count)
                emit(text, start: start + left, length: length - left, pieceID: piece(atState: walk(0, text + start + left, length - left)),
                     splits: splits, previousUnknown: &previousUnknown, into: output, count: &count)
                return
            }
        } else {
            id = reservedCharacters.isEmpty ? unknownID : reservedCharacters[Array(UnsafeBufferPointer(start: text + start, count: length))] ?? unknownID
        }
        let isUnknown = table.types[Int(id)] == .unknown
        if isUnknown && byteFallback {
            for i in start..<start + length {
                output[count] = byteIDs[Int(text[i])]
                count += 1
            }
        } else if !(isUnknown && previousUnknown) {
            output[count] = id
            count += 1
        }
        previousUnknown = isUnknown
    }
}
