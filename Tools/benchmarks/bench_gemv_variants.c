// Matrix-vector kernel variants at 1 and 2 threads over a region of the llm-jp-3-1.8b-shape checkpoint
// (issue 21, BENCHMARKS.md "Decoding, seventh session"): whether another kernel, or another split of the
// rows between two threads, reads the weights faster than main's ck_gemv_bf16_avx512.
//   0 main: ck_gemv_bf16_avx512 (2,048 wide: one row at a time, 256-bit, bf16 widened by shift);
//   1 dp3: x split exactly into three bf16 parts (x = h + m + l), three VDPBF16PS per 32 weights
//          (AVX512_BF16: the bf16 x bf16 products are exact in float32; sums in another order);
//   2 unpack: bf16 widened by interleaving with zeros (one shuffle instead of two), x permuted to match;
//   3 unpack without the per-page prefetch;
//   4 two rows at a time (adjacent), 5 two rows at a time (half the chunk apart): two weight streams per
//     thread, each row summed exactly as kernel 0 sums it (bitwise the same results).
// CHUNK 0: each thread a fixed half of the rows; else CHUNK rows at a time from an atomic counter.
// ANON=1 in the environment: the region is first copied into anonymous memory advised MADV_HUGEPAGE (on this
// machine it read as fast as the page cache's mapping of the file).
// Prints the median and best wall GB/s of REPS repetitions, and the largest relative difference of the
// first 64 outputs from main's kernel.
//
//   /opt/swift/usr/bin/clang -O2 -pthread -I Sources/CInferenceKernels/include Tools/benchmarks/bench_gemv_variants.c \
//       Sources/CInferenceKernels/ck_gemv.c -o /tmp/bench_gemv_variants -lm
//   /tmp/bench_gemv_variants MIB THREADS KERNEL REPS [CHUNK]      (e.g. 1024 2 0 21 64; CPUs 0 and 1)
// The file is /tmp/corpuskit-bench-llmjp/llm-jp-3-1.8b-shape-bf16/model.safetensors (bench_inference_llmjp
// makes it), from 1 GiB + 784 bytes on.
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <math.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include "ck_kernels.h"
typedef void (*kern)(const uint16_t*, size_t, size_t, size_t, const float*, float*);
// 3-part bf16 split of x, vdpbf16ps
static uint16_t *XH, *XM, *XL;
static uint16_t rne(float v){uint32_t u; memcpy(&u,&v,4); u += 0x7fff + ((u>>16)&1); return u>>16;}
static float fb(uint16_t h){uint32_t u=(uint32_t)h<<16; float f; memcpy(&f,&u,4); return f;}
__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
static void k_dp3(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) {
  for (size_t r = 0; r < rows; r++) {
    const uint16_t *q = w + r*ld;
    __m512 a0=_mm512_setzero_ps(), a1=a0, a2=a0;
    for (size_t c = 0; c < cols; c += 32) {
      if ((c & 2047) == 0) _mm_prefetch((const char *)(q + c) + 4096, _MM_HINT_T1);
      __m512bh wv = (__m512bh)_mm512_loadu_si512(q + c);
      a0 = _mm512_dpbf16_ps(a0, wv, (__m512bh)_mm512_loadu_si512(XH + c));
      a1 = _mm512_dpbf16_ps(a1, wv, (__m512bh)_mm512_loadu_si512(XM + c));
      a2 = _mm512_dpbf16_ps(a2, wv, (__m512bh)_mm512_loadu_si512(XL + c));
    }
    y[r] = _mm512_reduce_add_ps(_mm512_add_ps(a0, _mm512_add_ps(a1, a2)));
  }
}
// 512-bit unpack: zero-interleave gives w<<16 in lanes; x pre-permuted
static float *XP;
__attribute__((target("avx512f,avx512bw,avx512vl"), always_inline))
static inline void unpack_rows(const uint16_t *w, size_t ld, size_t rows, size_t cols, float *y, int prefetch) {
  const __m512i z = _mm512_setzero_si512();
  for (size_t r = 0; r < rows; r++) {
    const uint16_t *q = w + r*ld;
    __m512 a0=_mm512_setzero_ps(), a1=a0;
    for (size_t c = 0; c < cols; c += 32) {
      if (prefetch && (c & 2047) == 0) _mm_prefetch((const char *)(q + c) + 4096, _MM_HINT_T1);
      __m512i wv = _mm512_loadu_si512(q + c);
      a0 = _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_unpacklo_epi16(z, wv)), _mm512_loadu_ps(XP + c), a0);
      a1 = _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_unpackhi_epi16(z, wv)), _mm512_loadu_ps(XP + c + 16), a1);
    }
    y[r] = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
  }
}
__attribute__((target("avx512f,avx512bw,avx512vl")))
static void k_unp(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) { (void)x; unpack_rows(w, ld, rows, cols, y, 1); }
__attribute__((target("avx512f,avx512bw,avx512vl")))
static void k_unp_np(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) { (void)x; unpack_rows(w, ld, rows, cols, y, 0); }
// Two rows at a time, each accumulated exactly as main's one-row loop (four accumulators, same order),
// so the results are bitwise main's: two weight streams per thread in flight. `apart` rows between them.
__attribute__((target("avx2,fma"))) static inline __m256 ld8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}
__attribute__((target("avx2,fma"))) static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s)); s = _mm_add_ss(s, _mm_movehdup_ps(s)); return _mm_cvtss_f32(s);
}
__attribute__((target("avx2,fma"))) static void two_rows(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y, size_t apart) {
    size_t r = 0;
    for (; r + apart < rows; ) {
        const uint16_t *q = w + r * ld, *p = w + (r + apart) * ld;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (size_t c = 0; c < cols; c += 32) {
            if ((c & 2047) == 0) { _mm_prefetch((const char *)(q + c) + 4096, _MM_HINT_T1); _mm_prefetch((const char *)(p + c) + 4096, _MM_HINT_T1); }
            const __m256 x0 = _mm256_loadu_ps(x + c), x1 = _mm256_loadu_ps(x + c + 8), x2 = _mm256_loadu_ps(x + c + 16), x3 = _mm256_loadu_ps(x + c + 24);
            a0 = _mm256_fmadd_ps(ld8(q + c), x0, a0); b0 = _mm256_fmadd_ps(ld8(p + c), x0, b0);
            a1 = _mm256_fmadd_ps(ld8(q + c + 8), x1, a1); b1 = _mm256_fmadd_ps(ld8(p + c + 8), x1, b1);
            a2 = _mm256_fmadd_ps(ld8(q + c + 16), x2, a2); b2 = _mm256_fmadd_ps(ld8(p + c + 16), x2, b2);
            a3 = _mm256_fmadd_ps(ld8(q + c + 24), x3, a3); b3 = _mm256_fmadd_ps(ld8(p + c + 24), x3, b3);
        }
        y[r] = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        y[r + apart] = hsum8(_mm256_add_ps(_mm256_add_ps(b0, b1), _mm256_add_ps(b2, b3)));
        r++; if (r % apart == 0) r += apart;
    }
    if (r < rows) ck_gemv_bf16_avx512(w + r * ld, ld, rows - r, cols, x, y + r);
}
static void k_two_adj(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) { two_rows(w, ld, rows, cols, x, y, 1); }
static void k_two_far(const uint16_t *w, size_t ld, size_t rows, size_t cols, const float *x, float *y) { two_rows(w, ld, rows, cols, x, y, rows >= 2 ? rows / 2 : 1); }
static size_t CH=16;
static const uint16_t *W; static size_t ROWS, COLS; static float *X, *Y; static kern K; static int NT;
static atomic_size_t nxt; static pthread_barrier_t bar; static int REPS;
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static void *worker(void *arg){ long id=(long)arg; cpu_set_t s; CPU_ZERO(&s); CPU_SET(id,&s); pthread_setaffinity_np(pthread_self(),sizeof s,&s);
  for(int rep=0;rep<REPS;rep++){ pthread_barrier_wait(&bar); size_t c; if(CH==0){size_t lo=ROWS*id/NT,hi=ROWS*(id+1)/NT; K(W+lo*COLS,COLS,hi-lo,COLS,X,Y+lo);} else while((c=atomic_fetch_add(&nxt,1))*CH<ROWS){ K(W+c*CH*COLS,COLS,CH,COLS,X,Y+c*CH);} pthread_barrier_wait(&bar);} return 0;}
