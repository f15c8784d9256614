#ifndef CK_KERNELS_H
#define CK_KERNELS_H
// Matrix-vector kernels for decoding (CorpusKitInference/Model/Linear.swift).
//
// Why C: Swift compiles for the x86-64 baseline (SSE2) and has no per-function target attribute,
// so its SIMD types cannot use AVX2's or AVX-512's bf16 widening loads or FMA without changing the
// flags of the whole package (and then the binary would not start on an older CPU). Here each kernel
// is compiled for its instruction set and chosen at run time after a CPUID check.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What `ck_gemv_bf16_level` reports: the widest kernel this CPU (and its OS) can run.
enum {
    CK_GEMV_NONE = 0,   ///< neither kernel: not x86-64, or no AVX2 + FMA
    CK_GEMV_AVX2 = 1,   ///< `ck_gemv_bf16_avx2` (AVX2 + FMA, YMM state saved by the OS)
    CK_GEMV_AVX512 = 2, ///< both kernels (AVX-512 F/BW/VL too, ZMM and opmask state saved by the OS)
};

/// The widest bf16 matrix-vector kernel this CPU runs (`CK_GEMV_*`).
int ck_gemv_bf16_level(void);

/// `y[r] = sum_c float(w[r * ld + c]) * x[c]` for `r < rows`, `c < cols`: a row-major bfloat16 matrix
/// (raw bits, any 2-byte alignment) times a float32 vector, in float32 with fused multiply-adds.
/// Only call when `ck_gemv_bf16_level()` is at least `CK_GEMV_AVX2`.
void ck_gemv_bf16_avx2(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y);

/// The same product with 512-bit registers. Only call when `ck_gemv_bf16_level()` is `CK_GEMV_AVX512`.
void ck_gemv_bf16_avx512(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y);

#ifdef __cplusplus
}
#endif

#endif
