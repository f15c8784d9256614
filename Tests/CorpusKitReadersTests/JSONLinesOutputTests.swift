import Foundation
import XCTest
import CorpusKitTestSupport

@testable import CorpusKitReaders

/// The buffered JSON-lines writer: id arrays exactly as ``IDLines/json(_:)`` writes them (every
/// branch of the fast digit formatting), strings as Python's `json.dumps` escapes them, and
/// everything reaching the file descriptor across flushes.
final class JSONLinesOutputTests: XCTestCase {
    /// What `body` writes through an output with a small flush threshold, read back from a file.
    private func written(flushThreshold: Int = 64, _ body: (JSONLinesOutput) throws -> Void) throws -> String {
        let scratch = try ScratchDirectory()
        let path = scratch.file("out.jsonl")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        do {
            let output = JSONLinesOutput(descriptor: fd, flushThreshold: flushThreshold)
            try body(output)
            try output.flush()
        }
        close(fd)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    func testIDArraysAreWhatIDLinesWrites() throws {
        var lines: [[Int32]] = [[], [0], [7, -1], [Int32.max, Int32.min, -5, 0]]
        // Every length class of the fast path (1–4 digits, 5, 6, longer), as first and later ids.
        let edges: [Int32] = [0, 9, 10, 99, 100, 999, 1_000, 9_999, 10_000, 99_999, 100_000, 999_999, 1_000_000,
                              9_999_999, 10_000_000, 99_999_999, 100_000_000, 999_999_999, 1_000_000_000]
        lines.append(edges)
        lines.append(edges.reversed())
        lines.append(edges.map { -$0 })
        var random = SplitMix64(seed: 22)
        for _ in 0..<200 {
            lines.append((0..<Int(random.next() % 40)).map { _ in
                let shift = random.next() % 32
                return Int32(truncatingIfNeeded: random.next() >> (32 + shift))
            })
        }
        let text = try written { output in
            for ids in lines {
                output.appendIDArray(ids)
                try output.endLine()
            }
        }
        XCTAssertEqual(text, lines.map { IDLines.json($0) + "\n" }.joined())
    }

    func testStringsAreEscapedAsJSONDumpsEscapesThem() throws {
        // json.dumps(s, ensure_ascii=False) for each, DEL aside (written as \u007f, which reads back the same).
        let cases: [(String, String)] = [
            ("plain", #""plain""#),
            ("q\"b\\s/", #""q\"b\\s/""#),
            ("\n\r\t\u{8}\u{c}", #""\n\r\t\b\f""#),
            ("\u{1}\u{1f}\u{7f}", #""\u0001\u001f\u007f""#),
            ("日本語 ▁x 😀", "\"日本語 ▁x 😀\""),
        ]
        let text = try written { output in
            for (string, _) in cases {
                output.appendJSONString(string.utf8)
                try output.endLine()
            }
            output.appendStringArray(["a", "▁b", "\""])
            try output.endLine()
            try output.appendTextLine(Array("x\ny".utf8))
        }
        XCTAssertEqual(text, cases.map { $0.1 + "\n" }.joined() + #"["a","▁b","\""]"# + "\n" + #"{"text": "x\ny"}"# + "\n")
    }

    /// Lines that do not fit the room left make the buffer write out the whole lines before them
    /// (and keep its size), not grow; only a single line larger than the buffer grows it.
    func testTheBufferWritesWholeLinesOutInsteadOfGrowing() throws {
        var random = SplitMix64(seed: 7)
        let lines: [[Int32]] = (0..<300).map { _ in (0..<Int(random.next() % 60)).map { _ in Int32(random.next() % 100_000) } }
        var capacities: Set<Int> = []
        let text = try written(flushThreshold: 1_000) { output in
            for ids in lines {
                output.appendIDArray(ids)
                try output.endLine()
                capacities.insert(output.capacity)
            }
        }
        XCTAssertEqual(text, lines.map { IDLines.json($0) + "\n" }.joined())
        XCTAssertEqual(capacities, [1_000 + 4096])

        let huge = [Int32](repeating: 123_456, count: 2_000)   // ~16 KB of text: more than the buffer
        let grown = try written(flushThreshold: 1_000) { output in
            output.appendIDArray([1])
            try output.endLine()
            output.appendIDArray(huge)
            try output.endLine()
            XCTAssertGreaterThan(output.capacity, 1_000 + 4096)
        }
        XCTAssertEqual(grown, IDLines.json([1]) + "\n" + IDLines.json(huge) + "\n")
    }

    /// A write that fails while appending (making room) is thrown by the line's end.
    func testAFailedWriteWhileMakingRoomIsReportedAtTheLineEnd() throws {
        let output = JSONLinesOutput(descriptor: -1, flushThreshold: 100_000)
        output.appendIDArray([Int32](repeating: 1, count: 10))
        try output.endLine()   // buffered, nothing written yet
        output.appendIDArray([Int32](repeating: 7, count: 10_000))   // no room: the first line is written out, and fails
        XCTAssertThrowsError(try output.endLine())
        XCTAssertThrowsError(try output.flush())
    }

    func testAFailedWriteIsReported() throws {
        let output = JSONLinesOutput(descriptor: -1, flushThreshold: 1)
        output.appendIDArray([1])
        XCTAssertThrowsError(try output.endLine())
    }
}
