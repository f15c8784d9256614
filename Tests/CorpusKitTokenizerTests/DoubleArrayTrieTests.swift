@testable import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// The double-array trie against a plain dictionary, and its on-disk cache.
final class DoubleArrayTrieTests: XCTestCase {
    /// Deterministic pseudo-random keys: many shared prefixes (a small alphabet), multi-byte
    /// UTF-8 and raw high bytes, some duplicates.
    private static func randomKeys(count: Int, seed: UInt64) -> [[UInt8]] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let alphabet: [[UInt8]] = [[0x61], [0x62], [0x63], [0xE3, 0x81, 0x82], [0xE3, 0x81, 0x84], [0xF0, 0x9F, 0x98, 0x80], [0xFF], [0x00]]
        return (0..<count).map { _ in
            let length = 1 + Int(next() % 9)
            return (0..<length).flatMap { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
        }
    }

    /// With `payloads`, also that the walk reports each key's payload (that of the value kept).
    private func assertMatchesDictionary(_ trie: DoubleArrayTrie, keys: [[UInt8]], values: [Int32], payloads: [UInt32]? = nil,
                                         file: StaticString = #filePath, line: UInt = #line) {
        var expected: [[UInt8]: Int32] = [:]
        var expectedPayload: [[UInt8]: UInt32] = [:]
        for (index, (key, value)) in zip(keys, values).enumerated() where !key.isEmpty {   // last wins
            expected[key] = value
            expectedPayload[key] = payloads?[index] ?? 0
        }
        for (key, value) in expected {
            XCTAssertEqual(trie.lookup(key), value, "key \(key)", file: file, line: line)
        }
        // Prefix search reports exactly the keys that are prefixes, shortest first.
        for probe in Self.randomKeys(count: 300, seed: 99) {
            var found: [(Int, Int32)] = []
            probe.withUnsafeBufferPointer { buffer in
                trie.forEachPrefix(buffer.baseAddress!, from: 0, to: buffer.count) { found.append(($0, $1)) }
            }
            let wanted = (1...probe.count).compactMap { length in expected[Array(probe[..<length])].map { (length, $0) } }
            XCTAssertEqual(found.map(\.0), wanted.map(\.0), "prefixes of \(probe)", file: file, line: line)
            XCTAssertEqual(found.map(\.1), wanted.map(\.1), "prefix values of \(probe)", file: file, line: line)
            var foundPayloads: [UInt32] = []
            probe.withUnsafeBufferPointer { buffer in
                trie.forEachPrefixWithPayload(buffer.baseAddress!, resuming: 0, at: 0, origin: 0, to: buffer.count) { _, _, payload in
                    foundPayloads.append(payload)
                }
            }
            let wantedPayloads = (1...probe.count).compactMap { length in expectedPayload[Array(probe[..<length])] }
            XCTAssertEqual(foundPayloads, wantedPayloads, "prefix payloads of \(probe)", file: file, line: line)
        }
        XCTAssertNil(trie.lookup([UInt8]()), file: file, line: line)
    }

    func testLookupsMatchADictionary() {
        let keys = Self.randomKeys(count: 5000, seed: 1) + [[], [0x61]]
        let values = (0..<Int32(keys.count)).map { $0 * 3 }
        let trie = DoubleArrayTrie(blob: keys.flatMap { $0 }, offsets: Self.offsets(keys), keys: Array(0..<Int32(keys.count)),
                                   values: values, cache: TrieCache(directory: nil))
        XCTAssertFalse(trie.isMappedFromCache)
        XCTAssertNotNil(trie.duplicateKeyPosition)
        assertMatchesDictionary(trie, keys: keys, values: values)
    }

    private static func offsets(_ keys: [[UInt8]]) -> [Int32] {
        var offsets: [Int32] = [0]
        for key in keys { offsets.append(offsets.last! + Int32(key.count)) }
        return offsets
    }

    private func makeTrie(_ keys: [[UInt8]], _ values: [Int32], payloads: [UInt32]? = nil, _ cache: TrieCache) -> DoubleArrayTrie {
        DoubleArrayTrie(blob: keys.flatMap { $0 }, offsets: Self.offsets(keys), keys: Array(0..<Int32(keys.count)),
                        values: values, payloads: payloads, cache: cache)
    }

    /// A path that does not exist yet, inside a scratch directory removed after the test.
    private func temporaryDirectory() throws -> URL {
        try scratchDirectory("trie-cache").url.appendingPathComponent("cache")
    }

