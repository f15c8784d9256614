#include "ck_kernels.h"

#include "ck_cpu_features.h"

// From the C kernels' one CPU check (0, so CK_GEMV_NONE, off x86-64).
int ck_gemv_bf16_level(void) {
    unsigned features = ck_cpu_features();
    if (!(features & CK_CPU_AVX2) || !(features & CK_CPU_FMA)) return CK_GEMV_NONE;
    return (features & CK_CPU_AVX512) ? CK_GEMV_AVX512 : CK_GEMV_AVX2;
}

#if defined(__x86_64__)
#include <immintrin.h>

static inline float widen(uint16_t v) {
    union { uint32_t u; float f; } bits = { (uint32_t)v << 16 };
    return bits.f;
}

// Rows up to this many columns are read one at a time (by both kernels, with the 256-bit loop), wider
// ones eight per pass. Measured on the llm-jp-3-1.8b shape's weights (BENCHMARKS.md, issue 21): one row
// at a time is one sequential stream, and its float32 x (16 KiB at 4,096 columns) stays in the 32 KiB L1
// cache beside it: at 2,048 columns it reads 21-33 GB/s where eight rows per pass read 16-23 (eight
// streams exactly 4 KiB apart, worst when the rows do not start on a page, as in a safetensors file);
// a 512-bit one-row loop read no faster than the 256-bit one (Zen 4 splits 512-bit operations in two).
// At 5,632 and 7,168 columns x no longer stays in L1, one row at a time drops to 12-17 GB/s, and eight
// rows per pass, which load each piece of x once for eight rows, keep 19-23.
#define CK_ONE_ROW_COLUMNS 4096

// ---------------------------------------------------------------- AVX2 + FMA

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

// One row at a time (one sequential weight stream), thirty-two columns per step in four accumulators.
// Once per 2,048 columns (4 KiB of weights) the stream's next 4 KiB page is prefetched into L2: the
// hardware prefetchers stop at each 4 KiB page, and this starts the next one (and its page walk) early.
// Measured on the llm-jp-3-1.8b shape's 2,048-wide rows (BENCHMARKS.md, "Decoding, fourth pass"): on
// a file mapped in 4 KiB pages 25.6-26.4 -> 26.9-27.5 GB/s (a plain read 27.2-28.0), on 2 MiB pages
// 31.9-32.7 -> 32.8-33.0 (35.5); a prefetch of every line, or every 2 KiB, read no faster or slower.
__attribute__((target("avx2,fma"))) static void one_row_avx2(const uint16_t *w, size_t ld, size_t rows, size_t cols,
                                                             const float *x, float *y) {
    const size_t steps = cols & ~(size_t)31, wide = cols & ~(size_t)7;
    for (size_t r = 0; r < rows; r++) {
        const uint16_t *q = w + r * ld;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        size_t c = 0;
        for (; c < steps; c += 32) {
            if ((c & 2047) == 0) _mm_prefetch((const char *)(q + c) + 4096, _MM_HINT_T1);
            a0 = _mm256_fmadd_ps(load8(q + c), _mm256_loadu_ps(x + c), a0);
            a1 = _mm256_fmadd_ps(load8(q + c + 8), _mm256_loadu_ps(x + c + 8), a1);
            a2 = _mm256_fmadd_ps(load8(q + c + 16), _mm256_loadu_ps(x + c + 16), a2);
            a3 = _mm256_fmadd_ps(load8(q + c + 24), _mm256_loadu_ps(x + c + 24), a3);
        }
        for (; c < wide; c += 8) a0 = _mm256_fmadd_ps(load8(q + c), _mm256_loadu_ps(x + c), a0);
        float s0 = sum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (; c < cols; c++) s0 += widen(q[c]) * x[c];
        y[r] = s0;
    }
}

