import Foundation
import XCTest
import CorpusKitInference
import CorpusKitTokenizer
import CorpusKitTestSupport

/// `model perplexity --convention lm-eval-rolling` against lm-eval-harness's windows and transformers' NLL.
final class PerplexityConventionTests: XCTestCase {
    /// lm-eval's own test of `get_rolling_token_windows` (34 tokens, max_seq_len 10, context_len 1),
    /// after `make_disjoint_window`: inputs [prefix, 0…8], [9…18], [19…28], [23…32] scoring 0…9, 10…19,
    /// 20…29, 30…33.
    func testRollingWindowsMatchLMEvalGold() {
        let windows = PerplexityConvention.rollingWindows(count: 34, length: 10)
        XCTAssertEqual(windows.map(\.start), [-1, 9, 19, 23])
        XCTAssertEqual(windows.map(\.end), [9, 19, 29, 33])
        XCTAssertEqual(windows.map(\.firstScored), [0, 10, 20, 30])
        XCTAssertTrue(PerplexityConvention.rollingWindows(count: 0, length: 10).isEmpty)
        XCTAssertEqual(PerplexityConvention.rollingWindows(count: 1, length: 10).map(\.end), [0])
    }

    /// Python's `len(re.split(r"\s+", text))`.
    func testWordCount() {
        XCTAssertEqual(PerplexityConvention.wordCount("a b  c"), 3)
        XCTAssertEqual(PerplexityConvention.wordCount(" a b\n"), 4)
        XCTAssertEqual(PerplexityConvention.wordCount(""), 1)
        XCTAssertEqual(PerplexityConvention.wordCount("日本語\u{3000}です"), 2)   // U+3000 is whitespace for Python too
        XCTAssertEqual(PerplexityConvention.wordCount("a\u{1F}b"), 2)           // str.isspace() holds for U+001F
    }

    func testRollingNLLMatchesTransformers() throws {
        let url = Fixtures.directory.appendingPathComponent("parity/rolling-reference.json")
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let model = try CausalLM(directory: Fixtures.path(reference["model"] as! String), threads: 1)
        let evaluator = try PerplexityEvaluator(model: model, tokenizer: try Tokenizer.load(path: Fixtures.tokenizer),
                                                options: .init(context: reference["context"] as! Int, convention: .lmEvalRolling))
        let summary = try evaluator.evaluate(corpus: Fixtures.corpus)
        let documents = reference["documents"] as! [[String: Any]]
        XCTAssertEqual(summary.documents.count, documents.count)
        for (mine, theirs) in zip(summary.documents, documents) {
            let nll = (theirs["nll"] as! NSNumber).doubleValue
            XCTAssertEqual(mine.nll, nll, accuracy: 1e-5 * nll, "line \(mine.line)")
            XCTAssertEqual(mine.tokens, theirs["tokens"] as? Int)
            XCTAssertEqual(mine.words, theirs["words"] as? Int)
            XCTAssertEqual(mine.bytes, theirs["bytes"] as? Int)
        }
        let nll = documents.reduce(0.0) { $0 + ($1["nll"] as! NSNumber).doubleValue }
        let words = documents.reduce(0) { $0 + ($1["words"] as! Int) }
        XCTAssertEqual(log(summary.wordPerplexity), nll / Double(words), accuracy: 1e-5)
        XCTAssertEqual(summary.bitsPerByte * log(2), log(summary.bytePerplexity), accuracy: 1e-12)
    }

    /// lm-eval's prefix token is `tokenizer.bos_token_id` (else its eos), never config.json's: a
    /// checkpoint whose config names another bos (7) scores exactly as the reference made with the
    /// tokenizer's bos (1).
    func testRollingPrefixIsTheTokenizersBOSNotTheConfigs() throws {
        let url = Fixtures.directory.appendingPathComponent("parity/rolling-reference.json")
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        XCTAssertEqual(reference["prefix"] as? Int, 1)
        let source = Fixtures.path(reference["model"] as! String)
        let scratch = try ScratchDirectory("rolling-prefix")
        let copy = scratch.file("model")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for name in ["model.safetensors", "config.json", "generation_config.json"] {
            var text = try Data(contentsOf: URL(fileURLWithPath: (source as NSString).appendingPathComponent(name)))
            if name.hasSuffix(".json") {
                let edited = String(decoding: text, as: UTF8.self).replacingOccurrences(of: "\"bos_token_id\": 1", with: "\"bos_token_id\": 7")
                XCTAssertTrue(edited.contains("\"bos_token_id\": 7"), name)
                text = Data(edited.utf8)
            }
            try text.write(to: URL(fileURLWithPath: (copy as NSString).appendingPathComponent(name)))
        }
        let model = try CausalLM(directory: copy, threads: 1)
        XCTAssertEqual(model.spec.bosTokenIDs.first, 7)
        let evaluator = try PerplexityEvaluator(model: model, tokenizer: try Tokenizer.load(path: Fixtures.tokenizer),
                                                options: .init(context: reference["context"] as! Int, convention: .lmEvalRolling))
        let summary = try evaluator.evaluate(corpus: Fixtures.corpus)
        let documents = reference["documents"] as! [[String: Any]]
        for (mine, theirs) in zip(summary.documents, documents) {
            let nll = (theirs["nll"] as! NSNumber).doubleValue
            XCTAssertEqual(mine.nll, nll, accuracy: 1e-5 * nll, "line \(mine.line)")
        }
    }
}
