import CTextKernels

/// The best path ending at one byte position: its score, the start of its last piece (-1: the
/// position is not reached) and that piece's id. One array of these rather than three parallel
/// arrays: a candidate that wins writes one node (12 or 16 bytes, one cache line) through one
/// pointer, and the forward pass keeps one base pointer instead of three live across the walk.
struct ViterbiNode<Score: BinaryFloatingPoint> {
    var score: Score
    var start: Int32
    var id: Int32

    /// Where the fields are, for the C kernel that writes nodes (``UnigramScorePolicy/relaxSpaceRun``).
    static var layout: ck_viterbi_node_layout {
        ck_viterbi_node_layout(stride: Int64(MemoryLayout<Self>.stride), score: Int64(MemoryLayout<Self>.offset(of: \.score)!),
                               start: Int64(MemoryLayout<Self>.offset(of: \.start)!), value: Int64(MemoryLayout<Self>.offset(of: \.id)!))
    }
}

/// Per-position Viterbi state, reused across documents so the hot loop never allocates.
struct ViterbiScratch<Score: BinaryFloatingPoint> {
    /// The best path ending at each byte position.
    var nodes: [ViterbiNode<Score>] = []
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
        let unreached = ViterbiNode<Score>(score: -.infinity, start: -1, id: -1)
        if nodes.count < count {
            nodes = [ViterbiNode<Score>](repeating: unreached, count: count)
        } else {
            nodes.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.update(repeating: unreached, count: count)
            }
        }
        nodes[0].score = 0
    }
}
