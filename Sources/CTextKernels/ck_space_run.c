// Runs of escaped spaces for the Viterbi pass (ck_space_run.h). The pieces of one start end at
// different positions, so its offers (up to 32) are independent and are made at once, 8 or 4 to a
// vector: the candidates (the start's score plus each piece's, one rounding each, the references'
// own operation) compared with the positions' scores and blended in where strictly larger; the
// starts are taken in order. The run's scores and winners sit in two small arrays meanwhile, and
// the nodes are written once at the end. Measured against the start-by-start offers in
// BENCHMARKS.md ("Eleventh session").
#include "ck_space_run.h"
#include "ck_cpu.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

// Runs up to this many `▁` are relaxed in arrays on the stack, longer ones in the heap.
#define STACK_RUN 2048

#if defined(__x86_64__)
#include <immintrin.h>

// `groups` vectors of lanes: 8 float32 or 4 float64 pieces each, the lanes past the chain −∞.
// Inlined into one copy per group count, so each copy's inner loop is unrolled.
__attribute__((target("avx2"), always_inline)) static inline int relax_f32_groups(
    float *scores, int32_t *winners, int64_t length, const float *lanes, const int64_t groups, float limit) {
    __m256 piece[CK_SPACE_RUN_LANES / 8];
    for (int64_t g = 0; g < groups; g++) piece[g] = _mm256_loadu_ps(lanes + 8 * g);
    for (int64_t j = 0; j < length; j++) {
        float here = scores[j];
        if (j > 0 && !(fabsf(here) <= limit)) return 0;
        __m256 from = _mm256_set1_ps(here);
        __m256i source = _mm256_set1_epi32((int32_t)j);
        for (int64_t g = 0; g < groups; g++) {
            float *target = scores + j + 1 + 8 * g;
            int32_t *won = winners + j + 1 + 8 * g;
            __m256 candidate = _mm256_add_ps(from, piece[g]), current = _mm256_loadu_ps(target);
            __m256 better = _mm256_cmp_ps(candidate, current, _CMP_GT_OQ);
            _mm256_storeu_ps(target, _mm256_blendv_ps(current, candidate, better));
            _mm256_storeu_si256((__m256i *)won, _mm256_blendv_epi8(_mm256_loadu_si256((const __m256i *)won), source,
                                                                    _mm256_castps_si256(better)));
        }
    }
    return 1;
}

__attribute__((target("avx2"))) static int relax_f32_avx2(float *scores, int32_t *winners, int64_t length,
                                                          const float *lanes, int64_t groups, float limit) {
    switch (groups) {
    case 1: return relax_f32_groups(scores, winners, length, lanes, 1, limit);
    case 2: return relax_f32_groups(scores, winners, length, lanes, 2, limit);
    case 3: return relax_f32_groups(scores, winners, length, lanes, 3, limit);
    default: return relax_f32_groups(scores, winners, length, lanes, 4, limit);
    }
}

__attribute__((target("avx2"), always_inline)) static inline int relax_f64_groups(
    double *scores, int32_t *winners, int64_t length, const double *lanes, const int64_t groups, double limit) {
    __m256d piece[CK_SPACE_RUN_LANES / 4];
    for (int64_t g = 0; g < groups; g++) piece[g] = _mm256_loadu_pd(lanes + 4 * g);
    const __m256i narrowing = _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0);
    for (int64_t j = 0; j < length; j++) {
        double here = scores[j];
        if (j > 0 && !(fabs(here) <= limit)) return 0;
        __m256d from = _mm256_set1_pd(here);
        __m128i source = _mm_set1_epi32((int32_t)j);
        for (int64_t g = 0; g < groups; g++) {
            double *target = scores + j + 1 + 4 * g;
            int32_t *won = winners + j + 1 + 4 * g;
            __m256d candidate = _mm256_add_pd(from, piece[g]), current = _mm256_loadu_pd(target);
            __m256d better = _mm256_cmp_pd(candidate, current, _CMP_GT_OQ);
            _mm256_storeu_pd(target, _mm256_blendv_pd(current, candidate, better));
            // The four 64-bit masks narrowed to 32 bits (the low half of each is all ones or zeros).
            __m128i narrow = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(better), narrowing));
            _mm_storeu_si128((__m128i *)won, _mm_blendv_epi8(_mm_loadu_si128((const __m128i *)won), source, narrow));
        }
    }
    return 1;
}

__attribute__((target("avx2"))) static int relax_f64_avx2(double *scores, int32_t *winners, int64_t length,
                                                          const double *lanes, int64_t groups, double limit) {
    switch (groups) {
    case 1: case 2: return relax_f64_groups(scores, winners, length, lanes, 2, limit);
    case 3: case 4: return relax_f64_groups(scores, winners, length, lanes, 4, limit);
    case 5: case 6: return relax_f64_groups(scores, winners, length, lanes, 6, limit);
    default: return relax_f64_groups(scores, winners, length, lanes, 8, limit);
    }
}
#endif

// One offer at a time, in the same order: the start's pieces shortest first (they end at
// different positions, so their order does not matter), the starts in order.
#define RELAX_SCALAR(T, ABS)                                                          \
    for (int64_t j = 0; j < length; j++) {                                            \
        T here = scores[j];                                                           \
        if (j > 0 && !(ABS(here) <= limit)) return 0;                                 \
        for (int64_t k = 1; k <= lane_count; k++) {                                   \
            T candidate = here + lanes[k - 1];                                        \
            if (candidate > scores[j + k]) { scores[j + k] = candidate; winners[j + k] = (int32_t)j; } \
        }                                                                             \
    }                                                                                 \
    return 1;

