import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import CorpusKitTestSupport
import CorpusKitReport
import CorpusKitShards

/// The mixture arithmetic against independent references: llm-jp's published train-data files
/// (shared data) and the CI fixture computed by Tools/fixtures/make_mixture_fixture.py with numpy.
final class MixtureTests: XCTestCase {
    private func mixture(counts: String, spec: String) throws -> Mixture {
        let rows = try CountsFile.read(path: counts)
        return try Mixture(counts: rows, spec: try MixtureSpec.read(path: spec), specPath: spec)
    }

    /// llm-jp's three llm-jp-corpus v4 train-data files, byte for byte, from their num_tokens.tsv.
    func testReproducesLLMJPTrainDataFiles() throws {
        let stats = (TestPaths.shared as NSString).appendingPathComponent("llm-jp-stats")
        let counts = (stats as NSString).appendingPathComponent("num_tokens.tsv")
        guard FileManager.default.fileExists(atPath: counts) else {
            throw XCTSkip("\(counts) not found (set CORPUSKIT_SHARED): llm-jp train-data reproduction not checked")
        }
        for name in ["llm-jp-4_small_3.1t", "llm-jp-4_small_3.5t", "llm-jp-4_en_15.6t"] {
            let expected = try readText("\(stats)/configs/\(name).sh")
            let made = try mixture(counts: counts, spec: "\(TestPaths.fixture("mixture"))/\(name).yaml")
            XCTAssertEqual(MixtureWriter.render(made, format: .llmJP), expected, name)
        }
    }

    /// The project's own counts and spec (integer, fractional, zero and fill rates) against the
    /// numpy float64 computation committed by Tools/fixtures/make_mixture_fixture.py.
    func testCIFixtureAgainstNumpyReference() throws {
        let dir = TestPaths.fixture("mixture")
        let made = try mixture(counts: "\(dir)/ci-num_tokens.tsv", spec: "\(dir)/ci-spec.yaml")
        XCTAssertEqual(MixtureWriter.render(made, format: .llmJP), try readText("\(dir)/ci-expected.llm-jp.sh"))
        XCTAssertEqual(MixtureWriter.render(made, format: .dataPath), try readText("\(dir)/ci-expected.data-path"))
        let fill = try readText("\(dir)/ci-expected.fill-rate").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(made.fillRate, Double(fill))
        XCTAssertEqual(made.fillRate.map { "\($0)" }, fill, "shortest repr equals Python's repr")
        XCTAssertFalse(made.entries.contains { $0.subset == "ko_wiki" }, "weight-0 datasets are dropped")
        XCTAssertTrue(made.selected.contains { $0.subset == "ko_wiki" && $0.weight == 0 })
    }

    /// The same counts as a token-info CSV and as corpuskit count JSON give the same mixture.
    func testCountsFileFormatsAgree() throws {
        let dir = TestPaths.fixture("mixture")
        let rows = try CountsFile.read(path: "\(dir)/ci-num_tokens.tsv")
        let csv = rows.map { "data/\($0.filename).jsonl,/root/x/\($0.filename)_text_document,\($0.tokens)\n" }.joined()
        XCTAssertEqual(try CountsFile.parse(csv, path: "t.csv", root: "/root/x"), rows)
        var counts: [DatasetCount] = []
        for row in rows {
            var count = DatasetCount(source: row.filename, name: row.filename)
            count.tokens = row.tokens
            counts.append(count)
        }
        let json = CountTable.render(counts, format: .json)
        // JSON output is sorted by name; the mixture then follows that order.
        XCTAssertEqual(try CountsFile.parse(json, path: "c.json"), rows.sorted { DatasetNaming.precedes($0.filename, $1.filename) })
        let tsv = CountTable.render(counts, format: .tsv)
        XCTAssertEqual(try CountsFile.parse(tsv, path: "c.tsv"), rows.sorted { DatasetNaming.precedes($0.filename, $1.filename) })
    }

