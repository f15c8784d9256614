import Foundation
import Testing
import CorpusKitSystem
import CorpusKitTestSupport
@testable import CorpusKitShards

@Suite struct WriterBehaviorTests {
    @Test func uint16RefusesIdsThatDoNotFitAndWritesNothingOfThatDocument() throws {
        let scratch = try ScratchDirectory()
        let prefix = scratch.file("range")
        let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
        try writer.addDocument([1, 2])
        let error = shardError { try writer.addDocument([3, 65536, 4]) }
        #expect(error == .tokenOutOfRange(token: 65536, dtype: .uint16, document: 1, position: 1))
        #expect(shardError { try writer.addDocument([-1]) } == .tokenOutOfRange(token: -1, dtype: .uint16, document: 1, position: 0))
        let batch: [Int32] = [5, 6, 7, 70000]
        let lengths = [2, 2]
        let batchError = shardError {
            try batch.withUnsafeBufferPointer { b in
                try lengths.withUnsafeBufferPointer { try writer.addDocuments(tokens: b, documentLengths: $0) }
            }
        }
        #expect(batchError == .tokenOutOfRange(token: 70000, dtype: .uint16, document: 2, position: 1))
        try writer.addDocument([3])
        let summary = try writer.finish()
        #expect(summary.documents == 2 && summary.tokens == 3)
        let reader = try MegatronIndexReader(prefix: prefix)
        #expect(try reader.documents(0 ..< 2) == [[1, 2], [3]])
        #expect(error?.description.contains("does not fit dtype uint16") == true)
    }

    @Test func int32AcceptsEveryInt32() throws {
        let scratch = try ScratchDirectory()
        let writer = try MegatronIndexWriter(prefix: scratch.file("i32"), dtype: .int32)
        try writer.addDocument([Int32.min, -1, 0, Int32.max])
        try writer.finish()
        #expect(try MegatronIndexReader(prefix: scratch.file("i32")).documentTokens(0) == [Int32.min, -1, 0, Int32.max])
    }