// Prefetches for the eight-rows-per-pass loops, issued once per 32 columns: the same 64 bytes of each of
// the next pass's eight rows into L2 (so that pass starts on data already fetched: the hardware
// prefetchers lose each row's stream at its end and retrain on eight new ones), and each current row's
// stream CK_STREAM_AHEAD bytes ahead into L1. Measured on the llm-jp-3-1.8b shape's 7,168-wide rows
// (BENCHMARKS.md, "Decoding, fourth pass"): 25-27 GB/s against 22-23 without; the next-pass prefetch
// alone gives most of it. Rows read one at a time get only the per-page prefetch of `one_row_avx2`: in one
// contiguous stream the hardware prefetchers do better alone (a prefetch of every line there read 17-25
// GB/s against 32).
#define CK_STREAM_AHEAD 256
#define CK_PREFETCH8(q, ld, c, next)                                                                     \
    do {                                                                                                 \
        if (next)                                                                                        \
            for (int i_ = 0; i_ < 8; i_++) _mm_prefetch((const char *)((next) + i_ * (ld) + (c)), _MM_HINT_T1); \
        for (int i_ = 0; i_ < 8; i_++)                                                                   \
            _mm_prefetch((const char *)((q) + i_ * (ld) + (c)) + CK_STREAM_AHEAD, _MM_HINT_T0);          \
    } while (0)

// Wider rows: eight per pass, one accumulator each: eight weight streams in flight share each load of x.
// Measured on the llm-jp-3-1.8b shape's weights (memory-mapped, BENCHMARKS.md): eight streams read
// ~10 % faster than four, sixteen no faster than eight.
__attribute__((target("avx2,fma"))) void ck_gemv_bf16_avx2(const uint16_t *w, size_t ld, size_t rows, size_t cols,
                                                           const float *x, float *y) {
    if (cols <= CK_ONE_ROW_COLUMNS) {
        one_row_avx2(w, ld, rows, cols, x, y);
        return;
    }
    size_t r = 0;
    const size_t wide = cols & ~(size_t)7, lines = cols & ~(size_t)31;
    for (; r + 8 <= rows; r += 8) {
        const uint16_t *q = w + r * ld, *next = r + 16 <= rows ? q + 8 * ld : NULL;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        size_t c = 0;
#define CK_STEP8(c)                                                 \
        {                                                           \
            const __m256 xv = _mm256_loadu_ps(x + (c));             \
            a0 = _mm256_fmadd_ps(load8(q + (c)), xv, a0);           \
            a1 = _mm256_fmadd_ps(load8(q + ld + (c)), xv, a1);      \
            a2 = _mm256_fmadd_ps(load8(q + 2 * ld + (c)), xv, a2);  \
            a3 = _mm256_fmadd_ps(load8(q + 3 * ld + (c)), xv, a3);  \
            a4 = _mm256_fmadd_ps(load8(q + 4 * ld + (c)), xv, a4);  \
            a5 = _mm256_fmadd_ps(load8(q + 5 * ld + (c)), xv, a5);  \
            a6 = _mm256_fmadd_ps(load8(q + 6 * ld + (c)), xv, a6);  \
            a7 = _mm256_fmadd_ps(load8(q + 7 * ld + (c)), xv, a7);  \
        }
        for (; c < lines; c += 32) {
            CK_PREFETCH8(q, ld, c, next);
            CK_STEP8(c) CK_STEP8(c + 8) CK_STEP8(c + 16) CK_STEP8(c + 24)
        }
        for (; c < wide; c += 8) CK_STEP8(c)
#undef CK_STEP8
        float s[8] = { sum8(a0), sum8(a1), sum8(a2), sum8(a3), sum8(a4), sum8(a5), sum8(a6), sum8(a7) };
        for (; c < cols; c++)
            for (int i = 0; i < 8; i++) s[i] += widen(q[i * ld + c]) * x[c];
        for (int i = 0; i < 8; i++) y[r + i] = s[i];
    }
    for (; r < rows; r++) {
        const uint16_t *w0 = w + r * ld;
        __m256 a0 = _mm256_setzero_ps();
        size_t c = 0;
        for (; c < wide; c += 8) a0 = _mm256_fmadd_ps(load8(w0 + c), _mm256_loadu_ps(x + c), a0);
        float s0 = sum8(a0);
        for (; c < cols; c++) s0 += widen(w0[c]) * x[c];
        y[r] = s0;
    }
}

// ---------------------------------------------------------------- AVX-512 (F, BW, VL)

#define CK_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,fma")))

