import Foundation
import XCTest
import CorpusKitTestSupport

/// The same comparison on the small fixture tokenizers the project generates itself
/// (Tools/fixtures/make_fixture_tokenizers.py), with references committed in Tests/Fixtures/references:
/// runs everywhere, with or without ../shared. fixture-nfkc exercises the precompiled charsmap;
/// the BPE fixtures (Tools/fixtures/make_fixture_bpe.py) the paths Llama 2 never takes: `<unk>` without byte
/// fallback, frozen user-defined symbols, unused pieces, `treat_whitespace_as_suffix`, HF `Split`.
final class FixtureConformanceTests: XCTestCase {
    private func check(_ name: String, _ tokenizerPath: String) throws {
        let references = ReferenceFiles.fixtureReferences
        var checker = try ConformanceChecker(
            tokenizerAt: ReferenceFiles.fixtureTokenizers.appendingPathComponent(tokenizerPath), name: name)
        try checker.checkDocuments(documents: references.appendingPathComponent("documents.jsonl"),
                                   expectations: references.appendingPathComponent("\(name).jsonl"))
        try checker.checkDecoding(references.appendingPathComponent("\(name).decode.jsonl"))
        checker.assertNoMismatches()
    }

    func testLLMjpStyleModel() throws { try check("fixture-llmjp.model", "fixture-llmjp/fixture-llmjp.model") }
    func testLLMjpStyleTokenizerJSON() throws { try check("fixture-llmjp.tokenizer.json", "fixture-llmjp/tokenizer.json") }
    func testNFKCModel() throws { try check("fixture-nfkc.model", "fixture-nfkc/fixture-nfkc.model") }
    func testNFKCTokenizerJSON() throws { try check("fixture-nfkc.tokenizer.json", "fixture-nfkc/tokenizer.json") }
    func testBPEModel() throws { try check("fixture-bpe.model", "fixture-bpe/fixture-bpe.model") }
    func testBPETokenizerJSON() throws { try check("fixture-bpe.tokenizer.json", "fixture-bpe/tokenizer.json") }
    func testBPEByteFallbackSuffixModel() throws { try check("fixture-bpe-bytes.model", "fixture-bpe-bytes/fixture-bpe-bytes.model") }
}
