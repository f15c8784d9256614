#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CorpusKitSystem

/// An on-disk cache of built double-array tries, so that loading a large vocabulary a second
/// time maps the finished trie instead of building it again.
///
/// Building the trie of llm-jp v4.0 (196k pieces) was ~20 ms of a ~45 ms load (perf, 2026-11-25);
/// mapping a cached one takes about 2 ms. An entry is named by a 64-bit hash of everything the
/// build reads (the key bytes, offsets, key order, values and payloads, and ``formatVersion``), so an entry
/// can only be found by the exact same input; its header and a checksum of its cells are verified
/// on every use, and anything that does not match is ignored (and rebuilt). The cache is best
/// effort: a missing, read-only or full directory only means the trie is built as before.
///
/// Location: `CORPUSKIT_TRIE_CACHE` (a directory, or `off` to disable), else
/// `$XDG_CACHE_HOME/corpuskit/tries`, else `~/.cache/corpuskit/tries`.
struct TrieCache: Sendable {
    /// The directory holding the entries; nil when caching is off.
    let directory: String?

    /// Tries with fewer keys are built directly (a few milliseconds at most).
    static let minimumKeyCount = 20_000
    /// The most the directory's entries (tries and parsed vocabularies) may hold in all, in bytes,
    /// after an entry is stored: 1 GiB, over a hundred vocabularies of llm-jp v4.0's size. Every
    /// tokenizer file and every cache format leaves its own entries, so without a bound the
    /// directory grows with each vocabulary a user ever tried (a vocabulary extension makes many)
    /// and with each format change; ``trim(keeping:limit:)`` removes the least recently used.
    static let sizeLimit = 1 << 30
    /// Bumped whenever the layout of the cells or the build changes.
    /// Old entries are then never found (the version is part of every key) and never misread (the
    /// header's cell size is checked too).
    static let formatVersion: UInt64 = 5   // 2: 256 free cells after the largest base; 4: 16-byte units with a payload, check = the parent's byte offset; 5: base a byte offset too

    /// The cache configured by the environment.
    static let `default` = TrieCache(environment: { name in getenv(name).map { String(cString: $0) } })

    init(directory: String?) { self.directory = directory }

    init(environment: (String) -> String?) {
        if let setting = environment("CORPUSKIT_TRIE_CACHE"), !setting.isEmpty {
            directory = ["off", "0", "no", "false"].contains(setting.lowercased()) ? nil : setting
        } else if let xdg = environment("XDG_CACHE_HOME"), xdg.hasPrefix("/") {
            directory = xdg + "/corpuskit/tries"
        } else if let home = environment("HOME"), !home.isEmpty {
            directory = home + "/.cache/corpuskit/tries"
        } else {
            directory = nil
        }
    }

    // MARK: Entries

    /// A trie mapped from the cache.
    struct MappedEntry {
        let units: UnsafeMutableRawPointer
        let unitCount: Int
        let duplicateKeyPosition: Int?
        /// The entry's mapping, which `units` lies in (kept alive by whoever uses the cells).
        let mapping: MappedFile
    }

    private static let magic: UInt64 = 0x3145_4952_544B_4300   // "\0CKTRIE1" read little-endian
    private static let headerSize = 48

    private func path(for key: UInt64) -> String? { Self.entryPath(in: directory, key: key, suffix: ".trie") }

    /// The one naming rule of the cache directory's entries (tries here, parsed vocabularies in
    /// ``JSONValueCache``): the key as 16 hex digits, then the kind's suffix.
    static func entryPath(in directory: String?, key: UInt64, suffix: String) -> String? {
        guard let directory else { return nil }
        let hex = String(key, radix: 16)
        return directory + "/" + String(repeating: "0", count: 16 - hex.count) + hex + suffix
    }

