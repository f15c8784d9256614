import Foundation
import XCTest
import CorpusKitTestSupport
import CorpusKitInference
import CorpusKitTokenizer

/// `model diff` on damaged copies of the fixtures (each damage must be named, and nothing else), and
/// `model compare` against transformers' float64 comparison of llama-tied-linear and a converted-looking
/// copy (`parity/`, made by Tools/fixtures/make_inference_fixtures.py).
final class CheckpointParityTests: XCTestCase {
    private let base = "llama-gqa-llama3rope"

    /// A copy of `name` with its weights edited.
    private func edited(_ name: String = "llama-gqa-llama3rope", _ edit: (inout SafetensorsEditor) throws -> Void) throws -> String {
        let copy = try Fixtures.copy(name, into: scratchDirectory("parity-tests"))
        let file = copy + "/model.safetensors"
        var editor = try SafetensorsEditor(path: file)
        try edit(&editor)
        try editor.write(to: file)
        return copy
    }

    private func differing(_ diff: CheckpointDiff) -> [String] { diff.tensors.filter { $0.status != .identical }.map(\.name) }

    func testSameValuesInAnotherDTypeAreIdentical() throws {
        let wide = try edited { $0.widenBF16ToF32() }
        let diff = try CheckpointDiff(a: Fixtures.path(base), b: wide)
        XCTAssertTrue(diff.identical, diff.text())
        XCTAssertEqual(diff.tensors.filter { $0.dtypeA == .bf16 && $0.dtypeB == .f32 }.count, diff.tensors.count)
        let cli = try CorpusKitCLI.run(["model", "diff", Fixtures.path(base), wide])
        XCTAssertEqual(cli.status, 0, cli.output + cli.stderr)
        XCTAssertTrue(cli.output.hasPrefix("verdict: identical"), cli.output)
    }

    func testNoisedTensorIsTheOnlyDifference() throws {
        let name = "model.layers.1.mlp.up_proj.weight"
        let noised = try edited { editor in
            var data = editor.tensors[name]!.data
            data[10] ^= 0x01   // one bf16 value's lowest mantissa bit
            data[501] ^= 0x40
            editor.tensors[name]!.data = data
        }
        let diff = try CheckpointDiff(a: Fixtures.path(base), b: noised)
        XCTAssertEqual(differing(diff), [name])
        XCTAssertTrue(diff.config.isEmpty)
        let t = diff.tensors.first { $0.name == name }!
        XCTAssertEqual(t.status, .different)
        XCTAssertEqual(t.values?.differing, 2)
        XCTAssertGreaterThan(t.values!.maxAbs, 0)
        XCTAssertLessThan(t.values!.cosine, 1)
    }

    func testTwoSwappedQueryHeadsAreNamed() throws {
        let name = "model.layers.0.self_attn.q_proj.weight"
        let swapped = try edited { editor in
            let entry = editor.tensors[name]!
            let headBytes = 16 * entry.shape[1] * 2   // head_dim 16 rows of bf16
            var data = entry.data
            let one = data.subdata(in: headBytes..<(2 * headBytes)), two = data.subdata(in: (2 * headBytes)..<(3 * headBytes))
            data.replaceSubrange(headBytes..<(2 * headBytes), with: two)
            data.replaceSubrange((2 * headBytes)..<(3 * headBytes), with: one)
            editor.tensors[name]!.data = data
        }
        let diff = try CheckpointDiff(a: Fixtures.path(base), b: swapped)
        XCTAssertEqual(differing(diff), [name])
        let t = diff.tensors.first { $0.name == name }!
        XCTAssertTrue(t.notes.contains { $0.hasPrefix("heads 1 and 2 swapped") }, "\(t.notes)")
        // The weights' norms are unchanged: only the comparison finds it.
        XCTAssertEqual(t.values!.sumSquaredA, t.values!.sumSquaredB, accuracy: 1e-9 * t.values!.sumSquaredA)
    }

