import Testing
import CorpusKitTestSupport
@testable import CorpusKitShards

/// Damaged copies of a valid fixture (u16_mixed: 5 sequences, 8 index entries) must fail with the file
/// and the byte offset of the problem.
@Suite struct CorruptIndexTests {
    let scratch: ScratchDirectory
    let index: [UInt8]
    let data: [UInt8]

    init() throws {
        scratch = try ScratchDirectory()
        index = try Fixtures.bytes(Fixtures.prefix("u16_mixed") + ".idx")
        data = try Fixtures.bytes(Fixtures.prefix("u16_mixed") + ".bin")
    }

    /// Writes a damaged copy and returns the error opening it gives.
    func open(index damagedIndex: [UInt8]? = nil, data damagedData: [UInt8]? = nil, name: String = "bad") throws -> ShardError? {
        let prefix = scratch.file(name)
        try Fixtures.write(damagedIndex ?? index, to: prefix + ".idx")
        try Fixtures.write(damagedData ?? data, to: prefix + ".bin")
        return shardError { _ = try MegatronIndexReader(prefix: prefix) }
    }

    func expectInvalid(_ error: ShardError?, offset: Int, containing text: String) {
        guard case let .invalidIndex(path, at, reason)? = error else {
            Issue.record("expected invalidIndex, got \(String(describing: error))")
            return
        }
        #expect(path == scratch.file("bad") + ".idx")
        #expect(at == offset, "offset of: \(reason)")
        #expect(reason.contains(text), "\(reason)")
        #expect(error!.description.contains("at byte \(offset)"))
    }

    func patched(_ offset: Int, _ bytes: [UInt8]) -> [UInt8] {
        var copy = index
        copy.replaceSubrange(offset ..< offset + bytes.count, with: bytes)
        return copy
    }

    static func le64(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    static func le32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    @Test func badMagic() throws {
        expectInvalid(try open(index: patched(0, Array("TNTIDX\0\0\0".utf8))), offset: 0, containing: "magic")
    }

    @Test func emptyAndTinyFiles() throws {
        expectInvalid(try open(index: []), offset: 0, containing: "ends inside the 9-byte magic")
        expectInvalid(try open(index: Array(index.prefix(5))), offset: 5, containing: "ends inside the 9-byte magic")
        expectInvalid(try open(index: Array(index.prefix(20))), offset: 20, containing: "ends inside the 34-byte header")
    }

    @Test func badVersion() throws {
        expectInvalid(try open(index: patched(9, Self.le64(2))), offset: 9, containing: "version is 2")
    }

    @Test func unsupportedAndUnknownDtypes() throws {
        expectInvalid(try open(index: patched(17, [5])), offset: 17, containing: "(int64) is valid Megatron")
        expectInvalid(try open(index: patched(17, [99])), offset: 17, containing: "unknown dtype code 99")
    }

    @Test func truncatedAndOverlongIndex() throws {
        expectInvalid(try open(index: Array(index.dropLast())), offset: index.count - 1, containing: "truncated")
        expectInvalid(try open(index: index + [0, 0, 0]), offset: index.count, containing: "3 unexpected bytes")
        expectInvalid(try open(index: index + [0, 0, 0, 0, 0]), offset: index.count, containing: "multimodal")
        expectInvalid(try open(index: patched(18, Self.le64(1 << 60))), offset: 18, containing: "impossibly large")
        expectInvalid(try open(index: patched(26, Self.le64(0))), offset: 26, containing: "document index length is 0")
    }

    @Test func negativeSize() throws {
        // sizes start at 34; sequence 1 at 38
        expectInvalid(try open(index: patched(38, Self.le32(-3))), offset: 38, containing: "size of sequence 1 is -3")
    }

    @Test func pointerThatIsNotTheRunningOffset() throws {
        // pointers start at 34 + 4*5 = 54; sequence 2 at 70
        expectInvalid(try open(index: patched(70, Self.le64(2))), offset: 70, containing: "pointer of sequence 2 is 2, expected 8")
    }

    @Test func documentIndexProblems() throws {
        let docIdx = 34 + 12 * 5
        expectInvalid(try open(index: patched(docIdx, Self.le64(1))), offset: docIdx, containing: "starts with 1")
        expectInvalid(try open(index: patched(docIdx + 24, Self.le64(0))), offset: docIdx + 24, containing: "below the previous 1")
        expectInvalid(try open(index: patched(docIdx + 8, Self.le64(9))), offset: docIdx + 8, containing: "beyond the 5 sequences")
        expectInvalid(try open(index: patched(docIdx + 56, Self.le64(4))), offset: docIdx + 56, containing: "ends at sequence 4")
    }

    @Test func dataFileOfTheWrongSize() throws {
        let prefix = scratch.file("bad")
        #expect(try open(data: Array(data.dropLast(2)))
            == .dataSizeMismatch(path: prefix + ".bin", expectedBytes: data.count, actualBytes: data.count - 2))
        #expect(try open(data: data + [0])
            == .dataSizeMismatch(path: prefix + ".bin", expectedBytes: data.count, actualBytes: data.count + 1))
    }

    @Test func uncountedEODsAreRecognized() throws {
        // u16_mixed has 5 non-empty documents: one extra uint16 per document is the pre-0609f27f layout.
        let error = try open(data: data + [UInt8](repeating: 0, count: 10))
        guard case let .dataSizeMismatch(_, _, actual, hint)? = error else {
            Issue.record("expected dataSizeMismatch, got \(String(describing: error))")
            return
        }
        #expect(actual == data.count + 10)
        #expect(hint.contains("EOD without counting it"))
        #expect(error!.description.contains("0609f27f"))
    }

    @Test func missingFilesNameThePath() throws {
        let prefix = scratch.file("missing")
        let error = shardError { _ = try MegatronIndexReader(prefix: prefix) }
        guard case let .io(path, operation, _)? = error else {
            Issue.record("expected io error, got \(String(describing: error))")
            return
        }
        #expect(path == prefix + ".idx" && operation == "open")
        try Fixtures.write(index, to: prefix + ".idx")
        guard case let .io(binPath, _, _)? = shardError({ _ = try MegatronIndexReader(prefix: prefix) }) else {
            Issue.record("expected io error for the .bin")
            return
        }
        #expect(binPath == prefix + ".bin")
    }

    @Test func shardInfoReportsTheSameErrors() throws {
        _ = try open(index: patched(9, Self.le64(7)))
        let error = shardError { _ = try ShardTools.info(prefix: scratch.file("bad")) }
        #expect(error?.description == "\(scratch.file("bad")).idx: invalid Megatron index at byte 9: version is 7, expected 1")
    }
}
