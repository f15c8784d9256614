import Foundation

/// What megatron-core 0.16.1's `BlendedMegatronDatasetBuilder(GPTDataset, [N, …], …)` builds for the
/// train split of a run, computed from the datasets' sequence lengths alone.
///
/// The three shapes of blend megatron-core distinguishes:
/// * one prefix without a weight: the dataset itself, asked for `N` samples; global sample `g` is its sample `g`;
/// * weighted prefixes (one or more): weights normalised, dataset `i` asked for
///   `ceil(ceil(N·w_i)·1.005)` samples, a blend of `Σ ceil(N·w_i)` samples by `BlendingIndex`;
/// * several prefixes without weights: one epoch of each, blended by their sample counts, the blend
///   `min(N, Σ counts)` long.
public struct TrainingPlan: Sendable {
    /// Everything the plan knows of one dataset.
    public struct Dataset: Sendable {
        public let prefix: String
        /// The data-path weight; nil when the data path has none.
        public let weight: Double?
        /// The weight after megatron-core's normalisation (for an unweighted blend: the share of its samples).
        public let normalizedWeight: Double
        /// Train-split sequences (megatron's "documents").
        public let trainSequences: Range<Int>
        /// Tokens in the train split (one epoch).
        public let tokens: Int
        /// Samples megatron-core asks of the dataset (nil: one epoch).
        public let requestedSamples: Int?
        /// Its epochs, separate-final-epoch flag and sample count.
        public let epochPlan: GPTEpochPlan
        /// How many of the run's first `N` global samples come from this dataset.
        public let samples: Int
        /// How many of the whole blend's samples come from it (≥ `samples`; the blend is a little longer than `N`).
        public let blendSamples: Int

        /// Documents (sequences) in the train split.
        public var documents: Int { trainSequences.count }
        /// `samples × L`.
        public var tokensTrained: Int { samples * epochPlan.sequenceLength }
        /// Passes over the train split the run makes: `samples × L ÷ tokens`.
        public var epochs: Double { Double(tokensTrained) / Double(tokens) }
    }

    public let configuration: PlanConfiguration
    public let datasets: [Dataset]
    /// The blend's length (`Σ ceil(N·w_i)` for weighted blends, `N` for a single unweighted prefix).
    public let blendSize: Int
    /// The weights the blending runs with; nil for a single unweighted prefix (no blend).
    public let blendingWeights: [Double]?
    /// Things megatron-core does without complaint but a user wants to know.
    public let warnings: [String]

