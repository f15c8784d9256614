import CorpusKitPlan
import Foundation
import Testing
import CorpusKitTestSupport

/// numpy's float64 sum and legacy RandomState against the values numpy gave (Tests/Fixtures/plan/numpy.json).
@Suite struct NumpyTests {
    static func fixture() throws -> [String: Any] {
        let data = try Data(contentsOf: PlanFixtures.directory.appendingPathComponent("numpy.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    @Test func pairwiseSumEqualsNumpy() throws {
        for case let c as [String: Any] in try Self.fixture()["sums"] as! [Any] {
            let values = (c["values"] as! [String]).map { Double($0)! }
            #expect(NumpyFloat.sum(values) == Double(c["sum"] as! String)!, "\(values.count) values")
        }
    }

    @Test func rawOutputEqualsNumpy() throws {
        var rng = LegacyRandomState(seed: 1234)
        let expected = (try Self.fixture()["randint_1234"] as! [NSNumber]).map(\.uint32Value)
        #expect((0..<expected.count).map { _ in rng.nextUInt32() } == expected)
    }

    @Test func shuffleEqualsNumpy() throws {
        for case let c as [String: Any] in try Self.fixture()["shuffles"] as! [Any] {
            let seed = UInt32(c["seed"] as! Int), n = c["n"] as! Int
            var a = (0..<Int64(n)).map { $0 }
            var rng = LegacyRandomState(seed: seed)
            rng.shuffle(&a)
            #expect(ArraySummary(a, k: 16) == ArraySummary(json: c["result"]!), "seed \(seed) n \(n)")
        }
    }
}
