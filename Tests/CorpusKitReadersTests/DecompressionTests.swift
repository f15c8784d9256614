import XCTest
import CorpusKitTestSupport

@testable import CorpusKitReaders

final class DecompressionTests: XCTestCase {
    private let sample = utf8("{\"text\": \"first\"}\n{\"text\": \"二番目\"}\n\n{\"text\": \"last, no newline\"}")

    /// Enough data that decoding spans several input and output buffers.
    private func largeSample() -> [UInt8] {
        var bytes: [UInt8] = []
        var state: UInt32 = 12345
        for index in 0..<60_000 {
            bytes += utf8("{\"id\": \(index), \"text\": \"")
            for _ in 0..<(index % 97) {
                state = state &* 1_103_515_245 &+ 12345
                bytes.append(0x61 + UInt8(state >> 16 % 26))
            }
            bytes += utf8("\"}\n")
        }
        return bytes
    }

    func testPlainRoundTrip() throws {
        let dir = try ScratchDirectory("readers-tests")
        let path = try dir.write("a.jsonl", sample)
        let reader = try DecompressingReader(path: path)
        XCTAssertEqual(reader.format, .plain)
        XCTAssertEqual(try readAll(path), sample)
        let large = largeSample()
        XCTAssertEqual(try readAll(try dir.write("large.jsonl", large)), large)
    }

    func testGzipSingleAndMultiMember() throws {
        let dir = try ScratchDirectory("readers-tests")
        let single = try dir.write("single.jsonl.gz", gzipMember(sample))
        XCTAssertEqual(try DecompressingReader(path: single).format, .gzip)
        XCTAssertEqual(try readAll(single), sample)

        // Members split mid-line, including an empty member, as `cat a.gz b.gz` would produce.
        let members = gzipMember(Array(sample[..<10])) + gzipMember([]) + gzipMember(Array(sample[10..<30]))
            + gzipMember(Array(sample[30...]))
        let multi = try dir.write("multi.jsonl.gz", members)
        XCTAssertEqual(try readAll(multi), sample)

        let large = largeSample()
        let half = large.count / 2
        let largePath = try dir.write("large.jsonl.gz", gzipMember(Array(large[..<half])) + gzipMember(Array(large[half...])))
        XCTAssertEqual(try readAll(largePath), large)
        XCTAssertEqual(try readLines(largePath).count, 60_000)
    }

    func testZstdMultiFrameWithSkippableFrames() throws {
        let dir = try ScratchDirectory("readers-tests")
        let frames = zstdSkippableFrame(utf8("metadata"), nibble: 0xA) + zstdFrame(Array(sample[..<17]))
            + zstdSkippableFrame([]) + zstdFrame(Array(sample[17...])) + zstdFrame([])
            + zstdSkippableFrame(repeated("x", 100), nibble: 0xF)
        let path = try dir.write("multi.jsonl.zst", frames)
        XCTAssertEqual(try DecompressingReader(path: path).format, .zstd)
        XCTAssertEqual(try readAll(path), sample)

        let large = largeSample()
        let third = large.count / 3
        let largePath = try dir.write(
            "large.jsonl.zstd",
            zstdFrame(Array(large[..<third])) + zstdFrame(Array(large[third..<(2 * third)]), level: 19)
                + zstdFrame(Array(large[(2 * third)...])))
        XCTAssertEqual(try readAll(largePath), large)
    }

    func testFormatIsDetectedFromMagicBytesBeforeTheName() throws {
        let dir = try ScratchDirectory("readers-tests")
        let gzipNamedPlain = try dir.write("gzip.jsonl", gzipMember(sample))
        XCTAssertEqual(try DecompressingReader(path: gzipNamedPlain).format, .gzip)
        XCTAssertEqual(try readAll(gzipNamedPlain), sample)

        let zstdNamedGzip = try dir.write("zstd.json.gz", zstdFrame(sample))
        XCTAssertEqual(try DecompressingReader(path: zstdNamedGzip).format, .zstd)
        XCTAssertEqual(try readAll(zstdNamedGzip), sample)

        let skippableFirst = try dir.write("skip.json", zstdSkippableFrame([1, 2, 3], nibble: 5) + zstdFrame(sample))
        XCTAssertEqual(try DecompressingReader(path: skippableFirst).format, .zstd)
        XCTAssertEqual(try readAll(skippableFirst), sample)

        let forced = try DecompressingReader(path: gzipNamedPlain, format: .plain)
        XCTAssertEqual(forced.format, .plain)
    }

    func testEmptyFilesHaveNoData() throws {
        let dir = try ScratchDirectory("readers-tests")
        for name in ["empty.jsonl", "empty.jsonl.gz", "empty.jsonl.zst"] {
            let path = try dir.write(name, [])
            XCTAssertEqual(try readAll(path), [], name)
            XCTAssertEqual(try readLines(path).count, 0, name)
        }
    }

    func testTruncatedZstdNamesFileAndOffset() throws {
        let dir = try ScratchDirectory("readers-tests")
        let complete = zstdFrame(Array(sample[..<20]))
        let last = zstdFrame(largeSample())
        let truncated = complete + last[..<(last.count / 2)]
        let path = try dir.write("cut.jsonl.zst", Array(truncated))
        let error = streamError { _ = try readAll(path) }
        XCTAssertEqual(error?.kind, .truncated(.zstd))
        XCTAssertEqual(error?.path, path)
        XCTAssertEqual(error?.compressedOffset, truncated.count)
        XCTAssertEqual(error?.description.contains("cut.jsonl.zst: truncated zstd data at compressed byte offset"), true)

        // Cut inside the frame header.
        let headerOnly = try dir.write("header.zst", Array(complete[..<3]))
        XCTAssertEqual(streamError { _ = try readAll(headerOnly) }?.kind, .truncated(.zstd))
    }

