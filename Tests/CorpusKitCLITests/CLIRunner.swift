import Foundation
import XCTest
import CorpusKitTestSupport

/// Parsers for the CLI's output lines (independent of the CLI's own code).
enum CLIOutput {
    /// `[1,2,3]` → ids; nil when the line is not a JSON array of integers (``ReferenceJSON/integers(_:)``).
    static func ids(_ data: Data) -> [Int64]? { ReferenceJSON.integers(data) }

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
        return ReferenceJSON.unescape(bytes[prefix.count..<(bytes.count - suffix.count)])
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
