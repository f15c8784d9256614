import Foundation
import XCTest

/// Ids and decoded text of all eight llm-jp tokenizer files must equal sentencepiece's (for
/// `.model`) and HF tokenizers' (for `tokenizer.json`) over ../shared/corpora and adversarial text.
final class SharedConformanceTests: XCTestCase {
    private func check(_ name: String) throws {
        let references = try ReferenceFiles.requireSharedReferences(name)
        var checker = try ConformanceChecker(tokenizerAt: ReferenceFiles.sharedTokenizer(name), name: name)
        try checker.checkDocuments(documents: references.appendingPathComponent("documents.jsonl"),
                                   expectations: references.appendingPathComponent("\(name).jsonl"))
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
}
