@testable import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// The cache of a large JSON document's parsed vocabulary (``JSONValueCache``): a document
/// parsed with an entry must equal the same document parsed without any cache, and an entry
/// that is damaged, truncated, stored under another document's name, or left by an edited
/// document must never be used.
final class JSONValueCacheTests: XCTestCase {
    /// A tokenizer.json-like document over ``JSONValueCache/minimumDocumentSize``: a Unigram
    /// vocabulary (escapes, non-ASCII, scores serde_json rounds), BPE-like merges and a
    /// `{piece: id}` object, and ordinary values around them.
    private static func document(scoreDigit: Character = "5") -> Data {
        var pieces: [String] = []
        var index = 0
        var size = 0
        while size < JSONValueCache.minimumDocumentSize + 100_000 {
            let piece = "\\u2581p\(index)\\\"あ\\n"
            let entry = "[\"\(piece)\", -\(index % 97).1\(scoreDigit)3456789012345678e-1]"
            pieces.append(entry)
            size += entry.utf8.count + 2
            index += 1
        }
        let merges = (0..<2000).map { "[\"a\($0)\", \"b\($0)\"]" }.joined(separator: ", ")
        let members = (0..<2000).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        let text = """
        {"version": "1.0", "added_tokens": [{"id": 0, "content": "<unk>", "special": true}],
         "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "▁"},
         "model": {"type": "Unigram", "unk_id": 0, "vocab": [\(pieces.joined(separator: ",\n  "))], "byte_fallback": false},
         "other": {"merges": [\(merges)], "members": {\(members)}, "numbers": [1, 2.5, -3]}}
        """
        return Data(text.utf8)
    }

    private func parsed(_ data: Data, _ cache: TrieCache) throws -> [String: Any] {
        try XCTUnwrap(try JSONValueCache(cache).parse(data) as? [String: Any])
    }

