/// sentencepiece's Unigram segmentation (`unigram::Model::EncodeOptimized`, v0.2.x): the shared
/// ``UnigramViterbi`` pass over the normalized UTF-8 bytes with float32 scores and re-basing,
/// sentencepiece's bonus scores for user-defined symbols, and its handling of unknown characters
/// (byte fallback or merged `<unk>`).
struct SentencePieceUnigram: SegmentationModel {
    /// Trie over normal and user-defined pieces. sentencepiece's trie also holds unused pieces
    /// but skips them during the search, which leaves the same lattice.
    let trie: DoubleArrayTrie
    /// The trie's states along runs of `▁`.
    let spaceRuns: SpaceRunChain
    /// ``SpaceRunChain/laneScores(_:pieceID:)`` of ``scores``.
    let spaceRunLanes: [Float]
    /// The trie's states after the first two bytes of every three-byte character.
    let threeByteStarts: ThreeByteStarts
    /// Score of each piece as the Viterbi pass uses it: user-defined pieces get sentencepiece's
    /// length bonus `0.1 * (length - 1)` (their length is fixed, so it is computed once here).
    let scores: [Float]
    let unknownID: Int32
    let byteFallback: Bool
    /// Id of `<0xXX>` for every byte (unknown id when missing).
    let byteIDs: [Int32]
    /// `min_score - kUnkPenalty`, in float32 as sentencepiece computes it.
    let unknownScore: Float
    /// A piece that occurs twice among the trie's pieces (sentencepiece refuses such models).
    let duplicatePieceID: Int32?
    /// Whether every score is moderate (the Viterbi pass may then skip its reached checks).
    let scoresAreModerate: Bool

    init(table: PieceTable, byteFallback: Bool, unknownID: Int32, trieCache: TrieCache = .default) {
        // One pass over the pieces with raw pointers for the trie's keys, the float32 scores, the
        // lowest normal score and the byte pieces (four passes with appends and `table.bytes`
        // slices were ~8 M instructions of llm-jp v3.0's load, callgrind).
        let count = table.count
        let tableScores = table.float32Scores
        var minScore = Float.greatestFiniteMagnitude
        var byteIDs = [Int32](repeating: unknownID, count: 256)
        var keyCount = 0
        var scores: [Float] = []
        let keys = [Int32](unsafeUninitializedCapacity: count) { keys, initializedKeys in
            scores = [Float](unsafeUninitializedCapacity: count) { scores, initialized in
                table.types.withUnsafeBufferPointer { types in
                tableScores.withUnsafeBufferPointer { tableScores in
                table.offsets.withUnsafeBufferPointer { offsets in
                    for id in 0..<count {
                        let score = tableScores[id]
                        scores[id] = score
                        switch types[id] {
                        case .normal:
                            minScore = min(minScore, score)
                            keys[keyCount] = Int32(truncatingIfNeeded: id)
                            keyCount &+= 1
                        case .userDefined:
                            // sentencepiece's length bonus: user-defined pieces have a fixed length.
                            scores[id] = Float(0.1 * Double(Int(offsets[id + 1]) - Int(offsets[id]) - 1))
                            keys[keyCount] = Int32(truncatingIfNeeded: id)
                            keyCount &+= 1
                        case .byte:
                            if let byte = SentencePieceDecoder.byteValue(table.bytes(id)) { byteIDs[Int(byte)] = Int32(id) }
                        case .unknown, .control, .unused:
                            break
                        }
                    }
                }}}
                initialized = count
            }
            initializedKeys = keyCount
        }
        // Each piece's value is its id, so one array serves as both keys and values; its payload is
        // its float32 score, which the Viterbi pass reads from the unit it has just walked to.
        let payloads = [UInt32](unsafeUninitializedCapacity: keyCount) { payloads, initialized in
            for index in 0..<keyCount { payloads[index] = scores[Int(keys[index])].bitPattern }
            initialized = keyCount
        }
        trie = DoubleArrayTrie(blob: table.blob, offsets: table.offsets, keys: keys, values: keys, payloads: payloads,
                               cache: trieCache)
        duplicatePieceID = trie.duplicateKeyPosition.map { keys[$0] }
        spaceRuns = SpaceRunChain(trie: trie)
        spaceRunLanes = spaceRuns.laneScores(scores) { SentencePieceScores.pieceID(value: $0) }
        threeByteStarts = ThreeByteStarts(trie: trie)
        self.scores = scores
        self.unknownID = unknownID
        self.byteFallback = byteFallback
        unknownScore = minScore - Float(10.0)
        scoresAreModerate = UnigramViterbi.scoresAreModerate(scores, unknownScore: unknownScore)
        self.byteIDs = byteIDs
    }

