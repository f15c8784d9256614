import Foundation
import XCTest
import CorpusKitSystem
import CorpusKitTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Every `corpuskit` run first calls `LargePageHeap.prepare()`: where the kernel offers
/// transparent huge pages, its main heap is grown and advised for them; where it does not, nothing
/// is advised. Checked on the built executable, through the kernel's own account of its mappings
/// (`/proc/PID/smaps`) while it waits for its standard input (a fresh process: the heap's state in
/// the test process, after thousands of allocations, says nothing of a command's).
final class LargePageHeapTests: XCTestCase {
    /// The `[heap]` mappings in an smaps text: each one's size and whether it carries the huge-page
    /// advice (`hg` among its VmFlags).
    static func heapMappings(_ smaps: String) -> [(size: Int, advised: Bool)] {
        var mappings: [(size: Int, advised: Bool)] = []
        var current: Int?
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("VmFlags:") {
                if let size = current { mappings.append((size, fields.dropFirst().contains("hg"))) }
                current = nil
            } else if let range = fields.first, fields.count >= 5, range.contains("-"), !range.hasSuffix(":") {
                // "start-end perms offset device inode [name]"
                let bounds = range.split(separator: "-").compactMap { Int($0, radix: 16) }
                current = fields.last == "[heap]" && bounds.count == 2 ? bounds[1] - bounds[0] : nil
            }
        }
        return mappings
    }

    /// The whole of a /proc file, read to its end through `POSIXFile`: it is made a page at a time,
    /// and Foundation's whole-file readers stop after the first (its size is 0). Nil when it cannot
    /// be read (the process has ended).
    static func procFile(_ path: String) -> String? {
        guard let fd = try? POSIXFile.openForReading(path) else { return nil }
        defer { try? POSIXFile.close(fd, path: path) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while let count = try? chunk.withUnsafeMutableBytes({ buffer throws(SystemError) in
            try POSIXFile.readSome(fd, into: buffer, path: path)
        }), count > 0 {
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testACommandsHeapIsAdvisedForHugePagesWhereTheyAreOffered() throws {
        let executable = try CorpusKitExecutable.require()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["encode", "--tokenizer", TestPaths.fixtureLLMJP]   // reads its standard input
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        // The heap is advised before anything else; wait until the mapping list shows the
        // process's own heap (a moment after exec it is still being set up).
        var advised = 0, mappings: [(size: Int, advised: Bool)] = []
        let deadline = Date().addingTimeInterval(20)
        repeat {
            if let smaps = Self.procFile("/proc/\(process.processIdentifier)/smaps") {
                mappings = Self.heapMappings(smaps)
                advised = mappings.filter(\.advised).reduce(0) { $0 + $1.size }
            }
            if advised > 0 || (!LargePageHeap.isOffered && !mappings.isEmpty) { break }
            usleep(20_000)
        } while Date() < deadline && process.isRunning
        XCTAssertTrue(process.isRunning, "corpuskit ended before its mappings were read")
        if LargePageHeap.isOffered {
            // The 32 MiB pad less the alignment at each end.
            XCTAssertGreaterThanOrEqual(advised, 28 << 20, "THP offered; heap mappings \(mappings)")
        } else {
            XCTAssertEqual(advised, 0, "THP not offered; heap mappings \(mappings)")
            XCTAssertFalse(mappings.isEmpty, "no heap mapping was seen")
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }
}
