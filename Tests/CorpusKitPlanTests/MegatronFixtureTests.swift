import CorpusKitPlan
import CorpusKitShards
import Foundation
import Testing
import CorpusKitTestSupport

/// Every fixture configuration against megatron-core 0.16.1: the plan's numbers, every index array,
/// and the token ids of the first, a middle and the last step.
@Suite struct MegatronFixtureTests {
    static let names = PlanFixtures.configurationNames

    @Test func fixturesArePresent() {
        #expect(Self.names.count >= 10, "Tests/Fixtures/plan: run Tools/fixtures/make_plan_fixtures.py")
    }

    @Test(arguments: names) func planAndIndicesMatchMegatron(name: String) throws {
        let fixture = try PlanFixtures.json(name)
        let scratch = try ScratchDirectory("plan-tests")
        defer { withExtendedLifetime(scratch) {} }
        let dir = scratch.url
        let prefixes = try PlanFixtures.writeShards(fixture, name: name, into: dir)
        let configuration = try PlanFixtures.configuration(fixture, prefixes: prefixes)
        let replayer = try Replayer(configuration: configuration)
        let plan = replayer.plan
        #expect(plan.configuration.totalSamples == fixture["total_samples"] as! Int)

        if let normalized = fixture["normalized_weights"] as? [String] {
            #expect(plan.datasets.map(\.normalizedWeight) == normalized.map { Double($0)! }, "\(name): normalised weights")
        }
        if let blend = fixture["blend"] as? [String: Any] {
            #expect(plan.blendSize == blend["size"] as! Int, "\(name): blend size")
            #expect(plan.blendingWeights == (blend["weights"] as! [String]).map { Double($0)! }, "\(name): blending weights")
            let built = BlendingIndex(weights: plan.blendingWeights!).build(size: plan.blendSize)
            #expect(ArraySummary(built.datasetIndex.map(Int64.init)) == ArraySummary(json: blend["dataset_index"]!), "\(name): dataset index")
            #expect(ArraySummary(built.datasetSampleIndex) == ArraySummary(json: blend["dataset_sample_index"]!), "\(name): dataset sample index")
        } else {
            #expect(plan.blendingWeights == nil)
        }

        let expected = fixture["datasets"] as! [[String: Any]]
        #expect(plan.datasets.count == expected.count)
        for (i, (d, e)) in zip(plan.datasets, expected).enumerated() {
            let label = "\(name) dataset \(i)"
            #expect(d.trainSequences == (e["train_begin"] as! Int) ..< (e["train_end"] as! Int), "\(label): train split")
            #expect(d.requestedSamples == e["num_samples"] as? Int, "\(label): num_samples")
            #expect(d.epochPlan.epochs == e["epochs"] as! Int, "\(label): epochs")
            #expect(d.epochPlan.separateFinalEpoch == e["separate_final_epoch"] as! Bool, "\(label): separate final epoch")
            #expect(d.epochPlan.sampleCount == e["length"] as! Int, "\(label): length")
            #expect(d.samples == e["samples"] as! Int, "\(label): samples among the first N")

            let index = replayer.datasetIndex(i)
            #expect(ArraySummary(index.documentIndex.map(Int64.init)) == ArraySummary(json: e["document_index"]!), "\(label): document index")
            #expect(ArraySummary(index.shuffleIndex) == ArraySummary(json: e["shuffle_index"]!), "\(label): shuffle index")
            let sampleIndex = index.sampleIndex().flatMap { [Int64($0.position), Int64($0.offset)] }
            #expect(ArraySummary(sampleIndex) == ArraySummary(json: e["sample_index"]!), "\(label): sample index")
        }

        for step in fixture["steps"] as! [[String: Any]] {
            let t = step["step"] as! Int
            let replayed = try replayer.steps(t, count: 1, ids: true)
            let samples = step["samples"] as! [[String: Any]]
            #expect(replayed.count == samples.count, "\(name) step \(t)")
            for (r, s) in zip(replayed, samples) {
                let label = "\(name) step \(t) sample \(s["sample"] as! Int)"
                #expect(r.step == t)
                #expect(r.sample == s["sample"] as! Int, "\(label)")
                #expect(r.dataset == s["dataset"] as! Int, "\(label): dataset")
                #expect(r.datasetSample == s["dataset_sample"] as! Int, "\(label): dataset sample")
                let ids = r.ids ?? []
                #expect(ids.count == configuration.sequenceLength + 1, "\(label): length")
                #expect(ArraySummary(ids.map(Int64.init)).fnv == UInt64(s["ids_fnv"] as! String)!, "\(label): token ids")
                if let explicit = s["ids"] as? [NSNumber] {
                    #expect(ids == explicit.map(\.int32Value), "\(label): token ids")
                }
                #expect(r.spans.reduce(0) { $0 + $1.length } == configuration.sequenceLength + 1, "\(label): spans")
            }
        }
    }
}
