@testable import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// ``JSONValueCache`` for sentencepiece `.model` files: a model decoded with an entry must equal
/// the same model decoded without any cache (and encode to the same ids), and an entry that is
/// damaged, truncated, stored under another file's name, or left by an edited file must never be
/// used. The model is the committed llm-jp fixture with pieces appended past
/// ``JSONValueCache/minimumModelSize``, written as sentencepiece writes them.
final class SentencePieceModelCacheTests: XCTestCase {
    private static func model(scoreOffset: Float = 0) throws -> Data {
        let base = try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("tokenizers/fixture-llmjp/fixture-llmjp.model")))
        let types: [PieceType] = [.normal, .normal, .normal, .userDefined, .unused]
        let pieces = (0..<70_000).map { index in
            SentencePieceModelWriter.Piece(text: "▁p\(index)あ", score: -Float(index % 997) / 7 - 20 - scoreOffset,
                                           type: types[index % types.count])
        }
        let data = try SentencePieceModelWriter.appending(pieces, to: base)
        XCTAssertGreaterThan(data.count, JSONValueCache.minimumModelSize)
        return data
    }

    private func decoded(_ data: Data, _ cache: TrieCache) throws -> SentencePieceModelFile {
        try JSONValueCache(cache).parseSentencePieceModel(data)
    }

    private func assertSame(_ a: SentencePieceModelFile, _ b: SentencePieceModelFile, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.pieceBlob, b.pieceBlob, file: file, line: line)
        XCTAssertEqual(a.pieceOffsets, b.pieceOffsets, file: file, line: line)
        XCTAssertEqual(a.scores.map(\.bitPattern), b.scores.map(\.bitPattern), file: file, line: line)
        XCTAssertEqual(a.types, b.types, file: file, line: line)
        XCTAssertEqual(a.normalizerSpec.precompiledCharsmap, b.normalizerSpec.precompiledCharsmap, file: file, line: line)
        XCTAssertEqual(a.normalizerSpec.addDummyPrefix, b.normalizerSpec.addDummyPrefix, file: file, line: line)
        XCTAssertEqual(a.trainerSpec.byteFallback, b.trainerSpec.byteFallback, file: file, line: line)
        XCTAssertEqual(a.trainerSpec.modelType, b.trainerSpec.modelType, file: file, line: line)
        XCTAssertEqual(a.trainerSpec.unkPiece, b.trainerSpec.unkPiece, file: file, line: line)
    }

    private func entries(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    private func isUsed(_ data: Data, _ cache: TrieCache) -> Bool {
        let key = data.withUnsafeBytes { JSONValueCache.key(document: $0) }
        return data.withUnsafeBytes { JSONValueCache(cache).load(key: key, document: $0) } != nil
    }

    func testCachedDecodeEqualsAFullDecodeAndEncodesTheSame() throws {
        let scratch = try scratchDirectory("model-cache").url
        let directory = scratch.appendingPathComponent("cache")
        let cache = TrieCache(directory: directory.path)
        let data = try Self.model()
        let reference = try SentencePieceModelFile(serialized: data)
        XCTAssertEqual(reference.pieceCount, try SentencePieceModelFile(
            serialized: Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("tokenizers/fixture-llmjp/fixture-llmjp.model")))).pieceCount + 70_000)
        assertSame(reference, try decoded(data, cache))
        XCTAssertEqual(try entries(directory).count, 1, "one entry, no temporary file left")
        XCTAssertTrue(isUsed(data, cache))
        assertSame(reference, try decoded(data, cache))

        // A file of the same size with the scores changed is another entry, never the first.
        let edited = try Self.model(scoreOffset: 1)
        XCTAssertEqual(edited.count, data.count)
        let editedReference = try SentencePieceModelFile(serialized: edited)
        XCTAssertFalse(isUsed(edited, cache))
        assertSame(editedReference, try decoded(edited, cache))
        XCTAssertEqual(try entries(directory).count, 2)
        assertSame(editedReference, try decoded(edited, cache))
        XCTAssertNotEqual(editedReference.scores.last, reference.scores.last)

        // Through Tokenizer.load: the same ids without a cache, filling it, and from it.
        let path = scratch.appendingPathComponent("big.model")
        try data.write(to: path)
        let tokenizerCache = TrieCache(directory: scratch.appendingPathComponent("tokenizer-cache").path)
        let text = "▁p12あ p69999あ 今日は良い天気ですね。 Hello, world! p123 p4567あ\n\t  x"
        let expected = try Tokenizer.load(path: path.path, trieCache: TrieCache(directory: nil)).encode(text)
        XCTAssertGreaterThan(expected.count, 5)
        XCTAssertEqual(try Tokenizer.load(path: path.path, trieCache: tokenizerCache).encode(text), expected)
        XCTAssertTrue(isUsed(data, tokenizerCache))
        XCTAssertEqual(try Tokenizer.load(path: path.path, trieCache: tokenizerCache).encode(text), expected)
    }

    func testDamagedOrForeignEntriesAreIgnoredAndReplaced() throws {
        let directory = try scratchDirectory("model-cache").url.appendingPathComponent("cache")
        let cache = TrieCache(directory: directory.path)
        let data = try Self.model()
        let reference = try SentencePieceModelFile(serialized: data)
        _ = try decoded(data, cache)
        let key = data.withUnsafeBytes { JSONValueCache.key(document: $0) }
        let entry = URL(fileURLWithPath: try XCTUnwrap(JSONValueCache(cache).path(for: key)))
        let original = try Data(contentsOf: entry)
        XCTAssertTrue(isUsed(data, cache))

        // Header, range, blob, offsets, scores and types.
        for position in [8, 40, 56, original.count / 4, original.count / 2, original.count - 20, original.count - 1] {
            var flipped = original
            flipped[position] ^= 0x01
            try flipped.write(to: entry)
            XCTAssertFalse(isUsed(data, cache), "a bit flipped at byte \(position) must make the entry unusable")
            assertSame(reference, try decoded(data, cache))
            XCTAssertEqual(try Data(contentsOf: entry), original, "the decode replaces the damaged entry")
        }
        try original.prefix(original.count - 8).write(to: entry)   // truncated
        XCTAssertFalse(isUsed(data, cache))
        try Data().write(to: entry)                                // empty
        XCTAssertFalse(isUsed(data, cache))
        assertSame(reference, try decoded(data, cache))
        XCTAssertTrue(isUsed(data, cache))

        // Another file's entry under this file's name (a copied cache): not used either.
        let other = try Self.model(scoreOffset: 2)
        _ = try decoded(other, cache)
        let otherKey = other.withUnsafeBytes { JSONValueCache.key(document: $0) }
        try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(JSONValueCache(cache).path(for: otherKey)))).write(to: entry)
        XCTAssertFalse(isUsed(data, cache))
        assertSame(reference, try decoded(data, cache))
    }

    /// Pieces that are not one run from the first byte (a piece after the specs) are decoded
    /// every time, never cached; malformed files give the decoder's error and leave no entry.
    func testPiecesOutsideOneRunAndMalformedFilesAreNotCached() throws {
        let directory = try scratchDirectory("model-cache").url.appendingPathComponent("cache")
        let cache = TrieCache(directory: directory.path)
        var record = ProtobufWriter()
        record.appendString(field: 1, "▁late")
        record.appendFloat(field: 2, -99)
        var late = ProtobufWriter()
        late.appendBytes(field: 1, record.bytes)
        var data = try Self.model()
        data.append(contentsOf: late.bytes)
        let reference = try SentencePieceModelFile(serialized: data)
        XCTAssertEqual(reference.piece(reference.pieceCount - 1), ArraySlice("▁late".utf8))
        assertSame(reference, try decoded(data, cache))
        assertSame(reference, try decoded(data, cache))
        XCTAssertFalse(isUsed(data, cache))

        var truncated = try Self.model()
        truncated.removeLast(3)
        XCTAssertThrowsError(try decoded(truncated, cache)) { error in
            XCTAssertTrue("\(error)".contains("protobuf"), "\(error)")
        }
        XCTAssertFalse(isUsed(truncated, cache))
    }
}
