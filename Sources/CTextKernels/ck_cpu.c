// Whether the text path's kernels take their AVX2 paths (ck_cpu.h): the CPU's answer
// (ck_cpu_features.h, the C kernels' one check), unless a test turned the vectors off.
#include "ck_cpu.h"
#include "ck_cpu_features.h"

#include <stdatomic.h>

// -1: not decided yet. The first callers decide (every thread finds the same value).
static _Atomic int avx2 = -1;

static int cpu_has_avx2(void) { return (ck_cpu_features() & CK_CPU_AVX2) != 0; }

int ck_text_kernels_avx2(void) {
    int known = atomic_load_explicit(&avx2, memory_order_relaxed);
    if (known < 0) {
        known = cpu_has_avx2();
        atomic_store_explicit(&avx2, known, memory_order_relaxed);
    }
    return known;
}

void ck_text_kernels_use_vectors(int enabled) {
    atomic_store_explicit(&avx2, enabled && cpu_has_avx2(), memory_order_relaxed);
}
