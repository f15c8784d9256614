import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitTokenizer
@testable import CorpusKitVocab

/// `vocab extend` against the real thing, on the shared vocabularies: Tools/make_bpe_vocabularies.py
/// trains a Japanese BPE with the sentencepiece trainer, appends its new pieces to Llama 2 (BPE) and
/// to llm-jp v2.1 (Unigram) with protobuf, and converts each result with transformers 5.24. The
/// files corpuskit writes must be those files byte for byte. Their ids are then the references'
/// (sentencepiece on the .model, HF tokenizers on the tokenizer.json: SharedConformanceTests checks
/// corpuskit against both), and here the two references must agree with each other.
final class VocabularyExtensionTests: XCTestCase {
    private func derived(_ path: String) throws -> URL {
        _ = try ReferenceFiles.requireSharedReferences("llama2-ja.model")
        return ReferenceFiles.sharedReferences.appendingPathComponent("bpe-vocab").appendingPathComponent(path)
    }

    private func checkExtension(base: String, reference: String, modelName: String) throws {
        let scratch = try ScratchDirectory()
        let basePath = ReferenceFiles.sharedDirectory.appendingPathComponent(base).path
        let extension_ = try VocabularyExtension(base: basePath, add: try derived("ja-bpe/ja-bpe.model").path)
        try extension_.write(to: scratch.path)
        let expected = [("tokenizer.model", modelName), ("tokenizer.json", "tokenizer.json"), ("tokenizer_config.json", "tokenizer_config.json")]
        for (ours, theirs) in expected {
            let written = try Data(contentsOf: URL(fileURLWithPath: scratch.file(ours)))
            let reference = try Data(contentsOf: try derived("\(reference)/\(theirs)"))
            XCTAssertTrue(written == reference, "\(ours) differs from \(reference)/\(theirs) (\(written.count) vs \(reference.count) bytes)")
        }
        // Base pieces keep their ids, types and scores.
        let baseFile = try SentencePieceModelFile(contentsOf: basePath)
        let extended = try SentencePieceModelFile(contentsOf: scratch.file("tokenizer.model"))
        XCTAssertEqual(extended.pieceCount, baseFile.pieceCount + extension_.added.count)
        for id in 0..<baseFile.pieceCount where baseFile.piece(id) != extended.piece(id) || baseFile.scores[id] != extended.scores[id]
            || baseFile.types[id] != extended.types[id] {
            XCTFail("piece \(id) changed")
            break
        }
    }

    func testLlama2ExtensionIsTransformersConversion() throws {
        try checkExtension(base: "vocab/llama2/tokenizer.model", reference: "llama2-ja", modelName: "llama2-ja.model")
    }

    func testLLMJPUnigramExtensionIsTransformersConversion() throws {
        try checkExtension(base: "vocab/llm-jp-v2.1/code10k_en20k_ja30k.ver2.1.model", reference: "llmjp-ja", modelName: "llmjp-ja.model")
    }

    /// sentencepiece on the .model and HF tokenizers on transformers' tokenizer.json give the same
    /// ids on every conformance document that holds no special-token text.
    private func checkReferencesAgree(_ name: String) throws {
        let references = try ReferenceFiles.requireSharedReferences("\(name).model")
        let file = try SentencePieceModelFile(contentsOf: ReferenceFiles.sharedTokenizer("\(name).model").path)
        let specials = (0..<file.pieceCount).filter { file.types[$0] == .control || file.types[$0] == .unknown }
            .map { String(decoding: file.piece($0), as: UTF8.self) }
        let documents = Array(try JSONLines(references.appendingPathComponent("documents.jsonl")))
        let model = Array(try JSONLines(references.appendingPathComponent("\(name).model.jsonl")))
        let json = Array(try JSONLines(references.appendingPathComponent("\(name).tokenizer.json.jsonl")))
        XCTAssertEqual(documents.count, model.count)
        XCTAssertEqual(documents.count, json.count)
        var compared = 0, mismatches = 0
        for (index, document) in documents.enumerated() {
            let text = document["text"] as! String
            if specials.contains(where: { text.contains($0) }) { continue }
            compared += 1
            if (model[index]["ids"] as! [Int]) != (json[index]["ids"] as! [Int]) {
                mismatches += 1
                if mismatches <= 3 { XCTFail("\(name): document \(index + 1): sentencepiece and transformers' tokenizer.json disagree") }
            }
        }
        XCTAssertEqual(mismatches, 0, "\(name): \(mismatches) of \(compared) documents")
        XCTAssertGreaterThan(compared, 10_000)
    }

