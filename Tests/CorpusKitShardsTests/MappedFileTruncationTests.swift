import CMappedFileGuard
import Foundation
import Testing
import CorpusKitSystem
import CorpusKitTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A file truncated by another process while it is mapped (a shard or a checkpoint rewritten under
/// a running command): reading past its new end raises SIGBUS, which must end the run with a
/// clear error naming the file, not a bare "Bus error".
///
/// The fault is taken in a forked child that does nothing but read one byte (everything else is
/// set up before the fork, so the child needs no lock another test's thread could hold).
@Suite struct MappedFileTruncationTests {
    /// A C string in a buffer.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func readingPastTheNewEndNamesTheFileAndExitsWithStatusOne() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("shard.bin")
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        try Data(repeating: 1, count: 3 * page).write(to: URL(fileURLWithPath: path))
        let mapped = try MappedFile(path: path)
        let base = try #require(mapped.bytes.baseAddress)
        var recorded = [CChar](repeating: 0, count: 1024)
        #expect(ck_mapped_file_lookup(base + 5, &recorded, recorded.count) == 1)
        #expect(Self.text(recorded) == path)
        #expect(ck_mapped_file_lookup(base + 3 * page - 1, &recorded, recorded.count) == 1)
        #expect(Self.text(recorded) == path)
        // The byte after the mapping is not this file's. Another test running alongside may have a
        // file mapped right there, so only this file is ruled out.
        let after = ck_mapped_file_lookup(base + 3 * page, &recorded, recorded.count)
        #expect(after == 0 || Self.text(recorded) != path)

        try #require(truncate(path, off_t(page)) == 0)
        let offset = 2 * page + 10
        let result = try ForkedChild.run {
            _exit(100 + Int32(base.load(fromByteOffset: offset, as: UInt8.self)))   // the value used: the read stays
        }
        #expect(result.exitStatus == 1)
        #expect(result.standardError == "Error: \(path) became shorter while it was being read (byte \(offset) of the "
            + "\(3 * page) it had when it was opened is gone): another process truncated or rewrote it. "
            + "Run again once that file is complete.\n")
        // What is still inside the file reads as before.
        #expect(base.load(fromByteOffset: 10, as: UInt8.self) == 1)
        withExtendedLifetime(mapped) {}
    }

    @Test func anUnmappedFileIsForgotten() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("gone.bin")
        try Data(repeating: 2, count: 100).write(to: URL(fileURLWithPath: path))
        var mapped: MappedFile? = try MappedFile(path: path)
        let address = try #require(mapped?.bytes.baseAddress)
        var recorded = [CChar](repeating: 0, count: 16)
        #expect(ck_mapped_file_lookup(address, &recorded, recorded.count) == 1)
        #expect(Self.text(recorded) == String(path.prefix(15)))   // cut to the buffer
        mapped = nil
        // A test running alongside may map its own file at the freed address; this one is gone.
        var again = [CChar](repeating: 0, count: 1024)
        let found = ck_mapped_file_lookup(address, &again, again.count)
        #expect(found == 0 || Self.text(again) != path)
    }

    /// A SIGBUS outside every MappedFile (here a mapping made with `mmap` directly, truncated the
    /// same way) keeps its usual outcome: it goes on to the handler installed before (the Swift
    /// runtime's crash report, where it is enabled) or kills the process, and nothing claims a file
    /// was truncated.
    @Test func aFaultOutsideEveryMappedFileIsLeftToTheHandlerBefore() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("other.bin")
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        try Data(repeating: 4, count: 3 * page).write(to: URL(fileURLWithPath: path))
        let known = try MappedFile(path: path)   // the handler is installed
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let raw = try #require(mmap(nil, 3 * page, PROT_READ, MAP_PRIVATE, descriptor, 0))
        try #require(raw != MAP_FAILED)
        defer { munmap(raw, 3 * page) }
        try #require(truncate(path, off_t(page)) == 0)
        let result = try ForkedChild.run {
            _exit(100 + Int32(UnsafeRawPointer(raw).load(fromByteOffset: 2 * page, as: UInt8.self)))
        }
        #expect(result.signal == SIGBUS || result.standardError.contains("Bus error"), "\(result)")
        #expect(!result.standardError.contains("became shorter"))
        withExtendedLifetime(known) {}
    }
}