    func testMissingTensorAndChangedRopeTheta() throws {
        let name = "model.layers.1.self_attn.v_proj.weight"
        let missing = try edited { $0.tensors[name] = nil }
        let diff = try CheckpointDiff(a: Fixtures.path(base), b: missing)
        XCTAssertEqual(differing(diff), [name])
        XCTAssertEqual(diff.tensors.first { $0.name == name }?.status, .onlyInA)

        let rope = try Fixtures.copy(base, into: scratchDirectory("parity-tests"))
        try Fixtures.editJSON(rope + "/config.json") { $0["rope_theta"] = 10000.0 }
        let ropeDiff = try CheckpointDiff(a: Fixtures.path(base), b: rope)
        XCTAssertEqual(ropeDiff.config.map(\.field), ["rope_theta"])
        XCTAssertEqual(ropeDiff.config.first?.a, "500000")
        XCTAssertEqual(differing(ropeDiff), [])
        let cli = try CorpusKitCLI.run(["model", "diff", Fixtures.path(base), rope, "--json"])
        XCTAssertEqual(cli.status, 1, cli.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(cli.output.utf8)) as! [String: Any]
        XCTAssertEqual(object["verdict"] as? String, "different")
        XCTAssertEqual((object["config"] as! [[String: Any]]).map { $0["field"] as! String }, ["rope_theta"])
        let tensors = object["tensors"] as! [[String: Any]]
        XCTAssertEqual(tensors.count, 21)
        XCTAssertTrue(tensors.allSatisfy { $0["status"] as? String == "identical" })
    }

    /// A sharded checkpoint and the same tensors in one file are identical.
    func testShardedAgainstSingleFile() throws {
        let single = try Fixtures.copy("mixtral-8x-top2", into: scratchDirectory("parity-tests"))
        var merged: SafetensorsEditor?
        for file in try FileManager.default.contentsOfDirectory(atPath: single) where file.hasPrefix("model-") {
            let shard = try SafetensorsEditor(path: single + "/" + file)
            if merged == nil { merged = shard } else { merged!.tensors.merge(shard.tensors) { a, _ in a } }
            try FileManager.default.removeItem(atPath: single + "/" + file)
        }
        try FileManager.default.removeItem(atPath: single + "/model.safetensors.index.json")
        try merged!.write(to: single + "/model.safetensors")
        let diff = try CheckpointDiff(a: Fixtures.path("mixtral-8x-top2"), b: single)
        XCTAssertTrue(diff.identical, diff.text())
    }

    /// Padding rows are reported apart; the real rows decide.
    func testPaddingRowsReportedApart() throws {
        let padded = try edited { editor in
            var data = editor.tensors["lm_head.weight"]!.data
            let row = 64 * 2
            data[1520 * row] ^= 0x7f   // a padding row (the tokenizer has 1,500 ids)
            editor.tensors["lm_head.weight"]!.data = data
        }
        let diff = try CheckpointDiff(a: Fixtures.path(base), b: padded, tokenizerSize: 1500)
        XCTAssertEqual(diff.verdict, "identical_except_padding")
        let t = diff.tensors.first { $0.name == "lm_head.weight" }!
        XCTAssertEqual(t.status, .paddingDiffers)
        XCTAssertEqual(t.values?.differing, 0)
        XCTAssertEqual(t.padding?.values.differing, 1)
        XCTAssertEqual(t.padding?.firstRow, 1500)
    }

    func testBadInputExitsTwoNamingTheFile() throws {
        let broken = try Fixtures.copy(base, into: scratchDirectory("parity-tests"))
        let file = broken + "/model.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: file))
        let cli = try CorpusKitCLI.run(["model", "diff", Fixtures.path(base), broken])
        XCTAssertEqual(cli.status, 2)
        XCTAssertFalse(cli.crashed)
        XCTAssertTrue(cli.stderr.contains(file), cli.stderr)
        XCTAssertEqual(cli.output, "")
    }