    /// Text the new pieces cannot match (ASCII only) keeps the base's ids: sentencepiece's reference
    /// ids of the base and of the extension agree on every ASCII-only conformance document.
    private func checkASCIIUnchanged(base: String, extended: String) throws {
        let references = try ReferenceFiles.requireSharedReferences("\(extended).jsonl")
        let documents = Array(try JSONLines(references.appendingPathComponent("documents.jsonl")))
        let before = Array(try JSONLines(references.appendingPathComponent("\(base).jsonl")))
        let after = Array(try JSONLines(references.appendingPathComponent("\(extended).jsonl")))
        var compared = 0, changed = 0
        for (index, document) in documents.enumerated() where (document["text"] as! String).utf8.allSatisfy({ $0 < 0x80 }) {
            compared += 1
            if (before[index]["ids"] as! [Int]) != (after[index]["ids"] as! [Int]) { changed += 1 }
        }
        XCTAssertEqual(changed, 0, "\(extended): \(changed) of \(compared) ASCII documents segment differently from \(base)")
        XCTAssertGreaterThan(compared, 1000)
    }

    func testLlama2ExtensionKeepsASCIISegmentation() throws { try checkASCIIUnchanged(base: "llama2.model", extended: "llama2-ja.model") }
    func testLLMJPExtensionKeepsASCIISegmentation() throws { try checkASCIIUnchanged(base: "llm-jp-v2.1.model", extended: "llmjp-ja.model") }

    func testLlama2ExtensionReferencesAgree() throws { try checkReferencesAgree("llama2-ja") }
    func testLLMJPExtensionReferencesAgree() throws { try checkReferencesAgree("llmjp-ja") }

    /// Japanese text not used to train the added pieces (JSTS) takes markedly fewer tokens with the
    /// Llama 2 extension; English (Botchan) stays as it was.
    func testLlama2ExtensionCompressesJapanese() throws {
        let scratch = try ScratchDirectory()
        let corpus = scratch.file("corpus.jsonl")
        var lines: [String] = []
        for name in ["botchan.txt", "jsts-v1.1-train.txt"] {
            let text = try String(contentsOf: ReferenceFiles.sharedDirectory.appendingPathComponent("corpora/\(name)"), encoding: .utf8)
            for line in text.split(separator: "\n").prefix(2000) {
                let data = try JSONSerialization.data(withJSONObject: ["text": String(line)])
                lines.append(String(decoding: data, as: UTF8.self))
            }
        }
        try lines.joined(separator: "\n").write(toFile: corpus, atomically: true, encoding: .utf8)
        let extension_ = try VocabularyExtension(base: ReferenceFiles.sharedDirectory.appendingPathComponent("vocab/llama2/tokenizer.model").path,
                                                 add: try derived("ja-bpe/ja-bpe.model").path)
        let comparison = try CompressionComparison(extension: extension_, inputs: [corpus], keys: ["text"])
        let japanese = try XCTUnwrap(comparison.rows.first { $0.language == "ja" })
        let english = try XCTUnwrap(comparison.rows.first { $0.language == "en" })
        let ratio = Double(japanese.extendedTokens) / Double(japanese.baseTokens)
        XCTAssertLessThan(ratio, 0.75, comparison.table)
        // Botchan's few non-ASCII characters (quotes, dashes) may meet a new piece; nothing else changes.
        XCTAssertGreaterThan(Double(english.extendedTokens) / Double(english.baseTokens), 0.99, comparison.table)
        print(comparison.table)
    }
}
