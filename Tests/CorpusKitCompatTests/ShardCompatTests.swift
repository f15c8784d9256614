import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitChecks
import CorpusKitCompat
import CorpusKitPipeline
import CorpusKitShards
import CorpusKitMegatron

/// Form 3, `compat shards`: shards written as `corpuskit tokenize` writes them (DocumentEncoder +
/// MegatronIndexWriter), checked against the right and the wrong vocabulary.
final class ShardCompatTests: XCTestCase {
    private func facts(_ report: CompatReport) -> [String: any Sendable] {
        (report.facts["shards"] as? [[String: any Sendable]])?.first ?? [:]
    }

    private func status(_ report: CompatReport, _ suffix: String) -> CheckStatus? {
        report.checks.first { $0.name.hasSuffix(": " + suffix) }?.status
    }

    private var sampleTexts: [String] {
        get throws {
            try textLines(TestPaths.repo("Corpora/sample-ja.txt"), limit: 200) + textLines(TestPaths.repo("Corpora/sample-en.txt"), limit: 100)
        }
    }

    func testShardOfTheFixtureTokenizerRoundTripsAndTypeIsInferred() throws {
        let directory = try scratchDirectory("compat-tests").path
        let prefix = (directory as NSString).appendingPathComponent("ok_text_document")
        try writeShard(prefix: prefix, tokenizer: TestPaths.fixtureLLMJP, type: .llama2, appendEOD: true, texts: try sampleTexts)
        let report = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [directory]).report
        XCTAssertEqual(report.verdict, .compatible, report.text())
        XCTAssertEqual(facts(report)["round_trip_share"] as? Double, 1.0)
        XCTAssertEqual(facts(report)["tokenizer_type"] as? String, "Llama2Tokenizer")
        XCTAssertEqual(facts(report)["append_eod"] as? Bool, true)
        XCTAssertEqual(report.exitStatus(strict: true), 0)
    }

    func testIDOutOfRange() throws {
        let directory = try scratchDirectory("compat-tests").path
        let prefix = (directory as NSString).appendingPathComponent("bad")
        try writeShard(prefix: prefix, tokenizer: TestPaths.fixtureLLMJP, type: .gptSentencePiece, appendEOD: true,
                       texts: Array(try sampleTexts.prefix(50)), extraDocuments: [[10, 20, 1500, 2]])
        let report = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [prefix]).report
        XCTAssertEqual(status(report, "id range"), .error, report.text())
        XCTAssertTrue(report.checks.first { $0.name.hasSuffix("id range") }!.detail.contains("document 50"), report.text())
        XCTAssertEqual(report.exitStatus(strict: false), 1)
    }

    func testMissingEOD() throws {
        let directory = try scratchDirectory("compat-tests").path
        let prefix = (directory as NSString).appendingPathComponent("noeod")
        try writeShard(prefix: prefix, tokenizer: TestPaths.fixtureLLMJP, type: .gptSentencePiece, appendEOD: false, texts: try sampleTexts)
        let report = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [prefix],
                                            options: .init(tokenizerType: .gptSentencePiece, appendEOD: true)).report
        XCTAssertEqual(status(report, "EOD"), .error, report.text())
        // Inferred, the same shard is consistent (no EOD expected).
        let inferred = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [prefix],
                                              options: .init(tokenizerType: .gptSentencePiece)).report
        XCTAssertEqual(status(inferred, "EOD"), .ok, inferred.text())
        XCTAssertEqual(facts(inferred)["append_eod"] as? Bool, false)
    }

    func testTokenIDScanMatchesAScalarMaximum() throws {
        let directory = try scratchDirectory("compat-tests").path
        for dtype in [TokenDType.uint16, .int32] {
            let prefix = (directory as NSString).appendingPathComponent("scan-\(dtype)")
            let writer = try MegatronIndexWriter(prefix: prefix, dtype: dtype)
            var generator = SystemRandomNumberGenerator()
            var expected: Int32 = 0
            for length in [0, 1, 7, 63, 64, 65, 129, 1000] {
                let tokens = (0..<length).map { _ in Int32.random(in: 0..<60000, using: &generator) }
                expected = max(expected, tokens.max() ?? 0)
                try writer.addDocument(tokens)
            }
            _ = try writer.finish()
            let reader = try MegatronIndexReader(prefix: prefix)
            XCTAssertEqual(TokenIDScan(reader).maximum, UInt32(expected))
        }
    }

    /// v3.0 shards, v3.1 shards and v4.0 shards of the same text, checked against v3.0.
    func testRoundTripShareTellsV30FromV31AndV40() throws {
        let v30 = try TestPaths.requireShared("vocab/llm-jp-v3.0/llm-jp-tokenizer-100k.ver3.0b1.model")
        let v31 = try TestPaths.requireShared("vocab/llm-jp-v3.1/llm-jp-tokenizer-100k.ver3.1.model")
        let v40 = try TestPaths.requireShared("vocab/llm-jp-v4.0/llm-jp-tokenizer_ver4.0_alpha1.0.model")
        // Documents of 20 lines each, as pretraining documents are (pages, not sentences).
        let lines = try textLines(try TestPaths.requireShared("corpora/neko.txt"), limit: 2000) + textLines(try TestPaths.requireShared("corpora/jsts-v1.1-train.txt"), limit: 2000)
        let texts = stride(from: 0, to: lines.count, by: 20).map { lines[$0..<min($0 + 20, lines.count)].joined(separator: "\n") }
        let directory = try scratchDirectory("compat-tests").path
        var shares: [String: Double] = [:]
        for (name, model) in [("v3.0", v30), ("v3.1", v31), ("v4.0", v40)] {
            let prefix = (directory as NSString).appendingPathComponent("\(name)_text_document")
            try writeShard(prefix: prefix, tokenizer: model, type: .llama2, appendEOD: true, texts: texts)
            let report = try ShardCompatibility(tokenizerPath: v30, shards: [prefix],
                                                options: .init(tokenizerType: .llama2, appendEOD: true, sample: 200)).report
            shares[name] = facts(report)["round_trip_share"] as? Double
            if name == "v3.0" {
                XCTAssertEqual(report.verdict, .compatible, report.text())
            } else {
                XCTAssertEqual(status(report, "round trip"), .error, report.text())
            }
            if name == "v4.0" { XCTAssertEqual(status(report, "id range"), .error, report.text()) }
        }
        print("round-trip share against v3.0:", shares.sorted { $0.key < $1.key })
        XCTAssertEqual(shares["v3.0"], 1.0)
        XCTAssertLessThan(try XCTUnwrap(shares["v3.1"]), ShardCompatibility.roundTripErrorThreshold)
        XCTAssertLessThan(try XCTUnwrap(shares["v4.0"]), ShardCompatibility.roundTripErrorThreshold)
    }

    /// Llama 2 shards and shards of its Swallow-style extension (Tools/references/make_bpe_vocabularies.py),
    /// of the same Japanese text, each checked against both `.model` files: against its own
    /// vocabulary every document round-trips; Llama 2's ids are all inside the extension but it
    /// re-encodes the text with its new pieces (round trip); the extension's ids overflow Llama 2.
    func testLlama2AndExtensionShardsAreToldApart() throws {
        let llama2 = try TestPaths.requireShared("vocab/llama2/tokenizer.model")
        let extended = try TestPaths.requireDerivedBPE("llama2-ja/llama2-ja.model")
        let lines = try textLines(try TestPaths.requireShared("corpora/neko.txt"), limit: 1000)
        let texts = stride(from: 0, to: lines.count, by: 20).map { lines[$0..<min($0 + 20, lines.count)].joined(separator: "\n") }
        let directory = try scratchDirectory("compat-tests").path
        var prefixes: [String: String] = [:]
        for (name, model) in [("llama2", llama2), ("extended", extended)] {
            let prefix = (directory as NSString).appendingPathComponent("\(name)_text_document")
            try writeShard(prefix: prefix, tokenizer: model, type: .llama2, appendEOD: true, texts: texts)
            prefixes[name] = prefix
        }
        func report(_ shard: String, _ model: String) throws -> CompatReport {
            try ShardCompatibility(tokenizerPath: model, shards: [prefixes[shard]!],
                                   options: .init(tokenizerType: .llama2, appendEOD: true, sample: 200)).report
        }
        for (shard, model) in [("llama2", llama2), ("extended", extended)] {
            let own = try report(shard, model)
            XCTAssertEqual(own.verdict, .compatible, own.text())
            XCTAssertEqual(facts(own)["round_trip_share"] as? Double, 1.0, own.text())
        }
        let older = try report("llama2", extended)
        XCTAssertEqual(status(older, "id range"), .ok, older.text())
        XCTAssertEqual(status(older, "round trip"), .error, older.text())
        XCTAssertLessThan(try XCTUnwrap(facts(older)["round_trip_share"] as? Double), ShardCompatibility.roundTripErrorThreshold)
        XCTAssertEqual(older.exitStatus(strict: false), 1)
        let newer = try report("extended", llama2)
        XCTAssertEqual(status(newer, "id range"), .error, newer.text())
    }
}
