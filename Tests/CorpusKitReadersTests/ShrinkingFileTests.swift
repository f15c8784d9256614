import XCTest
import CorpusKitTestSupport

@testable import CorpusKitReaders

/// A file cut shorter while it is read ends the stream with an error naming the file, the sizes
/// and the offset, never as a silently shorter input; files whose size is not their length
/// (`/sys`) still read to their end.
final class ShrinkingFileTests: XCTestCase {
    private func content(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    func testRawFileThatShrinksWhileReadIsAnError() throws {
        let directory = try ScratchDirectory("readers-tests")
        let path = try directory.write("shrinking.jsonl", content(3 << 20))
        let reader = try RawFileReader(path: path)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }, 1 << 20)
        XCTAssertEqual(truncate(path, off_t((1 << 20) + 1000)), 0)
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }, 1000)
        let error = streamError { _ = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } }
        XCTAssertEqual(error?.compressedOffset, (1 << 20) + 1000)
        XCTAssertEqual(error?.kind, .io(operation: "read (the file shrank from \(3 << 20) to \((1 << 20) + 1000) bytes while being read)", errno: EIO))
        XCTAssertEqual(
            error?.description.hasPrefix("\(path): read (the file shrank from 3145728 to 1049576 bytes while being read) failed at byte offset 1049576"),
            true, error?.description ?? "no error")
    }

    func testFileThatGrowsWhileReadIsReadToItsNewEnd() throws {
        let directory = try ScratchDirectory("readers-tests")
        let bytes = content(10_000)
        let path = try directory.write("growing.jsonl", Array(bytes.prefix(4000)))
        let reader = try RawFileReader(path: path)
        var buffer = [UInt8](repeating: 0, count: 4000)
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }, 4000)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(bytes[4000...]))
        try handle.close()
        var rest: [UInt8] = []
        try reader.forEachChunk(bufferSize: 4096) { rest += $0 }
        XCTAssertEqual(Array(buffer) + rest, bytes)
    }

    /// The pipeline's reader: the complete lines before the cut, then the error.
    func testLineBlocksOfAShrinkingFileEndWithTheError() throws {
        let directory = try ScratchDirectory("readers-tests")
        var text: [UInt8] = []
        var index = 0
        while text.count < 3 << 20 {
            text += utf8("{\"text\": \"line \(index)\"}\n")
            index += 1
        }
        let path = try directory.write("shrinking-lines.jsonl", text)
        let reader = try LineBlockReader(path: path)
        let block = LineBlock()
        XCTAssertTrue(try reader.readBlock(into: block, minimumBytes: LineBlockReader.defaultReadSize))
        var lines = block.forEachLine { _, _, _ in }
        let cut = block.count + 100_000
        XCTAssertEqual(truncate(path, off_t(cut)), 0)
        let error = streamError {
            while try reader.readBlock(into: block, minimumBytes: LineBlockReader.defaultReadSize) {
                lines += block.forEachLine { _, _, _ in }
            }
        }
        XCTAssertEqual(error?.kind, .io(operation: "read (the file shrank from \(text.count) to \(cut) bytes while being read)", errno: EIO))
        XCTAssertEqual(error?.path, path)
        // Every complete line before the cut was handed out, none after it.
        let expected = text.prefix(cut).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        XCTAssertEqual(lines, expected)
    }

    /// `/sys` files report 4096 bytes and hold fewer: their size never changes, so they read to
    /// their end without an error.
    func testFilesWhoseSizeIsNotTheirLengthReadNormally() throws {
        let path = "/sys/devices/system/cpu/possible"
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is not available here") }
        let reader = try RawFileReader(path: path)
        var bytes: [UInt8] = []
        try reader.forEachChunk(bufferSize: 4096) { bytes += $0 }
        XCTAssertGreaterThan(bytes.count, 0)
        XCTAssertEqual(bytes.last, 0x0A)
    }
}