    /// Both documents' vocabulary, merges and members, compared array by array (scores by bits).
    private func assertSame(_ a: [String: Any], _ b: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws {
        let modelA = try XCTUnwrap(a["model"] as? [String: Any]), modelB = try XCTUnwrap(b["model"] as? [String: Any])
        let vocabA = try XCTUnwrap(modelA["vocab"] as? JSONDocumentParser.StringNumberPairs, file: file, line: line)
        let vocabB = try XCTUnwrap(modelB["vocab"] as? JSONDocumentParser.StringNumberPairs, file: file, line: line)
        XCTAssertEqual(vocabA.blob, vocabB.blob, file: file, line: line)
        XCTAssertEqual(vocabA.offsets, vocabB.offsets, file: file, line: line)
        XCTAssertEqual(vocabA.numbers.map(\.bitPattern), vocabB.numbers.map(\.bitPattern), file: file, line: line)
        XCTAssertEqual(modelA["unk_id"] as? Int, modelB["unk_id"] as? Int, file: file, line: line)
        XCTAssertEqual(modelA["byte_fallback"] as? Bool, modelB["byte_fallback"] as? Bool, file: file, line: line)
        let otherA = try XCTUnwrap(a["other"] as? [String: Any]), otherB = try XCTUnwrap(b["other"] as? [String: Any])
        let mergesA = try XCTUnwrap(otherA["merges"] as? JSONDocumentParser.StringPairs, file: file, line: line)
        let mergesB = try XCTUnwrap(otherB["merges"] as? JSONDocumentParser.StringPairs, file: file, line: line)
        XCTAssertEqual(mergesA.blob, mergesB.blob, file: file, line: line)
        XCTAssertEqual(mergesA.offsets, mergesB.offsets, file: file, line: line)
        let membersA = try XCTUnwrap(otherA["members"] as? JSONDocumentParser.StringIntegerMembers, file: file, line: line)
        let membersB = try XCTUnwrap(otherB["members"] as? JSONDocumentParser.StringIntegerMembers, file: file, line: line)
        XCTAssertEqual(membersA.blob, membersB.blob, file: file, line: line)
        XCTAssertEqual(membersA.offsets, membersB.offsets, file: file, line: line)
        XCTAssertEqual(membersA.integers, membersB.integers, file: file, line: line)
        XCTAssertEqual(otherA["numbers"] as? [AnyHashable], otherB["numbers"] as? [AnyHashable], file: file, line: line)
        XCTAssertEqual((a["added_tokens"] as? [[String: Any]])?.first?["content"] as? String,
                       (b["added_tokens"] as? [[String: Any]])?.first?["content"] as? String, file: file, line: line)
        let normalizerA = try XCTUnwrap(a["normalizer"] as? [String: Any]), normalizerB = try XCTUnwrap(b["normalizer"] as? [String: Any])
        XCTAssertEqual(normalizerA["content"] as? String, normalizerB["content"] as? String, file: file, line: line)
    }

    private func entries(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    func testCachedParseEqualsAFullParse() throws {
        let directory = try scratchDirectory("json-cache").url.appendingPathComponent("nested/cache")
        let cache = TrieCache(directory: directory.path)
        let data = Self.document()
        let reference = try parsed(data, TrieCache(directory: nil))
        let first = try parsed(data, cache)
        XCTAssertEqual(try entries(directory).count, 1, "one entry, no temporary file left")
        let key = data.withUnsafeBytes { JSONValueCache.key(document: $0) }
        let known = try XCTUnwrap(data.withUnsafeBytes { JSONValueCache(cache).load(key: key, document: $0) })
        XCTAssertEqual(known.count, 3, "the vocabulary, the merges and the members are cached")
        let second = try parsed(data, cache)
        try assertSame(reference, first)
        try assertSame(reference, second)

        // A document of the same size with one digit changed is another entry, never the first.
        let edited = Self.document(scoreDigit: "7")
        XCTAssertEqual(edited.count, data.count)
        let editedReference = try parsed(edited, TrieCache(directory: nil))
        let editedCached = try parsed(edited, cache)
        try assertSame(editedReference, editedCached)
        XCTAssertEqual(try entries(directory).count, 2)
        let firstScore = try XCTUnwrap(((editedCached["model"] as? [String: Any])?["vocab"] as? JSONDocumentParser.StringNumberPairs)?.numbers.first)
        let originalScore = try XCTUnwrap(((second["model"] as? [String: Any])?["vocab"] as? JSONDocumentParser.StringNumberPairs)?.numbers.first)
        XCTAssertNotEqual(firstScore, originalScore)
    }

    func testDamagedOrForeignEntriesAreIgnoredAndReplaced() throws {
        let directory = try scratchDirectory("json-cache").url.appendingPathComponent("cache")
        let cache = TrieCache(directory: directory.path)
        let data = Self.document()
        let reference = try parsed(data, TrieCache(directory: nil))
        _ = try parsed(data, cache)
        let key = data.withUnsafeBytes { JSONValueCache.key(document: $0) }
        let entry = URL(fileURLWithPath: try XCTUnwrap(JSONValueCache(cache).path(for: key)))
        let original = try Data(contentsOf: entry)
        func isUsed() -> Bool { data.withUnsafeBytes { JSONValueCache(cache).load(key: key, document: $0) } != nil }
        XCTAssertTrue(isUsed())

        for position in [8, 40, original.count / 3, original.count / 2, original.count - 1] {   // header, values, arrays
            var flipped = original
            flipped[position] ^= 0x01
            try flipped.write(to: entry)
            XCTAssertFalse(isUsed(), "a bit flipped at byte \(position) must make the entry unusable")
            try assertSame(reference, try parsed(data, cache))
            XCTAssertEqual(try Data(contentsOf: entry), original, "the parse replaces the damaged entry")
        }
        try original.prefix(original.count - 8).write(to: entry)   // truncated
        XCTAssertFalse(isUsed())
        try Data().write(to: entry)                                // empty
        XCTAssertFalse(isUsed())
        try assertSame(reference, try parsed(data, cache))
        XCTAssertTrue(isUsed())

        // Another document's entry under this document's name (a copied cache): its header names
        // the other document, so it is not used either.
        let other = Self.document(scoreDigit: "3")
        _ = try parsed(other, cache)
        let otherKey = other.withUnsafeBytes { JSONValueCache.key(document: $0) }
        try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(JSONValueCache(cache).path(for: otherKey)))).write(to: entry)
        XCTAssertFalse(isUsed())
        try assertSame(reference, try parsed(data, cache))
    }

