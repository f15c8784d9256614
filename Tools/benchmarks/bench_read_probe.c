// The memory-read probe of BENCHMARKS.md "Decoding, seventh session" (issue 21): THREADS pinned threads sum
// 1 GiB of float32 in anonymous memory (MODE 0: ones, 1: pseudo-random values), nine repetitions; prints
// the median and best GB/s. On this project's shared 2-vCPU guest the figure at 2 threads swings between
// ~30-40 and ~55-92 GB/s from minute to minute; run it before and after a benchmark to know which state
// the benchmark saw.
//
//   /opt/swift/usr/bin/clang -O2 -pthread Tools/benchmarks/bench_read_probe.c -o /tmp/bench_read_probe
//   /tmp/bench_read_probe THREADS MODE        (THREADS 1 or 2; CPUs 0 and 1)
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
static float *B; static size_t N; static int NT; static pthread_barrier_t bar; static double part[2];
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
__attribute__((target("avx2"))) static void *w(void *a){ long id=(long)a; cpu_set_t s; CPU_ZERO(&s); CPU_SET(id,&s); pthread_setaffinity_np(pthread_self(),sizeof s,&s);
 for(int r=0;r<9;r++){ pthread_barrier_wait(&bar); size_t lo=N*id/NT, hi=N*(id+1)/NT; __m256 acc=_mm256_setzero_ps(), a2=acc; for(size_t i=lo;i<hi;i+=16){acc=_mm256_add_ps(acc,_mm256_loadu_ps(B+i)); a2=_mm256_add_ps(a2,_mm256_loadu_ps(B+i+8));} float t[8]; _mm256_storeu_ps(t,_mm256_add_ps(acc,a2)); part[id]+=t[0]; pthread_barrier_wait(&bar);} return 0;}
int main(int c,char**v){ NT=atoi(v[1]); int mode=atoi(v[2]); N=(1ul<<28); B=aligned_alloc(2<<20,N*4); madvise(B,N*4,MADV_HUGEPAGE);
 unsigned x=12345; for(size_t i=0;i<N;i++){ if(mode==0) B[i]=1.0f; else { x=x*1103515245+12345; B[i]=(float)(x>>8)*1e-7f; } }
 pthread_barrier_init(&bar,0,NT+1); pthread_t t[2]; for(long i=0;i<NT;i++) pthread_create(&t[i],0,w,(void*)i);
 double ts[9]; for(int r=0;r<9;r++){ pthread_barrier_wait(&bar); double a=now(); pthread_barrier_wait(&bar); ts[r]=now()-a; }
 for(int i=0;i<9;i++)for(int j=i+1;j<9;j++) if(ts[j]<ts[i]){double q=ts[i];ts[i]=ts[j];ts[j]=q;}
 printf("threads %d %s: median %.1f best %.1f GB/s\n",NT,mode?"random":"ones",N*4/ts[4]/1e9,N*4/ts[0]/1e9); }
