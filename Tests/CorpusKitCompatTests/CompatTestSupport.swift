import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitTokenizer
import CorpusKitMegatron

/// Rewrites the pieces of a serialized sentencepiece `ModelProto` (field 1 of the top level),
/// copying every other field byte for byte: the tests derive rescored and permuted vocabularies.
enum ModelProtoEditor {
    struct Piece { var text: [UInt8]; var score: Float; var type: UInt64 }

    static func edit(_ data: Data, _ transform: ([Piece]) -> [Piece]) throws -> Data {
        let bytes = [UInt8](data)
        var position = 0
        var pieces: [Piece] = []
        var before: [UInt8] = [], after: [UInt8] = []
        while position < bytes.count {
            let start = position
            let key = try varint(bytes, &position)
            let field = key >> 3, wire = key & 7
            switch wire {
            case 0: _ = try varint(bytes, &position)
            case 1: position += 8
            case 5: position += 4
            case 2:
                let length = Int(try varint(bytes, &position))
                if field == 1 { pieces.append(try piece(Array(bytes[position..<position + length]))) }
                position += length
            default: throw NSError(domain: "ModelProtoEditor", code: 1)
            }
            if field != 1 { if pieces.isEmpty { before += bytes[start..<position] } else { after += bytes[start..<position] } }
        }
        var out = before
        for p in transform(pieces) {
            var message: [UInt8] = [0x0A] + encodeVarint(UInt64(p.text.count)) + p.text
            message.append(0x15)
            withUnsafeBytes(of: p.score.bitPattern.littleEndian) { message += $0 }
            message += [0x18] + encodeVarint(p.type)
            out += [0x0A] + encodeVarint(UInt64(message.count)) + message
        }
        return Data(out + after)
    }

    private static func piece(_ bytes: [UInt8]) throws -> Piece {
        var p = Piece(text: [], score: 0, type: 1)
        var position = 0
        while position < bytes.count {
            let key = try varint(bytes, &position)
            switch (key >> 3, key & 7) {
            case (1, 2):
                let length = Int(try varint(bytes, &position))
                p.text = Array(bytes[position..<position + length]); position += length
            case (2, 5):
                p.score = Float(bitPattern: UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24)
                position += 4
            case (3, 0): p.type = try varint(bytes, &position)
            default: throw NSError(domain: "ModelProtoEditor", code: 2)
            }
        }
        return p
    }

    private static func varint(_ bytes: [UInt8], _ position: inout Int) throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw NSError(domain: "ModelProtoEditor", code: 3) }
            let b = bytes[position]; position += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    static func encodeVarint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7f); v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }
}

/// Writes a Megatron shard of `texts` the way `corpuskit tokenize` does (DocumentEncoder + writer).
func writeShard(prefix: String, tokenizer: String, type: MegatronTokenizerType, appendEOD: Bool, texts: [String],
                extraDocuments: [[Int32]] = []) throws {
    let encoder = try DocumentEncoder.load(type: type, modelPath: tokenizer, appendEOD: appendEOD)
    let writer = try MegatronIndexWriter(prefix: prefix, dtype: encoder.dtype)
    for text in texts { try writer.addDocument(try encoder.encode(text)) }
    for document in extraDocuments { try writer.addDocument(document) }
    _ = try writer.finish()
}

/// Lines of a text file, non-empty, up to `limit`.
func textLines(_ path: String, limit: Int) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return Array(text.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.prefix(limit))
}