    /// With `idleFor` (a folder other machines may write into), a dead process's temporary file is
    /// removed only once it has been left unmodified that long; without it, at once.
    @Test func staleTemporariesInASharedFolderGoOnlyWhenIdle() throws {
        let scratch = try ScratchDirectory()
        let dead = try exitedProcessID()
        let path = scratch.file("cache.npy")
        let recent = path + ".tmp-\(dead)"
        let old = path + ".tmp-\(dead)-1"
        try Data("partial".utf8).write(to: URL(fileURLWithPath: recent))
        try Data("partial".utf8).write(to: URL(fileURLWithPath: old))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old)
        #expect(AtomicFile.removeStaleTemporaries(of: path, idleFor: 3600) == [old])
        #expect(FileManager.default.fileExists(atPath: recent))
        #expect(AtomicFile.removeStaleTemporaries(of: path) == [recent])
    }

    /// Several paths, two folders, one call: exactly the dead writers' temporaries of the named
    /// files go (a name that itself contains `.tmp-` included, attempts included); this process's
    /// own, other files' and malformed names stay.
    @Test func staleTemporariesOfManyFilesInOneCall() throws {
        let scratch = try ScratchDirectory()
        let dead = try exitedProcessID(), live = ProcessInfo.processInfo.processIdentifier
        try FileManager.default.createDirectory(atPath: scratch.file("sub"), withIntermediateDirectories: true)
        let a = scratch.file("a_text_document.bin"), b = scratch.file("sub/b.tmp-9.idx"), c = scratch.file("c.bin")
        let stale = [a + ".tmp-\(dead)", a + ".tmp-\(dead)-3", b + ".tmp-\(dead)"]
        let kept = [a + ".tmp-\(live)", c + ".tmp-\(dead)", a + ".tmp-x\(dead)", a + ".tmp-\(dead)-", a + ".tmp-0",
                    scratch.file("sub/b.tmp-\(dead)")]
        for path in stale + kept { try Data("partial".utf8).write(to: URL(fileURLWithPath: path)) }
        #expect(AtomicFile.removeStaleTemporaries(of: [a, b, scratch.file("missing/d.bin")]) == stale.sorted())
        #expect(kept.allSatisfy { FileManager.default.fileExists(atPath: $0) })
        #expect(AtomicFile.removeStaleTemporaries(of: [a], ownedByCaller: true) == [])
        #expect(AtomicFile.removeStaleTemporaries(of: [c], ownedByCaller: true) == [c + ".tmp-\(dead)"])
    }

    /// `POSIXFile.status` (what the launch records and staleness checks read) against Foundation's
    /// attributes of the same file; nil for a missing one.
    @Test func fileStatusAgreesWithFoundation() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("status.bin")
        try Data(repeating: 7, count: 12_345).write(to: URL(fileURLWithPath: path))
        let set = Date(timeIntervalSince1970: 1_700_000_000.25)
        try FileManager.default.setAttributes([.modificationDate: set], ofItemAtPath: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let status = try #require(POSIXFile.status(path: path))
        #expect(status.size == (attributes[.size] as? NSNumber)?.intValue)
        let foundation = try #require((attributes[.modificationDate] as? Date)?.timeIntervalSince1970)
        #expect(abs(status.modifiedAt - foundation) < 1e-6)
        #expect(abs(status.modifiedAt - 1_700_000_000.25) < 1e-3)
        #expect(POSIXFile.size(path: path) == 12_345)
        #expect((POSIXFile.secondsSinceModification(path: path) ?? 0) > Date().timeIntervalSince1970 - 1_700_000_001)
        #expect(POSIXFile.status(path: scratch.file("missing")) == nil)
        #expect(status.isRegularFile && !status.isDirectory)
        let folder = try #require(POSIXFile.status(path: scratch.path))
        #expect(folder.isDirectory && !folder.isRegularFile)
    }

    /// The descriptor-level helpers the readers use: a regular file's size (nil for a pipe, whose
    /// size says nothing), reads in pieces up to the end, appends after what is there.
    @Test func descriptorHelpersReadAppendAndTellRegularFilesApart() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("bytes.bin")
        try Data((0..<200).map { UInt8($0) }).write(to: URL(fileURLWithPath: path))
        let fd = try POSIXFile.openForReading(path)
        defer { try? POSIXFile.close(fd, path: path) }
        #expect(POSIXFile.regularFileSize(of: fd) == 200)
        var buffer = [UInt8](repeating: 0, count: 150)
        var read: [UInt8] = []
        while true {
            let count = try buffer.withUnsafeMutableBytes { try POSIXFile.readSome(fd, into: $0, path: path) }
            if count == 0 { break }
            read += buffer[0..<count]
        }
        #expect(read == (0..<200).map { UInt8($0) })
        #expect(try buffer.withUnsafeMutableBytes { try POSIXFile.readSome(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<0]), path: path) } == 0)

        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        #expect(POSIXFile.regularFileSize(of: ends[0]) == nil)
        close(ends[0]); close(ends[1])

        let appended = scratch.file("log.txt")
        for text in ["a\n", "bc\n"] {
            let out = try POSIXFile.openForAppending(appended)
            try Array(text.utf8).withUnsafeBytes { try POSIXFile.writeAll(out, $0, path: appended) }
            try POSIXFile.close(out, path: appended)
        }
        #expect(try String(contentsOfFile: appended, encoding: .utf8) == "a\nbc\n")
        #expect(throws: SystemError.self) { try POSIXFile.openForAppending(scratch.file("no/such/dir/log.txt")) }
    }

    /// A directory's names (no `.` and `..`), and a name that is not UTF-8 reported, not mangled.
    @Test func directoryNamesAreListedAndANonUTF8NameIsReported() throws {
        let scratch = try ScratchDirectory()
        for name in ["a.bin", "b.idx", "日本.jsonl"] { FileManager.default.createFile(atPath: scratch.file(name), contents: Data()) }
        try #require(mkdir(scratch.file("sub"), 0o755) == 0)
        let listing = try POSIXFile.directoryNames(scratch.path)
        #expect(listing.names.sorted() == ["a.bin", "b.idx", "sub", "日本.jsonl"])
        #expect(!listing.invalidNames)

        // A name with the byte 0xFF (a Swift String cannot hold it).
        try scratch.createFile(nameBytes: [0x78, 0xFF])
        let mixed = try POSIXFile.directoryNames(scratch.path)
        #expect(mixed.names.sorted() == ["a.bin", "b.idx", "sub", "日本.jsonl"])
        #expect(mixed.invalidNames)
        #expect(throws: SystemError.self) { try POSIXFile.directoryNames(scratch.file("missing")) }
    }

    @Test func temporariesAreInvisibleUntilFinishAndRemovedOnAbort() throws {
        let scratch = try ScratchDirectory()
        let prefix = scratch.file("tmp")
        let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
        try writer.addDocument([1, 2, 3])
        let during = scratch.contents()
        #expect(during.count == 1 && during[0].hasPrefix("tmp.bin.tmp-"))
        writer.abort()
        #expect(scratch.contents().isEmpty)
        #expect(shardError { try writer.addDocument([1]) } == .writerClosed(prefix: prefix))
        #expect(shardError { try writer.finish() } == .writerClosed(prefix: prefix))
        writer.abort()  // idempotent
    }

    @Test func droppingAnUnfinishedWriterRemovesTemporaries() throws {
        let scratch = try ScratchDirectory()
        do {
            let writer = try MegatronIndexWriter(prefix: scratch.file("dropped"), dtype: .int32)
            try writer.addDocument([1])
            #expect(scratch.contents().count == 1)
        }
        #expect(scratch.contents().isEmpty)
    }

    @Test func finishReplacesExistingFilesAndClosesTheWriter() throws {
        let scratch = try ScratchDirectory()
        let prefix = scratch.file("replace")
        try Fixtures.write([1, 2, 3], to: prefix + ".bin")
        try Fixtures.write([4, 5], to: prefix + ".idx")
        let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
        try writer.addDocument([10, 11])
        try writer.finish()
        #expect(scratch.contents() == ["replace.bin", "replace.idx"])
        #expect(try MegatronIndexReader(prefix: prefix).documentTokens(0) == [10, 11])
        #expect(shardError { try writer.endDocument() } == .writerClosed(prefix: prefix))
    }

    @Test func twoWritersForOnePrefixGetDistinctTemporaries() throws {
        let scratch = try ScratchDirectory()
        let prefix = scratch.file("twice")
        let first = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
        let second = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
        try first.addDocument([1])
        try second.addDocument([2])
        #expect(scratch.contents().count == 2)
        try second.finish()
        first.abort()
        #expect(try MegatronIndexReader(prefix: prefix).documentTokens(0) == [2])
    }

    @Test func sequenceLengthsMustAddUp() throws {
        let scratch = try ScratchDirectory()
        let writer = try MegatronIndexWriter(prefix: scratch.file("lengths"), dtype: .uint16)
        #expect(shardError { try writer.addDocument([1, 2, 3], sequenceLengths: [1, 1]) }
            == .invalidSequenceLengths(document: 0, reason: "lengths add up to 2, the document has 3 tokens"))
        #expect(shardError { try writer.addDocument([1], sequenceLengths: [2, -1]) }
            == .invalidSequenceLengths(document: 0, reason: "negative length -1"))
        writer.abort()
    }

    @Test func missingDirectoryIsReportedWithThePath() throws {
        let scratch = try ScratchDirectory()
        let prefix = scratch.file("no/such/dir/x")
        let error = shardError { _ = try MegatronIndexWriter(prefix: prefix, dtype: .uint16) }
        guard case let .io(path, operation, _)? = error else {
            Issue.record("expected an io error, got \(String(describing: error))")
            return
        }
        #expect(path.hasPrefix(prefix + ".bin.tmp-") && operation == "create")
    }

    @Test func largeDocumentsCrossTheBufferBoundary() throws {
        let scratch = try ScratchDirectory()
        let documents: [[Int32]] = (0..<50).map { (d: Int) -> [Int32] in (0 ..< (d * 37 % 211)).map { (i: Int) -> Int32 in Int32((i * 7919 + d) % 65536) } }
        for dtype in TokenDType.allCases {
            let prefix = scratch.file("large-\(dtype)")
            let writer = try MegatronIndexWriter(prefix: prefix, dtype: dtype, bufferCapacity: 100)
            for document in documents { try writer.addDocument(document) }
            try writer.finish()
            let reader = try MegatronIndexReader(prefix: prefix)
            #expect(try reader.documents(0 ..< documents.count) == documents)
        }
    }
}

