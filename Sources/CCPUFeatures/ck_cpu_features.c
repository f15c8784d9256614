// The one CPU check of the C kernels (ck_cpu_features.h).
#include "ck_cpu_features.h"

#include <stdatomic.h>

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned read_features(void) {
    unsigned a, b, c, d;
    // OSXSAVE (bit 27) and AVX (28): the OS saves the extended state and the CPU has YMM registers.
    if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1) || !((c >> 28) & 1)) return 0;
    int fma = (c >> 12) & 1;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;   // XMM and YMM state saved by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !((b >> 5) & 1)) return 0;   // AVX2
    unsigned features = CK_CPU_AVX2 | (fma ? CK_CPU_FMA : 0);
    // AVX512F (bit 16), AVX512BW (30), AVX512VL (31), and the opmask and ZMM state (XCR0 bits 5-7).
    if (((b >> 16) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1) && (lo & 0xE0) == 0xE0) features |= CK_CPU_AVX512;
    return features;
}
#else
static unsigned read_features(void) { return 0; }
#endif

// UINT_MAX: not read yet. The first callers read it (every thread finds the same value).
static _Atomic unsigned features = ~0u;

unsigned ck_cpu_features(void) {
    unsigned known = atomic_load_explicit(&features, memory_order_relaxed);
    if (known == ~0u) {
        known = read_features();
        atomic_store_explicit(&features, known, memory_order_relaxed);
    }
    return known;
}
