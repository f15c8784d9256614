#ifndef CK_CPU_FEATURES_H
#define CK_CPU_FEATURES_H

/// The one CPU check of the C kernels (CTextKernels, CInferenceKernels): which vector instruction
/// sets this CPU has and the OS saves the registers of, from CPUID and XGETBV, read once.
///
/// Why C: Swift has no CPUID, and the kernels that act on the answer are C already.

/// AVX2, with the XMM and YMM state saved by the OS (XCR0 bits 1-2).
#define CK_CPU_AVX2 1u
/// FMA (fused multiply-add on YMM registers), reported only together with CK_CPU_AVX2.
#define CK_CPU_FMA 2u
/// AVX-512 F, BW and VL, with the opmask and ZMM state saved too (XCR0 bits 5-7), reported only
/// together with CK_CPU_AVX2.
#define CK_CPU_AVX512 4u

/// The CK_CPU_* bits of this CPU; 0 on other architectures. Safe from any thread.
unsigned ck_cpu_features(void);

#endif
