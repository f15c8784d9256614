#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import CorpusKitSystem

/// An on-disk cache of the compact forms ``JSONDocumentParser`` makes of a large tokenizer.json
/// (the Unigram `[[piece, score], …]` vocabulary, a BPE `{piece: id}` vocabulary and its merges),
/// so that loading the same file again reads those arrays back instead of parsing them.
///
/// Parsing the vocabulary was most of a tokenizer.json load: 150 M of llm-jp v3.0's 172 M
/// instructions, 300 M of v4.0's 332 M (callgrind, 2026-12-06), serde_json's number reading of
/// every score included. With an entry, the parser skips the bytes of each cached value and
/// parses (and checks as UTF-8) only the rest of the document: the normalizer, pre-tokenizer,
/// added tokens and so on are read from the file every time, exactly as without the cache.
///
/// An entry is named by a 64-bit hash of the whole document (its bytes and size, and
/// ``formatVersion``), so it can only be found for exactly these bytes: an edited file, even one
/// with the same size and modification time, is never served a stale entry. Every use checks the
/// entry's header, a checksum of its body, and that each cached range lies inside the document,
/// in order, and starts and ends with the brackets of its kind; anything that does not hold is
/// ignored, and the document is parsed (and the entry written again). Best effort like
/// ``TrieCache``, in the same directory (`CORPUSKIT_TRIE_CACHE`, `off` disables both): a missing,
/// read-only or full directory only means the document is parsed as before.
///
/// The same entries, keys and checks serve sentencepiece `.model` files
/// (``parseSentencePieceModel(_:)``): there the one cached value is the file's run of pieces.
struct JSONValueCache {
    /// Documents smaller than this are parsed directly (config files, small vocabularies).
    static let minimumDocumentSize = 1 << 20
    /// `.model` files smaller than this are decoded directly. Lower than the JSON threshold: a
    /// `.model`'s piece run costs more to decode per byte than JSON to parse, so the cache pays
    /// from here (llm-jp v2.1's 0.83 MB and Llama 2's 0.5 MB files; callgrind figures in
    /// BENCHMARKS.md, "Load and start-up, fourth pass").
    static let minimumModelSize = 256 << 10
    /// Bumped whenever the entry layout or the parser's compact forms change.
    static let formatVersion: UInt64 = 1

    let directory: String?

    init(_ trieCache: TrieCache) { directory = trieCache.directory }

    /// Parses `data` (a whole JSON document), with the cache when it is large enough.
    func parse(_ data: Data) throws(TokenizerError) -> Any {
        guard directory != nil, data.count >= Self.minimumDocumentSize else { return try JSONDocumentParser.parse(data) }
        let key = data.withUnsafeBytes { Self.key(document: $0) }
        if let known = data.withUnsafeBytes({ load(key: key, document: $0) }) {
            var notRecording: [JSONDocumentParser.CompactValue]?
            return try JSONDocumentParser.parse(data, known: known, recording: &notRecording)
        }
        var recorded: [JSONDocumentParser.CompactValue]? = []
        let value = try JSONDocumentParser.parse(data, known: [], recording: &recorded)
        if let recorded, !recorded.isEmpty { store(key: key, values: recorded) }
        return value
    }

