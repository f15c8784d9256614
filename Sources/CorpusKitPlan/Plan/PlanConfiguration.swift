/// The Megatron-LM arguments that decide what a run trains on.
public struct PlanConfiguration: Sendable {
    /// `--data-path`.
    public var blend: DataPathBlend
    /// `--seq-length`.
    public var sequenceLength: Int
    /// `--global-batch-size`.
    public var globalBatchSize: Int
    /// Train samples: `--train-samples`, or `--train-iters × --global-batch-size`.
    public var totalSamples: Int
    /// `--seed` (megatron-core's `random_seed`).
    public var seed: UInt32
    /// `--split`.
    public var split: SplitMatrix
    /// `mid_level_dataset_surplus`.
    public var surplus: Double
    /// Whose dataset code the run uses.
    public var flavor: MegatronFlavor

    public init(
        blend: DataPathBlend, sequenceLength: Int, globalBatchSize: Int, totalSamples: Int,
        seed: UInt32 = 1234, split: SplitMatrix, surplus: Double = BlendSizes.defaultSurplus,
        flavor: MegatronFlavor = .core016
    ) {
        self.blend = blend
        self.sequenceLength = sequenceLength
        self.globalBatchSize = globalBatchSize
        self.totalSamples = totalSamples
        self.seed = seed
        self.split = split
        self.surplus = surplus
        self.flavor = flavor
    }

    /// Checks the numbers Megatron would reject or mishandle.
    public func validate() throws {
        guard sequenceLength > 1 else { throw PlanError.badArgument("the sequence length must be at least 2 (got \(sequenceLength))") }
        guard globalBatchSize > 0 else { throw PlanError.badArgument("the global batch size must be positive (got \(globalBatchSize))") }
        guard totalSamples > 0 else { throw PlanError.badArgument("the run has no train samples (\(totalSamples))") }
        guard split.bookends[0] != nil else { throw PlanError.badSplit(split.text, reason: "the train split is empty") }
        if let weights = blend.weights {
            for (p, w) in zip(blend.prefixes, weights) where !(w > 0 && w.isFinite) {
                throw PlanError.badWeight(prefix: p, weight: w)
            }
        }
    }
}
