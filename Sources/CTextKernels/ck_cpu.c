// Whether the text path's kernels take their AVX2 paths (ck_cpu.h): the CPU's answer
// (ck_cpu_features.h, the C kernels' one check, read once there), unless a test turned the
// vectors off.
#include "ck_cpu.h"
#include "ck_cpu_features.h"

#include <stdatomic.h>

// Set by ck_text_kernels_use_vectors(0) in tests; the CPU's answer is never stored here.
static _Atomic int vectors_off = 0;

int ck_text_kernels_avx2(void) {
    return !atomic_load_explicit(&vectors_off, memory_order_relaxed) && (ck_cpu_features() & CK_CPU_AVX2) != 0;
}

void ck_text_kernels_use_vectors(int enabled) {
    atomic_store_explicit(&vectors_off, !enabled, memory_order_relaxed);
}