    /// Decodes a sentencepiece `.model` (`data`), with the cache when it is large enough: the
    /// same entries hold the file's run of `pieces` (their bytes, scores and types), which was
    /// about half of a `.model` load (llm-jp v3.0: 31.7 M of 66 M instructions, callgrind,
    /// 2026-12-06); the specs after them are decoded from the file every time.
    func parseSentencePieceModel(_ data: Data) throws(TokenizerError) -> SentencePieceModelFile {
        var notRecording: SentencePieceModelFile.PieceRun?
        guard directory != nil, data.count >= Self.minimumModelSize else {
            return try SentencePieceModelFile.parse(data, known: nil, recording: &notRecording)
        }
        let key = data.withUnsafeBytes { Self.key(document: $0) }
        if let known = data.withUnsafeBytes({ load(key: key, document: $0) }), known.count == 1,
           let run = known[0].value as? SentencePieceModelFile.PieceRun {
            return try SentencePieceModelFile.parse(data, known: run, recording: &notRecording)
        }
        var recorded: SentencePieceModelFile.PieceRun? = SentencePieceModelFile.PieceRun(range: 0..<0, blob: [], offsets: [], scores: [], types: [])
        let model = try SentencePieceModelFile.parse(data, known: nil, recording: &recorded)
        if let recorded { store(key: key, values: [JSONDocumentParser.CompactValue(range: recorded.range, value: recorded)]) }
        return model
    }

    // MARK: Entries

    private static let magic: UInt64 = 0x314E_4F53_4A4B_4300   // "\0CKJSON1" read little-endian
    private static let headerWords = 5   // magic, version, key, value count, body checksum

    private enum Kind: UInt64 {
        case stringNumberPairs = 1, stringPairs = 2, stringIntegerMembers = 3
        /// A `.model`'s run of pieces: numbers are each piece's score bits and type << 32.
        case sentencePiecePieces = 4
    }

    static func key(document: UnsafeRawBufferPointer) -> UInt64 {
        var lengths: [UInt64] = [formatVersion, UInt64(document.count)]
        return lengths.withUnsafeMutableBytes { TrieCache.hash([UnsafeRawBufferPointer($0), document]) }
    }

    /// The path of the entry for `key`.
    func path(for key: UInt64) -> String? { TrieCache.entryPath(in: directory, key: key, suffix: ".json-values") }

    /// The cached values for the document with `key`, when the entry is present, intact and
    /// fits `document`.
    func load(key: UInt64, document: UnsafeRawBufferPointer) -> [JSONDocumentParser.CompactValue]? {
        guard let path = path(for: key), let mapping = try? MappedFile(path: path) else { return nil }
        // Everything is copied out before `mapping` is released at the end of this function.
        defer { withExtendedLifetime(mapping) {} }
        let size = mapping.count
        let headerSize = Self.headerWords * 8
        guard size > headerSize, size % 8 == 0, let base = mapping.bytes.baseAddress else { return nil }
        var reader = WordReader(base: UnsafeRawPointer(base), count: size / 8)
        guard reader.next() == Self.magic, reader.next() == Self.formatVersion, reader.next() == key,
              let valueCount = reader.next().flatMap(Int.init(exactly:)), let checksum = reader.next(),
              checksum == TrieCache.hash([UnsafeRawBufferPointer(start: base + headerSize, count: size - headerSize)])
        else { return nil }
        var values: [JSONDocumentParser.CompactValue] = []
        var previousEnd = 0
        for _ in 0..<valueCount {
            guard let kind = reader.next().flatMap(Kind.init(rawValue:)),
                  let start = reader.int(), let end = reader.int(), start >= previousEnd, end > start + 1, end <= document.count,
                  let blob = reader.bytes(), let offsets = reader.int32s(), let numbers = reader.mappedWords(),
                  Self.offsetsAreValid(offsets, blobCount: blob.count)
            else { return nil }
            let value: Any
            switch kind {
            case .sentencePiecePieces:
                // From the file's first byte, which is a `pieces` field's key (1, length-delimited).
                guard start == 0, document[0] == 0x0A, offsets.count == numbers.count + 1,
                      let (scores, types) = Self.scoresAndTypes(numbers) else { return nil }
                value = SentencePieceModelFile.PieceRun(range: start..<end, blob: blob, offsets: offsets, scores: scores, types: types)
                values.append(JSONDocumentParser.CompactValue(range: start..<end, value: value))
                previousEnd = end
                continue
            default:
                let (open, close): (UInt8, UInt8) = kind == .stringIntegerMembers ? (0x7B, 0x7D) : (0x5B, 0x5D)   // { } or [ ]
                guard document[start] == open, document[end - 1] == close else { return nil }
            }
            switch kind {
            case .sentencePiecePieces:
                return nil
            case .stringNumberPairs:
                guard offsets.count == numbers.count + 1 else { return nil }
                // The words are the doubles' bits: copied once as bytes from the mapping, not
                // converted one by one.
                let doubles = [Double](unsafeUninitializedCapacity: numbers.count) { doubles, initialized in
                    UnsafeMutableRawBufferPointer(doubles).copyMemory(from: UnsafeRawBufferPointer(numbers))
                    initialized = numbers.count
                }
                value = JSONDocumentParser.StringNumberPairs(blob: blob, offsets: offsets, numbers: doubles)
            case .stringPairs:
                guard offsets.count % 2 == 1, numbers.isEmpty else { return nil }
                value = JSONDocumentParser.StringPairs(blob: blob, offsets: offsets)
            case .stringIntegerMembers:
                guard offsets.count == numbers.count + 1 else { return nil }
                value = JSONDocumentParser.StringIntegerMembers(blob: blob, offsets: offsets,
                                                                integers: numbers.map { Int(Int64(bitPattern: $0)) })
            }
            values.append(JSONDocumentParser.CompactValue(range: start..<end, value: value))
            previousEnd = end
        }
        guard reader.isAtEnd else { return nil }
        return values
    }

