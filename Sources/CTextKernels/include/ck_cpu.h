#ifndef CK_CPU_H
#define CK_CPU_H

/// Whether the text path's kernels take their AVX2 paths: the CPU has AVX2 and the OS saves its
/// registers (ck_cpu_features.h, the C kernels' one CPU check), unless a test turned them off.
int ck_text_kernels_avx2(void);

/// For tests: 0 makes every kernel take its path without vectors (as on a CPU without AVX2); 1
/// restores the AVX2 paths where the CPU has them.
void ck_text_kernels_use_vectors(int enabled);

#endif
