import Foundation

/// Writes a sentencepiece `ModelProto` with pieces appended to an existing one.
///
/// The base file's bytes are kept as they are and the new `pieces` records (field 1) are inserted
/// right after its last piece record. Protobuf's repeated fields keep their order of appearance,
/// so every base piece keeps its id and the new ones follow in the given order; and because
/// `SerializeToString` writes the pieces first, a base written by sentencepiece (or protobuf)
/// gives the very bytes that protobuf's own `pieces.add()` + `SerializeToString` would.
public enum SentencePieceModelWriter {
    /// A piece to append: its text, score and type.
    public struct Piece: Sendable, Equatable {
        public var text: String
        public var score: Float
        public var type: PieceType
        public init(text: String, score: Float, type: PieceType = .normal) {
            self.text = text
            self.score = score
            self.type = type
        }
    }

    /// `serialized` (a `ModelProto`) with `pieces` appended after its last piece.
    public static func appending(_ pieces: [Piece], to serialized: Data) throws(TokenizerError) -> Data {
        let scan: Result<Int, TokenizerError> = serialized.withUnsafeBytes { raw in
            do throws(TokenizerError) {
                var reader = ProtobufReader(raw)
                var end = -1
                while !reader.isAtEnd {
                    let field = try reader.readField()
                    try reader.skip(field)
                    if field.number == 1 && field.wireType == .lengthDelimited { end = reader.position }
                }
                return .success(end)
            } catch {
                return .failure(error)
            }
        }
        let insertion = try scan.get()
        guard insertion >= 0 else { throw .malformedModel("the model has no pieces (is this a sentencepiece .model file?)") }
        var records = ProtobufWriter()
        for piece in pieces {
            var record = ProtobufWriter()
            record.appendString(field: 1, piece.text)
            record.appendFloat(field: 2, piece.score)
            // Field order and defaults as protobuf serializes them: `type` is written because the
            // field has explicit presence in sentencepiece's proto2 schema.
            record.appendVarint(field: 3, UInt64(piece.type.rawValue))
            records.appendBytes(field: 1, record.bytes)
        }
        var result = Data(capacity: serialized.count + records.bytes.count)
        result.append(serialized.prefix(insertion))
        result.append(contentsOf: records.bytes)
        result.append(serialized.suffix(from: serialized.startIndex + insertion))
        return result
    }
}

/// The few protobuf wire-format writes ``SentencePieceModelWriter`` needs (the counterpart of
/// ``ProtobufReader``, hand-written for the same reason).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func appendRawVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func appendVarint(field: UInt32, _ value: UInt64) {
        appendRawVarint(UInt64(field) << 3 | 0)
        appendRawVarint(value)
    }

    mutating func appendFloat(field: UInt32, _ value: Float) {
        appendRawVarint(UInt64(field) << 3 | 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func appendBytes(field: UInt32, _ value: [UInt8]) {
        appendRawVarint(UInt64(field) << 3 | 2)
        appendRawVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func appendString(field: UInt32, _ value: String) {
        appendBytes(field: field, Array(value.utf8))
    }
}