    /// Writes an entry through ``AtomicFile`` (readers never see a partial one). Failures are
    /// ignored: the cache only saves time.
    func store(key: UInt64, values: [JSONDocumentParser.CompactValue]) {
        guard let directory, let path = path(for: key) else { return }
        var body = WordWriter()
        for value in values {
            switch value.value {
            case let pairs as JSONDocumentParser.StringNumberPairs:
                body.append(Kind.stringNumberPairs.rawValue, value.range, pairs.blob, pairs.offsets, pairs.numbers.map(\.bitPattern))
            case let pairs as JSONDocumentParser.StringPairs:
                body.append(Kind.stringPairs.rawValue, value.range, pairs.blob, pairs.offsets, [])
            case let run as SentencePieceModelFile.PieceRun:
                guard run.scores.count == run.types.count else { return }
                body.append(Kind.sentencePiecePieces.rawValue, value.range, run.blob, run.offsets,
                            zip(run.scores, run.types).map { UInt64($0.bitPattern) | UInt64($1.rawValue) << 32 })
            case let members as JSONDocumentParser.StringIntegerMembers:
                body.append(Kind.stringIntegerMembers.rawValue, value.range, members.blob, members.offsets,
                            members.integers.map { UInt64(bitPattern: Int64($0)) })
            default:
                return
            }
        }
        let checksum = body.words.withUnsafeBytes { TrieCache.hash([$0]) }
        let words = [Self.magic, Self.formatVersion, key, UInt64(values.count), checksum] + body.words
        let bytes = words.withUnsafeBytes { Array($0) }
        guard POSIXFile.makeDirectories(directory), let file = try? AtomicFile.Writer(path: path) else { return }
        // Best effort by design: any failure only means the next load parses the document again
        // (an uncommitted writer removes its temporary file).
        do {
            try file.write(bytes)
            try file.commit()
        } catch { return }
        TrieCache(directory: directory).trim(keeping: path)
    }

