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

/// Issue 19: `compat shards` on what `corpuskit tokenize` writes with a tokenizer.json (its
/// post-processor's EOD, with and without `--append-eod`), on `.model` shards checked against the
/// tokenizer.json of the same vocabulary, and across vocabularies; shard arguments as `count` takes them.
final class ShardCompatTokenizerJSONTests: XCTestCase {
    private func shardFacts(_ report: CompatReport) -> [[String: any Sendable]] {
        report.facts["shards"] as? [[String: any Sendable]] ?? []
    }

    private static let versions = [
        ("v2.1", "code10k_en20k_ja30k.ver2.1.model"), ("v3.0", "llm-jp-tokenizer-100k.ver3.0b1.model"),
        ("v3.1", "llm-jp-tokenizer-100k.ver3.1.model"), ("v4.0", "llm-jp-tokenizer_ver4.0_alpha1.0.model"),
    ]

    /// Documents of 20 lines each (pages, not sentences).
    private func pages(limit: Int = 240) throws -> [String] {
        let lines = try textLines(try TestPaths.requireShared("corpora/neko.txt"), limit: limit)
        return stride(from: 0, to: lines.count, by: 20).map { lines[$0..<min($0 + 20, lines.count)].joined(separator: "\n") }
    }

    /// Each llm-jp tokenizer.json: `HuggingFaceTokenizer` shards with and without `--append-eod`
    /// are compatible with the inferred type and EOD, and with the run's flags given.
    func testHuggingFaceShardsOfEveryLLMjpTokenizerJSONAreCompatible() throws {
        let texts = try pages()
        let directory = try scratchDirectory("compat-tests").path
        for (version, _) in Self.versions {
            let json = try TestPaths.requireShared("vocab/llm-jp-\(version)/tokenizer.json")
            for appendEOD in [false, true] {
                let prefix = (directory as NSString).appendingPathComponent("\(version)-\(appendEOD)_text_document")
                try writeShard(prefix: prefix, tokenizer: json, type: .huggingFace, appendEOD: appendEOD, texts: texts)
                for options in [ShardCompatibility.Options(), .init(tokenizerType: .huggingFace, appendEOD: appendEOD)] {
                    let report = try ShardCompatibility(tokenizerPath: json, shards: [prefix], options: options).report
                    XCTAssertEqual(report.verdict, .compatible, "\(version) append-eod \(appendEOD)\n" + report.text())
                    XCTAssertEqual(report.exitStatus(strict: true), 0)
                    let facts = try XCTUnwrap(shardFacts(report).first)
                    XCTAssertEqual(facts["tokenizer_type"] as? String, "HuggingFaceTokenizer", report.text())
                    XCTAssertEqual(facts["append_eod"] as? Bool, appendEOD, report.text())
                    XCTAssertEqual(facts["round_trip_share"] as? Double, 1.0, report.text())
                }
                // The wrong --append-eod is an error, not a pass.
                let wrong = try ShardCompatibility(tokenizerPath: json, shards: [prefix],
                                                   options: .init(tokenizerType: .huggingFace, appendEOD: !appendEOD)).report
                XCTAssertNotEqual(wrong.verdict, .compatible, "\(version) checked with append-eod \(!appendEOD)\n" + wrong.text())
            }
        }
    }

    /// v3.0, v3.1 and v4.0 tokenizer.json shards checked against each other's tokenizer.json: incompatible.
    func testHuggingFaceShardsAcrossVocabulariesAreIncompatible() throws {
        let texts = try pages()
        let directory = try scratchDirectory("compat-tests").path
        let names = ["v3.0", "v3.1", "v4.0"]
        var prefixes: [String: String] = [:]
        for version in names {
            let prefix = (directory as NSString).appendingPathComponent("\(version)_text_document")
            try writeShard(prefix: prefix, tokenizer: try TestPaths.requireShared("vocab/llm-jp-\(version)/tokenizer.json"),
                           type: .huggingFace, appendEOD: true, texts: texts)
            prefixes[version] = prefix
        }
        for checked in names {
            let json = try TestPaths.requireShared("vocab/llm-jp-\(checked)/tokenizer.json")
            for shard in names where shard != checked {
                let report = try ShardCompatibility(tokenizerPath: json, shards: [prefixes[shard]!]).report
                XCTAssertEqual(report.verdict, .incompatible, "\(shard) shards against \(checked)\n" + report.text())
                XCTAssertEqual(report.exitStatus(strict: false), 1)
            }
        }
    }

