import XCTest
import CorpusKitTestSupport

@testable import CorpusKitReaders

final class CorpusDocumentReaderTests: XCTestCase {
    private enum Seen: Equatable {
        case document(line: Int, offset: Int, text: String)
        case blank(line: Int, offset: Int)
        case invalid(line: Int, offset: Int, reason: JSONLineError)
    }

    private func readAllOutcomes(_ path: String, keys: [String] = ["text"]) throws -> [Seen] {
        let reader = try CorpusDocumentReader(path: path, keys: keys)
        var seen: [Seen] = []
        while let outcome = try reader.next() {
            switch outcome {
            case let .document(document):
                seen.append(.document(line: document.lineNumber, offset: document.byteOffset,
                                      text: String(decoding: document[0], as: UTF8.self)))
            case let .blank(line, offset):
                seen.append(.blank(line: line, offset: offset))
            case let .invalid(error):
                XCTAssertEqual(error.path, path)
                seen.append(.invalid(line: error.lineNumber, offset: error.byteOffset, reason: error.reason))
            }
        }
        return seen
    }

    func testOutcomesForEveryLine() throws {
        let dir = try ScratchDirectory("readers-tests")
        let content = utf8("{\"text\":\"one\"}\n\n   \r\n{\"id\":1}\n{\"text\":\"two\\n\"}\r\n{\"text\":1}\n{bad\n{\"text\":\"last\"}")
        let expected: [Seen] = [
            .document(line: 1, offset: 0, text: "one"),
            .blank(line: 2, offset: 15),
            .blank(line: 3, offset: 16),
            .invalid(line: 4, offset: 21, reason: .missingKey("text")),
            .document(line: 5, offset: 30, text: "two\n"),
            .invalid(line: 6, offset: 48, reason: .notAString(key: "text", kind: .number)),
            .invalid(line: 7, offset: 59, reason: .malformedJSON(column: 2, problem: .expectedPropertyName)),
            .document(line: 8, offset: 64, text: "last"),
        ]
        XCTAssertEqual(try readAllOutcomes(try dir.write("a.jsonl", content)), expected)
        XCTAssertEqual(try readAllOutcomes(try dir.write("a.jsonl.gz", gzipMember(content))), expected)
        XCTAssertEqual(try readAllOutcomes(try dir.write("a.jsonl.zst", zstdFrame(content))), expected)

        let error = CorpusReadError(path: "a.jsonl", lineNumber: 4, byteOffset: 21, reason: .missingKey("text"))
        XCTAssertEqual(error.description, "a.jsonl:4 (byte offset 21): missing key \"text\"")
    }

    func testStreamErrorsAreThrownAfterTheGoodLines() throws {
        let dir = try ScratchDirectory("readers-tests")
        let good = zstdFrame(utf8("{\"text\":\"a\"}\n"))
        let cut = zstdFrame(repeated("{\"text\":\"b\"}\n", 50_000))
        let path = try dir.write("cut.jsonl.zst", good + cut[..<(cut.count - 3)])
        let reader = try CorpusDocumentReader(path: path, keys: ["text"])
        var documents = 0
        let error = streamError {
            while let outcome = try reader.next() {
                if case .document = outcome { documents += 1 }
            }
        }
        XCTAssertEqual(error?.kind, .truncated(.zstd))
        XCTAssertGreaterThanOrEqual(documents, 1)
    }

    func testHugeDocument() throws {
        let dir = try ScratchDirectory("readers-tests")
        let length = 65 << 20
        let content = utf8("{\"id\":1,\"text\":\"") + repeated("x", length) + utf8("\"}\n{\"text\":\"small\"}\n")
        let path = try dir.write("huge.jsonl.zst", zstdFrame(content, level: 1))
        let reader = try CorpusDocumentReader(path: path, keys: ["text"])
        var lengths: [Int] = []
        while let outcome = try reader.next() {
            guard case let .document(document) = outcome else { return XCTFail("unexpected \(outcome)") }
            lengths.append(document[0].count)
        }
        XCTAssertEqual(lengths, [length, 5])
    }
}