    /// A `.model` run's numbers split into scores (the low 32 bits) and types (the next 8), or
    /// nil when a number has other bits set or names no ``PieceType``. Written into uninitialized
    /// arrays in one pass: appending to reserved arrays cost ~12 instructions per piece more
    /// (callgrind, llm-jp v3.0).
    private static func scoresAndTypes(_ numbers: UnsafeBufferPointer<UInt64>) -> ([Float], [PieceType])? {
        var valid = true
        let count = numbers.count
        var types: [PieceType] = []
        let scores = [Float](unsafeUninitializedCapacity: count) { scores, initialized in
            types = [PieceType](unsafeUninitializedCapacity: count) { types, typesInitialized in
                for index in 0..<count {
                    let number = numbers[index]
                    let type = PieceType(rawValue: UInt8(truncatingIfNeeded: number >> 32))
                    if number >> 40 != 0 || type == nil { valid = false }
                    scores[index] = Float(bitPattern: UInt32(truncatingIfNeeded: number))
                    types[index] = type ?? .normal
                }
                typesInitialized = count
            }
            initialized = count
        }
        return valid ? (scores, types) : nil
    }

    /// Offsets that start at 0, never decrease and end at the blob's size.
    private static func offsetsAreValid(_ offsets: [Int32], blobCount: Int) -> Bool {
        guard offsets.first == 0, Int(offsets.last!) == blobCount else { return false }
        var previous: Int32 = 0
        for offset in offsets {
            guard offset >= previous else { return false }
            previous = offset
        }
        return true
    }

    /// An entry's body: 64-bit words; arrays as a count and their bytes padded to whole words.
    private struct WordWriter {
        var words: [UInt64] = []

        mutating func append(_ kind: UInt64, _ range: Range<Int>, _ blob: [UInt8], _ offsets: [Int32], _ numbers: [UInt64]) {
            words += [kind, UInt64(range.lowerBound), UInt64(range.upperBound)]
            blob.withUnsafeBytes { appendArray($0, count: blob.count) }
            offsets.withUnsafeBytes { appendArray($0, count: offsets.count) }
            numbers.withUnsafeBytes { appendArray($0, count: numbers.count) }
        }

        private mutating func appendArray(_ bytes: UnsafeRawBufferPointer, count: Int) {
            words.append(UInt64(count))
            let first = words.count
            words += [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
            words.withUnsafeMutableBytes { words in
                if let source = bytes.baseAddress { (words.baseAddress! + first * 8).copyMemory(from: source, byteCount: bytes.count) }
            }
        }
    }

    /// Reads a ``WordWriter`` body back, never past the end of the mapping.
    private struct WordReader {
        let base: UnsafeRawPointer
        let count: Int
        var index = 0

        init(base: UnsafeRawPointer, count: Int) { self.base = base; self.count = count }

        var isAtEnd: Bool { index == count }

        mutating func next() -> UInt64? {
            guard index < count else { return nil }
            defer { index += 1 }
            return base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
        }

        mutating func int() -> Int? { next().flatMap { Int(exactly: $0) } }

        /// An array of `T` written by `appendArray`.
        private mutating func array<T>(of type: T.Type) -> [T]? {
            guard let elements = int(), elements <= (count - index) * 8 / MemoryLayout<T>.stride else { return nil }
            if elements == 0 { return [] }
            let byteCount = elements * MemoryLayout<T>.stride
            let array = [T](unsafeUninitializedCapacity: elements) { buffer, initialized in
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base + index * 8, byteCount: byteCount)
                initialized = elements
            }
            index += (byteCount + 7) / 8
            return array
        }

        mutating func bytes() -> [UInt8]? { array(of: UInt8.self) }
        mutating func int32s() -> [Int32]? { array(of: Int32.self) }

        /// An array of words written by `appendArray`, in place in the mapping (valid while it is
        /// mapped): the numbers are only read once, into their final arrays, so copying them
        /// first cost a memmove and the page faults of a fresh array (8 bytes a piece).
        mutating func mappedWords() -> UnsafeBufferPointer<UInt64>? {
            guard let elements = int(), elements <= count - index else { return nil }
            defer { index += elements }
            // `base` is page-aligned (an mmap) and every array starts at a whole word.
            return UnsafeBufferPointer(start: (base + index * 8).assumingMemoryBound(to: UInt64.self), count: elements)
        }
    }
}