    func testSmallDocumentsAndUnwritableDirectories() throws {
        let scratch = try scratchDirectory("json-cache").url
        let small = Data(#"{"model": {"vocab": [["a", -1.5], ["b", -2]]}}"#.utf8)
        let directory = scratch.appendingPathComponent("cache")
        _ = try parsed(small, TrieCache(directory: directory.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path), "small documents are parsed directly")

        let file = scratch.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: file)
        let data = Self.document()
        try assertSame(try parsed(data, TrieCache(directory: nil)),
                       try parsed(data, TrieCache(directory: file.appendingPathComponent("tries").path)))
    }

    /// A nested `{string: integer}` object becomes ``JSONDocumentParser/StringIntegerMembers``; any
    /// other nested object (a value that is not an integer, at any member, or out of range) is
    /// parsed generically with every member kept, and a malformed one reports the generic parse's
    /// error with its offset.
    func testIntegerMapsAndTheObjectsThatOnlyStartLikeThem() throws {
        func parse(_ text: String) throws -> [String: Any] {
            try XCTUnwrap(try JSONDocumentParser.parse(Data(text.utf8)) as? [String: Any])
        }
        let map = try XCTUnwrap(try parse(#"{"m": {"a": 0, "\u00e9\"": -7, "c": 18446744073709551615}}"#)["m"])
        XCTAssertFalse(map is JSONDocumentParser.StringIntegerMembers, "UInt64.max is not an Int: generic object")
        let members = try XCTUnwrap(try parse(#"{"m": {"a": 0, "\u00e9\"": -7, "c": 9223372036854775807}}"#)["m"]
                                    as? JSONDocumentParser.StringIntegerMembers)
        XCTAssertEqual(members.integers, [0, -7, Int.max])
        XCTAssertEqual(members.offsets, [0, 1, 4, 5])
        XCTAssertEqual(members.blob, Array("aé\"c".utf8))
        for (text, expected) in [(#"{"m": {"a": 1, "b": 2.5}}"#, ["a": 1.0, "b": 2.5]),
                                 (#"{"m": {"a": 1, "b": 1e3}}"#, ["a": 1.0, "b": 1000.0]),
                                 (#"{"m": {"a": 1, "b": true, "c": "x"}}"#, nil),
                                 (#"{"m": {"id": 3, "content": "<s>", "special": true}}"#, nil)] {
            let object = try XCTUnwrap(try parse(text)["m"] as? [String: Any], text)
            if let expected {
                XCTAssertEqual(object.mapValues { ($0 as? NSNumber)?.doubleValue ?? .nan }, expected, text)
            } else {
                XCTAssertEqual(object.count, text.filter { $0 == ":" }.count - 1, text)
            }
        }
        for (text, message) in [(#"{"m": {"a": 1, "b": 2"#, "unterminated object"),
                                (#"{"m": {"a": 1 "b": 2}}"#, "expected ',' or '}'"),
                                (#"{"m": {"a": 1, "b\q": 2}}"#, "invalid escape")] {
            XCTAssertThrowsError(try JSONDocumentParser.parse(Data(text.utf8)), text) { error in
                XCTAssertTrue("\(error)".contains(message) && "\(error)".contains("byte offset"), "\(text): \(error)")
            }
        }
    }

    func testErrorsAreThoseOfTheParser() throws {
        let directory = try scratchDirectory("json-cache").url.appendingPathComponent("cache")
        var data = Self.document()
        data.append(contentsOf: Array(" x".utf8))
        XCTAssertThrowsError(try JSONValueCache(TrieCache(directory: directory.path)).parse(data)) { error in
            XCTAssertTrue("\(error)".contains("extra data after the JSON value"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path), "nothing is cached for a malformed document")
    }
}