int main(int argc,char**argv){
  COLS=2048; size_t bytes=(size_t)atoi(argv[1])<<20; NT=atoi(argv[2]); int which=atoi(argv[3]); REPS=atoi(argv[4]);
  ROWS=bytes/2/COLS; int fd=open("/tmp/corpuskit-bench-llmjp/llm-jp-3-1.8b-shape-bf16/model.safetensors",O_RDONLY); size_t off=(1ul<<30)+784; const char *f=mmap(0,off+bytes,PROT_READ,MAP_SHARED,fd,0); W=(const uint16_t*)(f+off); if(getenv("ANON")){ uint16_t *a=aligned_alloc(2<<20,(bytes+(2<<20)-1)/(2<<20)*(2<<20)+4096); madvise(a,bytes,MADV_HUGEPAGE); a=(uint16_t*)((char*)a+784); memcpy(a,W,bytes); W=a; } volatile int sum=0; for(size_t i=0;i<bytes;i+=4096) sum+=((const char*)W)[i];
  X=aligned_alloc(64,COLS*4); Y=aligned_alloc(64,ROWS*4); for(size_t i=0;i<COLS;i++) X[i]=0.001f*(i%100)-0.03f;
  XH=aligned_alloc(64,COLS*2);XM=aligned_alloc(64,COLS*2);XL=aligned_alloc(64,COLS*2);XP=aligned_alloc(64,COLS*4);
  for(size_t i=0;i<COLS;i++){ float v=X[i]; uint16_t h=rne(v); float r1=v-fb(h); uint16_t m=rne(r1); float r2=r1-fb(m); XH[i]=h; XM[i]=m; XL[i]=rne(r2); if(fb(h)+fb(m)+fb(XL[i])!=v) printf("split inexact %zu\n",i);}
  for(size_t c=0;c<COLS;c+=32) for(int j=0;j<16;j++){ int lane=j/4, e=j%4; XP[c+j]=X[c+lane*8+e]; XP[c+16+j]=X[c+lane*8+4+e]; }
  K = which==0? ck_gemv_bf16_avx512 : which==1? k_dp3 : which==2? k_unp : which==3? k_unp_np : which==4? k_two_adj : k_two_far; if(argc>5) CH=atoi(argv[5]);
  // check
  float *ref=malloc(ROWS*4); ck_gemv_bf16_avx512(W,COLS,ROWS<64?ROWS:64,COLS,X,ref); K(W,COLS,ROWS<64?ROWS:64,COLS,X,Y); double md=0; for(int i=0;i<64&&i<ROWS;i++){double d=fabs(ref[i]-Y[i])/(fabs(ref[i])+1e-9); if(d>md)md=d;}
  pthread_barrier_init(&bar,0,NT+1); pthread_t t[2]; for(long i=0;i<NT;i++) pthread_create(&t[i],0,worker,(void*)i);
  double tot=0, best=1e9; double ts[64];
  for(int rep=0;rep<REPS;rep++){ atomic_store(&nxt,0); pthread_barrier_wait(&bar); double a=now(); pthread_barrier_wait(&bar); double b=now()-a; ts[rep]=b; if(b<best)best=b; }
  // median
  for(int i=0;i<REPS;i++)for(int j=i+1;j<REPS;j++) if(ts[j]<ts[i]){double tt=ts[i];ts[i]=ts[j];ts[j]=tt;}
  printf("chunk %zu MiB %d threads %d kernel %s: median %.1f GB/s best %.1f (maxrel %.2e)\n", CH, atoi(argv[1]), NT, which==0?"main":which==1?"dp3":which==2?"unpack":which==3?"unp-nopf":which==4?"two-adjacent":"two-far", bytes/ts[REPS/2]/1e9, bytes/best/1e9, md);
}
