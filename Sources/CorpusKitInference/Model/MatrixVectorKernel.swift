import CInferenceKernels

/// Which code multiplies a bf16 weight by one activation row (decoding).
///
/// The C kernels (`CInferenceKernels`) widen bf16 in registers and accumulate in float32 with fused
/// multiply-adds, one weight row at a time up to 4,096 columns and eight per pass beyond (`ck_gemv.c`
/// says why); `.convertedTiles` is the portable path (bf16 → float32
/// tiles, then OpenBLAS `sgemv`). All three compute the same float32 dot products up to summation order.
public enum MatrixVectorKernel: String, Sendable, CaseIterable {
    /// 512-bit registers (AVX-512 F/BW/VL) for rows over 4,096 columns: half the instructions of `.avx2`
    /// per weight; narrower rows take `.avx2`'s one-row loop, which read as fast.
    case avx512
    /// 256-bit registers (AVX2 + FMA).
    case avx2
    /// No C kernel: convert tiles, then `sgemv`.
    case convertedTiles

    /// The widest kernel this CPU runs (CPUID, and the OS saving the registers' state).
    public static let best: MatrixVectorKernel = {
        switch ck_gemv_bf16_level() {
        case Int32(CK_GEMV_AVX512): return .avx512
        case Int32(CK_GEMV_AVX2): return .avx2
        default: return .convertedTiles
        }
    }()

    /// Whether this CPU can run `self`.
    public var isSupported: Bool {
        switch self {
        case .avx512: return MatrixVectorKernel.best == .avx512
        case .avx2: return MatrixVectorKernel.best != .convertedTiles
        case .convertedTiles: return true
        }
    }

    /// `y[r] = Σ_c bf16(w[r·ld + c]) · x[c]` for `r < rows`, `c < cols`; only for the two C kernels.
    @inline(__always)
    func run(_ w: UnsafePointer<UInt16>, _ ld: Int, _ rows: Int, _ cols: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        switch self {
        case .avx512: ck_gemv_bf16_avx512(w, ld, rows, cols, x, y)
        case .avx2: ck_gemv_bf16_avx2(w, ld, rows, cols, x, y)
        case .convertedTiles: preconditionFailure("no C kernel")
        }
    }
}