    // MARK: compare

    private func reference() throws -> [String: Any] {
        let url = Fixtures.directory.appendingPathComponent("parity/compare-reference.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return object["compare"] as! [String: Any]
    }

    func testCompareMatchesTransformersFloat64() throws {
        let expected = try reference()
        let tokenizer = try Tokenizer.load(path: Fixtures.tokenizer)
        let comparison = try ModelComparison.load(a: Fixtures.path("llama-tied-linear"), b: Fixtures.path("parity/llama-tied-linear-converted"),
                                                  tokenizer: tokenizer, threads: 1, options: .init(context: 32, stride: 12))
        let s = try comparison.evaluate(corpus: Fixtures.corpus)
        XCTAssertEqual(s.count, expected["positions"] as? Int)
        XCTAssertEqual(s.vocabularyCompared, 1500)
        func close(_ value: Double, _ key: String, _ tolerance: Double = 2e-3) {
            let x = (expected[key] as! NSNumber).doubleValue
            XCTAssertLessThanOrEqual(abs(value - x), tolerance * abs(x), "\(key): \(value) vs transformers float64 \(x)")
        }
        close(s.klMean, "kl_mean")
        close(s.klMax, "kl_max")
        close(s.klMedian, "kl_median")
        close(s.klP99, "kl_p99")
        close(s.top1Agreement, "top1_agreement", 0)
        close(s.meanNLLA, "mean_nll_a", 1e-5)
        close(s.meanNLLB, "mean_nll_b", 1e-5)
        close(s.logPerplexityRatio.value, "ln_ppl_ratio")
        close(s.logPerplexityRatio.standardError, "ln_ppl_ratio_se")
        let positions = expected["per_position"] as! [[String: Any]]
        for (mine, theirs) in zip(s.positions, positions) {
            XCTAssertEqual(mine.index, theirs["index"] as? Int)
            XCTAssertEqual(mine.target, theirs["target"] as? Int)
            XCTAssertEqual(mine.topA, theirs["top1_a"] as? Int)
            XCTAssertEqual(mine.topB, theirs["top1_b"] as? Int)
            let kl = (theirs["kl"] as! NSNumber).doubleValue
            XCTAssertEqual(mine.kl, kl, accuracy: 1e-3 * kl + 1e-6)
        }
        XCTAssertFalse(s.passes)
    }

    func testCompareCLIVerdictsAndThresholds() throws {
        let wide = try edited("llama-tied-linear") { $0.widenBF16ToF32() }
        let common = ["--tokenizer", Fixtures.tokenizer, "--input", Fixtures.corpus, "--context", "32", "--stride", "12", "--threads", "1", "--json"]
        let same = try CorpusKitCLI.run(["model", "compare", Fixtures.path("llama-tied-linear"), wide] + common)
        XCTAssertEqual(same.status, 0, same.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(same.output.utf8)) as! [String: Any]
        XCTAssertEqual(object["verdict"] as? String, "pass")
        XCTAssertEqual(object["top1_agreement"] as? Double, 1)
        XCTAssertLessThan((object["kl_max"] as! NSNumber).doubleValue, 1e-9)

        let converted = Fixtures.path("parity/llama-tied-linear-converted")
        let failing = try CorpusKitCLI.run(["model", "compare", Fixtures.path("llama-tied-linear"), converted] + common)
        XCTAssertEqual(failing.status, 1, failing.stderr)
        let lenient = try CorpusKitCLI.run(["model", "compare", Fixtures.path("llama-tied-linear"), converted, "--max-kl-mean", "1", "--min-top1-agreement", "0.5"] + common)
        XCTAssertEqual(lenient.status, 0, lenient.stderr)

        let badCorpus = try scratchDirectory("parity-tests").write("bad.jsonl", "{\"text\": \"fine\"}\n{\"text\": oops}\n")
        let bad = try CorpusKitCLI.run(["model", "compare", Fixtures.path("llama-tied-linear"), wide, "--tokenizer", Fixtures.tokenizer, "--input", badCorpus])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains(badCorpus + ":2 "), bad.stderr)
        XCTAssertEqual(bad.output, "")
    }
}

