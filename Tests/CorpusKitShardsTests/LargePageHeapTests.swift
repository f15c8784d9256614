import Foundation
import XCTest
import CorpusKitSystem
import CorpusKitTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `LargePageHeap.prepare()`, which every `corpuskit` run calls first: where the kernel offers
/// transparent huge pages, the main heap is grown and advised for them; where it does not, nothing
/// changes. Checked in a forked child (the settings are the process's), through the kernel's own
/// account of the child's mappings (`/proc/self/smaps`). An XCTest, not a swift-testing test: the
/// heap advised is the main thread's, and only XCTest runs its tests on the main thread (malloc on
/// another thread serves it from that thread's own arena, which `prepare()` leaves alone).
final class LargePageHeapTests: XCTestCase {
    /// The heap's mappings in `/proc/self/smaps`: each one's size in bytes and whether it carries
    /// the huge-page advice (`hg` among its VmFlags).
    static func heapMappings() -> [(size: Int, advised: Bool)] {
        // Read to the end with read(2): the file is made a page at a time, and Foundation's
        // whole-file readers stop after the first (its size is 0).
        let fd = open("/proc/self/smaps", O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var mappings: [(size: Int, advised: Bool)] = []
        var current: Int?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), fields.count >= 5, !line.hasPrefix("VmFlags") {
                // "start-end perms offset device inode [name]"
                current = nil
                if fields.last == "[heap]" {
                    let bounds = range.split(separator: "-").compactMap { Int($0, radix: 16) }
                    if bounds.count == 2 { current = bounds[1] - bounds[0] }
                }
            } else if line.hasPrefix("VmFlags:"), let size = current {
                mappings.append((size, fields.dropFirst().contains("hg")))
                current = nil
            }
        }
        return mappings
    }

    func testTheMainHeapIsGrownAndAdvisedWhereHugePagesAreOffered() throws {
        XCTAssertTrue(Thread.isMainThread, "prepare() advises the main thread's heap")
        let offered = LargePageHeap.isOffered
        let result = try ForkedChild.run {
            let before = Self.heapMappings()
            LargePageHeap.prepare()
            let after = Self.heapMappings()
            let advised = after.filter(\.advised).reduce(0) { $0 + $1.size }
            var report = "prepared \(LargePageHeap.isPrepared) advised \(advised) before \(before.count) mappings "
            report += "advised-before \(before.filter(\.advised).count)\n"
            FileHandle.standardError.write(report.data(using: .utf8)!)
            // Where offered: ≥ 28 MiB advised (the 32 MiB pad less the alignment on each side),
            // none before. Where not: nothing advised, and `isPrepared` false.
            let expected = offered
                ? LargePageHeap.isPrepared && advised >= 28 << 20 && before.allSatisfy { !$0.advised }
                : !LargePageHeap.isPrepared && advised == 0
            _exit(expected ? 0 : 1)
        }
        XCTAssertEqual(result.exitStatus, 0, "THP offered: \(offered); the child said: \(result.standardError)")
    }
}