    /// A shard written from v3.0's (and v4.0's) `.model`, for every sentencepiece type and both
    /// `--append-eod`, checked against the tokenizer.json of the same vocabulary: compatible.
    func testModelShardsAgainstTheTokenizerJSONOfTheSameVocabulary() throws {
        let texts = try pages()
        let directory = try scratchDirectory("compat-tests").path
        for (version, model) in Self.versions where version == "v3.0" || version == "v4.0" {
            let modelPath = try TestPaths.requireShared("vocab/llm-jp-\(version)/\(model)")
            let json = try TestPaths.requireShared("vocab/llm-jp-\(version)/tokenizer.json")
            let versionDirectory = (directory as NSString).appendingPathComponent(version)
            try FileManager.default.createDirectory(atPath: versionDirectory, withIntermediateDirectories: true)
            // Every sentencepiece type on v3.0; Llama2Tokenizer (another EOD id layout) on v4.0.
            for type in MegatronTokenizerType.allCases where type.usesSentencePieceModel && (version == "v3.0" || type == .llama2) {
                for appendEOD in [false, true] {
                    let prefix = (versionDirectory as NSString).appendingPathComponent("\(type)-\(appendEOD)_text_document")
                    try writeShard(prefix: prefix, tokenizer: modelPath, type: type, appendEOD: appendEOD, texts: texts)
                }
            }
            let compatibility = try ShardCompatibility(tokenizerPath: json, shards: [versionDirectory])
            XCTAssertEqual(compatibility.datasets.count, version == "v3.0" ? 8 : 2)
            XCTAssertEqual(compatibility.report.verdict, .compatible, compatibility.summary())
            for dataset in compatibility.datasets {
                let name = (dataset.prefix as NSString).lastPathComponent
                XCTAssertEqual(dataset.verdict, .compatible, compatibility.summary())
                XCTAssertEqual(dataset.appendEOD, name.contains("-true_"), compatibility.summary())
                if name.hasPrefix("Llama2Tokenizer") { XCTAssertEqual(dataset.tokenizerType, "Llama2Tokenizer", compatibility.summary()) }
            }
            // Another vocabulary's tokenizer.json still says incompatible.
            let other = try TestPaths.requireShared("vocab/llm-jp-\(version == "v3.0" ? "v3.1" : "v3.0")/tokenizer.json")
            let prefix = (versionDirectory as NSString).appendingPathComponent("Llama2Tokenizer-true_text_document")
            XCTAssertEqual(try ShardCompatibility(tokenizerPath: other, shards: [prefix]).report.verdict, .incompatible)
        }
    }