    func testSpecErrorsNameTheLine() throws {
        let rows = [CountedDataset(filename: "c/ja/ja_wiki_0000", tokens: 100), CountedDataset(filename: "c/en/en_web_0000", tokens: 1000)]
        func error(_ yaml: String) -> String {
            do {
                let spec = try MixtureSpec.parse(yaml, path: "s.yaml")
                _ = try Mixture(counts: rows, spec: spec, specPath: "s.yaml")
                return "no error"
            } catch {
                return error.description
            }
        }
        XCTAssertEqual(error("subsets:\n  ja_wiki: 1\n  ja_cc: 2\n"), "s.yaml:3: subset ja_cc matches no dataset in the counts")
        XCTAssertTrue(error("target_tokens: 5000\nsubsets:\n  ja_wiki: fill\n  en_web: fill\n").hasPrefix("s.yaml:4: a second fill subset (en_web)"))
        XCTAssertEqual(error("subsets:\n  ja_wiki: 1\n  en_web: fill\n"), "s.yaml:3: subset en_web says fill but the spec has no target_tokens")
        XCTAssertTrue(error("target_tokens: 50\nsubsets:\n  ja_wiki: 1\n  en_web: fill\n").hasPrefix("s.yaml:4: fill rate of en_web would be negative"))
        XCTAssertTrue(error("subsets:\n  ja_wiki: 1\n  en_web: lots\n").hasPrefix("s.yaml:3: the rate of en_web is not a number"))
        XCTAssertTrue(error("subsets:\n  ja_wiki: -1\n").hasPrefix("s.yaml:2: the rate of ja_wiki is negative"))
        XCTAssertTrue(error("subset:\n  ja_wiki: 1\n").hasPrefix("s.yaml:1: unknown key subset"))
        XCTAssertTrue(error("subsets: [1, 2\n").hasPrefix("s.yaml:"), error("subsets: [1, 2\n"))
        // A working fill: target reached up to the ceilings.
        let spec = try MixtureSpec.parse("target_tokens: 5000\nsubsets:\n  ja_wiki: 2\n  en_web: fill\n", path: "s.yaml")
        let mixture = try Mixture(counts: rows, spec: spec, specPath: "s.yaml")
        XCTAssertEqual(mixture.entries.map(\.weight), [200, 4800])
        XCTAssertEqual(mixture.fillRate, 4.8)
    }

    func testNamingConventionAndRules() throws {
        XCTAssertTrue(Mixture.names(of: "corpus/tokenized/en/en_fineweb-rest_CC-MAIN-2013-20", rules: []) == ("en", "en_fineweb-rest"))
        let spec = try MixtureSpec.parse("""
            prefix: /p
            subsets:
              Wikipedia: 1
            names:
              - match: "*/ja_wiki_*"
                language: Japanese
                subset: Wikipedia
            """, path: "s.yaml")
        let rows = [CountedDataset(filename: "c/ja/ja_wiki_0000", tokens: 2_612_345_678), CountedDataset(filename: "c/ja/ja_cc_0000", tokens: 5)]
        let mixture = try Mixture(counts: rows, spec: spec, specPath: "s.yaml")
        XCTAssertEqual(mixture.entries.map(\.path), ["/p/c/ja/ja_wiki_0000_text_document"])
        let summary = MixtureSummary(mixture)
        XCTAssertEqual(summary.languages.map(\.language), ["Japanese"])
        let report = MixtureReport.render(summary, format: .markdown)
        XCTAssertTrue(report.contains("| Japanese | Wikipedia | 1 | 2.6B | 1 | 2.6B | 100.00% | 2,612,345,678 | 2,612,345,678 |"), report)
    }

    func testHumanizedLikeTheModelCards() {
        XCTAssertEqual(Humanized.tokens(2_612_345_678), "2.6B")
        XCTAssertEqual(Humanized.tokens(762_834_000_000), "762.8B")
        XCTAssertEqual(Humanized.tokens(2_090_000_000_000), "2.1T")
        XCTAssertEqual(Humanized.tokens(999_960_000_000), "1.0T")
        XCTAssertEqual(Humanized.tokens(15_600_000_000_048), "15.6T")
        XCTAssertEqual(Humanized.tokens(950), "950")
        XCTAssertEqual(Humanized.tokens(1_500), "1.5K")
    }