    /// The entry for `key` with cells of `unitStride` bytes, when present and intact.
    func load(key: UInt64, unitStride: Int) -> MappedEntry? {
        guard let path = path(for: key), let mapping = try? MappedFile(path: path) else { return nil }
        defer { withExtendedLifetime(mapping) {} }   // alive while `base` is read, also on the way out
        let size = mapping.count
        guard size > Self.headerSize, let base = mapping.bytes.baseAddress else { return nil }
        func header(_ index: Int) -> UInt64 { mapping.load(UInt64.self, at: index * 8) }
        let unitCount = Int(truncatingIfNeeded: header(3))
        let cells = UnsafeRawBufferPointer(start: base + Self.headerSize, count: size - Self.headerSize)
        guard header(0) == Self.magic, header(1) == UInt64(unitStride), header(2) == key,
              unitCount > 0, unitCount <= (size - Self.headerSize) / unitStride,
              Self.headerSize + unitCount * unitStride == size,
              header(5) == Self.hash([cells]) else { return nil }
        let duplicate = Int64(bitPattern: header(4))
        // The cells are only read (the mapping is PROT_READ); the trie's pointer type is mutable
        // because a built trie owns and frees its cells.
        return MappedEntry(units: UnsafeMutableRawPointer(mutating: base + Self.headerSize), unitCount: unitCount,
                           duplicateKeyPosition: duplicate < 0 ? nil : Int(duplicate), mapping: mapping)
    }

    /// Writes an entry through ``AtomicFile`` (readers never see a partial one).
    /// Failures are ignored: the cache only saves time.
    func store(key: UInt64, units: UnsafeRawBufferPointer, unitStride: Int, duplicateKeyPosition: Int?) {
        guard let directory, let path = path(for: key) else { return }
        guard POSIXFile.makeDirectories(directory) else { return }
        guard let file = try? AtomicFile.Writer(path: path) else { return }
        let header: [UInt64] = [
            Self.magic, UInt64(unitStride), key, UInt64(units.count / unitStride),
            UInt64(bitPattern: Int64(duplicateKeyPosition ?? -1)), Self.hash([units]),
        ]
        // Best effort by design: any failure only means the next load builds the trie again (an
        // uncommitted writer removes its temporary file).
        do {
            try file.write(header.withUnsafeBytes { Array($0) })
            try file.write(units)
            try file.commit()
        } catch { return }
        trim(keeping: path)
    }

    /// Removes the least recently used entries (`*.trie`, `*.json-values`) until those left hold at
    /// most `limit` bytes, never `kept` (the entry just stored). Recency is the later of a file's
    /// modification and its last access: loading an entry maps and reads it, which updates the
    /// access time (with `relatime`, at most once a day — fine-grained enough to tell the entries
    /// in use from those of a vocabulary or a format left behind). Other files (another process's
    /// temporaries among them) are neither counted nor removed. Best effort, like the rest of the
    /// cache: an entry another process has mapped stays readable to it after the unlink, and one
    /// it is about to open is then built again.
    func trim(keeping kept: String, limit: Int = TrieCache.sizeLimit) {
        guard let directory, let listing = try? POSIXFile.directoryNames(directory) else { return }
        var entries: [(path: String, size: Int, usedAt: Double)] = []
        var total = 0
        for name in listing.names where name.hasSuffix(".trie") || name.hasSuffix(".json-values") {
            let path = directory + "/" + name
            guard let status = POSIXFile.status(path: path), status.isRegularFile else { continue }
            total += status.size
            if path != kept { entries.append((path, status.size, max(status.modifiedAt, status.accessedAt))) }
        }
        guard total > limit else { return }
        entries.sort { $0.usedAt < $1.usedAt }
        for entry in entries {
            if total <= limit { break }
            POSIXFile.removeQuietly(entry.path)
            total -= entry.size
        }
    }

    // MARK: Keys

