import Foundation

/// The parts of a sentencepiece `ModelProto` that CorpusKit uses, decoded from the `.model` file.
public struct SentencePieceModelFile: Sendable {
    /// sentencepiece's `TrainerSpec.ModelType`.
    public enum ModelType: Int, Sendable, CustomStringConvertible {
        case unigram = 1, bpe = 2, word = 3, char = 4
        public var description: String {
            switch self {
            case .unigram: return "Unigram"
            case .bpe: return "BPE"
            case .word: return "Word"
            case .char: return "Char"
            }
        }
    }

    /// `NormalizerSpec`, with the proto defaults.
    public struct NormalizerSpec: Sendable {
        public var name = ""
        public var precompiledCharsmap: [UInt8] = []
        public var addDummyPrefix = true
        public var removeExtraWhitespaces = true
        public var escapeWhitespaces = true
        public var normalizationRuleTSV = ""
    }

    /// The `TrainerSpec` fields that matter at encode/decode time, with the proto defaults.
    public struct TrainerSpec: Sendable {
        public var modelType: ModelType = .unigram
        public var rawModelType = 1
        public var byteFallback = false
        public var treatWhitespaceAsSuffix = false
        public var splitDigits = false
        public var splitByWhitespace = true
        public var unkPiece = "<unk>"
        public var bosPiece = "<s>"
        public var eosPiece = "</s>"
        public var padPiece = "<pad>"
        public var unkSurface = " \u{2047} "
        /// `unk_id`, `bos_id`, `eos_id`, `pad_id` (-1: none); transformers' conversion reads them.
        public var unkID: Int32 = 0
        public var bosID: Int32 = 1
        public var eosID: Int32 = 2
        public var padID: Int32 = -1
    }

    /// All piece texts concatenated; piece `i` is `pieceBlob[pieceOffsets[i] ..< pieceOffsets[i + 1]]`.
    public var pieceBlob: [UInt8] = []
    public var pieceOffsets: [Int32] = [0]
    public var scores: [Float] = []
    public var types: [PieceType] = []
    public var trainerSpec = TrainerSpec()
    public var normalizerSpec = NormalizerSpec()
    public var denormalizerSpec: NormalizerSpec?

    /// Reads and decodes a `.model` file.
    public init(contentsOf path: String) throws(TokenizerError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        try self.init(serialized: data)
    }

    /// Decodes a serialized `ModelProto`.
    /// Number of pieces.
    public var pieceCount: Int { scores.count }

    /// The bytes of piece `index`.
    public func piece(_ index: Int) -> ArraySlice<UInt8> {
        pieceBlob[Int(pieceOffsets[index])..<Int(pieceOffsets[index + 1])]
    }

    public init(serialized data: Data) throws(TokenizerError) {
        var notRecording: PieceRun?
        self = try Self.parse(data, known: nil, recording: &notRecording)
    }

    /// ``init(contentsOf:)`` through ``JSONValueCache`` (a repeated load of the same large file
    /// reads its pieces from the cache instead of decoding them).
    init(contentsOf path: String, cache: JSONValueCache) throws(TokenizerError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        self = try cache.parseSentencePieceModel(data)
    }

    /// The `pieces` of a model as one run of consecutive top-level fields (as sentencepiece
    /// writes them): the run's byte range in the file and what its fields decode to.
    struct PieceRun {
        let range: Range<Int>
        let blob: [UInt8]
        let offsets: [Int32]
        let scores: [Float]
        let types: [PieceType]
    }

    /// Decodes `data`; where the reader reaches `known.range` before any piece, the run's fields
    /// are taken from `known` instead of decoded. `recording`, when not nil, receives the run
    /// decoded (nil when the pieces are not one run of consecutive fields).
    static func parse(_ data: Data, known: PieceRun?, recording: inout PieceRun?) throws(TokenizerError) -> SentencePieceModelFile {
        let result: Result<(SentencePieceModelFile, PieceRun?), TokenizerError> = data.withUnsafeBytes { raw in
            do throws(TokenizerError) {
                return .success(try Self.parse(raw, known: known))
            } catch {
                return .failure(error)
            }
        }
        let (model, run) = try result.get()
        if recording != nil { recording = run }
        return model
    }

