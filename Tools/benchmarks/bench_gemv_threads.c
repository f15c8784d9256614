// Two threads through the AVX-512 matrix-vector kernel over one region of a safetensors file (issue 21,
// BENCHMARKS.md "Decoding, fourth pass"): how the rows are split between them decides the aggregate GB/s
// on a machine whose two cores do not run at the same speed. MODE 0: each thread a fixed contiguous half
// (as `ComputePool.parallel` splits decoding's rows on main); 1: the threads claim CHUNK rows at a time
// from an atomic counter (branch s6-dec-chunks, and llama.cpp's split of a matrix-vector product); 2: a
// fixed interleave of CHUNK-row chunks. Best of 5 rounds, wall GB/s; the region starts 1 GiB + 784 bytes
// into FILE, as in bench_gemv_kernels.c.
//
//   cc -O2 -pthread -I Sources/CInferenceKernels/include Tools/benchmarks/bench_gemv_threads.c Sources/CInferenceKernels/ck_gemv.c -o /tmp/bench_gemv_threads
//   /tmp/bench_gemv_threads /tmp/corpuskit-bench-llmjp/llm-jp-3-1.8b-shape-bf16/model.safetensors 2048 448 1 16
//
// Usage: bench_gemv_threads FILE WIDTH MIB MODE [CHUNK]   (CPUs 0 and 1; the CPU must have AVX-512)
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "ck_kernels.h"
static const uint16_t *W; static size_t ROWS, COLS, CHUNK; static float *X, *Y; static int MODE;
static atomic_size_t next_chunk;
static pthread_barrier_t bar;
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static void *worker(void *arg) {
    long id = (long)arg;
    cpu_set_t s; CPU_ZERO(&s); CPU_SET(id, &s); pthread_setaffinity_np(pthread_self(), sizeof s, &s);
    for (int rep = 0; rep < 5; rep++) {
        pthread_barrier_wait(&bar);
        if (MODE == 0) { size_t lo = ROWS * id / 2, hi = ROWS * (id + 1) / 2; ck_gemv_bf16_avx512(W + lo * COLS, COLS, hi - lo, COLS, X, Y + lo); }
        else if (MODE == 2) { for (size_t c = id; c * CHUNK < ROWS; c += 2) { size_t lo = c * CHUNK, n = ROWS - lo < CHUNK ? ROWS - lo : CHUNK; ck_gemv_bf16_avx512(W + lo * COLS, COLS, n, COLS, X, Y + lo); } }
        else { size_t c; while ((c = atomic_fetch_add(&next_chunk, 1)) * CHUNK < ROWS) { size_t lo = c * CHUNK, n = ROWS - lo < CHUNK ? ROWS - lo : CHUNK; ck_gemv_bf16_avx512(W + lo * COLS, COLS, n, COLS, X, Y + lo); } }
        pthread_barrier_wait(&bar);
    }
    return 0;
}
int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s FILE WIDTH MIB MODE [CHUNK]\n", argv[0]); return 64; }
    COLS = atoi(argv[2]); size_t bytes = (size_t)atoi(argv[3]) << 20; MODE = atoi(argv[4]); CHUNK = argc > 5 ? atoi(argv[5]) : 16;
    int fd = open(argv[1], O_RDONLY); size_t off = (1ul << 30) + 784;
    if (fd < 0 || COLS == 0 || MODE < 0 || MODE > 2 || CHUNK == 0 || lseek(fd, 0, SEEK_END) < (off_t)(off + bytes)) {
        fprintf(stderr, "%s: cannot open, or shorter than 1 GiB + 784 B + MIB; or a bad WIDTH, MODE or CHUNK\n", argv[1]);
        return 2;
    }
    const char *f = mmap(0, off + bytes, PROT_READ, MAP_SHARED, fd, 0); W = (const uint16_t *)(f + off);
    ROWS = bytes / 2 / COLS; X = malloc(COLS * 4); Y = malloc(ROWS * 4);
    for (size_t i = 0; i < COLS; i++) X[i] = 0.001f * (i % 100);
    volatile int s = 0; for (size_t i = 0; i < bytes; i += 4096) s += ((const char *)W)[i];
    pthread_barrier_init(&bar, 0, 3);
    pthread_t t[2]; for (long i = 0; i < 2; i++) pthread_create(&t[i], 0, worker, (void *)i);
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) { atomic_store(&next_chunk, 0); pthread_barrier_wait(&bar); double a = now(); pthread_barrier_wait(&bar); double b = now() - a; if (b < best) best = b; }
    printf("cols %zu mode %s chunk %zu: %.2f GB/s\n", COLS, MODE == 2 ? "static" : MODE ? "chunks" : "halves", CHUNK, bytes / best / 1e9);
    return 0;
}
