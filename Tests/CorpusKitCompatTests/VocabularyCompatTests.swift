import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitChecks
import CorpusKitCompat
import CorpusKitTokenizer

/// Form 1, `compat vocab`: every verdict, on fixture-derived files and on the real llm-jp / Llama 2 pairs.
final class VocabularyCompatTests: XCTestCase {
    private func compare(_ a: String, _ b: String, corpus: String? = nil) throws -> VocabularyComparison {
        try VocabularyComparison(a: try VocabularyFile.load(path: a), b: try VocabularyFile.load(path: b), corpus: corpus)
    }

    private func check(_ report: CompatReport, _ name: String) -> CompatCheck? { report.checks.first { $0.name == name } }

    func testSameFileTwiceIsIdentical() throws {
        let c = try compare(TestPaths.fixtureLLMJP, TestPaths.fixtureLLMJP)
        XCTAssertEqual(c.report.verdict, .identical)
        XCTAssertEqual(c.report.exitStatus(strict: true), 0)
    }

    func testRescoredFixtureIsSameIds() throws {
        let directory = try scratchDirectory("compat-tests").path
        let rescored = (directory as NSString).appendingPathComponent("rescored.model")
        let data = try ModelProtoEditor.edit(try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixtureLLMJP))) { pieces in
            pieces.enumerated().map { id, piece in
                var p = piece
                if p.type == 1 && id % 7 == 0 { p.score -= 1.5 }
                return p
            }
        }
        try data.write(to: URL(fileURLWithPath: rescored))
        let c = try compare(TestPaths.fixtureLLMJP, rescored)
        XCTAssertEqual(c.report.verdict, .sameIDs, c.report.text())
        XCTAssertEqual(check(c.report, "scores")?.status, .warning)
        XCTAssertEqual(c.report.exitStatus(strict: false), 0)
        XCTAssertEqual(c.report.exitStatus(strict: true), 1)
    }

    func testChangedNormalizationIsSameIds() throws {
        // The same pieces and scores, another normalizer (the fixture's tokenizer.json vs a copy with
        // its normalizer removed): ids stay meaningful, segmentation changes.
        let directory = try scratchDirectory("compat-tests").path
        var json = try String(contentsOfFile: TestPaths.fixtureLLMJPJSON, encoding: .utf8)
        let original = json
        json = json.replacingOccurrences(of: "\"Regex\": \" \"", with: "\"Regex\": \"  \"")
            .replacingOccurrences(of: "\"Regex\":\" \"", with: "\"Regex\":\"  \"")
        XCTAssertNotEqual(json, original, "the fixture tokenizer.json no longer has the expected Replace(\" \") normalizer")
        let changed = (directory as NSString).appendingPathComponent("tokenizer.json")
        try json.write(toFile: changed, atomically: true, encoding: .utf8)
        let c = try compare(TestPaths.fixtureLLMJPJSON, changed)
        XCTAssertEqual(c.report.verdict, .sameIDs, c.report.text())
        XCTAssertEqual(check(c.report, "behaviour")?.status, .warning)
    }

    func testPermutedFixtureIsRemappedAndWritesTheMap() throws {
        let directory = try scratchDirectory("compat-tests").path
        let permuted = (directory as NSString).appendingPathComponent("permuted.model")
        let data = try ModelProtoEditor.edit(try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixtureLLMJP))) { pieces in
            var p = pieces
            p.swapAt(300, 301)
            p.swapAt(400, 1200)
            return p
        }
        try data.write(to: URL(fileURLWithPath: permuted))
        let c = try compare(TestPaths.fixtureLLMJP, permuted)
        XCTAssertEqual(c.report.verdict, .remapped, c.report.text())
        XCTAssertEqual(c.permutation?[300], 301)
        XCTAssertEqual(c.permutation?[1200], 400)
        XCTAssertEqual(c.permutation?[5], 5)
        let map = (directory as NSString).appendingPathComponent("map.tsv")
        try c.writePermutation(to: map)
        let lines = try String(contentsOfFile: map, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 1500)
        XCTAssertTrue(lines[1 + 300].hasPrefix("300\t301\t"))
    }

    func testFixtureModelAndItsTokenizerJSONAreOneVocabularyInTwoFormats() throws {
        let c = try compare(TestPaths.fixtureLLMJP, TestPaths.fixtureLLMJPJSON)
        XCTAssertEqual(c.report.verdict, .identical, c.report.text())
        XCTAssertNotNil(check(c.report, "formats"))
    }

    func testCorpusComparison() throws {
        let c = try compare(TestPaths.fixtureLLMJP, TestPaths.fixtureLLMJPJSON, corpus: TestPaths.repo("Corpora/sample.jsonl"))
        let corpus = try XCTUnwrap(check(c.report, "corpus"))
        XCTAssertTrue(corpus.detail.contains("documents encode to identical ids"), corpus.detail)
        XCTAssertTrue(corpus.detail.contains("tokens per byte"), corpus.detail)
    }

    // MARK: - The real pairs

    func testLLMjpV30ModelVersusItsTokenizerJSON() throws {
        let model = try TestPaths.requireShared("vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model")
        let json = try TestPaths.requireShared("vocab/llm-jp-v3.0/tokenizer.json")
        let c = try compare(model, json)
        XCTAssertEqual(c.report.verdict, .identical, c.report.text())
        let formats = try XCTUnwrap(check(c.report, "formats"))
        XCTAssertTrue(formats.detail.contains("one vocabulary in two formats"))
        XCTAssertTrue(try XCTUnwrap(check(c.report, "special pieces")).detail.contains("<EOD|LLM-jp>"))
    }

    func testLLMjpV30VersusV31IsIncompatible() throws {
        let c = try compare(try TestPaths.requireShared("vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model"),
                            try TestPaths.requireShared("vocab/llm-jp-v3.1/llm-jp-tokenizer-100k.ver3.1.model"))
        XCTAssertEqual(c.report.verdict, .incompatible, c.report.text())
        XCTAssertEqual(c.report.exitStatus(strict: false), 1)
        XCTAssertNotNil(c.report.facts["first_difference"])
        XCTAssertNotNil(check(c.report, "special tokens"))
    }

    func testLLMjpV21VersusV30IsIncompatible() throws {
        let c = try compare(try TestPaths.requireShared("vocab/llm-jp-v2.1/code10k_en20k_ja30k.ver2.1.model"),
                            try TestPaths.requireShared("vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model"))
        XCTAssertEqual(c.report.verdict, .incompatible, c.report.text())
    }

    func testSharedFileTwiceIsIdentical() throws {
        let json = try TestPaths.requireShared("vocab/llm-jp-v4.0/tokenizer.json")
        XCTAssertEqual(try compare(json, json).report.verdict, .identical)
    }

    /// Llama 2 against its Swallow-style extension (a Japanese BPE trained with sentencepiece,
    /// its pieces appended: Tools/references/make_bpe_vocabularies.py), as `.model` files and as the
    /// tokenizer.json files transformers converts them to; and each `.model` against its own
    /// tokenizer.json.
    func testLlama2VersusItsExtension() throws {
        let llama2 = try TestPaths.requireShared("vocab/llama2/tokenizer.model")
        let extended = try TestPaths.requireDerivedBPE("llama2-ja/llama2-ja.model")
        let llama2JSON = try TestPaths.requireDerivedBPE("llama2/tokenizer.json")
        let extendedJSON = try TestPaths.requireDerivedBPE("llama2-ja/tokenizer.json")
        let added = try VocabularyFile.load(path: extended).count - VocabularyFile.load(path: llama2).count
        XCTAssertGreaterThan(added, 0)
        for (a, b) in [(llama2, extended), (llama2JSON, extendedJSON)] {
            let c = try compare(a, b)
            XCTAssertEqual(c.report.verdict, .extension, c.report.text())
            XCTAssertEqual(c.report.facts["added_count"] as? Int, added, c.report.text())
            XCTAssertEqual(c.report.facts["extended"] as? String, "A")
            XCTAssertEqual(c.report.exitStatus(strict: true), 0, c.report.text())
            // The other way round, B is the extended one.
            XCTAssertEqual(try compare(b, a).report.facts["extended"] as? String, "B")
        }
        // A .model and its conversion: one vocabulary in two formats, and both encode the probe
        // texts alike (sentencepiece and HF differ only on special-token strings, which they lack).
        for (model, json) in [(llama2, llama2JSON), (extended, extendedJSON)] {
            let report = try compare(model, json).report
            XCTAssertEqual(report.verdict, .identical, report.text())
            XCTAssertEqual(check(report, "behaviour")?.status, .ok, report.text())
        }
        // --corpus encodes Japanese documents with both: the extension's new pieces change them.
        let corpus = (try scratchDirectory("compat-tests").path as NSString).appendingPathComponent("neko.jsonl")
        let lines = try textLines(try TestPaths.requireShared("corpora/neko.txt"), limit: 200)
        let json = try lines.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }
        try (json.joined(separator: "\n") + "\n").write(toFile: corpus, atomically: true, encoding: .utf8)
        let withCorpus = try compare(llama2, extended, corpus: corpus).report
        XCTAssertEqual(withCorpus.verdict, .extension, withCorpus.text())
        XCTAssertTrue(withCorpus.checks.contains { $0.name.hasPrefix("corpus") }, withCorpus.text())
        XCTAssertFalse(withCorpus.text().contains("not encoded"), withCorpus.text())
        XCTAssertEqual(try VocabularyFile.load(path: llama2).modelType, "BPE")
    }
}
