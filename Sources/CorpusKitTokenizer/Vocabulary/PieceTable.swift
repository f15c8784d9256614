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

    /// The text of piece `id`.
    public func piece(_ id: Int) -> String {
        String(decoding: bytes(id), as: UTF8.self)
    }
}