    /// The key of a trie built from these inputs (see ``DoubleArrayTrie``'s initializer).
    static func key(blob: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<Int32>,
                    keys: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Int32>,
                    payloads: UnsafeBufferPointer<UInt32>) -> UInt64 {
        var lengths: [UInt64] = [formatVersion, UInt64(blob.count), UInt64(offsets.count), UInt64(keys.count), UInt64(values.count),
                                 UInt64(payloads.count)]
        return lengths.withUnsafeMutableBytes { lengthBytes in
            hash([UnsafeRawBufferPointer(lengthBytes), UnsafeRawBufferPointer(blob), UnsafeRawBufferPointer(offsets),
                  UnsafeRawBufferPointer(keys), UnsafeRawBufferPointer(values), UnsafeRawBufferPointer(payloads)])
        }
    }

    /// A 64-bit hash of the concatenated buffers (each buffer's length is mixed in after it), used
    /// for every key and checksum of the cache directory: a content hash, never a file's size or
    /// modification time (an edited file with the same size and time must not find an old entry).
    ///
    /// Four independent lanes over 64-byte blocks; each lane takes 16 bytes per step as
    /// `lane = mix(word₀ ^ constant, word₁ ^ lane)`, where `mix` folds the 128-bit product of its
    /// two operands (high half xor low half) — the step of wyhash. That is ~7 instructions per 16
    /// bytes (one `mul`), about 0.5 per byte; the xorshift-multiply lanes it replaced took one
    /// multiply per 8 bytes and ~1 instruction per byte (callgrind over the 12.9 MB llm-jp v4.0
    /// tokenizer.json: 12.5 M → 6.6 M), and every cached load hashes its whole file, the entry's
    /// body and the mapped trie. Hand-written: Swift's `Hasher` is seeded randomly per process and
    /// the standard library has no stable hash; this only has to tell different inputs apart
    /// (a 16-byte block whose first word equals a lane constant loses the lane's history, which
    /// arbitrary file contents hit with probability 2⁻⁶⁴), not resist an attacker.
    static func hash(_ parts: [UnsafeRawBufferPointer]) -> UInt64 {
        let k0: UInt64 = 0xA076_1D64_78BD_642F, k1: UInt64 = 0xE703_7ED1_A0B4_28DB
        let k2: UInt64 = 0x8EBC_6AF0_9C88_C6E3, k3: UInt64 = 0x5899_65CC_7537_4CC3
        @inline(__always) func mix(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let product = x.multipliedFullWidth(by: y)
            return product.high ^ product.low
        }
        var lane0: UInt64 = 0x9E37_79B9_7F4A_7C15, lane1: UInt64 = 0xBF58_476D_1CE4_E5B9
        var lane2: UInt64 = 0x94D0_49BB_1331_11EB, lane3: UInt64 = 0x2545_F491_4F6C_DD1D
        for part in parts {
            let count = part.count
            if let base = part.baseAddress {
                @inline(__always) func word(_ offset: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
                var offset = 0
                while offset &+ 64 <= count {
                    lane0 = mix(word(offset) ^ k0, word(offset &+ 8) ^ lane0)
                    lane1 = mix(word(offset &+ 16) ^ k1, word(offset &+ 24) ^ lane1)
                    lane2 = mix(word(offset &+ 32) ^ k2, word(offset &+ 40) ^ lane2)
                    lane3 = mix(word(offset &+ 48) ^ k3, word(offset &+ 56) ^ lane3)
                    offset &+= 64
                }
                while offset &+ 16 <= count {
                    lane0 = mix(word(offset) ^ k1, word(offset &+ 8) ^ lane0)
                    offset &+= 16
                }
                if offset < count {
                    // The last 1–15 bytes, zero-padded (the length mixed in below tells them apart).
                    var tail: (UInt64, UInt64) = (0, 0)
                    withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(start: base + offset, count: count &- offset)) }
                    lane0 = mix(tail.0 ^ k2, tail.1 ^ lane0)
                }
            }
            lane1 = mix(UInt64(count) ^ k3, lane1 ^ k0)
        }
        var state = mix(lane0 ^ k0, lane1 ^ k1)
        state = mix(state ^ k2, lane2 ^ k3)
        state = mix(state ^ k1, lane3 ^ k2)
        return mix(state ^ k3, k0)
    }

}