    private init() {}

    private static func parse(_ raw: UnsafeRawBufferPointer, known: PieceRun?) throws(TokenizerError) -> (SentencePieceModelFile, PieceRun?) {
        var model = SentencePieceModelFile()
        if let known, known.range.lowerBound == 0 {
            // Only a run at the start of the file is ever recorded (see below). The arrays are
            // taken as they are: reserving room in them would copy each, and a run is recorded
            // only when it holds every piece of the file, so nothing is appended to them.
            model.pieceBlob = known.blob
            model.pieceOffsets = known.offsets
            model.scores = known.scores
            model.types = known.types
        } else {
            // Reserve once: appending piece by piece otherwise reallocates repeatedly (measured).
            model.pieceBlob.reserveCapacity(raw.count)
            model.pieceOffsets.reserveCapacity(raw.count / 8)
            model.scores.reserveCapacity(raw.count / 8)
            model.types.reserveCapacity(raw.count / 8)
        }
        var reader = ProtobufReader(raw)
        if let known, known.range.lowerBound == 0 { try reader.move(to: known.range.upperBound) }
        // The run of pieces from the first byte, while no other field has come between them.
        var runEnd = 0
        var runIsWhole = known == nil
        while !reader.isAtEnd {
            let fieldStart = reader.position
            let field = try reader.readField()
            if field.number == 1 && (field.wireType != .lengthDelimited || fieldStart != runEnd) { runIsWhole = false }
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited):
                try model.parsePiece(raw, range: try reader.readLengthDelimited())
                if fieldStart == runEnd { runEnd = reader.position }
            case (2, .lengthDelimited):
                model.trainerSpec = try parseTrainerSpec(raw, range: try reader.readLengthDelimited())
            case (3, .lengthDelimited):
                model.normalizerSpec = try parseNormalizerSpec(raw, range: try reader.readLengthDelimited())
            case (5, .lengthDelimited):
                model.denormalizerSpec = try parseNormalizerSpec(raw, range: try reader.readLengthDelimited())
            default:
                try reader.skip(field)
            }
        }
        guard !model.scores.isEmpty else { throw .malformedModel("the model has no pieces (is this a sentencepiece .model file?)") }
        let run = runIsWhole && runEnd > 0
            ? PieceRun(range: 0..<runEnd, blob: model.pieceBlob, offsets: model.pieceOffsets, scores: model.scores, types: model.types)
            : nil
        return (model, run)
    }

    private mutating func parsePiece(_ raw: UnsafeRawBufferPointer, range: Range<Int>) throws(TokenizerError) {
        // Fast path for the layout sentencepiece writes (piece, then score, then a type other
        // than the default, each at most once and in field order; a piece under 128 bytes): about
        // a third of the instructions of the general loop, which was ~300 per piece, 58 M of
        // llm-jp v4.0's load (callgrind). Anything else takes the general loop below.
        if let base = raw.baseAddress, range.count >= 2, raw[range.lowerBound] == 0x0A, raw[range.lowerBound + 1] < 0x80 {
            let bytes = base.assumingMemoryBound(to: UInt8.self)
            let pieceStart = range.lowerBound + 2
            let pieceEnd = pieceStart + Int(bytes[range.lowerBound + 1])
            var position = pieceEnd
            var score: Float = 0
            var type = PieceType.normal
            var simple = pieceEnd <= range.upperBound
            if simple && position + 5 <= range.upperBound && bytes[position] == 0x15 {
                score = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position + 1, as: UInt32.self)))
                position += 5
            }
            if simple && position + 2 <= range.upperBound && bytes[position] == 0x18 {
                if let value = PieceType(rawValue: bytes[position + 1]) { type = value } else { simple = false }
                position += 2
            }
            if simple && position == range.upperBound {
                pieceBlob.append(contentsOf: UnsafeBufferPointer(start: bytes + pieceStart, count: pieceEnd - pieceStart))
                pieceOffsets.append(Int32(pieceBlob.count))
                scores.append(score)
                types.append(type)
                return
            }
        }
        var reader = ProtobufReader(raw, range: range)
        var piece: Range<Int> = 0..<0
        var score: Float = 0
        var type = PieceType.normal
        while !reader.isAtEnd {
            let field = try reader.readField()
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): piece = try reader.readLengthDelimited()
            case (2, .fixed32): score = try reader.readFloat()
            case (3, .varint):
                let raw = try reader.readVarint()
                guard raw <= 6, let value = PieceType(rawValue: UInt8(raw)) else {
                    throw .malformedModel("piece \(scores.count) has unknown type \(raw)")
                }
                type = value
            default: try reader.skip(field)
            }
        }
        pieceBlob.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[piece]))
        pieceOffsets.append(Int32(pieceBlob.count))
        scores.append(score)
        types.append(type)
    }

    private static func parseTrainerSpec(_ raw: UnsafeRawBufferPointer, range: Range<Int>) throws(TokenizerError) -> TrainerSpec {
        var spec = TrainerSpec()
        var reader = ProtobufReader(raw, range: range)
        while !reader.isAtEnd {
            let field = try reader.readField()
            switch (field.number, field.wireType) {
            case (3, .varint):
                let value = Int(truncatingIfNeeded: try reader.readVarint())
                spec.rawModelType = value
                if let type = ModelType(rawValue: value) { spec.modelType = type }
            case (35, .varint): spec.byteFallback = try reader.readVarint() != 0
            case (24, .varint): spec.treatWhitespaceAsSuffix = try reader.readVarint() != 0
            case (25, .varint): spec.splitDigits = try reader.readVarint() != 0
            case (22, .varint): spec.splitByWhitespace = try reader.readVarint() != 0
            case (45, .lengthDelimited): spec.unkPiece = try reader.readString()
            case (46, .lengthDelimited): spec.bosPiece = try reader.readString()
            case (47, .lengthDelimited): spec.eosPiece = try reader.readString()
            case (48, .lengthDelimited): spec.padPiece = try reader.readString()
            case (44, .lengthDelimited): spec.unkSurface = try reader.readString()
            case (40, .varint): spec.unkID = Int32(truncatingIfNeeded: try reader.readVarint())
            case (41, .varint): spec.bosID = Int32(truncatingIfNeeded: try reader.readVarint())
            case (42, .varint): spec.eosID = Int32(truncatingIfNeeded: try reader.readVarint())
            case (43, .varint): spec.padID = Int32(truncatingIfNeeded: try reader.readVarint())
            default: try reader.skip(field)
            }
        }
        return spec
    }

    private static func parseNormalizerSpec(_ raw: UnsafeRawBufferPointer, range: Range<Int>) throws(TokenizerError) -> NormalizerSpec {
        var spec = NormalizerSpec()
        var reader = ProtobufReader(raw, range: range)
        while !reader.isAtEnd {
            let field = try reader.readField()
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): spec.name = try reader.readString()
            case (2, .lengthDelimited): spec.precompiledCharsmap = try reader.readBytes()
            case (3, .varint): spec.addDummyPrefix = try reader.readVarint() != 0
            case (4, .varint): spec.removeExtraWhitespaces = try reader.readVarint() != 0
            case (5, .varint): spec.escapeWhitespaces = try reader.readVarint() != 0
            case (6, .lengthDelimited): spec.normalizationRuleTSV = try reader.readString()
            default: try reader.skip(field)
            }
        }
        return spec
    }
}
