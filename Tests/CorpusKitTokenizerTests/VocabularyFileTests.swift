@testable import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// ``VocabularyFile`` (no encoder) and ``Tokenizer/load(path:)`` read the same files through the
/// same readers: the pieces, added tokens, scores and unknown ids must agree.
final class VocabularyFileTests: XCTestCase {
    private let files = ["fixture-bpe/fixture-bpe.model", "fixture-bpe/tokenizer.json", "fixture-bpe-bytes/fixture-bpe-bytes.model",
                         "fixture-llmjp/fixture-llmjp.model", "fixture-llmjp/tokenizer.json", "fixture-nfkc/tokenizer.json"]

    func testVocabularyOnlyLoadAgreesWithTheTokenizer() throws {
        for name in files {
            let path = ReferenceFiles.fixtureTokenizers.appendingPathComponent(name).path
            let file = try VocabularyFile.load(path: path)
            let tokenizer = try Tokenizer.load(path: path)
            XCTAssertEqual(file.count, tokenizer.vocabularySize, name)
            XCTAssertEqual(file.format, tokenizer.format, name)
            for id in 0..<file.count {
                XCTAssertEqual(file.piece(id), tokenizer.piece(for: Int32(id)), "\(name) id \(id)")
            }
            XCTAssertEqual(file.addedTokens, tokenizer.vocabulary.addedTokens, name)
            XCTAssertEqual(file.unknownID, tokenizer.unknownID, name)
            if file.format == .sentencePiece {
                XCTAssertEqual(file.bosID, tokenizer.bosID, name)
                XCTAssertEqual(file.eosID, tokenizer.eosID, name)
                XCTAssertEqual(file.scores, (0..<file.count).map { tokenizer.vocabulary.score(Int32($0))! }, name)
            }
        }
    }

    /// A directory resolves as for the tokenizer (tokenizer.json first).
    func testDirectoryResolvesToTokenizerJSON() throws {
        let directory = ReferenceFiles.fixtureTokenizers.appendingPathComponent("fixture-bpe").path
        XCTAssertEqual(try VocabularyFile.load(path: directory).path, try Tokenizer.resolve(path: directory))
        XCTAssertTrue(try Tokenizer.resolve(path: directory).hasSuffix("tokenizer.json"))
    }

    /// `#version` lines of `"a b"` merges are skipped by the one merges reader (tokenizers'
    /// `convert_merges_to_hashmap`), for both loads.
    func testVersionMergeLinesAreSkipped() throws {
        let pairs = try HuggingFaceBPE.readMergePairs(["#version: 0.2", "a b", "ab c"])
        XCTAssertEqual(pairs.count, 2)
        XCTAssertEqual(String(decoding: pairs.pair(0).0, as: UTF8.self), "a")
        XCTAssertEqual(String(decoding: pairs.pair(1).1, as: UTF8.self), "c")
    }
}
