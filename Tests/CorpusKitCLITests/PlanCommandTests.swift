import CorpusKitShards
import Foundation
import XCTest
import CorpusKitTestSupport

/// `corpuskit plan` and `corpuskit replay` end to end on one megatron-core fixture
/// (Tests/Fixtures/plan, Tools/fixtures/make_plan_fixtures.py), and their error paths.
final class PlanCommandTests: XCTestCase {
    private static let planFixtures = URL(fileURLWithPath: TestPaths.fixture("plan"))

    /// Writes the fixture's synthetic shards (the formula of Tools/fixtures/make_plan_fixtures.py); returns the fixture and prefixes.
    private func shards(_ name: String, in scratch: ScratchDirectory) throws -> ([String: Any], [String]) {
        let data = try Data(contentsOf: Self.planFixtures.appendingPathComponent(name + ".json"))
        let fixture = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let specs = (fixture["config"] as! [String: Any])["datasets"] as! [[String: Any]]
        let prefixes = try specs.enumerated().map { k, spec -> String in
            let salt = spec["salt"] as! Int, n = spec["documents"] as! Int, lo = spec["min"] as! Int, hi = spec["max"] as! Int
            let prefix = scratch.file("ds\(k)")
            let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
            for j in 0..<n {
                var h = (UInt64(salt) * 1_000_003 + UInt64(j) * 2_654_435_761 + 12345) % (1 << 32)
                h ^= h >> 13
                let length = lo + Int(h % UInt64(hi - lo + 1))
                try writer.addDocument((0..<length).map { p in Int32((salt * 131 + j * 31 + p * 7) % 50000) })
            }
            _ = try writer.finish()
            return prefix
        }
        return (fixture, prefixes)
    }

    private func flags(_ fixture: [String: Any], dataPath: String) -> [String] {
        let c = fixture["config"] as! [String: Any]
        return ["--data-path", dataPath, "--seq-length", "\(c["seq_length"] as! Int)",
                "--global-batch-size", "\(c["global_batch_size"] as! Int)", "--train-iters", "\(c["train_iters"] as! Int)",
                "--seed", "\(c["seed"] as! Int)", "--split", c["split"] as! String]
    }

    func testPlanJSONAndReplayIdsEqualMegatron() throws {
        let scratch = try ScratchDirectory("cli-tests")
        let (fixture, prefixes) = try shards("seven-token-counts", in: scratch)
        let weights = fixture["weights"] as! [String]
        let dataPath = zip(weights, prefixes).map { "\($0) \($1)" }.joined(separator: " ")
        let plan = try CorpusKitCLI.succeed(["plan", "--json"] + flags(fixture, dataPath: dataPath))
        let object = try JSONSerialization.jsonObject(with: plan.stdout) as! [String: Any]
        XCTAssertEqual(object["total_samples"] as? Int, fixture["total_samples"] as? Int)
        let datasets = object["datasets"] as! [[String: Any]]
        let expected = fixture["datasets"] as! [[String: Any]]
        XCTAssertEqual(datasets.count, expected.count)
        for (d, e) in zip(datasets, expected) {
            XCTAssertEqual(d["samples"] as? Int, e["samples"] as? Int)
            XCTAssertEqual(d["epochs_built"] as? Int, e["epochs"] as? Int)
            XCTAssertEqual(d["separate_final_epoch"] as? Bool, e["separate_final_epoch"] as? Bool)
            XCTAssertEqual(d["samples_built"] as? Int, e["length"] as? Int)
        }
        XCTAssertEqual(datasets.map { $0["prefix"] as! String }, prefixes)

        // The same data path from a file in llm-jp's bash-array form.
        let file = try scratch.write("data_path.sh", "TRAIN_DATA_PATH=(\n  --data-path\n"
            + zip(weights, prefixes).map { "  \($0) \($1)\n" }.joined() + ")\n")
        var fromFile = flags(fixture, dataPath: "")
        fromFile.replaceSubrange(0..<2, with: ["--data-path-file", file])
        let plan2 = try CorpusKitCLI.succeed(["plan", "--json"] + fromFile)
        XCTAssertEqual(plan2.stdout, plan.stdout)

        let steps = fixture["steps"] as! [[String: Any]]
        let last = steps.last!
        let replay = try CorpusKitCLI.succeed(["replay", "--step", "\(last["step"] as! Int)", "--ids"] + flags(fixture, dataPath: dataPath))
        let lines = replay.lines
        let samples = last["samples"] as! [[String: Any]]
        XCTAssertEqual(lines.count, samples.count)
        for (line, s) in zip(lines, samples) {
            let o = try JSONSerialization.jsonObject(with: line) as! [String: Any]
            XCTAssertEqual(o["sample"] as? Int, s["sample"] as? Int)
            XCTAssertEqual(o["dataset"] as? Int, s["dataset"] as? Int)
            XCTAssertEqual(o["step"] as? Int, last["step"] as? Int)
            let ids = (o["ids"] as! [NSNumber]).map(\.int64Value)
            var h: UInt64 = 14_695_981_039_346_656_037
            for v in ids { h = (h ^ UInt64(bitPattern: v)) &* 1_099_511_628_211 }
            XCTAssertEqual(String(h), s["ids_fnv"] as? String, "sample \(s["sample"] as! Int)")
            if let explicit = s["ids"] as? [NSNumber] { XCTAssertEqual(ids, explicit.map(\.int64Value)) }
        }
    }

    func testErrorsNameTheDataset() throws {
        let scratch = try ScratchDirectory("cli-tests")
        let (fixture, prefixes) = try shards("two-unequal-tiny", in: scratch)
        let base = ["--seq-length", "32", "--global-batch-size", "4", "--train-iters", "10", "--split", "1,0,0"]
        try CorpusKitCLI.fail(["plan", "--data-path", "1 \(prefixes[0]) 0 \(prefixes[1])"] + base, mentioning: [prefixes[1], "weight"])
        try CorpusKitCLI.fail(["plan", "--data-path", "1 \(prefixes[0]) -2 \(prefixes[1])"] + base, mentioning: [prefixes[1], "weight"])
        try CorpusKitCLI.fail(["plan", "--data-path", "1 \(prefixes[0]) 1 \(scratch.file("nope"))"] + base, mentioning: [scratch.file("nope"), "does not exist"])
        // 400 and 3 sequences: 969,30,1 leaves the test split of both empty; megatron-core would hang.
        try CorpusKitCLI.fail(["plan", "--data-path", "1 \(prefixes[0]) 1 \(prefixes[1])", "--seq-length", "32",
                               "--global-batch-size", "4", "--train-iters", "10", "--split", "969,30,1"],
                              mentioning: [prefixes[0], "test split", "loop forever"])
        // A dataset smaller than one sample: a warning naming it.
        let warned = try CorpusKitCLI.succeed(["plan", "--data-path", "1 \(prefixes[0]) 1 \(prefixes[1])"] + base)
        XCTAssertTrue(warned.stderr.contains(prefixes[1]) && warned.stderr.contains("fewer than one sample"), warned.stderr)
        try CorpusKitCLI.fail(["replay", "--step", "10", "--data-path", "1 \(prefixes[0])"] + base, mentioning: ["beyond"])
        _ = fixture
    }
}
