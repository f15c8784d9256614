/// Per-position Viterbi state, reused across documents so the hot loop never allocates.
struct ViterbiScratch<Score: BinaryFloatingPoint> {
    /// Best path score ending at each byte position.
    var score: [Score] = []
    /// Start of the last piece of that best path (-1: not reached).
    var start: [Int32] = []
    /// Id of that last piece.
    var id: [Int32] = []
    /// Room for the ids of one backtracking pass, written back to front (at most one per byte).
    var pieces: [Int32] = []

    /// Makes `pieces` hold at least `count` ids.
    @inline(__always)
    mutating func reservePieces(_ count: Int) {
        if pieces.count < count { pieces = [Int32](repeating: 0, count: max(count, pieces.count * 2)) }
    }

    /// Resets the first `count` positions: score −∞ (not reached; 0 at position 0), start -1.
    @inline(__always)
    mutating func reset(count: Int) {
        if score.count < count {
            score = [Score](repeating: -.infinity, count: count)
            start = [Int32](repeating: -1, count: count)
            id = [Int32](repeating: -1, count: count)
        } else {
            score.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.update(repeating: -.infinity, count: count)
            }
            start.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.update(repeating: -1, count: count)
            }
        }
        score[0] = 0
    }
}