static int relax_f32_scalar(float *scores, int32_t *winners, int64_t length, const float *lanes, int64_t lane_count,
                            float limit) {
    RELAX_SCALAR(float, fabsf)
}

static int relax_f64_scalar(double *scores, int32_t *winners, int64_t length, const double *lanes, int64_t lane_count,
                            double limit) {
    RELAX_SCALAR(double, fabs)
}

#if !defined(__x86_64__)
// Never called (no AVX2 here); they keep SPACE_RUN's two branches compiling.
static int relax_f32_scalar_groups(float *s, int32_t *w, int64_t n, const float *l, int64_t g, float limit) {
    return relax_f32_scalar(s, w, n, l, g * 8, limit);
}
static int relax_f64_scalar_groups(double *s, int32_t *w, int64_t n, const double *l, int64_t g, double limit) {
    return relax_f64_scalar(s, w, n, l, g * 4, limit);
}
#endif

// Gathers the run's scores, relaxes them, and writes the nodes the run's pieces won. `T` is the
// score type. Only the lanes the run can use are relaxed (a piece of k `▁` from start j counts
// where j + k <= length), so the arrays need that many slots past the run's end, rounded up to a
// vector: the last starts' longer pieces reach them, and they are never written back. Sized by
// those lanes rather than by the chain's (v2.1's chain is 24 lanes; most runs of code's
// indentation are 4–16 long), so no slot is filled that no lane reaches: 14.29 → 13.77 M
// instructions in this function on the benchmark's mixed input, v2.1 (BENCHMARKS.md, "Fourteenth
// session"). Most of the rest is per call: the set-up, the fill and the kernel's dispatch.
#define SPACE_RUN(T, RELAX_AVX2, RELAX_SCALAR_FN, PER_VECTOR)                                      \
    if (lane_count < 1 || lane_count > CK_SPACE_RUN_LANES) return 0;                              \
    char *base = (char *)nodes;                                                                   \
    int64_t used = lane_count < length ? lane_count : length;                                    \
    int64_t slots = length + 1 + ((used + 7) & ~(int64_t)7);                                      \
    T stack_scores[length <= STACK_RUN ? slots : 1];                                              \
    int32_t stack_winners[length <= STACK_RUN ? slots : 1];                                       \
    T *scores = length <= STACK_RUN ? stack_scores : malloc((size_t)slots * sizeof(T));            \
    int32_t *winners = length <= STACK_RUN ? stack_winners : malloc((size_t)slots * sizeof(int32_t)); \
    if (scores == NULL || winners == NULL) {                                                      \
        if (length > STACK_RUN) { free(scores); free(winners); }                                  \
        return 0;                                                                                 \
    }                                                                                             \
    const int64_t step = 3 * layout.stride;                                                       \
    const char *from_node = base + layout.score;                                                  \
    for (int64_t j = 0; j <= length; j++, from_node += step) memcpy(&scores[j], from_node, sizeof(T)); \
    for (int64_t j = length + 1; j < slots; j++) scores[j] = -INFINITY;                           \
    for (int64_t j = 0; j < slots; j++) winners[j] = -1;   /* nothing won yet */                  \
    int done = ck_text_kernels_avx2()                                                             \
        ? RELAX_AVX2(scores, winners, length, lanes, (used + PER_VECTOR - 1) / PER_VECTOR, limit) \
        : RELAX_SCALAR_FN(scores, winners, length, lanes, used, limit);                           \
    if (done) {                                                                                   \
        char *node = base;                                                                        \
        for (int64_t j = 1; j <= length; j++) {                                                   \
            node += step;                                                                         \
            int32_t from = winners[j];                                                            \
            if (from < 0) continue;                                                               \
            int32_t start = (int32_t)(position + 3 * from), value = values[j - from];            \
            memcpy(node + layout.score, &scores[j], sizeof(T));                                   \
            memcpy(node + layout.start, &start, sizeof start);                                    \
            memcpy(node + layout.value, &value, sizeof value);                                    \
        }                                                                                         \
    }                                                                                             \
    if (length > STACK_RUN) { free(scores); free(winners); }                                      \
    return done;

int ck_space_run_f32(void *nodes, int64_t position, ck_viterbi_node_layout layout, int64_t length, const float *lanes,
                     int64_t lane_count, const int32_t *values, float limit) {
#if defined(__x86_64__)
    SPACE_RUN(float, relax_f32_avx2, relax_f32_scalar, 8)
#else
    SPACE_RUN(float, relax_f32_scalar_groups, relax_f32_scalar, 8)
#endif
}

int ck_space_run_f64(void *nodes, int64_t position, ck_viterbi_node_layout layout, int64_t length, const double *lanes,
                     int64_t lane_count, const int32_t *values, double limit) {
#if defined(__x86_64__)
    SPACE_RUN(double, relax_f64_avx2, relax_f64_scalar, 4)
#else
    SPACE_RUN(double, relax_f64_scalar_groups, relax_f64_scalar, 4)
#endif
}
