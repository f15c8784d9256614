import CorpusKitShards

/// One global sample of a run, as megatron-core's `BlendedDataset[g]` assembles it.
public struct ReplaySample: Sendable, Equatable {
    /// Training step (`g ÷ global batch size`).
    public let step: Int
    /// Global sample index `g`.
    public let sample: Int
    /// Dataset index in data-path order.
    public let dataset: Int
    /// The dataset's prefix.
    public let prefix: String
    /// The sample's index within its dataset (before the dataset's shuffle).
    public let datasetSample: Int
    /// The `.idx` pieces of the sample, in order.
    public let spans: [SampleSpan]
    /// The `L + 1` token ids (`tokens` plus the last label), when asked for.
    public let ids: [Int32]?
}

/// Rebuilds the samples of chosen steps without building what they do not need.
///
/// Cost: the blend is walked from sample 0 to the last one asked (`O(g × datasets)`, the greedy
/// choice is sequential); the document and shuffle indices are built only for the datasets those
/// samples come from (each `O(epochs × sequences + samples)`, numpy's shuffle being sequential as
/// well); the sample index is never materialised (binary search over running token counts).
public final class Replayer {
    public let plan: TrainingPlan
    private let shapes: [DatasetShape]
    private let readers: [MegatronIndexReader]
    private var indices: [Int: GPTDatasetIndex] = [:]

    /// Opens every prefix of the configuration and makes its plan.
    public init(configuration: PlanConfiguration, warnEpochs: Double = 4) throws {
        try configuration.validate()
        var shapes: [DatasetShape] = []
        var readers: [MegatronIndexReader] = []
        for prefix in configuration.blend.prefixes {
            let (shape, reader) = try DatasetShape.load(prefix: prefix)
            shapes.append(shape)
            readers.append(reader)
        }
        self.shapes = shapes
        self.readers = readers
        plan = try TrainingPlan(configuration: configuration, shapes: shapes, warnEpochs: warnEpochs)
    }

    /// The dataset indices of dataset `i`, built on first use.
    public func datasetIndex(_ i: Int) -> GPTDatasetIndex {
        if let built = indices[i] { return built }
        let d = plan.datasets[i]
        let built = GPTDatasetIndex(
            lengths: shapes[i].lengths, sequences: d.trainSequences, plan: d.epochPlan, seed: plan.configuration.seed)
        indices[i] = built
        return built
    }

    /// Global samples `range` (within the run's `N`), in order.
    public func samples(_ range: Range<Int>, ids: Bool) throws -> [ReplaySample] {
        let n = plan.configuration.totalSamples
        guard range.lowerBound >= 0, range.upperBound <= n else {
            throw PlanError.sampleOutOfRange(sample: Swift.max(range.upperBound - 1, range.lowerBound), total: n)
        }
        var picks: [(Int, Int, Int)] = []
        picks.reserveCapacity(range.count)
        if let weights = plan.blendingWeights {
            BlendingIndex(weights: weights).walk(size: range.upperBound) { g, d, s in
                if g >= range.lowerBound { picks.append((g, d, s)) }
                return true
            }
        } else {
            picks = range.map { ($0, 0, $0) }
        }
        let gbs = plan.configuration.globalBatchSize
        return try picks.map { g, d, s in
            let spans = datasetIndex(d).spans(ofSample: s)
            var tokens: [Int32]?
            if ids {
                var all: [Int32] = []
                all.reserveCapacity(plan.configuration.sequenceLength + 1)
                for span in spans {
                    all.append(contentsOf: try readers[d].sequenceTokens(span.sequence, offset: span.offset, length: span.length))
                }
                tokens = all
            }
            return ReplaySample(
                step: g / gbs, sample: g, dataset: d, prefix: plan.datasets[d].prefix, datasetSample: s, spans: spans, ids: tokens)
        }
    }

    /// The samples of steps `first ..< first + count`.
    public func steps(_ first: Int, count: Int, ids: Bool) throws -> [ReplaySample] {
        let gbs = plan.configuration.globalBatchSize
        guard first >= 0, count > 0 else { throw PlanError.badArgument("the first step must be ≥ 0 and the step count > 0 (got \(first), \(count))") }
        guard first + count <= plan.iterations else {
            throw PlanError.badArgument("step \(first + count - 1) is beyond the run's \(plan.iterations) steps (0 ..< \(plan.iterations))")
        }
        return try samples(first * gbs ..< Swift.min((first + count) * gbs, plan.configuration.totalSamples), ids: ids)
    }
}
