/// Reusable buffers for encoding; one per thread. Keeping them across documents means the hot
/// loop does not allocate.
public struct EncodingWorkspace {
    var normalized: [UInt8] = []
    var segment: [UInt8] = []
    var floatScratch = ViterbiScratch<Float>()
    var doubleScratch = ViterbiScratch<Double>()

    public init() {}
}
