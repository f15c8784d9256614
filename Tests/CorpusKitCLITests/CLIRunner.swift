import Foundation
import XCTest
import CorpusKitTestSupport

/// Parsers for the CLI's output lines (independent of the CLI's own code).
enum CLIOutput {
    /// `[1,2,3]` → ids; nil when the line is not a JSON array of integers.
    static func ids(_ data: Data) -> [Int64]? {
        // A strict hand parser (JSONSerialization is slow on tens of thousands of lines): `[`, then
        // optionally-negative integers separated by `,` (spaces allowed), then `]`.
        let line = [UInt8](data)
        var ids: [Int64] = []
        var index = line.startIndex
        func skipSpaces() { while index < line.endIndex, line[index] == 0x20 { index += 1 } }
        guard index < line.endIndex, line[index] == 0x5B else { return nil }
        index += 1
        skipSpaces()
        if index < line.endIndex, line[index] == 0x5D { return index + 1 == line.endIndex ? [] : nil }
        while true {
            skipSpaces()
            var negative = false
            if index < line.endIndex, line[index] == 0x2D { negative = true; index += 1 }
            var value: Int64 = 0, digits = 0
            while index < line.endIndex, (0x30...0x39).contains(line[index]), digits < 18 {
                value = value * 10 + Int64(line[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            ids.append(negative ? -value : value)
            skipSpaces()
            guard index < line.endIndex else { return nil }
            if line[index] == 0x2C { index += 1; continue }
            guard line[index] == 0x5D else { return nil }
            return index + 1 == line.endIndex ? ids : nil
        }
    }

    /// A JSON array of strings → each string's UTF-8 bytes.
    static func strings(_ line: Data) -> [[UInt8]]? {
        guard let array = try? JSONSerialization.jsonObject(with: line) as? [String] else { return nil }
        return array.map { Array($0.utf8) }
    }

    /// `{"text": "..."}` → the text's bytes, unescaped by hand so that whatever bytes the CLI wrote
    /// are compared (no UTF-8 validation or Unicode normalization on the way). Nil when the line
    /// has another shape.
    static func decodedText(_ line: Data) -> [UInt8]? {
        let bytes = [UInt8](line)
        let prefix = Array(#"{"text": ""#.utf8), suffix = Array(#""}"#.utf8)
        guard bytes.count >= prefix.count + suffix.count, bytes.starts(with: prefix), bytes.suffix(2).elementsEqual(suffix) else { return nil }
        let body = bytes[prefix.count..<(bytes.count - suffix.count)]
        var output: [UInt8] = []
        var index = body.startIndex
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= body.endIndex, let value = UInt32(String(decoding: body[at..<(at + 4)], as: UTF8.self), radix: 16) else { return nil }
            return value
        }
        while index < body.endIndex {
            let byte = body[index]
            if byte == 0x22 { return nil }   // an unescaped quote inside the string
            guard byte == 0x5C else { output.append(byte); index += 1; continue }
            guard index + 1 < body.endIndex else { return nil }
            let escape = body[index + 1]
            index += 2
            switch escape {
            case 0x22: output.append(0x22)
            case 0x5C: output.append(0x5C)
            case 0x2F: output.append(0x2F)
            case 0x62: output.append(0x08)
            case 0x66: output.append(0x0C)
            case 0x6E: output.append(0x0A)
            case 0x72: output.append(0x0D)
            case 0x74: output.append(0x09)
            case 0x75:
                guard var scalar = hex4(index) else { return nil }
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 6 <= body.endIndex, body[index] == 0x5C, body[index + 1] == 0x75,
                          let low = hex4(index + 2), (0xDC00..<0xE000).contains(low) else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                output.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: return nil
            }
        }
        return output
    }

    /// An id array as the CLI reads it (`[1,2,3]`).
    static func idLine<S: Sequence>(_ ids: S) -> String where S.Element == Int64 {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }
}

/// The expectations `Tools/fixtures/make_cli_fixtures.py` wrote with sentencepiece and tokenizers.
struct CLIFixtures {
    static let directory = TestPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/cli")

    struct Line {
        let ids: [Int64]
        let pieces: [[UInt8]]
        let idsSpecial: [Int64]
        let piecesSpecial: [[UInt8]]
    }

    struct Entry {
        let name: String
        let path: String
        let library: String
        let vocabularySize: Int
        let raw: [String: Any]
        let lines: [Line]
        /// `[id, id_to_piece(id), piece_to_id(piece)]`.
        let pieces: [(id: Int32, piece: String, pieceToID: Int32)]

        var absolutePath: String { TestPaths.repositoryRoot.appendingPathComponent(path).path }
        var isSentencePiece: Bool { library == "sentencepiece" }
    }

    let entries: [Entry]
    let lineCount: Int
    /// File name in `unsupported/` → the name the error message must contain.
    let unsupported: [String: String]

    var linesFile: String { Self.directory.appendingPathComponent("lines.txt").path }

    static func load() throws -> CLIFixtures {
        let url = directory.appendingPathComponent("expectations.json")
        guard let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              let tokenizers = root["tokenizers"] as? [[String: Any]] else { throw TestFailure("\(url.path): unexpected shape") }
        func ints(_ value: Any?) -> [Int64] { (value as? [NSNumber] ?? []).map { $0.int64Value } }
        func strings(_ value: Any?) -> [[UInt8]] { (value as? [String] ?? []).map { Array($0.utf8) } }
        let entries = tokenizers.map { entry -> Entry in
            let lines = (entry["lines"] as? [[String: Any]] ?? []).map {
                Line(ids: ints($0["ids"]), pieces: strings($0["pieces"]), idsSpecial: ints($0["ids_special"]),
                     piecesSpecial: strings($0["pieces_special"]))
            }
            let pieces = (entry["pieces"] as? [[Any]] ?? []).map {
                (id: ($0[0] as! NSNumber).int32Value, piece: $0[1] as! String, pieceToID: ($0[2] as! NSNumber).int32Value)
            }
            return Entry(name: entry["name"] as! String, path: entry["path"] as! String, library: entry["library"] as! String,
                         vocabularySize: (entry["vocab_size"] as! NSNumber).intValue, raw: entry, lines: lines, pieces: pieces)
        }
        return CLIFixtures(entries: entries, lineCount: (root["line_count"] as! NSNumber).intValue,
                           unsupported: root["unsupported"] as? [String: String] ?? [:])
    }

    func entry(_ name: String) throws -> Entry {
        guard let entry = entries.first(where: { $0.name == name }) else { throw TestFailure("no fixture entry \(name)") }
        return entry
    }
}