    func testCacheStoresAndMapsAnIdenticalTrie() throws {
        let directory = try temporaryDirectory().appendingPathComponent("nested/tries")
        let cache = TrieCache(directory: directory.path)
        let keys = Self.randomKeys(count: TrieCache.minimumKeyCount + 500, seed: 2)
        let values = (0..<Int32(keys.count)).map { $0 ^ 0x5A5A }
        let built = makeTrie(keys, values, cache)
        XCTAssertFalse(built.isMappedFromCache)
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(entries.count, 1, "one entry, no temporary files left: \(entries)")
        let mapped = makeTrie(keys, values, cache)
        XCTAssertTrue(mapped.isMappedFromCache)
        XCTAssertEqual(mapped.unitCount, built.unitCount)
        XCTAssertEqual(mapped.duplicateKeyPosition, built.duplicateKeyPosition)
        assertMatchesDictionary(mapped, keys: keys, values: values)

        // Other values (same keys) are another entry, never the first one.
        var changed = values
        changed[123] += 1
        let other = makeTrie(keys, changed, cache)
        XCTAssertFalse(other.isMappedFromCache)
        assertMatchesDictionary(other, keys: keys, values: changed)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).count, 2)
    }

    /// The walk reads the cells at fixed byte offsets (base 0, check 4, value 8, payload 12, 16 bytes
    /// a cell: one aligned quarter of a cache line).
    func testCellLayoutIsTheOneTheWalkReads() {
        typealias Unit = DoubleArrayTrie.Unit
        XCTAssertEqual(MemoryLayout<Unit>.stride, 16)
        XCTAssertEqual(MemoryLayout<Unit>.offset(of: \Unit.base), 0)
        XCTAssertEqual(MemoryLayout<Unit>.offset(of: \Unit.check), 4)
        XCTAssertEqual(MemoryLayout<Unit>.offset(of: \Unit.value), 8)
        XCTAssertEqual(MemoryLayout<Unit>.offset(of: \Unit.payload), 12)
    }

    /// Payloads (sentencepiece's Unigram keeps its float32 scores there) are stored beside the
    /// values, cached with them, and part of the entry's key: other payloads are another entry,
    /// and an entry whose cells have another size (the 12-byte cells of format 2) is never read.
    func testPayloadsAreCachedAndKeyed() throws {
        let directory = try temporaryDirectory()
        let cache = TrieCache(directory: directory.path)
        let keys = Self.randomKeys(count: TrieCache.minimumKeyCount, seed: 5)
        let values = (0..<Int32(keys.count)).map { $0 }
        let payloads = values.map { Float(-Double($0) / 7).bitPattern }
        let built = makeTrie(keys, values, payloads: payloads, cache)
        XCTAssertFalse(built.isMappedFromCache)
        assertMatchesDictionary(built, keys: keys, values: values, payloads: payloads)
        let mapped = makeTrie(keys, values, payloads: payloads, cache)
        XCTAssertTrue(mapped.isMappedFromCache)
        assertMatchesDictionary(mapped, keys: keys, values: values, payloads: payloads)

        var changed = payloads
        changed[77] ^= 1
        let other = makeTrie(keys, values, payloads: changed, cache)
        XCTAssertFalse(other.isMappedFromCache, "other payloads must not find the first entry")
        assertMatchesDictionary(other, keys: keys, values: values, payloads: changed)
        let none = makeTrie(keys, values, cache)
        XCTAssertFalse(none.isMappedFromCache, "no payloads is another entry too")
        assertMatchesDictionary(none, keys: keys, values: values)

        // The same entry relabelled with another cell size: ignored (and replaced).
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let entry = directory.appendingPathComponent(name)
            var data = try Data(contentsOf: entry)
            data.replaceSubrange(8..<16, with: withUnsafeBytes(of: UInt64(12).littleEndian) { Data($0) })
            try data.write(to: entry)
        }
        XCTAssertFalse(makeTrie(keys, values, payloads: payloads, cache).isMappedFromCache)
        XCTAssertTrue(makeTrie(keys, values, payloads: payloads, cache).isMappedFromCache)
    }

    func testDamagedEntriesAreIgnoredAndReplaced() throws {
        let directory = try temporaryDirectory()
        let cache = TrieCache(directory: directory.path)
        let keys = Self.randomKeys(count: TrieCache.minimumKeyCount, seed: 3)
        let values = (0..<Int32(keys.count)).map { $0 }
        _ = makeTrie(keys, values, cache)
        let name = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: directory.path).first)
        let entry = directory.appendingPathComponent(name)
        let original = try Data(contentsOf: entry)

        var flipped = original
        flipped[flipped.count / 2] ^= 0x01          // one bit in the cells
        try flipped.write(to: entry)
        let afterFlip = makeTrie(keys, values, cache)
        XCTAssertFalse(afterFlip.isMappedFromCache, "a corrupted entry must not be used")
        assertMatchesDictionary(afterFlip, keys: keys, values: values)
        XCTAssertEqual(try Data(contentsOf: entry), original, "the rebuilt trie replaces the damaged entry")

        try original.prefix(original.count - 12).write(to: entry)   // truncated
        XCTAssertFalse(makeTrie(keys, values, cache).isMappedFromCache)
        try Data().write(to: entry)                                    // empty
        XCTAssertFalse(makeTrie(keys, values, cache).isMappedFromCache)
        XCTAssertTrue(makeTrie(keys, values, cache).isMappedFromCache)
    }

    func testUnwritableCacheDirectoryStillBuilds() throws {
        let file = try temporaryDirectory()
        try Data("not a directory".utf8).write(to: file)
        let keys = Self.randomKeys(count: TrieCache.minimumKeyCount, seed: 4)
        let values = (0..<Int32(keys.count)).map { $0 }
        let trie = makeTrie(keys, values, TrieCache(directory: file.appendingPathComponent("tries").path))
        XCTAssertFalse(trie.isMappedFromCache)
        assertMatchesDictionary(trie, keys: keys, values: values)
    }

    /// The cache's keys and checksums are content hashes: every single-bit change, a swap of two
    /// 16-byte blocks of one lane, a zero byte appended and a moved boundary between parts all
    /// change it (lengths 0–200 cover every tail and lane position of the 64-byte loop).
    func testContentHashTellsNearbyInputsApart() {
        var random = SplitMix64(seed: 22)
        for length in 0...200 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            func hash(_ data: [UInt8], split: Int? = nil) -> UInt64 {
                data.withUnsafeBytes { raw in
                    guard let split else { return TrieCache.hash([raw]) }
                    return TrieCache.hash([UnsafeRawBufferPointer(rebasing: raw[..<split]), UnsafeRawBufferPointer(rebasing: raw[split...])])
                }
            }
            let original = hash(bytes)
            var seen: Set<UInt64> = [original]
            for bit in 0..<(length * 8) {
                var changed = bytes
                changed[bit / 8] ^= 1 << UInt8(bit % 8)
                XCTAssertTrue(seen.insert(hash(changed)).inserted, "length \(length), bit \(bit)")
            }
            XCTAssertNotEqual(hash(bytes + [0]), original, "length \(length): a zero byte appended")
            if length >= 128 {
                // Blocks 0 and 4 of 16 bytes both go to lane 0 of the 64-byte loop.
                let swapped = Array(bytes[64..<80] + bytes[16..<64] + bytes[0..<16] + bytes[80...])
                if swapped != bytes { XCTAssertNotEqual(hash(swapped), original, "length \(length): two blocks swapped") }
            }
            if length >= 3 {
                XCTAssertNotEqual(hash(bytes, split: 1), hash(bytes, split: length - 1), "length \(length): the boundary between parts")
            }
        }
    }

    /// Beyond the size limit, the entries used longest ago go first (the later of modification and
    /// access), never the one just stored; other files and temporaries are neither counted nor removed.
    func testTrimRemovesTheLeastRecentlyUsedEntriesBeyondTheLimit() throws {
        let directory = try temporaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cache = TrieCache(directory: directory.path)
        func make(_ name: String, bytes: Int, modified: Int, accessed: Int) throws {
            let path = directory.appendingPathComponent(name).path
            try Data(count: bytes).write(to: URL(fileURLWithPath: path))
            var times = [timeval(tv_sec: accessed, tv_usec: 0), timeval(tv_sec: modified, tv_usec: 0)]
            XCTAssertEqual(utimes(path, &times), 0, name)
        }
        try make("000000000000000a.trie", bytes: 100, modified: 1_000, accessed: 5_000)         // in use lately
        try make("000000000000000b.json-values", bytes: 100, modified: 2_000, accessed: 2_000)
        try make("000000000000000c.trie", bytes: 100, modified: 3_000, accessed: 3_000)
        try make("000000000000000d.trie", bytes: 100, modified: 500, accessed: 500)             // just stored
        try make("notes.txt", bytes: 1_000, modified: 100, accessed: 100)
        try make("000000000000000e.trie.tmp-4242", bytes: 1_000, modified: 100, accessed: 100)
        func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() }
        let kept = directory.appendingPathComponent("000000000000000d.trie").path

        cache.trim(keeping: kept, limit: 400)
        XCTAssertEqual(try names().count, 6, "at the limit nothing goes")
        cache.trim(keeping: kept, limit: 250)
        XCTAssertEqual(try names(), ["000000000000000a.trie", "000000000000000d.trie", "000000000000000e.trie.tmp-4242", "notes.txt"])
        cache.trim(keeping: kept, limit: 0)
        XCTAssertEqual(try names(), ["000000000000000d.trie", "000000000000000e.trie.tmp-4242", "notes.txt"])
        TrieCache(directory: nil).trim(keeping: kept, limit: 0)   // caching off: nothing to do
    }

    func testCacheLocationFromTheEnvironment() {
        func directory(_ environment: [String: String]) -> String? { TrieCache(environment: { environment[$0] }).directory }
        XCTAssertEqual(directory(["HOME": "/home/u"]), "/home/u/.cache/corpuskit/tries")
        XCTAssertEqual(directory(["HOME": "/home/u", "XDG_CACHE_HOME": "/x"]), "/x/corpuskit/tries")
        XCTAssertEqual(directory(["HOME": "/home/u", "XDG_CACHE_HOME": "relative"]), "/home/u/.cache/corpuskit/tries")
        XCTAssertEqual(directory(["HOME": "/home/u", "CORPUSKIT_TRIE_CACHE": "/c"]), "/c")
        XCTAssertNil(directory(["HOME": "/home/u", "CORPUSKIT_TRIE_CACHE": "off"]))
        XCTAssertNil(directory([:]))
    }
}