    /// Every tokenizer type with both `--append-eod` settings, checked against the file it was
    /// written with, types and EOD inferred: compatible (the fixture tokenizer: `.model` and tokenizer.json).
    func testEveryTypeAndAppendEODAgainstItsOwnTokenizer() throws {
        let texts = try textLines(TestPaths.repo("Corpora/sample-ja.txt"), limit: 120)
        let directory = try scratchDirectory("compat-tests").path
        for type in MegatronTokenizerType.allCases where type.usesSentencePieceModel {
            for appendEOD in [false, true] {
                try writeShard(prefix: "\(directory)/\(type)-\(appendEOD)_text_document", tokenizer: TestPaths.fixtureLLMJP,
                               type: type, appendEOD: appendEOD, texts: texts)
            }
        }
        let compatibility = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [directory])
        XCTAssertEqual(compatibility.datasets.count, 8)
        for dataset in compatibility.datasets {
            XCTAssertEqual(dataset.verdict, .compatible, compatibility.report.text())
            XCTAssertEqual(dataset.appendEOD, dataset.prefix.hasSuffix("-true_text_document"), compatibility.summary())
        }
        // The fixture tokenizer.json appends <EOD|LLM-jp> in its post-processor and declares no eos (no --append-eod possible).
        let json = "\(directory)/json/hf_text_document"
        try FileManager.default.createDirectory(atPath: "\(directory)/json", withIntermediateDirectories: true)
        try writeShard(prefix: json, tokenizer: TestPaths.fixtureLLMJPJSON, type: .huggingFace, appendEOD: false, texts: texts)
        let hf = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJPJSON, shards: [json])
        XCTAssertEqual(hf.report.verdict, .compatible, hf.report.text())
        XCTAssertEqual(hf.datasets.first?.tokenizerType, "HuggingFaceTokenizer")
    }

    /// Directories are searched recursively and globs expand, exactly as `count` resolves them
    /// (one resolver, ``ShardDiscovery``); the summary has one line per dataset and the totals.
    func testDirectoriesRecursiveGlobsAndSummary() throws {
        let directory = try scratchDirectory("compat-tests").path
        let texts = try textLines(TestPaths.repo("Corpora/sample-ja.txt"), limit: 50)
        for name in ["ja/a/x", "ja/b/y", "en/z"] {
            let prefix = (directory as NSString).appendingPathComponent("\(name)_text_document")
            try FileManager.default.createDirectory(atPath: (prefix as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try writeShard(prefix: prefix, tokenizer: TestPaths.fixtureLLMJP, type: .llama2, appendEOD: true, texts: texts)
        }
        let all = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [directory])
        XCTAssertEqual(all.datasets.map(\.prefix), try ShardDiscovery.prefixes([directory]))
        XCTAssertEqual(all.datasets.count, 3)
        XCTAssertEqual(all.report.verdict, .compatible, all.report.text())
        let globbed = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [directory + "/ja/*"])
        XCTAssertEqual(globbed.datasets.map { ($0.prefix as NSString).lastPathComponent }, ["x_text_document", "y_text_document"])
        let summary = all.summary().split(separator: "\n")
        XCTAssertEqual(summary.count, 5, all.summary())
        XCTAssertTrue(summary.last!.hasPrefix("total: 3 datasets, 3 compatible, 0 with warnings, 0 incompatible; "), all.summary())
        XCTAssertThrowsError(try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [directory + "/nothing*"]))
    }

    /// A dataset `corpuskit tokenize` wrote has a provenance record: compat compares its tokenizer
    /// SHA-256 first (exact), takes its type and `--append-eod`, reports it, and still round-trips.
    func testProvenanceRecordIsComparedFirst() throws {
        let executable = try CorpusKitExecutable.require()
        let directory = try scratchDirectory("compat-tests").path
        let input = (directory as NSString).appendingPathComponent("in.jsonl")
        let lines = try textLines(TestPaths.repo("Corpora/sample-ja.txt"), limit: 60)
        let jsonl = try lines.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }
        try (jsonl.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let prefix = (directory as NSString).appendingPathComponent("out/ja_text_document")
        try FileManager.default.createDirectory(atPath: (directory as NSString).appendingPathComponent("out"), withIntermediateDirectories: true)
        let run = try FileCapturedProcess.run(executable, ["tokenize", "--input", input, "--output-prefix", (directory as NSString).appendingPathComponent("out/ja"),
                                                           "--tokenizer-type", "GPTSentencePieceTokenizer", "--tokenizer-model", TestPaths.fixtureLLMJP,
                                                           "--append-eod", "--quiet"])
        XCTAssertEqual(run.status, 0, String(decoding: run.stderr, as: UTF8.self))
        let record = try XCTUnwrap(try DatasetProvenance.read(prefix: prefix))

        let same = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [directory])
        XCTAssertEqual(same.report.verdict, .compatible, same.report.text())
        XCTAssertEqual(same.report.checks.first { $0.name.hasSuffix(": provenance") }?.status, .ok, same.report.text())
        XCTAssertEqual(same.datasets.first?.tokenizerType, "GPTSentencePieceTokenizer")
        XCTAssertEqual(same.datasets.first?.appendEOD, true)
        XCTAssertEqual(same.datasets.first?.recordedTokenizer, record.tokenizerSummary)
        XCTAssertTrue(same.summary().contains("recorded: \(record.tokenizerSummary)"), same.summary())
        // The round trip still runs as evidence.
        XCTAssertEqual(same.datasets.first?.roundTripShare, 1.0)

        // Flags given against the record: an error naming both.
        let conflict = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [prefix], options: .init(appendEOD: false)).report
        XCTAssertEqual(conflict.verdict, .incompatible, conflict.text())
        XCTAssertTrue(conflict.text().contains("append EOD false given, true recorded"), conflict.text())

        // The record names another file (here: a copy with other bytes): a warning, the ids decide.
        var other = record
        other.tokenizer.sha256 = String(repeating: "0", count: 64)
        try other.write(prefix: prefix)
        let warned = try ShardCompatibility(tokenizerPath: TestPaths.fixtureLLMJP, shards: [prefix]).report
        XCTAssertEqual(warned.verdict, .compatibleWithWarnings, warned.text())
        XCTAssertEqual(warned.checks.first { $0.name.hasSuffix(": provenance") }?.status, .warning, warned.text())
        XCTAssertEqual(warned.exitStatus(strict: true), 1)
    }
}
