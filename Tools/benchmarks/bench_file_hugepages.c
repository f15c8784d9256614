// How a memory-mapped checkpoint file ends up mapped, and how fast one core then reads it (issue 21,
// BENCHMARKS.md "Decoding, fourth pass"): maps FILE read-only as `corpuskit model` does
// (Sources/CorpusKitSystem/MappedFile.swift), applies the advice named in MODE, touches every 4 KiB page
// (the first pass of a decode), and prints the load's wall / user / system seconds, the mapping's
// `FilePmdMapped` (bytes mapped with 2 MiB page-table entries, from /proc/self/smaps_rollup) and the
// GB/s of three plain reads of the whole mapping.
//
// MODE is a comma-separated list of: `plain` (nothing), `huge` (madvise MADV_HUGEPAGE before the first
// touch, as MappedWeights does), `collapse` (then MADV_COLLAPSE), `random` (MADV_RANDOM: no readahead,
// so pages missing from the page cache are read in 4 KiB folios; a way to put the file in the cache in
// small folios), `populate` (MAP_POPULATE instead of the touching loop).
// Which folios the page cache holds decides the mapping; to start from an empty cache for this one file:
//   python3 -c "import os; os.posix_fadvise(os.open('FILE', os.O_RDONLY), 0, 0, os.POSIX_FADV_DONTNEED)"
//
//   cc -O2 Tools/benchmarks/bench_file_hugepages.c -o /tmp/bench_file_hugepages
//   taskset -c 0 /tmp/bench_file_hugepages /tmp/corpuskit-bench-llmjp/llm-jp-3-1.8b-shape-bf16/model.safetensors huge
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <immintrin.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void cpu(double *user, double *system) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    *user = r.ru_utime.tv_sec + r.ru_utime.tv_usec * 1e-6;
    *system = r.ru_stime.tv_sec + r.ru_stime.tv_usec * 1e-6;
}

// Every byte once, 128 bytes per step in four independent streams of additions.
__attribute__((target("avx2"))) static int read_all(const char *p, size_t n) {
    const __m256i *q = (const __m256i *)p;
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    for (size_t i = 0; i + 4 <= n / 32; i += 4) {
        a = _mm256_add_epi32(a, _mm256_loadu_si256(q + i)); b = _mm256_add_epi32(b, _mm256_loadu_si256(q + i + 1));
        c = _mm256_add_epi32(c, _mm256_loadu_si256(q + i + 2)); d = _mm256_add_epi32(d, _mm256_loadu_si256(q + i + 3));
    }
    return _mm256_extract_epi32(_mm256_add_epi32(_mm256_add_epi32(a, b), _mm256_add_epi32(c, d)), 0);
}

static void advise(char *p, size_t n, int advice, const char *name) {
    double start = now();
    int rc = madvise(p, n, advice);
    printf("%s: %s (%.2f s)\n", name, rc ? strerror(errno) : "ok", now() - start);
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s FILE plain|huge|collapse|random|populate[,...]\n", argv[0]); return 64; }
    const char *mode = argv[2];
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || st.st_size == 0) { fprintf(stderr, "%s: cannot open, or empty\n", argv[1]); return 2; }
    const size_t n = st.st_size;
    double t0 = now(), u0, s0, u1, s1;
    cpu(&u0, &s0);
    char *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE | (strstr(mode, "populate") ? MAP_POPULATE : 0), fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    if (strstr(mode, "random")) advise(p, n, MADV_RANDOM, "MADV_RANDOM");
    if (strstr(mode, "huge")) advise(p, n, MADV_HUGEPAGE, "MADV_HUGEPAGE");
    if (strstr(mode, "collapse")) advise(p, n, MADV_COLLAPSE, "MADV_COLLAPSE");
    volatile char sink = 0;
    if (!strstr(mode, "populate"))
        for (size_t i = 0; i < n; i += 4096) sink += p[i];
    cpu(&u1, &s1);
    printf("mapping 2 MiB-aligned: %s; load: wall %.2f s, user %.2f s, system %.2f s\n",
           ((size_t)p & ((2 << 20) - 1)) ? "no" : "yes", now() - t0, u1 - u0, s1 - s0);
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "Rss:", 4) || !strncmp(line, "FilePmdMapped:", 14)) fputs(line, stdout);
    if (f) fclose(f);
    for (int round = 0; round < 3; round++) {
        double start = now();
        sink += (char)read_all(p, n);
        printf("read %.2f GB/s\n", n / (now() - start) / 1e9);
    }
    return 0;
}
