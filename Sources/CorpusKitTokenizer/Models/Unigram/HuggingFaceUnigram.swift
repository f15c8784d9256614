/// HF tokenizers' Unigram model (`Unigram::encode_optimized` + `tokenize`): the shared
/// ``UnigramViterbi`` pass with float64 scores over a trie of every vocabulary entry, runs of
/// unknown characters fused into one piece, and pieces missing from the vocabulary turned into
/// `<0xXX>` tokens (byte fallback) or the unknown id.
struct HuggingFaceUnigram: SegmentationModel {
    let trie: DoubleArrayTrie
    /// The trie's states along runs of `▁`.
    let spaceRuns: SpaceRunChain
    /// ``SpaceRunChain/laneScores(_:pieceID:)`` of ``scores``, read as the trie's values are.
    let spaceRunLanes: [Double]
    /// The trie's states after the first two bytes of every three-byte character.
    let threeByteStarts: ThreeByteStarts
    let scores: [Double]
    let unknownID: Int32?
    let byteFallback: Bool
    /// Id of `<0xXX>` per byte, or -1 when the vocabulary lacks it.
    let byteIDs: [Int32]
    let unknownScore: Double
    /// Whether every score is moderate (the Viterbi pass may then skip its reached checks).
    let scoresAreModerate: Bool
    /// Whether the trie cells carry the scores (``HuggingFaceCellScores``: its values are then
    /// packed: ids are read through ``HuggingFaceCellScores/pieceID(value:)``); else the pass reads the score table.
    let scoresInCells: Bool

