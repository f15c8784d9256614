// The bf16 matrix-vector kernels of Sources/CInferenceKernels on real weights, against a plain read of
// the same bytes (the memory limit of one core as the kernels see it: the same memory, the same pages).
//
// Reads a region of a safetensors file as a row-major bf16 matrix of WIDTH columns, and times each
// kernel and the read loop in turn, REPEATS rounds interleaved (a shared machine's load hits all alike),
// printing the best GB/s of each by CPU time (this thread's) and by wall time. MEMORY says where the
// matrix lies: `file` (the default) the file mapping itself (page cache warm after the first pass, as
// `corpuskit model` reads its weights; mapped with 2 MiB or 4 KiB page-table entries as the page cache
// holds the file in 2 MiB folios or smaller ones: check with Tools/benchmarks/bench_file_hugepages.c,
// which can also put the file in either state), `anon` a copy in anonymous memory on 4 KiB pages,
// `hugepages` a copy in anonymous memory advised MADV_HUGEPAGE (transparent huge pages). OFFSET (bytes)
// shifts the matrix's start past a page boundary: the llm-jp-3-1.8b shape's tensors start 784 bytes
// past one in its safetensors file, so `file 784` is what the model reads.
// With -DBASELINE and the kernels of an older commit renamed, those run too:
//
//   cc -O2 -I Sources/CInferenceKernels/include Tools/benchmarks/bench_gemv_kernels.c Sources/CInferenceKernels/ck_gemv.c -o /tmp/bench_gemv
//   /tmp/bench_gemv /tmp/corpuskit-bench-llmjp/llm-jp-3-1.8b-shape-bf16/model.safetensors 2048 512 5 file 784
//   git show e5e659b:Sources/CInferenceKernels/ck_gemv.c | sed 's/ck_gemv_bf16_avx/baseline_avx/; s/^int ck_gemv_bf16_level/static int baseline_level/' > /tmp/ck_gemv_old.c
//   cc -O2 -DBASELINE -I Sources/CInferenceKernels/include Tools/benchmarks/bench_gemv_kernels.c Sources/CInferenceKernels/ck_gemv.c /tmp/ck_gemv_old.c -o /tmp/bench_gemv
//
// Usage: bench_gemv FILE WIDTH MIB REPEATS [file|anon|hugepages] [OFFSET]   (the region starts 1 GiB
// into FILE, plus OFFSET: past the embedding of the llm-jp-3-1.8b shape, inside the layers' weights)
#define _GNU_SOURCE
#include <fcntl.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ck_kernels.h"

#ifdef BASELINE
void baseline_avx2(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y);
void baseline_avx512(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y);
#endif

static double now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Every byte once, 256 bytes per step in four independent streams of additions: no kernel reads faster.
__attribute__((target("avx2"))) static void read_all(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) {
    (void)cols; (void)x;
    const __m256i *p = (const __m256i *)w;
    size_t n = rows * ld * 2 / 32;
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        a = _mm256_add_epi32(a, _mm256_loadu_si256(p + i)); b = _mm256_add_epi32(b, _mm256_loadu_si256(p + i + 1));
        c = _mm256_add_epi32(c, _mm256_loadu_si256(p + i + 2)); d = _mm256_add_epi32(d, _mm256_loadu_si256(p + i + 3));
    }
    __m256i s = _mm256_add_epi32(_mm256_add_epi32(a, b), _mm256_add_epi32(c, d));
    y[0] = (float)_mm256_extract_epi32(s, 0);
}

typedef void (*kernel)(const uint16_t *, size_t, size_t, size_t, const float *, float *);