@Suite struct SmallPieceTests {
    @Test func optimalDtypeFollowsBestFittingDtype() {
        #expect(TokenDType.optimal(vocabularySize: 65499) == .uint16)
        #expect(TokenDType.optimal(vocabularySize: 65500) == .int32)
        #expect(TokenDType.optimal(vocabularySize: 99574) == .int32)
        #expect(TokenDType.uint16.megatronCode == 8 && TokenDType.int32.megatronCode == 4)
        #expect(TokenDType(megatronCode: 5) == nil && TokenDType.megatronName(ofCode: 5) == "int64")
    }

    @Test func outputNamingMatchesPreprocessData() {
        #expect(MegatronFormat.outputPrefix("/out/wiki_0000.jsonl", key: "text") == "/out/wiki_0000.jsonl_text_document")
        #expect(MegatronFormat.prefix(fromPath: "/a/b_text_document.idx") == "/a/b_text_document")
        #expect(MegatronFormat.prefix(fromPath: "/a/b_text_document") == "/a/b_text_document")
    }

    @Test func tokenInfoLinesAreAppended() throws {
        let scratch = try ScratchDirectory()
        let csv = scratch.file("info.csv")
        try TokenInfoCSV.append(TokenInfoCSV.line(input: "/in/a.jsonl", datasetPrefix: "/out/a_text_document", tokens: 12), to: csv)
        try TokenInfoCSV.append(TokenInfoCSV.line(input: "/in/b.jsonl", datasetPrefix: "/out/b_text_document", tokens: 0), to: csv)
        let text = String(decoding: try Fixtures.bytes(csv), as: UTF8.self)
        #expect(text == "/in/a.jsonl,/out/a_text_document,12\n/in/b.jsonl,/out/b_text_document,0\n")
    }
}