    init(table: PieceTable, unknownID: Int32?, byteFallback: Bool, trieCache: TrieCache = .default) {
        // The ids and the lowest score in one raw pass (`map` and `min()` were ~2 M instructions
        // of llm-jp v3.0's load, callgrind); the minimum is `Sequence.min()`'s, NaN included.
        let count = table.count
        var minScore = Double.infinity
        // The trie keeps the last id of a repeated string, like HF's token_to_ids map.
        let ids = [Int32](unsafeUninitializedCapacity: count) { ids, initialized in
            table.scores.withUnsafeBufferPointer { scores in
                if count > 0 { minScore = scores[0] }
                for id in 0..<count {
                    ids[id] = Int32(truncatingIfNeeded: id)
                    if scores[id] < minScore { minScore = scores[id] }
                }
            }
            initialized = count
        }
        scoresAreModerate = UnigramViterbi.scoresAreModerate(table.scores, unknownScore: minScore - 10.0)
        // The scores in the cells when every one fits (all of llm-jp's do).
        let cells = scoresAreModerate ? HuggingFaceCellScores.cells(scores: table.scores) : nil
        scoresInCells = cells != nil
        trie = DoubleArrayTrie(blob: table.blob, offsets: table.offsets, keys: ids, values: cells?.values ?? ids,
                               payloads: cells?.payloads, cache: trieCache)
        spaceRuns = SpaceRunChain(trie: trie)
        let inCells = scoresInCells
        spaceRunLanes = spaceRuns.laneScores(table.scores) { inCells ? HuggingFaceCellScores.pieceID(value: $0) : $0 }
        threeByteStarts = ThreeByteStarts(trie: trie)
        scores = table.scores
        self.unknownID = unknownID
        self.byteFallback = byteFallback
        unknownScore = minScore - 10.0
        var byteIDs = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let name = "<0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) + ">"
            if let value = trie.lookup(Array(name.utf8)) { byteIDs[byte] = HuggingFaceCellScores.pieceID(value: value) }
        }
        self.byteIDs = byteIDs
    }

    var typeName: String { "Unigram" }
    var vocabularyTrie: DoubleArrayTrie? { trie }

    /// Appends the ids for one pre-tokenized piece of text.
    func segment(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32],
                 scratch: inout ModelScratch) throws(TokenizerError) {
        let size = text.count
        guard size > 0, let bytes = text.baseAddress else { return }
        let missingUnknown = scores.withUnsafeBufferPointer { pieceScores in
        spaceRunLanes.withUnsafeBufferPointer { lanes in
            scoresInCells
                ? UnigramViterbi.forward(HuggingFaceCellScores.self, bytes, count: size, trie: trie, spaceRuns: spaceRuns,
                                         spaceRunLanes: lanes, threeByteStarts: threeByteStarts, scores: pieceScores,
                                         unknownScore: unknownScore, unknownID: unknownID, scratch: &scratch.doubleViterbi)
                : scoresAreModerate
                ? UnigramViterbi.forward(HuggingFaceScores.self, bytes, count: size, trie: trie, spaceRuns: spaceRuns,
                                         spaceRunLanes: lanes, threeByteStarts: threeByteStarts, scores: pieceScores,
                                         unknownScore: unknownScore, unknownID: unknownID, scratch: &scratch.doubleViterbi)
                : UnigramViterbi.forward(CheckingReached<HuggingFaceScores>.self, bytes, count: size, trie: trie,
                                         spaceRuns: spaceRuns, spaceRunLanes: lanes, threeByteStarts: threeByteStarts,
                                         scores: pieceScores, unknownScore: unknownScore, unknownID: unknownID,
                                         scratch: &scratch.doubleViterbi)
        }}
        if missingUnknown { throw .malformedModel("the Unigram model has no unk_id but the text has characters outside its vocabulary") }
        emit(bytes, size: size, scratch: &scratch.doubleViterbi, into: &output)
    }

    /// Backtracks, fusing runs of unknown pieces, and maps each piece string to its id. The ids are
    /// written back to front into raw scratch memory (at most one per byte) and appended in one
    /// copy, as sentencepiece's emission does: appending each to the array and reversing cost
    /// ~20 instructions per byte of Japanese (callgrind).
    private func emit(_ bytes: UnsafePointer<UInt8>, size: Int, scratch: inout ViterbiScratch<Double>, into output: inout [Int32]) {
        scratch.reservePieces(size)
        let unknown = unknownID ?? -1   // -1: no piece has it (every id on the path is ≥ 0)
        var write = size
        scratch.nodes.withUnsafeBufferPointer { nodes in
        scratch.pieces.withUnsafeMutableBufferPointer { pieces in
            let pieces = pieces.baseAddress!
            var endsAt = size
            var unknownRunEnd = -1   // end of the unknown run being fused, or -1
            var runStart = 0
            while endsAt > 0 {
                let startsAt = Int(nodes[endsAt].start)
                // The trie's value (``HuggingFaceCellScores`` packs more than the id into it;
                // plain ids have no bits above the mask).
                let id = HuggingFaceCellScores.pieceID(value: nodes[endsAt].id)
                if id == unknown {
                    if unknownRunEnd < 0 { unknownRunEnd = endsAt }
                    runStart = startsAt
                } else {
                    if unknownRunEnd >= 0 {
                        write = writeUnknownRun(bytes, runStart, unknownRunEnd, before: write, in: pieces)
                        unknownRunEnd = -1
                    }
                    write &-= 1   // within `pieces`: each node covers at least one byte
                    pieces[write] = id
                }
                endsAt = startsAt
            }
            if unknownRunEnd >= 0 { write = writeUnknownRun(bytes, runStart, unknownRunEnd, before: write, in: pieces) }
            output.append(contentsOf: UnsafeBufferPointer(start: pieces + write, count: size - write))
        }}
    }

    /// A fused unknown run: its string may still be a vocabulary entry; otherwise byte fallback
    /// (when every byte has a `<0xXX>` token) or the unknown id. Written before `pieces[write]`
    /// (at most one id per byte of the run); returns the new first index.
    private func writeUnknownRun(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, before write: Int,
                                 in pieces: UnsafeMutablePointer<Int32>) -> Int {
        var write = write
        if let value = trie.lookup(UnsafeBufferPointer(start: bytes + start, count: end - start)) {
            write -= 1
            pieces[write] = HuggingFaceCellScores.pieceID(value: value)
        } else if byteFallback, (start..<end).allSatisfy({ byteIDs[Int(bytes[$0])] >= 0 }) {
            var i = end - 1
            while i >= start { write -= 1; pieces[write] = byteIDs[Int(bytes[i])]; i -= 1 }
        } else {
            write -= 1
            pieces[write] = unknownID!
        }
        return write
    }
}