    func testChartIsSelfContainedSVG() throws {
        let dir = TestPaths.fixture("mixture")
        let made = try mixture(counts: "\(dir)/ci-num_tokens.tsv", spec: "\(dir)/ci-spec.yaml")
        let svg = MixtureChart.svg(MixtureSummary(made), title: "ci")
        XCTAssertTrue(svg.hasPrefix("<?xml"))
        XCTAssertFalse(svg.contains("<script"))
        XCTAssertFalse(svg.contains("href"))
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "well-formed XML: \(String(describing: parser.parserError))")
        XCTAssertTrue(svg.contains("en_web"))
    }

    /// Issue 19: a subset selected by its conventional name while a `names:` rule renames it (the
    /// README's spec), one row per displayed language, a warning for a rate-0 subset.
    func testRuleRenamedSubsetSelectedByEitherNameAndLanguagesMerged() throws {
        let spec = try MixtureSpec.parse("""
            prefix: /p
            subsets:
              ja_wiki: 2
              ja_cc: 1
              en_web: 0
            names:
              - {match: "*/ja_wiki_*", language: Japanese, subset: Wikipedia}
            languages: {ja: Japanese}
            """, path: "s.yaml")
        let rows = [CountedDataset(filename: "c/ja/ja_wiki_0000", tokens: 10), CountedDataset(filename: "c/ja/ja_cc_0000", tokens: 5),
                    CountedDataset(filename: "c/en/en_web_0000", tokens: 7)]
        let mixture = try Mixture(counts: rows, spec: spec, specPath: "s.yaml")
        XCTAssertEqual(mixture.entries.map(\.weight), [20, 5])
        XCTAssertEqual(mixture.entries.map(\.subset), ["Wikipedia", "ja_cc"])
        XCTAssertEqual(mixture.warnings, ["s.yaml:5: subset en_web has rate 0: its datasets are left out of the mixture"])
        let summary = MixtureSummary(mixture)
        XCTAssertEqual(summary.languages.map(\.language), ["Japanese", "en"])
        XCTAssertEqual(summary.languages.first?.tokens, 15)
        XCTAssertEqual(summary.subsets.map { $0.subset ?? "" }, ["Wikipedia", "ja_cc", "en_web"])
    }

    /// Issue 19: `mixture --shards` without a root writes each dataset's own prefix (a path that
    /// exists), with a root the spec's `PREFIX/filename`.
    func testShardRowsWithoutRootAreTheirOwnPaths() throws {
        let scratch = try scratchDirectory("report-tests")
        for name in ["ja/ja_wiki_0000", "en/en_web_0000"] {
            let prefix = scratch.file("tok/\(name)_text_document")
            try FileManager.default.createDirectory(atPath: (prefix as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
            try writer.addDocument([1, 2, 3])
            _ = try writer.finish()
        }
        let spec = try MixtureSpec.parse("prefix: /elsewhere\nsubsets:\n  ja_wiki: 1\n  en_web: 1\n", path: "s.yaml")
        let loose = try Mixture(counts: CountedDataset.counting(shards: [scratch.file("tok")], root: nil), spec: spec, specPath: "s.yaml")
        XCTAssertEqual(loose.entries.count, 2)
        for entry in loose.entries {
            XCTAssertTrue(FileManager.default.fileExists(atPath: entry.path + ".idx"), entry.path)
        }
        let rooted = try Mixture(counts: CountedDataset.counting(shards: [scratch.file("tok")], root: scratch.file("tok")), spec: spec, specPath: "s.yaml")
        XCTAssertEqual(rooted.entries.map(\.path), ["/elsewhere/en/en_web_0000_text_document", "/elsewhere/ja/ja_wiki_0000_text_document"])
    }

    /// The tokenizer a `count --format json` row records is read, and only the datasets the mixture
    /// samples (weight above 0) are compared.
    func testMixedTokenizersWarningCountsOnlySampledDatasets() throws {
        func row(_ name: String, _ sha: String) -> String {
            "{\"filename\": \"\(name)\", \"tokens\": 100, \"tokenizer\": {\"file\": \"/t/\(sha).model\", \"sha256\": \"\(sha)\", "
                + "\"type\": \"Llama2Tokenizer\", \"vocabulary_size\": 99, \"append_eod\": true, \"dtype\": \"uint16\", \"corpuskit\": \"x\"}}"
        }
        let json = "{\"datasets\": [\(row("ja/ja_wiki_0000", "aaaa")), \(row("ja/ja_wiki_0001", "aaaa")), \(row("en/en_web_0000", "bbbb")), "
            + "{\"filename\": \"en/en_old_0000\", \"tokens\": 5, \"tokenizer\": null}]}"
        let counts = try CountsFile.parse(json, path: "counts.json")
        XCTAssertEqual(counts.map { $0.meaning?.tokenizerSHA256 }, ["aaaa", "aaaa", "bbbb", nil])

        let both = try Mixture(counts: counts, spec: try MixtureSpec.parse("prefix: /d\nsubsets:\n  ja_wiki: 1\n  en_web: 1\n  en_old: 1\n", path: "s.yaml"), specPath: "s.yaml")
        XCTAssertEqual(both.warnings, ["the datasets were made with 2 different tokenizers or options, so their ids do not mean the same: "
            + "aaaa.model Llama2Tokenizer sha256:aaaa append-eod:on (2 datasets, e.g. ja/ja_wiki_0000); "
            + "bbbb.model Llama2Tokenizer sha256:bbbb append-eod:on (1 dataset, e.g. en/en_web_0000)"])
        let jaOnly = try Mixture(counts: counts, spec: try MixtureSpec.parse("prefix: /d\nsubsets:\n  ja_wiki: 1\n  en_web: 0\n", path: "s.yaml"), specPath: "s.yaml")
        XCTAssertEqual(jaOnly.warnings.count, 1)
        XCTAssertTrue(jaOnly.warnings[0].contains("subset en_web has rate 0"), jaOnly.warnings[0])
    }
}
