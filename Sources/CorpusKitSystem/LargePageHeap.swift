import CHeapSetup
#if canImport(Glibc)
import Glibc
#endif

/// The C heap set up so that its large blocks are backed by 2 MiB transparent huge pages, where
/// the kernel offers them on request (Linux, `/sys/kernel/mm/transparent_hugepage/enabled` set
/// to `madvise` or `always`). Call it once, first thing in the process, before any thread starts.
///
/// Why: a command's larger arrays and buffers are fresh memory — a vocabulary's tables and the
/// trie's inputs at load, the line reader's and the id writer's 1 MiB buffers, the Viterbi
/// scratch — and each 4 KiB page's first touch is a page fault. On a virtual machine a fault
/// costs ~3 µs (the Zen 3 guest of 2026-12-07: 2.7–3.4 µs a page touched, 1.7 µs even with
/// `MAP_POPULATE`), and an `encode` of the 4.2 MB benchmark input took ~2,750 of them, ~1,000 in
/// the load alone. glibc gives every block of 128 KiB or more an mmap of its own, too small and
/// unaligned for a huge page; after this, such blocks come from the main heap, which is grown
/// once by 32 MiB of address space (nothing is touched) and advised `MADV_HUGEPAGE`, so that its
/// first touches fault 2 MiB at a time. glibc's `glibc.malloc.hugetlb=1` tunable does much the
/// same, but only from the environment before the process starts. Measured (BENCHMARKS.md,
/// "Eleventh session"): that `encode` 2,750 → 850 page faults and ~5 % less time; an `encode` of
/// an empty input ~17 % less.
///
/// Costs: resident memory grows in 2 MiB steps and freed blocks below 64 MiB stay in the heap for
/// the next allocation instead of being unmapped (`encode` peaks ~2.5 MB higher, `tokenize` ~12 MB,
/// the same at one and two workers). Only the main thread's heap is advised: threads' own arenas
/// keep their 4 KiB pages. With THP `never` or on another OS nothing changes; on another thread or
/// when the heap cannot grow in place nothing is advised (glibc's block-size settings stay set).
public enum LargePageHeap {
    /// The size of a transparent huge page on x86-64 (and arm64 with 4 KiB pages).
    static let hugePageSize = 2 << 20
    /// Blocks below this come from the heap (glibc's default is 128 KiB, adjusted upwards as
    /// blocks are freed, to at most 32 MiB).
    static let mmapThreshold: Int32 = 64 << 20
    /// How much address space the heap is grown by beyond each request.
    static let topPad: Int32 = 32 << 20

    /// Whether ``prepare()`` has advised the heap (a second call does nothing then).
    private nonisolated(unsafe) static var isPrepared = false

    /// Sets the heap up as described above; does nothing when huge pages are not offered.
    public static func prepare() {
        guard !isPrepared, isOffered else { return }
        isPrepared = ck_heap_prefer_huge_pages(mmapThreshold, topPad, hugePageSize) == 1
    }

    /// Whether the kernel hands out transparent huge pages to a region that asks for them: the
    /// selected mode in `/sys/kernel/mm/transparent_hugepage/enabled` is `[always]` or `[madvise]`.
    public static var isOffered: Bool {
        #if os(Linux)
        let path = "/sys/kernel/mm/transparent_hugepage/enabled"
        guard let fd = try? POSIXFile.openForReading(path) else { return false }
        defer { try? POSIXFile.close(fd, path: path) }
        var buffer = [UInt8](repeating: 0, count: 128)
        guard let count = try? buffer.withUnsafeMutableBytes({ bytes throws(SystemError) in
            try POSIXFile.readSome(fd, into: bytes, path: path)
        }), count > 0 else { return false }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        return text.contains("[always]") || text.contains("[madvise]")
        #else
        return false
        #endif
    }
}
