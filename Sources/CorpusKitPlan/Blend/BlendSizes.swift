import Foundation

/// How many samples megatron-core asks of each dataset of a weighted blend
/// (`_get_size_per_split_per_dataset` in `blended_megatron_dataset_builder.py`).
///
/// With the data-path weights normalised to `w` (float64, numpy's sum), a blend of `N` samples wants
/// `ceil(N·w_i)` samples of dataset `i` (the *target*; the blend's length is their sum, slightly more
/// than `N`) and builds `ceil(ceil(N·w_i)·(1 + surplus))` of them (the *buffer*, surplus 0.005), so
/// that the greedy blending never runs a dataset dry.
public enum BlendSizes {
    /// megatron-core's default `mid_level_dataset_surplus`.
    public static let defaultSurplus = 0.005

    /// `ceil(N·w)` per weight.
    public static func targets(normalizedWeights: [Double], totalSamples: Int) -> [Int] {
        normalizedWeights.map { Int((Double(totalSamples) * $0).rounded(.up)) }
    }

    /// `ceil(ceil(N·w)·(1 + surplus))` per weight.
    public static func buffers(normalizedWeights: [Double], totalSamples: Int, surplus: Double = defaultSurplus) -> [Int] {
        targets(normalizedWeights: normalizedWeights, totalSamples: totalSamples).map {
            Int((Double($0) * (1 + surplus)).rounded(.up))
        }
    }
}
