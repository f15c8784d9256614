import XCTest
import CorpusKitTestSupport

@testable import CorpusKitReaders

final class LineReaderTests: XCTestCase {
    func testLinesNumbersAndOffsets() throws {
        let dir = try ScratchDirectory("readers-tests")
        let path = try dir.write("a.jsonl", utf8("one\ntwo\n\nfour"))
        let reader = try LineReader(path: path)
        var seen: [(String, Int, Int)] = []
        while let line = try reader.next() {
            seen.append((String(decoding: line.bytes, as: UTF8.self), line.number, line.byteOffset))
        }
        XCTAssertEqual(seen.map(\.0), ["one", "two", "", "four"])
        XCTAssertEqual(seen.map(\.1), [1, 2, 3, 4])
        XCTAssertEqual(seen.map(\.2), [0, 4, 8, 9])
        XCTAssertNil(try reader.next())
        XCTAssertEqual(reader.lineNumber, 4)
    }

    func testEdgeCasesAtTheEnd() throws {
        let dir = try ScratchDirectory("readers-tests")
        XCTAssertEqual(try readLines(try dir.write("empty", [])), [])
        XCTAssertEqual(try readLines(try dir.write("newline", utf8("\n"))), [[]])
        XCTAssertEqual(try readLines(try dir.write("two", utf8("\n\n"))), [[], []])
        XCTAssertEqual(try readLines(try dir.write("final", utf8("a\nb"))), [utf8("a"), utf8("b")])
        XCTAssertEqual(try readLines(try dir.write("terminated", utf8("a\nb\n"))), [utf8("a"), utf8("b")])
    }

    func testCarriageReturns() throws {
        let dir = try ScratchDirectory("readers-tests")
        // "\r\n" ends a line like "\n"; a "\r" ending the file ends the last line; a lone "\r"
        // elsewhere stays in the line.
        let path = try dir.write("crlf", utf8("a\r\nb\r\n\r\nx\ry\n\r\r\nlast\r"))
        XCTAssertEqual(try readLines(path), [utf8("a"), utf8("b"), [], utf8("x\ry"), utf8("\r"), utf8("last")])
        XCTAssertEqual(try readLines(try dir.write("cr-only", utf8("\r"))), [[]])
    }

    func testLinesAcrossBufferBoundaries() throws {
        let dir = try ScratchDirectory("readers-tests")
        var state: UInt64 = 42
        var expected: [[UInt8]] = []
        var content: [UInt8] = []
        for index in 0..<400 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = index % 7 == 0 ? Int(state >> 40) % 300_000 : Int(state >> 50) % 3000
            let line = [UInt8](repeating: UInt8(0x41 + index % 26), count: length)
            expected.append(line)
            content += line
            content += index % 5 == 0 ? [0x0D, 0x0A] : [0x0A]
        }
        let plain = try dir.write("lines.txt", content)
        XCTAssertEqual(try readLines(plain, bufferSize: 1 << 16), expected)
        let zstd = try dir.write("lines.txt.zst", zstdFrame(content, level: 1))
        XCTAssertEqual(try readLines(zstd, bufferSize: 1 << 16), expected)
        let gzip = try dir.write("lines.txt.gz", gzipMember(content, level: 1))
        XCTAssertEqual(try readLines(gzip, bufferSize: 1 << 16), expected)

        // Offsets point at the line starts.
        let reader = try LineReader(path: plain, bufferSize: 1 << 16)
        while let line = try reader.next() {
            XCTAssertEqual(content[line.byteOffset..<(line.byteOffset + line.bytes.count)].elementsEqual(line.bytes), true)
        }
    }

    func testHugeLineGrowsAndShrinksTheBuffer() throws {
        let dir = try ScratchDirectory("readers-tests")
        let hugeLength = 65 << 20 + 123
        var content = utf8("small\n")
        content += [UInt8](repeating: 0x62, count: hugeLength)
        content += utf8("\nafter\n")
        content += [UInt8](repeating: 0x63, count: 3 << 20)  // longer than the base buffer too
        content += utf8("\nend")
        for path in [try dir.write("huge.txt", content), try dir.write("huge.txt.zst", zstdFrame(content, level: 1))] {
            let reader = try LineReader(path: path)
            let base = reader.bufferCapacity
            var lengths: [Int] = []
            var capacities: [Int] = []
            while let line = try reader.next() {
                lengths.append(line.bytes.count)
                capacities.append(reader.bufferCapacity)
                if line.number == 2 {
                    XCTAssertEqual(line.byteOffset, 6)
                    XCTAssertTrue(line.bytes.allSatisfy { $0 == 0x62 })
                }
            }
            XCTAssertEqual(lengths, [5, hugeLength, 5, 3 << 20, 3])
            XCTAssertGreaterThan(capacities[1], hugeLength)
            XCTAssertLessThan(capacities[1], 4 * hugeLength)
            XCTAssertEqual(reader.bufferCapacity, base, "the buffer shrinks back after long lines")
        }
    }
}
