import CorpusKitPlan
import CorpusKitShards
import Foundation
import CorpusKitTestSupport

/// Tests/Fixtures/plan: megatron-core 0.16.1's indices for synthetic datasets (Tools/fixtures/make_plan_fixtures.py).
enum PlanFixtures {
    static let directory = URL(fileURLWithPath: TestPaths.fixture("plan"))

    static var configurationNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".json") && $0 != "numpy.json" }
            .map { String($0.dropLast(5)) }
            .sorted()
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The synthetic document formula of Tools/fixtures/make_plan_fixtures.py.
    static func documents(_ spec: [String: Any]) -> [[Int32]] {
        let salt = UInt64(spec["salt"] as! Int), n = spec["documents"] as! Int
        let lo = UInt64(spec["min"] as! Int), hi = UInt64(spec["max"] as! Int)
        return (0..<n).map { j in
            var h = (salt * 1_000_003 + UInt64(j) * 2_654_435_761 + 12345) % (1 << 32)
            h ^= h >> 13
            let length = Int(lo + h % (hi - lo + 1))
            return (0..<length).map { p in Int32((Int(salt) * 131 + j * 31 + p * 7) % 50000) }
        }
    }

    /// Writes the configuration's shards into `directory`; returns their prefixes.
    static func writeShards(_ fixture: [String: Any], name: String, into directory: URL) throws -> [String] {
        let config = fixture["config"] as! [String: Any]
        let specs = config["datasets"] as! [[String: Any]]
        return try specs.enumerated().map { k, spec in
            let prefix = directory.appendingPathComponent("\(name)-\(k)").path
            let writer = try MegatronIndexWriter(prefix: prefix, dtype: .uint16)
            for doc in documents(spec) { try writer.addDocument(doc) }
            _ = try writer.finish()
            return prefix
        }
    }

    /// The plan configuration of a fixture, over `prefixes`.
    static func configuration(_ fixture: [String: Any], prefixes: [String]) throws -> PlanConfiguration {
        let config = fixture["config"] as! [String: Any]
        // repr strings: JSONSerialization's doubles are not always the nearest to the text.
        let weights = (fixture["weights"] as? [String])?.map { Double($0)! }
        return PlanConfiguration(
            blend: DataPathBlend(prefixes: prefixes, weights: weights),
            sequenceLength: config["seq_length"] as! Int,
            globalBatchSize: config["global_batch_size"] as! Int,
            totalSamples: (config["train_iters"] as! Int) * (config["global_batch_size"] as! Int),
            seed: UInt32(config["seed"] as! Int),
            split: try SplitMatrix(config["split"] as! String))
    }
}

/// The fixtures' array summary: length, FNV-1a over the values as 64-bit words, first and last values.
struct ArraySummary: Equatable, CustomStringConvertible {
    let count: Int
    let fnv: UInt64
    let head: [Int64]
    let tail: [Int64]

    init(_ values: [Int64], k: Int = 8) {
        count = values.count
        var h: UInt64 = 14_695_981_039_346_656_037
        for v in values { h = (h ^ UInt64(bitPattern: v)) &* 1_099_511_628_211 }
        fnv = h
        head = Array(values.prefix(k))
        tail = Array(values.suffix(k))
    }

    init(json: Any) {
        let o = json as! [String: Any]
        count = o["count"] as! Int
        fnv = UInt64(o["fnv"] as! String)!
        head = (o["head"] as! [NSNumber]).map(\.int64Value)
        tail = (o["tail"] as! [NSNumber]).map(\.int64Value)
    }

    var description: String { "count \(count) fnv \(fnv) head \(head) tail \(tail)" }
}
