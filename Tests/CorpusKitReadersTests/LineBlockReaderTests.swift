import XCTest
import CorpusKitTestSupport

@testable import CorpusKitReaders

/// LineBlockReader must yield exactly LineReader's lines (bytes, numbers, offsets), whatever the
/// block and read sizes, and keep its behaviour on damaged streams.
final class LineBlockReaderTests: XCTestCase {
    private struct Line: Equatable {
        let bytes: [UInt8]
        let number: Int
        let offset: Int
    }

    private func lineReaderLines(_ path: String) throws -> [Line] {
        let reader = try LineReader(path: path)
        var lines: [Line] = []
        while let line = try reader.next() { lines.append(Line(bytes: Array(line.bytes), number: line.number, offset: line.byteOffset)) }
        return lines
    }

    /// Reads `path` in blocks; `expected` (LineReader's lines) checks where blocks are cut.
    private func blockReaderLines(_ path: String, minimumBytes: Int, readSize: Int, expected: [Line]) throws -> [Line] {
        /// Length (terminator included) of the expected line starting at `offset`, unless it is the last.
        func expectedNextLine(after offset: Int) -> Int? {
            guard let index = expected.firstIndex(where: { $0.offset == offset }), index + 1 < expected.count else { return nil }
            return expected[index + 1].offset - offset
        }
        let reader = LineBlockReader(source: try DecompressingReader(path: path), readSize: readSize)
        let block = LineBlock()
        var lines: [Line] = []
        var expectedOffset = 0
        while try reader.readBlock(into: block, minimumBytes: minimumBytes) {
            XCTAssertEqual(block.streamOffset, expectedOffset)
            XCTAssertGreaterThan(block.count, 0)
            XCTAssertTrue(block.endsStream || block.bytes.last == 0x0A, "a block before the end must end with a newline")
            let firstLineNumber = lines.count + 1
            var count = 0
            let visited = block.forEachLine { bytes, index, offset in
                XCTAssertEqual(index, count)
                lines.append(Line(bytes: Array(bytes), number: firstLineNumber + index, offset: block.streamOffset + offset))
                count += 1
            }
            XCTAssertEqual(visited, count)
            XCTAssertGreaterThan(count, 0)
            // Filled to minimumBytes, then cut after the last complete line: the next line must
            // be the one that crossed minimumBytes.
            if !block.endsStream, let next = expectedNextLine(after: block.streamOffset + block.count) {
                XCTAssertGreaterThanOrEqual(block.count + next, minimumBytes, "block cut too early")
            }
            expectedOffset += block.count
            XCTAssertEqual(reader.bytesReturned, expectedOffset)
        }
        XCTAssertFalse(try reader.readBlock(into: block, minimumBytes: minimumBytes), "the end is sticky")
        return lines
    }

    private func assertSameLines(_ content: [UInt8], _ name: String = "input.jsonl", file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = try ScratchDirectory("readers-tests")
        let path = try directory.write(name, content)
        let expected = try lineReaderLines(path)
        for (minimumBytes, readSize) in [(1, 4096), (7, 4096), (100, 4096), (4096, 4096), (10_000, 4096), (50_000, 4096),
                                          (512 << 10, 1 << 20), (1 << 20, 1 << 20)] {
            let actual = try blockReaderLines(path, minimumBytes: minimumBytes, readSize: readSize, expected: expected)
            XCTAssertEqual(actual, expected, "minimumBytes \(minimumBytes), readSize \(readSize), \(content.count) bytes", file: file, line: line)
        }
    }

    func testEdgeCases() throws {
        for text in ["", "\n", "\n\n", "a", "a\n", "a\nb", "a\r\nb\r\n", "a\r", "a\r\n\r\n", "\r", "\r\n", "a\rb\n", "é\n\n日本\r\nx"] {
            try assertSameLines(utf8(text))
        }
    }

    func testManyLinesOfVaryingLength() throws {
        var state: UInt64 = 7
        var content: [UInt8] = []
        for _ in 0..<3000 {
            state = state &* 6364136223846793005 &+ 1
            let length = Int(state >> 33) % 300
            content += repeated("x", length) + (state & 1 == 0 ? utf8("\r\n") : utf8("\n"))
        }
        content += utf8("last line without newline")
        try assertSameLines(content)
        try assertSameLines(gzipMember(content) + gzipMember(content), "input.jsonl.gz")
        try assertSameLines(zstdFrame(content) + zstdSkippableFrame([1, 2, 3]) + zstdFrame(content), "input.jsonl.zst")
    }

    func testLinesLongerThanBlocksAndReads() throws {
        let content = repeated("a", 200_000) + utf8("\n") + repeated("b", 10) + utf8("\n") + repeated("c", 70_000)
        try assertSameLines(content)
    }

    /// A truncated stream: the complete lines before the failure come first, then the error,
    /// and LineReader returns the same lines before its own error.
    func testTruncatedStreamReturnsCompleteLinesThenFails() throws {
        var content: [UInt8] = []
        for index in 0..<20_000 { content += utf8("{\"text\": \"line \(index)\"}\n") }
        let frame = zstdFrame(content)
        let directory = try ScratchDirectory("readers-tests")
        let path = try directory.write("truncated.jsonl.zst", Array(frame.prefix(frame.count * 2 / 3)))

        var expected: [[UInt8]] = []
        let lineReader = try LineReader(path: path)
        let lineError = streamError { while let line = try lineReader.next() { expected.append(Array(line.bytes)) } }

        // Both ways of filling blocks: from staging (small blocks) and reading straight into them.
        for (minimumBytes, readSize) in [(64 << 10, 1 << 20), (1 << 20, 1 << 20), (8 << 10, 8 << 10)] {
            let reader = try LineBlockReader(path: path, readSize: readSize)
            let block = LineBlock()
            var actual: [[UInt8]] = []
            let blockError = streamError {
                while try reader.readBlock(into: block, minimumBytes: minimumBytes) {
                    block.forEachLine { bytes, _, _ in actual.append(Array(bytes)) }
                }
            }
            XCTAssertEqual(actual.count, expected.count, "minimumBytes \(minimumBytes), readSize \(readSize)")
            XCTAssertEqual(actual, expected)
            XCTAssertGreaterThan(actual.count, 0)
            XCTAssertEqual(blockError?.description, lineError?.description)
            // The error stays: the next call throws it again.
            XCTAssertNotNil(streamError { _ = try reader.readBlock(into: block, minimumBytes: 1) })
        }
    }
}