    func testCorruptGzipNamesFileAndOffset() throws {
        let dir = try ScratchDirectory("readers-tests")
        let first = gzipMember(Array(sample[..<20]))
        var second = gzipMember(largeSample())
        for index in 100..<200 { second[index] ^= 0x5A }
        let path = try dir.write("bad.jsonl.gz", first + second)
        let error = streamError { _ = try readAll(path) }
        guard case .corrupt(.gzip, let detail)? = error?.kind else {
            return XCTFail("expected corrupt gzip, got \(String(describing: error))")
        }
        XCTAssertFalse(detail.isEmpty)
        XCTAssertEqual(error?.path, path)
        let offset = error?.compressedOffset ?? -1
        XCTAssertGreaterThanOrEqual(offset, first.count + 100, "offset \(offset)")
        XCTAssertLessThanOrEqual(offset, first.count + second.count)
        XCTAssertEqual(error?.description.hasPrefix("\(path): corrupt gzip data at compressed byte offset \(offset)"), true)
    }

    func testTruncatedGzip() throws {
        let dir = try ScratchDirectory("readers-tests")
        let member = gzipMember(largeSample())
        let cut = Array(gzipMember(sample) + member[..<(member.count - 5)])
        let path = try dir.write("cut.jsonl.gz", cut)
        let error = streamError { _ = try readAll(path) }
        XCTAssertEqual(error?.kind, .truncated(.gzip))
        XCTAssertEqual(error?.compressedOffset, cut.count)
    }

    func testTrailingGarbageIsAnError() throws {
        let dir = try ScratchDirectory("readers-tests")
        let gzipPath = try dir.write("trailing.jsonl.gz", gzipMember(sample) + utf8("garbage!"))
        let gzipError = streamError { _ = try readAll(gzipPath) }
        guard case .corrupt(.gzip, _)? = gzipError?.kind else {
            return XCTFail("expected corrupt gzip, got \(String(describing: gzipError))")
        }
        XCTAssertEqual(gzipError?.compressedOffset, gzipMember(sample).count + 2)

        let zeros = try dir.write("zeros.jsonl.gz", gzipMember(sample) + [0, 0, 0, 0])
        XCTAssertNotNil(streamError { _ = try readAll(zeros) })

        let zstdPath = try dir.write("trailing.jsonl.zst", zstdFrame(sample) + utf8("garbage!"))
        let zstdError = streamError { _ = try readAll(zstdPath) }
        guard case .corrupt(.zstd, _)? = zstdError?.kind else {
            return XCTFail("expected corrupt zstd, got \(String(describing: zstdError))")
        }
    }

    func testCompressedNameWithoutMagicIsReportedAsCorrupt() throws {
        let dir = try ScratchDirectory("readers-tests")
        let path = try dir.write("plain.jsonl.gz", sample)
        let error = streamError { _ = try readAll(path) }
        XCTAssertEqual(error?.path, path)
        guard case .corrupt(.gzip, _)? = error?.kind else {
            return XCTFail("expected corrupt gzip, got \(String(describing: error))")
        }
        let zstdPath = try dir.write("plain.jsonl.zst", sample)
        guard case .corrupt(.zstd, _)? = streamError({ _ = try readAll(zstdPath) })?.kind else {
            return XCTFail("expected corrupt zstd")
        }
    }

    func testMissingFileIsAnIOError() throws {
        let error = streamError { _ = try DecompressingReader(path: "/nonexistent/file.jsonl") }
        XCTAssertEqual(error?.kind, .io(operation: "open", errno: ENOENT))
        XCTAssertEqual(error?.description.hasPrefix("/nonexistent/file.jsonl: open failed"), true)
    }

    func testRawFileReaderChunksMatchTheFile() throws {
        let dir = try ScratchDirectory("readers-tests")
        let bytes = gzipMember(largeSample())
        let path = try dir.write("raw.gz", bytes)
        let reader = try RawFileReader(path: path)
        var copy: [UInt8] = []
        var chunks = 0
        try reader.forEachChunk(bufferSize: 4096) {
            copy += $0
            chunks += 1
        }
        XCTAssertEqual(copy, bytes)
        XCTAssertEqual(reader.bytesRead, bytes.count)
        XCTAssertEqual(chunks, (bytes.count + 4095) / 4096)
    }

    func testCompressionFormatHelpers() {
        XCTAssertEqual(CompressionFormat.fromFileName("a.jsonl.gz"), .gzip)
        XCTAssertEqual(CompressionFormat.fromFileName("a.jsonl.zst"), .zstd)
        XCTAssertEqual(CompressionFormat.fromFileName("a.jsonl.zstd"), .zstd)
        XCTAssertEqual(CompressionFormat.fromFileName("a.jsonl"), .plain)
        [UInt8]([0x1F, 0x8B]).withUnsafeBytes { XCTAssertEqual(CompressionFormat.detect(leadingBytes: $0), .gzip) }
        [UInt8]([0x28, 0xB5, 0x2F, 0xFD]).withUnsafeBytes { XCTAssertEqual(CompressionFormat.detect(leadingBytes: $0), .zstd) }
        [UInt8]([0x5E, 0x2A, 0x4D, 0x18]).withUnsafeBytes { XCTAssertEqual(CompressionFormat.detect(leadingBytes: $0), .zstd) }
        utf8("{\"te").withUnsafeBytes { XCTAssertNil(CompressionFormat.detect(leadingBytes: $0)) }
    }
}
