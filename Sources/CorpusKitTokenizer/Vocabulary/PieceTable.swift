/// The vocabulary as contiguous arrays: piece bytes in one blob, scores and types by id.
public struct PieceTable: Sendable {
    /// All piece texts, concatenated.
    let blob: [UInt8]
    /// `offsets[id] ..< offsets[id + 1]` is piece `id` in `blob`.
    let offsets: [Int32]
    /// Scores as stored by the file (sentencepiece: float32; tokenizer.json: float64).
    public let scores: [Double]
    public let types: [PieceType]

    init(blob: [UInt8], offsets: [Int32], scores: [Double], types: [PieceType]) {
        self.blob = blob
        self.offsets = offsets
        self.scores = scores
        self.types = types
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
        self.scores = scores
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
