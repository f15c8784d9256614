import Foundation
import XCTest
import CorpusKitTestSupport

@testable import CorpusKitReaders

/// The id-line format: what a line may hold, what a blank line means, how ids are written.
final class IDLinesTests: XCTestCase {
    private func parse(_ text: String) -> [Int64]? {
        Array(text.utf8).withUnsafeBytes { IDLines.parse($0) }
    }

    func testParseAcceptsJSONArraysOfIntegers() {
        XCTAssertEqual(parse("[1, 2, 3]"), [1, 2, 3])
        XCTAssertEqual(parse("[1,2,3]"), [1, 2, 3])
        XCTAssertEqual(parse(" [ -4 ,\t5 ]\r"), [-4, 5])
        XCTAssertEqual(parse("[]"), [])
        for bad in ["", "  ", "[1, 2", "[1, 2,]", "[1.5]", "[\"1\"]", "{\"ids\": [1]}", "[1] x", "[1234567890123456789]"] {
            XCTAssertNil(parse(bad), bad)
        }
    }

    /// Written as Python's `json.dumps` writes a list, and read back.
    func testJSONWritesCommaSpace() {
        XCTAssertEqual(IDLines.json([1, 22, 333] as [Int]), "[1, 22, 333]")
        XCTAssertEqual(IDLines.json([Int32]()), "[]")
        XCTAssertEqual(parse(IDLines.json([7, -1] as [Int32])), [7, -1])
    }

    /// Every line is a sequence: a blank line in the middle is refused with its number; the end of
    /// the file after the last newline is no line.
    func testReadRefusesBlankLinesAndNamesThem() throws {
        let directory = try scratchDirectory("id-lines")
        let good = try directory.write("good.jsonl", "[1, 2]\n[]\n[3]\n")
        XCTAssertEqual(try IDLines.read(path: good).map(\.ids), [[1, 2], [], [3]])
        XCTAssertEqual(try IDLines.read(path: good).map(\.number), [1, 2, 3])
        let blank = try directory.write("blank.jsonl", "[1, 2]\n\n[3]\n")
        XCTAssertThrowsError(try IDLines.read(path: blank)) { error in
            XCTAssertEqual("\(error)", "\(blank):2: not a JSON array of token ids")
        }
        XCTAssertThrowsError(try IDLines.read(path: directory.path + "/missing.jsonl")) { error in
            XCTAssertTrue("\(error)".contains("missing.jsonl"), "\(error)")
        }
    }
}