    /// Makes the plan; throws where megatron-core would fail, hang or index out of range.
    /// `blendCounts`, when they are of this plan's blend (weights, length and `N`), stand in for
    /// the blend walk (the index cache's walk of the same blend gives them).
    public init(configuration c: PlanConfiguration, shapes: [DatasetShape], warnEpochs: Double = 4, blendCounts: BlendCounts? = nil) throws {
        try c.validate()
        precondition(shapes.count == c.blend.prefixes.count)
        configuration = c
        let n = c.totalSamples
        let splitNames = ["train", "valid", "test"]
        var warnings: [String] = []

        // Split ranges; megatron-core builds every present split and hangs on an empty one.
        var trainRanges: [Range<Int>] = []
        var tokens: [Int] = []
        for shape in shapes {
            for s in 0..<3 {
                guard let r = c.split.range(split: s, count: shape.lengths.count) else { continue }
                if r.isEmpty {
                    throw PlanError.emptySplit(prefix: shape.prefix, split: splitNames[s], sequences: shape.lengths.count, splitText: c.split.text)
                }
                let t = shape.tokens(in: r)
                if t == 0 { throw PlanError.noTokens(prefix: shape.prefix, split: splitNames[s]) }
                if s == 0 { trainRanges.append(r); tokens.append(t) }
            }
        }

        var normalized: [Double]
        var requested: [Int?]
        var blendingWeights: [Double]?
        var blendSize: Int
        let weights = c.blend.weights
        if let weights {
            normalized = NumpyFloat.normalize(weights)
            let sizes = c.flavor.blendSizes(normalizedWeights: normalized, total: n, surplus: c.surplus)
            requested = sizes.asked
            blendSize = sizes.blendSize
            blendingWeights = NumpyFloat.normalize(normalized)
        } else if shapes.count == 1 {
            normalized = [1.0]
            requested = [n]
            blendSize = n
            blendingWeights = nil
        } else {
            guard c.flavor.semantics.unweightedBlends else {
                throw PlanError.badArgument("Megatron \(c.flavor) needs a weight before every dataset of a blend")
            }
            requested = Array(repeating: nil, count: shapes.count)
            let counts = tokens.map { GPTEpochPlan(sequenceLength: c.sequenceLength, tokensPerEpoch: $0, requestedSamples: nil).sampleCount }
            if let (i, _) = counts.enumerated().first(where: { $0.element <= 0 }) {
                throw PlanError.badWeight(prefix: shapes[i].prefix, weight: 0)
            }
            let total = counts.reduce(0, +)
            if total < n { throw PlanError.blendTooShort(available: total, requested: n) }
            blendSize = min(n, total)
            normalized = NumpyFloat.normalize(counts.map(Double.init))
            blendingWeights = normalized
        }

        let plans = zip(tokens, requested).map {
            GPTEpochPlan(sequenceLength: c.sequenceLength, tokensPerEpoch: $0, requestedSamples: $1)
        }
        var drawn: [Int]
        var blendDrawn: [Int]
        if let bw = blendingWeights {
            if let given = blendCounts, given.weights == bw, given.size == blendSize, given.prefixLength == n {
                (drawn, blendDrawn) = (given.atPrefix, given.all)
            } else {
                (drawn, blendDrawn) = BlendingIndex(weights: bw).counts(size: blendSize, prefix: n)
            }
        } else {
            drawn = [n]
            blendDrawn = [n]
        }

        var result: [Dataset] = []
        for i in shapes.indices {
            let plan = plans[i]
            if blendingWeights != nil && blendDrawn[i] > plan.sampleCount {
                throw PlanError.oversampled(prefix: shapes[i].prefix, requested: blendDrawn[i], available: plan.sampleCount)
            }
            if tokens[i] < c.sequenceLength + 1 {
                warnings.append(
                    "dataset \(shapes[i].prefix): its train split has \(tokens[i]) tokens, fewer than one sample "
                        + "(\(c.sequenceLength + 1)); every sample repeats its documents")
            }
            let d = Dataset(
                prefix: shapes[i].prefix, weight: weights?[i], normalizedWeight: normalized[i], trainSequences: trainRanges[i],
                tokens: tokens[i], requestedSamples: requested[i], epochPlan: plan, samples: drawn[i], blendSamples: blendDrawn[i])
            if d.epochs > warnEpochs {
                warnings.append(
                    "dataset \(d.prefix): trained on \(String(format: "%.2f", d.epochs)) times (more than \(formatNumber(warnEpochs)))")
            }
            result.append(d)
        }
        datasets = result
        self.blendSize = blendSize
        self.blendingWeights = blendingWeights
        self.warnings = warnings
    }

    /// Loads every prefix's `.idx` and makes the plan.
    public static func load(configuration: PlanConfiguration, warnEpochs: Double = 4, blendCounts: BlendCounts? = nil) throws -> TrainingPlan {
        try configuration.validate()
        let shapes = try configuration.blend.prefixes.map { try DatasetShape.load(prefix: $0).0 }
        return try TrainingPlan(configuration: configuration, shapes: shapes, warnEpochs: warnEpochs, blendCounts: blendCounts)
    }

    /// Total train tokens over all datasets (one epoch each).
    public var totalTokens: Int { datasets.reduce(0) { $0 + $1.tokens } }
    /// Iterations for one pass over the mixture, `ceil(Σ weights ÷ L ÷ G)` (llm-jp's weights are token
    /// counts); the train tokens stand in for the weights of an unweighted data path.
    public var iterationsPerPass: Int {
        let total = configuration.blend.weights.map { $0.reduce(0, +) } ?? Double(totalTokens)
        return Int((total / Double(configuration.sequenceLength) / Double(configuration.globalBatchSize)).rounded(.up))
    }
    /// Train iterations of the run (`N ÷ G`, rounded up).
    public var iterations: Int { (configuration.totalSamples + configuration.globalBatchSize - 1) / configuration.globalBatchSize }
}

func formatNumber(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
}