    var typeName: String { "Unigram" }
    var vocabularyTrie: DoubleArrayTrie? { trie }

    /// Appends the ids for `normalized` to `output`.
    func segment(_ normalized: UnsafeBufferPointer<UInt8>, into output: inout [Int32],
                 scratch: inout ModelScratch) {
        let size = normalized.count
        guard size > 0, let text = normalized.baseAddress else { return }
        _ = scores.withUnsafeBufferPointer { pieceScores in
        spaceRunLanes.withUnsafeBufferPointer { lanes in
            if scoresAreModerate {
                UnigramViterbi.forward(SentencePieceScores.self, text, count: size, trie: trie, spaceRuns: spaceRuns,
                                       spaceRunLanes: lanes, threeByteStarts: threeByteStarts, scores: pieceScores,
                                       unknownScore: unknownScore, unknownID: unknownID, scratch: &scratch.floatViterbi)
            } else {
                UnigramViterbi.forward(CheckingReached<SentencePieceScores>.self, text, count: size, trie: trie,
                                       spaceRuns: spaceRuns, spaceRunLanes: lanes, threeByteStarts: threeByteStarts,
                                       scores: pieceScores, unknownScore: unknownScore, unknownID: unknownID,
                                       scratch: &scratch.floatViterbi)
            }
        }}
        emit(text, size: size, scratch: &scratch.floatViterbi, into: &output)
    }

    /// Backtracks the best path and appends its ids, expanding unknown pieces into byte pieces
    /// (byte fallback) or merging runs of them into one `<unk>`. The ids are written back to
    /// front into raw scratch memory (at most one per byte) and appended in one copy: appending
    /// each to the array and reversing cost ~13 instructions per byte of Japanese (callgrind).
    private func emit(_ text: UnsafePointer<UInt8>, size: Int, scratch: inout ViterbiScratch<Float>, into output: inout [Int32]) {
        let first = output.count
        scratch.reservePieces(size)
        let unknownID = unknownID, byteFallback = byteFallback
        var write = size
        var endsAt = size
        scratch.nodes.withUnsafeBufferPointer { nodes in
        scratch.pieces.withUnsafeMutableBufferPointer { pieces in
        byteIDs.withUnsafeBufferPointer { byteIDs in
            // `write` stays within `pieces` (each node covers at least one byte, and a byte piece
            // one byte), so the arithmetic wraps; and the loop is written once per setting of
            // `byteFallback`, so a piece costs one compare and branch (this loop on the benchmark's
            // mixed input, v2.1: 18.6 → 12.4 M instructions, callgrind; BENCHMARKS.md "Twelfth session").
            if byteFallback {
                while endsAt > 0 {
                    let startsAt = Int(nodes[endsAt].start)
                    let id = nodes[endsAt].id
                    if id == unknownID {
                        var i = endsAt &- 1
                        while i >= startsAt { write &-= 1; pieces[write] = byteIDs[Int(text[i])]; i &-= 1 }
                    } else {
                        write &-= 1
                        pieces[write] = id
                    }
                    endsAt = startsAt
                }
            } else {
                while endsAt > 0 {
                    write &-= 1
                    pieces[write] = nodes[endsAt].id
                    endsAt = Int(nodes[endsAt].start)
                }
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[write..<size]))
        }}
        if !byteFallback {
            // Merge consecutive unknown pieces into one.
            var write = first
            var read = first
            while read < output.count {
                if output[read] == unknownID && write > first && output[write - 1] == unknownID {
                    read += 1
                    continue
                }
                output[write] = output[read]
                write += 1
                read += 1
            }
            output.removeSubrange(write...)
        }
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
