/// Reusable buffers for encoding; one per thread. Keeping them across documents means the hot
/// loop does not allocate.
public struct EncodingWorkspace {
    var normalized: [UInt8] = []
    var segment: [UInt8] = []
    var model = ModelScratch()

    public init() {}
}

/// Scratch storage of the segmentation models (each model type keeps its own fields here).
struct ModelScratch {
    var floatViterbi = ViterbiScratch<Float>()
    var doubleViterbi = ViterbiScratch<Double>()
    var bpe = BPEScratch()
}