// Sixteen bf16 at `p` (the first `mask` bits of them; the rest read as 0) as sixteen float32.
CK_AVX512 __attribute__((always_inline)) static inline __m512 load16(const uint16_t *p, __mmask16 mask) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, p)), 16));
}

// Wider rows: eight per pass, sixteen columns per step, one 512-bit accumulator per row; the column tail is
// one masked step (masked-off lanes are neither read nor added), so no scalar loop remains.
CK_AVX512 void ck_gemv_bf16_avx512(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) {
    const size_t wide = cols & ~(size_t)15;
    const __mmask16 all = 0xFFFF, tail = (__mmask16)((1u << (cols & 15)) - 1);
    size_t r = 0;
    if (cols <= CK_ONE_ROW_COLUMNS) {
        one_row_avx2(w, ld, rows, cols, x, y);
        return;
    }
    const size_t lines = cols & ~(size_t)31;
    for (; r + 8 <= rows; r += 8) {
        const uint16_t *q = w + r * ld, *next = r + 16 <= rows ? q + 8 * ld : NULL;
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        size_t c = 0;
        // Sixteen columns (the first `mask` of them) of the eight rows; eight named accumulators, not an
        // array, so that no compiler keeps them in memory.
#define CK_STEP8(mask, xv, c)                                                 \
        a0 = _mm512_fmadd_ps(load16(q + (c), mask), xv, a0);                  \
        a1 = _mm512_fmadd_ps(load16(q + ld + (c), mask), xv, a1);             \
        a2 = _mm512_fmadd_ps(load16(q + 2 * ld + (c), mask), xv, a2);         \
        a3 = _mm512_fmadd_ps(load16(q + 3 * ld + (c), mask), xv, a3);         \
        a4 = _mm512_fmadd_ps(load16(q + 4 * ld + (c), mask), xv, a4);         \
        a5 = _mm512_fmadd_ps(load16(q + 5 * ld + (c), mask), xv, a5);         \
        a6 = _mm512_fmadd_ps(load16(q + 6 * ld + (c), mask), xv, a6);         \
        a7 = _mm512_fmadd_ps(load16(q + 7 * ld + (c), mask), xv, a7);
        for (; c < lines; c += 32) {
            CK_PREFETCH8(q, ld, c, next);
            const __m512 xv = _mm512_loadu_ps(x + c), xw = _mm512_loadu_ps(x + c + 16);
            CK_STEP8(all, xv, c)
            CK_STEP8(all, xw, c + 16)
        }
        for (; c < wide; c += 16) {
            const __m512 xv = _mm512_loadu_ps(x + c);
            CK_STEP8(all, xv, c)
        }
        if (tail) {
            const __m512 xv = _mm512_maskz_loadu_ps(tail, x + c);
            CK_STEP8(tail, xv, c)
        }
#undef CK_STEP8
        y[r] = _mm512_reduce_add_ps(a0); y[r + 1] = _mm512_reduce_add_ps(a1);
        y[r + 2] = _mm512_reduce_add_ps(a2); y[r + 3] = _mm512_reduce_add_ps(a3);
        y[r + 4] = _mm512_reduce_add_ps(a4); y[r + 5] = _mm512_reduce_add_ps(a5);
        y[r + 6] = _mm512_reduce_add_ps(a6); y[r + 7] = _mm512_reduce_add_ps(a7);
    }
    for (; r < rows; r++) {
        const uint16_t *w0 = w + r * ld;
        __m512 a0 = _mm512_setzero_ps();
        size_t c = 0;
        for (; c < wide; c += 16) a0 = _mm512_fmadd_ps(load16(w0 + c, all), _mm512_loadu_ps(x + c), a0);
        if (tail) a0 = _mm512_fmadd_ps(load16(w0 + c, tail), _mm512_maskz_loadu_ps(tail, x + c), a0);
        y[r] = _mm512_reduce_add_ps(a0);
    }
}

#else

void ck_gemv_bf16_avx2(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) {
    (void)w; (void)ld; (void)rows; (void)cols; (void)x; (void)y;
}

void ck_gemv_bf16_avx512(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) {
    (void)w; (void)ld; (void)rows; (void)cols; (void)x; (void)y;
}

#endif
