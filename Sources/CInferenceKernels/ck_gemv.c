#include "ck_kernels.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

int ck_gemv_bf16_available(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    // FMA (bit 12), OSXSAVE (27), AVX (28).
    if (!((c >> 12) & 1) || !((c >> 27) & 1) || !((c >> 28) & 1)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;  // XMM and YMM state saved by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 5) & 1;  // AVX2
}

// Eight bf16 at `p` as eight float32 (bf16 is the top half of a float32).
__attribute__((target("avx2,fma"), always_inline)) static inline __m256 load8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

__attribute__((target("avx2,fma"), always_inline)) static inline float sum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float widen(uint16_t v) {
    union { uint32_t u; float f; } bits = { (uint32_t)v << 16 };
    return bits.f;
}

// Four rows per pass: each 16-column step loads x once for four weight streams (8 accumulators),
// so the loop is bound by reading the weights, which is what decoding is.
__attribute__((target("avx2,fma"))) void ck_gemv_bf16(const uint16_t *w, size_t ld, size_t rows, size_t cols,
                                                      const float *x, float *y) {
    size_t r = 0;
    const size_t wide = cols & ~(size_t)15;
    for (; r + 4 <= rows; r += 4) {
        const uint16_t *w0 = w + r * ld, *w1 = w0 + ld, *w2 = w1 + ld, *w3 = w2 + ld;
        __m256 a0 = _mm256_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
        size_t c = 0;
        for (; c < wide; c += 16) {
            const __m256 xa = _mm256_loadu_ps(x + c), xb = _mm256_loadu_ps(x + c + 8);
            a0 = _mm256_fmadd_ps(load8(w0 + c), xa, a0); b0 = _mm256_fmadd_ps(load8(w0 + c + 8), xb, b0);
            a1 = _mm256_fmadd_ps(load8(w1 + c), xa, a1); b1 = _mm256_fmadd_ps(load8(w1 + c + 8), xb, b1);
            a2 = _mm256_fmadd_ps(load8(w2 + c), xa, a2); b2 = _mm256_fmadd_ps(load8(w2 + c + 8), xb, b2);
            a3 = _mm256_fmadd_ps(load8(w3 + c), xa, a3); b3 = _mm256_fmadd_ps(load8(w3 + c + 8), xb, b3);
        }
        float s0 = sum8(_mm256_add_ps(a0, b0)), s1 = sum8(_mm256_add_ps(a1, b1));
        float s2 = sum8(_mm256_add_ps(a2, b2)), s3 = sum8(_mm256_add_ps(a3, b3));
        for (; c < cols; c++) {
            s0 += widen(w0[c]) * x[c]; s1 += widen(w1[c]) * x[c];
            s2 += widen(w2[c]) * x[c]; s3 += widen(w3[c]) * x[c];
        }
        y[r] = s0; y[r + 1] = s1; y[r + 2] = s2; y[r + 3] = s3;
    }
    for (; r < rows; r++) {
        const uint16_t *w0 = w + r * ld;
        __m256 a0 = _mm256_setzero_ps(), b0 = a0;
        size_t c = 0;
        for (; c < wide; c += 16) {
            a0 = _mm256_fmadd_ps(load8(w0 + c), _mm256_loadu_ps(x + c), a0);
            b0 = _mm256_fmadd_ps(load8(w0 + c + 8), _mm256_loadu_ps(x + c + 8), b0);
        }
        float s0 = sum8(_mm256_add_ps(a0, b0));
        for (; c < cols; c++) s0 += widen(w0[c]) * x[c];
        y[r] = s0;
    }
}

#else

int ck_gemv_bf16_available(void) { return 0; }

void ck_gemv_bf16(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) {
    (void)w; (void)ld; (void)rows; (void)cols; (void)x; (void)y;
}

#endif
