/// How megatron-core's `GPTDataset` sizes one dataset's train split (`gpt_dataset.py`).
///
/// A sample is `L + 1` consecutive tokens of the split's sequences laid end to end (the last token
/// is the first of the next sample), so `E` epochs give `(E·T − 1) ÷ L` samples for `T` tokens per
/// epoch. `E` is the smallest count with `E·T ≥ S·L + 1` for `S` requested samples (1 when `S` is
/// not given). When `E > 1` and the last epoch contributes fewer than `int(0.8 ·
/// samples-per-epoch)` samples, megatron shuffles that epoch separately ("separate final epoch"):
/// its documents, and the samples that start in it, stay at the end.
public struct GPTEpochPlan: Sendable, Equatable {
    /// Sequence length `L`.
    public let sequenceLength: Int
    /// Tokens in one epoch of the split, `T`.
    public let tokensPerEpoch: Int
    /// Samples asked for (`num_samples`), nil for one epoch.
    public let requestedSamples: Int?
    /// Epochs built, `E`.
    public let epochs: Int
    /// Whether the final epoch is shuffled on its own.
    public let separateFinalEpoch: Bool
    /// Samples in the first `E − 1` epochs (megatron's `num_samples_sans_final_epoch`); meaningful when `E > 1`.
    public let samplesSansFinalEpoch: Int

    /// Samples the dataset holds (`len(GPTDataset)`): `(E·T − 1) ÷ L`.
    public var sampleCount: Int { (epochs * tokensPerEpoch - 1) / sequenceLength }

    /// Computes the plan. `tokensPerEpoch` must be positive (megatron-core loops forever otherwise).
    public init(sequenceLength: Int, tokensPerEpoch: Int, requestedSamples: Int?) {
        precondition(tokensPerEpoch > 0 && sequenceLength > 0)
        self.sequenceLength = sequenceLength
        self.tokensPerEpoch = tokensPerEpoch
        self.requestedSamples = requestedSamples
        var epochs = 1
        if let s = requestedSamples {
            let needed = s * sequenceLength + 1
            epochs = Swift.max(1, (needed + tokensPerEpoch - 1) / tokensPerEpoch)
        }
        self.epochs = epochs
        if epochs == 1 {
            separateFinalEpoch = false
            samplesSansFinalEpoch = 0
        } else {
            let sans = ((epochs - 1) * tokensPerEpoch - 1) / sequenceLength
            let fromFinal = (requestedSamples ?? 0) - sans
            let perEpoch = (tokensPerEpoch - 1) / sequenceLength
            // int(0.80 * perEpoch) in float64, as Python computes it.
            separateFinalEpoch = fromFinal < Int(0.80 * Double(perEpoch))
            samplesSansFinalEpoch = sans
        }
    }
}
