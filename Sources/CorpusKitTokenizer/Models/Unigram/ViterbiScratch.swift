/// Per-position Viterbi state, reused across documents so the hot loop never allocates.
struct ViterbiScratch<Score: BinaryFloatingPoint> {
    /// Best path score ending at each byte position.
    var score: [Score] = []
    /// Start of the last piece of that best path (-1: not reached).
    var start: [Int32] = []
    /// Id of that last piece.
    var id: [Int32] = []

    /// Resets the first `count` positions.
    @inline(__always)
    mutating func reset(count: Int) {
        if score.count < count {
            score = [Score](repeating: 0, count: count)
            start = [Int32](repeating: -1, count: count)
            id = [Int32](repeating: -1, count: count)
        } else {
            score.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.update(repeating: 0, count: count)
            }
            start.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.update(repeating: -1, count: count)
            }
        }
    }
}
