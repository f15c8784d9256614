@testable import CorpusKitTokenizer
import Foundation
import XCTest
import CorpusKitTestSupport

/// Ids and decoded text of all eight llm-jp tokenizer files (Unigram) and the four Llama 2 files
/// (BPE: Llama 2 and its Swallow-style extension, `.model` and `tokenizer.json`) must equal
/// sentencepiece's (for `.model`) and HF tokenizers' (for `tokenizer.json`) over ../shared/corpora
/// and adversarial text.
///
/// Each Unigram file is loaded twice with a fresh trie cache: the first load builds the trie and
/// stores it, the second maps the stored one. The two tries must be the same cells byte for byte,
/// and the comparison with the references runs on the cached one; so both ways of loading are
/// covered (HF BPE models search no trie). A tokenizer.json's second load also takes its parsed
/// vocabulary from the cache (``JSONValueCache``), so the comparison covers that too.
///
/// `CLIConformanceTests` compares every document through the shipped binary; this in-process pass
/// repeats it on every 4th document and on every long one (≥ 16 KB), which keeps the suite inside
/// CI's budget (measured in release on CI's 2-core machine: all documents 34 s for the fourteen
/// files, every 4th 14 s). `CORPUSKIT_LIBRARY_STRIDE=1` compares all of them.
final class SharedConformanceTests: XCTestCase {
    private static var documentStride: Int {
        if let value = ProcessInfo.processInfo.environment["CORPUSKIT_LIBRARY_STRIDE"], let stride = Int(value), stride > 0 { return stride }
        return 4
    }

    private func check(_ name: String) throws {
        let references = try ReferenceFiles.requireSharedReferences(name)
        let cacheDirectory = try scratchDirectory("conformance").url.appendingPathComponent("tries")
        let cache = TrieCache(directory: cacheDirectory.path)
        let path = ReferenceFiles.sharedTokenizer(name).path
        let built = try Tokenizer.load(path: path, trieCache: cache)
        if name.hasSuffix(".tokenizer.json") {
            let document = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            let key = document.withUnsafeBytes { JSONValueCache.key(document: $0) }
            XCTAssertNotNil(document.withUnsafeBytes { JSONValueCache(cache).load(key: key, document: $0) },
                            "\(name): the first load must store the parsed vocabulary for the second")
        }
        let cached = try Tokenizer.load(path: path, trieCache: cache)
        XCTAssertEqual(cached.summary.modelType, name.hasPrefix("llama2") ? "BPE" : "Unigram", name)
        // Unigram models and sentencepiece BPE search a trie; HF BPE looks pairs up by id.
        if !(name.hasPrefix("llama2") && name.hasSuffix(".tokenizer.json")) {
            let builtTrie = try XCTUnwrap(built.vocabularyTrie, "\(name): the model searches a trie")
            let cachedTrie = try XCTUnwrap(cached.vocabularyTrie)
            XCTAssertFalse(builtTrie.isMappedFromCache, "\(name): the first load must build the trie")
            XCTAssertTrue(cachedTrie.isMappedFromCache, "\(name): the second load must map the cached trie")
            XCTAssertEqual(builtTrie.unitCount, cachedTrie.unitCount)
            let cellBytes = builtTrie.unitCount * MemoryLayout<DoubleArrayTrie.Unit>.stride
            XCTAssertEqual(memcmp(builtTrie.units, cachedTrie.units, cellBytes), 0, "\(name): cached trie differs from the built one")
        }
        var checker = ConformanceChecker(tokenizer: cached, name: name)
        try checker.checkDocuments(documents: references.appendingPathComponent("documents.jsonl"),
                                   expectations: references.appendingPathComponent("\(name).jsonl"),
                                   stride: Self.documentStride)
        try checker.checkDecoding(references.appendingPathComponent("\(name).decode.jsonl"))
        checker.assertNoMismatches()
    }

    func testV21Model() throws { try check("llm-jp-v2.1.model") }
    func testV30Model() throws { try check("llm-jp-v3.0.model") }
    func testV31Model() throws { try check("llm-jp-v3.1.model") }
    func testV40Model() throws { try check("llm-jp-v4.0.model") }
    func testV21TokenizerJSON() throws { try check("llm-jp-v2.1.tokenizer.json") }
    func testV30TokenizerJSON() throws { try check("llm-jp-v3.0.tokenizer.json") }
    func testV31TokenizerJSON() throws { try check("llm-jp-v3.1.tokenizer.json") }
    func testV40TokenizerJSON() throws { try check("llm-jp-v4.0.tokenizer.json") }
    func testLlama2Model() throws { try check("llama2.model") }
    func testLlama2TokenizerJSON() throws { try check("llama2.tokenizer.json") }
    func testLlama2ExtendedModel() throws { try check("llama2-ja.model") }
    func testLlama2ExtendedTokenizerJSON() throws { try check("llama2-ja.tokenizer.json") }
    func testLLMJPExtendedModel() throws { try check("llmjp-ja.model") }
    func testLLMJPExtendedTokenizerJSON() throws { try check("llmjp-ja.tokenizer.json") }
}
