import CZlib
import CZstd
import Foundation
import XCTest
import CorpusKitTestSupport

@testable import CorpusKitReaders

func utf8(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

func repeated(_ text: String, _ count: Int) -> [UInt8] {
    let unit = Array(text.utf8)
    if unit.count == 1 { return Array(repeating: unit[0], count: count) }
    var result: [UInt8] = []
    result.reserveCapacity(unit.count * count)
    for _ in 0..<count { result += unit }
    return result
}

/// The values of `keys` in one JSON line, as a fresh extractor reads them, or the line's error.
func extract(
    _ line: [UInt8], keys: [String] = ["text"], options: JSONExtractionOptions = .jsonLoads
) -> Result<[[UInt8]], JSONLineError> {
    var extractor = JSONFieldExtractor(keys: keys, options: options)
    let fields = ExtractedFields()
    do {
        try line.withUnsafeBytes { try extractor.extract(from: $0, into: fields) }
        return .success((0..<fields.count).map { fields.bytes(at: $0) })
    } catch let error as JSONLineError {
        return .failure(error)
    } catch {
        fatalError("unexpected \(error)")
    }
}

/// One gzip member holding `data`, made with zlib's deflate.
func gzipMember(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    let status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK)
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 64)
    var input = data
    let written: Int = input.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            stream.next_out = outBuffer.baseAddress
            stream.avail_out = UInt32(outBuffer.count)
            let result = deflate(&stream, Z_FINISH)
            precondition(result == Z_STREAM_END)
            return outBuffer.count - Int(stream.avail_out)
        }
    }
    return Array(output[..<written])
}

/// One zstd frame holding `data`.
func zstdFrame(_ data: [UInt8], level: Int32 = 3) -> [UInt8] {
    var output = [UInt8](repeating: 0, count: ZSTD_compressBound(data.count))
    let written = output.withUnsafeMutableBytes { out in
        data.withUnsafeBytes { input in
            ZSTD_compress(out.baseAddress, out.count, input.baseAddress, input.count, level)
        }
    }
    precondition(ZSTD_isError(written) == 0)
    return Array(output[..<written])
}

/// A zstd skippable frame with the given magic nibble and payload.
func zstdSkippableFrame(_ payload: [UInt8], nibble: UInt8 = 0) -> [UInt8] {
    let size = UInt32(payload.count)
    return [0x50 | nibble, 0x2A, 0x4D, 0x18,
            UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)] + payload
}

/// All lines of `path` as byte arrays, via LineReader.
func readLines(_ path: String, bufferSize: Int = 1 << 20) throws -> [[UInt8]] {
    let reader = try LineReader(path: path, bufferSize: bufferSize)
    var lines: [[UInt8]] = []
    while let line = try reader.next() {
        lines.append(Array(line.bytes))
    }
    return lines
}

/// All decompressed bytes of `path`.
func readAll(_ path: String) throws -> [UInt8] {
    let reader = try DecompressingReader(path: path)
    var bytes: [UInt8] = []
    try reader.forEachChunk { bytes += $0 }
    return bytes
}

/// Runs `body` and returns the InputStreamError it throws (failing the test if none).
func streamError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> InputStreamError? {
    do {
        try body()
        XCTFail("expected an InputStreamError", file: file, line: line)
        return nil
    } catch let error as InputStreamError {
        return error
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return nil
    }
}