/// `model loss` against transformers' loss on megatron-core's samples of three steps
/// (Tests/Fixtures/inference/loss, made by Tools/fixtures/make_loss_fixture.py).
final class TrainingStepLossTests: XCTestCase {
    private let directory = Fixtures.directory.appendingPathComponent("loss")

    private func run(_ selection: [String]) throws -> [String: Any] {
        let prefix = { (name: String) in self.directory.appendingPathComponent(name).path }
        let cli = try CorpusKitCLI.run(["model", "loss", Fixtures.path("llama-tied-linear"),
                               "--data-path", "0.7 \(prefix("web_text_document")) 0.3 \(prefix("books_text_document"))",
                               "--seq-length", "32", "--global-batch-size", "4", "--train-iters", "12", "--split", "1,0,0",
                               "--threads", "1", "--json"] + selection)
        XCTAssertEqual(cli.status, 0, cli.stderr)
        return try JSONSerialization.jsonObject(with: Data(cli.output.utf8)) as! [String: Any]
    }

    func testLossMatchesTransformersOnMegatronSamples() throws {
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("reference.json"))) as! [String: Any]
        for step in reference["steps"] as! [[String: Any]] {
            let t = step["step"] as! Int
            let result = try run(["--step", "\(t)"])
            let expected = (step["loss"] as! NSNumber).doubleValue
            let loss = (result["loss"] as! NSNumber).doubleValue
            XCTAssertEqual(loss, expected, accuracy: 1e-6 * expected, "step \(t)")
            XCTAssertEqual(result["tokens"] as? Int, step["tokens"] as? Int)
            let samples = step["samples"] as! [[String: Any]]
            XCTAssertEqual(result["samples"] as? [Int], [samples.first!["sample"] as! Int, (samples.last!["sample"] as! Int) + 1])
            // Per sample: the same ids as megatron-core (else the losses would differ), scored alike.
            for (mine, theirs) in zip(result["sample_losses"] as! [NSNumber], samples) {
                let nll = (theirs["nll"] as! NSNumber).doubleValue / Double((theirs["ids"] as! [Int]).count - 1)
                XCTAssertEqual(mine.doubleValue, nll, accuracy: 1e-6 * nll, "step \(t) sample \(theirs["sample"]!)")
            }
            let datasets = step["datasets"] as! [String: [String: Any]]
            for d in result["datasets"] as! [[String: Any]] {
                let e = datasets["\(d["dataset"] as! Int)"]!
                XCTAssertEqual((d["loss"] as! NSNumber).doubleValue, (e["loss"] as! NSNumber).doubleValue, accuracy: 1e-6 * 16)
                XCTAssertEqual(d["tokens"] as? Int, e["tokens"] as? Int)
            }
        }
        // The same samples chosen as a global range.
        let range = try run(["--samples", "20..24"])
        let step = try run(["--step", "5"])
        XCTAssertEqual((range["loss"] as! NSNumber).doubleValue, (step["loss"] as! NSNumber).doubleValue)
    }

    func testStepBeyondTheRunIsBadInput() throws {
        let prefix = directory.appendingPathComponent("web_text_document").path
        let cli = try CorpusKitCLI.run(["model", "loss", Fixtures.path("llama-tied-linear"), "--data-path", prefix,
                               "--seq-length", "32", "--global-batch-size", "4", "--train-iters", "3", "--split", "1,0,0", "--step", "3"])
        XCTAssertEqual(cli.status, 2)
        XCTAssertTrue(cli.stderr.contains("step 3 is beyond the run's 3 steps"), cli.stderr)
    }
}
