/// The vocabulary as contiguous arrays: piece bytes in one blob, scores and types by id.
public struct PieceTable: Sendable {
    /// All piece texts, concatenated.
    let blob: [UInt8]
    /// `offsets[id] ..< offsets[id + 1]` is piece `id` in `blob`.
    let offsets: [Int32]
    public let types: [PieceType]
    /// The scores in the file's own width: a `.model`'s float32 scores are kept as they are, not
    /// widened into a second array at every load (8 bytes and a page fault's share per piece;
    /// llm-jp v4.0: ~390 of a ~1,950-fault load, perf stat).
    private let storedScores: StoredScores

    private enum StoredScores: Sendable {
        case float32([Float])
        case float64([Double])
    }

    init(blob: [UInt8], offsets: [Int32], scores: [Double], types: [PieceType]) {
        self.blob = blob
        self.offsets = offsets
        storedScores = .float64(scores)
        self.types = types
    }

    /// A table with sentencepiece's float32 scores.
    init(blob: [UInt8], offsets: [Int32], float32Scores: [Float], types: [PieceType]) {
        self.blob = blob
        self.offsets = offsets
        storedScores = .float32(float32Scores)
        self.types = types
    }

    /// Scores as stored by the file (sentencepiece: float32; tokenizer.json: float64), widened to
    /// `Double`. For a `.model` this builds the array: use ``score(_:)`` or ``float32Scores`` for
    /// single scores or the sentencepiece models.
    public var scores: [Double] {
        switch storedScores {
        case .float32(let scores): return scores.map(Double.init)
        case .float64(let scores): return scores
        }
    }

    /// The scores as float32, sentencepiece's width: a `.model`'s as they are, a tokenizer.json
    /// table's narrowed.
    var float32Scores: [Float] {
        switch storedScores {
        case .float32(let scores): return scores
        case .float64(let scores): return scores.map { Float($0) }
        }
    }

    /// The score of piece `id` as the file stores it.
    func score(_ id: Int) -> Double {
        switch storedScores {
        case .float32(let scores): return Double(scores[id])
        case .float64(let scores): return scores[id]
        }
    }

    init(pieces: [[UInt8]], scores: [Double], types: [PieceType]) {
        var blob: [UInt8] = []
        blob.reserveCapacity(pieces.reduce(0) { $0 + $1.count })
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(pieces.count + 1)
        for piece in pieces {
            blob.append(contentsOf: piece)
            offsets.append(Int32(blob.count))
        }
        self.blob = blob
        self.offsets = offsets
        storedScores = .float64(scores)
        self.types = types
    }

    /// Number of pieces.
    public var count: Int { types.count }

    /// The bytes of piece `id`.
    public func bytes(_ id: Int) -> ArraySlice<UInt8> {
        blob[Int(offsets[id])..<Int(offsets[id + 1])]
    }

    /// The last id whose piece is exactly `key` (HF's rule for a repeated piece), by a linear scan.
    func lastID(of key: [UInt8]) -> Int32? {
        blob.withUnsafeBufferPointer { blob in
            offsets.withUnsafeBufferPointer { offsets in
                key.withUnsafeBufferPointer { key in
                    var id = offsets.count - 2
                    while id >= 0 {
                        let start = Int(offsets[id])
                        if Int(offsets[id + 1]) - start == key.count {
                            var i = 0
                            while i < key.count && blob[start + i] == key[i] { i += 1 }
                            if i == key.count { return Int32(id) }
                        }
                        id -= 1
                    }
                    return nil
                }
            }
        }
    }

    /// The text of piece `id`.
    public func piece(_ id: Int) -> String {
        String(decoding: bytes(id), as: UTF8.self)
    }
}
