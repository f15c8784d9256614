#ifndef CK_KERNELS_H
#define CK_KERNELS_H
// Matrix-vector kernels for decoding (CorpusKitInference/Model/Linear.swift).
//
// Why C: Swift compiles for the x86-64 baseline (SSE2) and has no per-function target attribute,
// so its SIMD types cannot use AVX2's 8-wide bf16 widening loads or FMA without changing the flags
// of the whole package (and then the binary would not start on a CPU without AVX2). Here one
// function is compiled for AVX2 + FMA and chosen at run time after a CPUID check.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when `ck_gemv_bf16` can run on this CPU (x86-64 with AVX2, FMA and the OS saving YMM state), else 0.
int ck_gemv_bf16_available(void);

/// `y[r] = sum_c float(w[r * ld + c]) * x[c]` for `r < rows`, `c < cols`: a row-major bfloat16 matrix
/// (raw bits, any 2-byte alignment) times a float32 vector, in float32 with fused multiply-adds.
/// Only call when `ck_gemv_bf16_available()` is 1.
void ck_gemv_bf16(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y);

#ifdef __cplusplus
}
#endif

#endif
