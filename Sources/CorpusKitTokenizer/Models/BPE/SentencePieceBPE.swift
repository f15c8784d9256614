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
/// character, so its state is known). The text is cut into independent chunks first
/// (``BPEChunking``), unless the model has unused pieces (their `rev_merge` is shared by the
/// whole text). A merged unused piece is split back, recursively, into the two symbols
/// last recorded for its string. Each final symbol gets `PieceToId`'s id (the reserved pieces
/// first, then the others, else `<unk>`); unknown symbols become byte pieces with byte fallback,
/// else runs of them one `<unk>`.
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

    /// - Throws: when a normal, user-defined or unused piece is defined twice.
    init(table: PieceTable, byteFallback: Bool, unknownID: Int32, trieCache: TrieCache = .default) throws(TokenizerError) {
        let types = table.types
        let ids = (0..<Int32(table.count)).filter { types[Int($0)] == .normal || types[Int($0)] == .userDefined || types[Int($0)] == .unused }
        trie = DoubleArrayTrie(blob: table.blob, offsets: table.offsets, keys: ids, values: ids, cache: trieCache)
        if let position = trie.duplicateKeyPosition {
            throw .malformedModel("piece \(table.piece(Int(ids[position])).debugDescription) is defined twice")
        }
        self.table = table
        scores = table.scores.map { $0 == 0 ? Float(0) : Float($0) }
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

    func segment(_ normalized: UnsafeBufferPointer<UInt8>, into output: inout [Int32],
                 scratch: inout ModelScratch) {
        let size = normalized.count
        guard size > 0, let text = normalized.baseAddress else { return }
        var symbols = scratch.bpe.symbols
        var queue = scratch.bpe.queue
        scratch.bpe.symbols = []
        scratch.bpe.queue = BPEMergeQueue()
        defer {
            scratch.bpe.symbols = symbols
            scratch.bpe.queue = queue
        }
        symbols.removeAll(keepingCapacity: true)
        queue.removeAll()
        if !scratch.bpe.unusedSplits.isEmpty { scratch.bpe.unusedSplits.removeAll(keepingCapacity: true) }

        // Characters (or frozen user-defined symbols), cut into chunks no merge can cross.
        var chunkStarts = scratch.bpe.chunkStarts
        chunkStarts.removeAll(keepingCapacity: true)
        chunkStarts.append(0)
        var position = 0
        var previousScalar: UInt32 = 0
        var previousFrozen = true
        while position < size {
            var length = 0
            var frozen = false
            if let matcher = userDefinedSymbols {
                matcher.forEachPrefix(text, from: position, to: size) { matched, _ in length = max(length, matched) }
                frozen = length > 0
            }
            if length == 0 { length = min(UTF8Scalars.sequenceLength(lead: text[position]), size - position) }
            var index = Int32(symbols.count)
            var prev = index - 1
            if let joinable {
                let scalar = UTF8Scalars.decode(text, at: position).scalar
                if index > 0 && (frozen || previousFrozen || !joinable.contains(previousScalar, scalar)) {
                    symbols[Int(index) - 1].next = -1
                    prev = -1
                    chunkStarts.append(index)
                }
                previousScalar = scalar
                previousFrozen = frozen
            }
            symbols.append(BPESymbol(start: Int32(position), length: Int32(length), prev: prev,
                                     next: position + length < size ? index + 1 : -1, id: walk(0, text + position, length), frozen: frozen))
            index += 1
            position += length
        }
        chunkStarts.append(Int32(symbols.count))
        defer { scratch.bpe.chunkStarts = chunkStarts }

        var splits = scratch.bpe.unusedSplits
        scratch.bpe.unusedSplits = [:]
        symbols.withUnsafeMutableBufferPointer { symbols in
            for chunk in 0..<chunkStarts.count - 1 {
                let (first, end) = (Int(chunkStarts[chunk]), Int(chunkStarts[chunk + 1]))
                if end - first > 1 { merge(symbols, first..<end, text: text, queue: &queue, splits: &splits) }
            }
        }
        scratch.bpe.unusedSplits = splits

        // Emission: resegment unused pieces, resolve ids, unknown pieces to bytes or one <unk> per run.
        // Symbols merged away have length 0; the rest are in text order.
        var previousUnknown = false
        for symbol in symbols where symbol.length > 0 {
            emit(text, start: Int(symbol.start), length: Int(symbol.length), pieceID: piece(atState: symbol.id),
                 splits: scratch.bpe.unusedSplits, previousUnknown: &previousUnknown, into: &output)
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
                      previousUnknown: inout Bool, into output: inout [Int32]) {
        var id: Int32
        if let pieceID {
            id = outputIDs[Int(pieceID)]
            if id == pieceID && table.types[Int(pieceID)] == .unused, let leftLength = splits[pieceID] {
                let left = Int(leftLength)
                emit(text, start: start, length: left, pieceID: piece(atState: walk(0, text + start, left)),
                     splits: splits, previousUnknown: &previousUnknown, into: &output)
                emit(text, start: start + left, length: length - left, pieceID: piece(atState: walk(0, text + start + left, length - left)),
                     splits: splits, previousUnknown: &previousUnknown, into: &output)
                return
            }
        } else {
            id = reservedCharacters.isEmpty ? unknownID : reservedCharacters[Array(UnsafeBufferPointer(start: text + start, count: length))] ?? unknownID
        }
        let isUnknown = table.types[Int(id)] == .unknown
        if isUnknown && byteFallback {
            for i in start..<start + length { output.append(byteIDs[Int(text[i])]) }
        } else if !(isUnknown && previousUnknown) {
            output.append(id)
        }
        previousUnknown = isUnknown
    }
}
