/// Which Megatron's dataset code a plan, a replay or an index cache follows.
///
/// Every behaviour that differs between them is one row of `Semantics` (read from each branch's
/// `megatron/core/datasets`; `llm-jp-main` is upstream core 0.12.1 with the same arithmetic as
/// 0.16.1):
///
/// | | 0.16 / llm-jp-main | llm-jp-v4 (and `moe`, core 0.10.0rc0) | llm-jp-nii-geniac (core 0.6.0rc0) |
/// |---|---|---|---|
/// | samples asked of dataset `i` | `ceil(ceil(N·w_i)·1.005)` | `ceil(N·w_i·1.005)` | `ceil(N·w_i·1.005)` |
/// | blend length | `Σ ceil(N·w_i)` | `Σ` samples asked | `Σ` samples asked |
/// | `sample_index` dtype | int32 unless an entry could exceed it | int64 | int32 |
/// | split name in file names | yes | yes | no |
/// | blend description | `split` | `split`, `renormalize_blend_weights: false` | neither |
/// | several prefixes without weights | one epoch each, blended by length | same | not supported (the fork fails) |
/// | `--eval-interval` when not given | none: 0.16 (`ValidationConfig.eval_interval = None` from core_v0.16.0) divides by it and fails; llm-jp-main 1000 | 1000 | 1000 |
public enum MegatronFlavor: String, Sendable, CaseIterable, CustomStringConvertible {
    case core016 = "0.16"
    case llmJPMain = "llm-jp-main"
    case llmJPV4 = "llm-jp-v4"
    case llmJPNiiGeniac = "llm-jp-nii-geniac"

    public var description: String { rawValue }

    /// How many samples a weighted blend asks of each dataset, and how long the blend is.
    public enum BlendSizing: Sendable, Equatable {
        /// `ceil(ceil(N·w)·(1 + surplus))` asked; the blend is `Σ ceil(N·w)`.
        case targetThenSurplus
        /// `ceil(N·w·(1 + margin))` asked (one ceiling, multiplied left to right); the blend is their sum.
        case singleCeiling(margin: Double)
    }

    /// The element type of each dataset's `sample_index.npy`.
    public enum SampleIndexType: Sendable, Equatable {
        /// int32 when `max(len(document_index), max sequence length)` fits, else int64 (`helpers.py`).
        case int32UnlessLarge
        case always(NpyType)
    }

    public struct Semantics: Sendable, Equatable {
        public let blendSizing: BlendSizing
        public let sampleIndexType: SampleIndexType
        public let splitInFileNames: Bool
        public let splitInBlendDescription: Bool
        /// Whether the blend description ends with `"renormalize_blend_weights": false`.
        public let renormalizeKeyInBlendDescription: Bool
        public let unweightedBlends: Bool
    }

    public var semantics: Semantics {
        switch self {
        case .core016, .llmJPMain:
            return Semantics(
                blendSizing: .targetThenSurplus, sampleIndexType: .int32UnlessLarge, splitInFileNames: true,
                splitInBlendDescription: true, renormalizeKeyInBlendDescription: false, unweightedBlends: true)
        case .llmJPV4:
            return Semantics(
                blendSizing: .singleCeiling(margin: 0.005), sampleIndexType: .always(.int64), splitInFileNames: true,
                splitInBlendDescription: true, renormalizeKeyInBlendDescription: true, unweightedBlends: true)
        case .llmJPNiiGeniac:
            return Semantics(
                blendSizing: .singleCeiling(margin: 0.005), sampleIndexType: .always(.int32), splitInFileNames: false,
                splitInBlendDescription: false, renormalizeKeyInBlendDescription: false, unweightedBlends: false)
        }
    }

    /// The training loop's `--eval-interval` when the script gives none, nil where there is none:
    /// megatron-core 0.16's `ValidationConfig.eval_interval` defaults to `None`, and
    /// `get_train_valid_test_num_samples` computes `train_iters // eval_interval`, so such a run stops
    /// before it builds anything. llm-jp's branches (core 0.6–0.12) default to 1000.
    public var defaultEvalInterval: Int? {
        switch self {
        case .core016: return nil
        case .llmJPMain, .llmJPV4, .llmJPNiiGeniac: return 1000
        }
    }

    /// `(samples asked of each dataset, blend length)` for a weighted blend of `total` samples.
    public func blendSizes(normalizedWeights: [Double], total: Int, surplus: Double) -> (asked: [Int], blendSize: Int) {
        switch semantics.blendSizing {
        case .targetThenSurplus:
            let targets = BlendSizes.targets(normalizedWeights: normalizedWeights, totalSamples: total)
            return (BlendSizes.buffers(normalizedWeights: normalizedWeights, totalSamples: total, surplus: surplus), targets.reduce(0, +))
        case let .singleCeiling(margin):
            let asked = normalizedWeights.map { Int((Double(total) * $0 * (1 + margin)).rounded(.up)) }
            return (asked, asked.reduce(0, +))
        }
    }
}
