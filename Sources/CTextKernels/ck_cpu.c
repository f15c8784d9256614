// The one CPU check of the text path's kernels (ck_cpu.h).
#include "ck_cpu.h"

#include <stdatomic.h>

#if defined(__x86_64__)
#include <cpuid.h>

static int cpu_has_avx2(void) {
    unsigned a, b, c, d;
    // OSXSAVE (bit 27) and AVX (28), the OS saving XMM and YMM state, then AVX2 (leaf 7, bit 5).
    if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1) || !((c >> 28) & 1)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && ((b >> 5) & 1);
}
#else
static int cpu_has_avx2(void) { return 0; }
#endif

// -1: not checked yet. The first callers check (every thread finds the same value).
static _Atomic int avx2 = -1;

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