int main(int argc, char **argv) {
    if (argc < 5 || argc > 7) { fprintf(stderr, "usage: %s FILE WIDTH MIB REPEATS [file|anon|hugepages] [OFFSET]\n", argv[0]); return 64; }
    const size_t width = strtoul(argv[2], 0, 10), bytes = strtoul(argv[3], 0, 10) << 20, offset = (size_t)1 << 30;
    const int repeats = atoi(argv[4]);
    const char *memory = argc > 5 ? argv[5] : "file";
    const size_t skew = argc > 6 ? strtoul(argv[6], 0, 10) : 0;
    if (strcmp(memory, "file") && strcmp(memory, "anon") && strcmp(memory, "hugepages")) { fprintf(stderr, "memory: file, anon or hugepages\n"); return 64; }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0 || lseek(fd, 0, SEEK_END) < (off_t)(offset + skew + bytes)) { fprintf(stderr, "%s: cannot open, or shorter than 1 GiB + OFFSET + %s MiB\n", argv[1], argv[3]); return 2; }
    const char *file = mmap(0, offset + skew + bytes, PROT_READ, MAP_SHARED, fd, 0);
    const uint16_t *w = (const uint16_t *)(file + offset + skew);
    if (strcmp(memory, "file")) {
        // 2 MiB-aligned anonymous memory, advised as asked, holding the region at the same page offset.
        const size_t huge = 2 << 20, size = skew + bytes;
        char *raw = mmap(0, size + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        char *copy = (char *)(((size_t)raw + huge - 1) & ~(huge - 1));
        madvise(copy, size, strcmp(memory, "hugepages") ? MADV_NOHUGEPAGE : MADV_HUGEPAGE);
        memcpy(copy + skew, w, bytes);
        w = (const uint16_t *)(copy + skew);
    }
    const size_t rows = bytes / 2 / width;
    float *x = malloc(width * 4), *y = malloc(rows * 4), *first = malloc(rows * 4);
    for (size_t i = 0; i < width; i++) x[i] = (float)((i * 7919) % 1000) / 1000.f - 0.5f;
    struct { const char *name; kernel run; int level; double cpu, wall; } k[] = {
#ifdef BASELINE
        { "baseline avx2", baseline_avx2, CK_GEMV_AVX2, 1e9, 1e9 },
        { "baseline avx512", baseline_avx512, CK_GEMV_AVX512, 1e9, 1e9 },
#endif
        { "ck_gemv_bf16_avx2", ck_gemv_bf16_avx2, CK_GEMV_AVX2, 1e9, 1e9 },
        { "ck_gemv_bf16_avx512", ck_gemv_bf16_avx512, CK_GEMV_AVX512, 1e9, 1e9 },
        { "read (AVX2 loads)", read_all, CK_GEMV_AVX2, 1e9, 1e9 },
    };
    const int count = sizeof k / sizeof k[0], level = ck_gemv_bf16_level();
    read_all(w, width, rows, width, x, y);  // fault the pages in
    for (int round = 0; round < repeats; round++) {
        for (int i = 0; i < count; i++) {
            if (k[i].level > level) continue;
            double c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
            k[i].run(w, width, rows, width, x, y);
            double c = now(CLOCK_THREAD_CPUTIME_ID) - c0, t = now(CLOCK_MONOTONIC) - w0;
            if (c < k[i].cpu) k[i].cpu = c;
            if (t < k[i].wall) k[i].wall = t;
            if (k[i].run == read_all) continue;
            if (round == 0 && i == 0) memcpy(first, y, rows * 4);
            for (size_t r = 0; r < rows; r++)
                if (fabsf(y[r] - first[r]) > 1e-3f * (1 + fabsf(first[r]))) { fprintf(stderr, "%s: row %zu differs\n", k[i].name, r); return 1; }
        }
    }
    double load[1] = { 0 };
    getloadavg(load, 1);
    printf("%zu MiB as %zu x %zu bf16, %s memory, %zu bytes past a page, %d rounds, load %.1f; best GB/s\n", bytes >> 20, rows, width, memory, skew, repeats, load[0]);
    for (int i = 0; i < count; i++)
        if (k[i].level <= level) printf("%-24s by CPU time %6.2f   by wall time %6.2f\n", k[i].name, bytes / k[i].cpu / 1e9, bytes / k[i].wall / 1e9);
    return 0;
}
