// The Unigram forward pass in C, several ways, on a CorpusKit trie cache entry (format 5: each cell's base a byte
// offset, as DoubleArrayTrie stores it since the seventeenth session) and a prepared text (issue 22; BENCHMARKS.md
// "Eighth session: ... walks in AVX-512 lanes", "Seventeenth session"). sentencepiece's float32 policy without re-basing
// and, except in `full`, without the Swift loop's special first steps (ThreeByteStarts, SpaceRunChain), so
// those variants walk every byte of every start from the root:
//   A  one start at a time, the walk and its offers interleaved (the Swift loop's structure);
//   full  A with the Swift loop's special first steps too (ThreeByteStarts, SpaceRunChain): the Swift forward
//      pass in C, to compare with the `segment` share of a `corpuskit encode` profile (ONLY_FULL=1);
//   A0 A with each cell's base an index (the cache format before the seventeenth session: one shift more on the
//      walk's dependency chain);
//   P8 full with 8-byte cells {base, check | 1 when a key ends there} and the ending key's {value, payload} in a
//      second array at the same offset, read only where a key ends (half the cells' footprint);
//   B  the walks first, 16 starts at a time in AVX-512 lanes (gathers; each start's candidates scattered into
//      its slot), NV vectors in flight, then the offers start by start in text order.
//   C  full with every walk's first K steps (default 4) branch-free: a walk that ended keeps its state, each
//      offer is a blended store (score, start and id stored back unchanged when the candidate loses), so the
//      only data-dependent branch left is "still walking after K steps", which goes on with full's loop (ninth
//      session: whether taking out the walk-end and offer mispredictions lets the core overlap the starts).
// Prints whether full's, A0's, P8's and B's nodes equal A's (C's, full's) on every document, then the times. B needs
// AVX-512 (compiled only where -march gives it: on Zen 3 the program runs A, full, C, P8 and A0).
//
//   python3 -c 'import json,struct,sys; o=open("mixed.bin","wb")
//   for l in open(sys.argv[1]): b=("\u2581"+json.loads(l)["text"].replace(" ","\u2581")).encode(); o.write(struct.pack("<I",len(b))+b)' mixed.jsonl
//   gcc -O2 -march=native -DNV=1 -DK=4 -o walk Tools/benchmarks/bench_viterbi_walks.c -lm
//   taskset -c 0 ./walk ~/.cache/corpuskit/tries/ENTRY.trie mixed.bin 5     # SKIP2=1: B without its offers; ONLY_A0=1, ONLY_C=1, ONLY_P8=1;
//                                                                              # COUNT=1: which starts could be skipped (below)
#ifdef __AVX512F__
#include <immintrin.h>
#endif
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { int32_t base, check, value; uint32_t payload; } Unit;
typedef struct { float score; int32_t start; int32_t id; } Node;

static const uint8_t *cells;
static int skip2;
static float unknown_score = -20.0f;
static int32_t unknown_id = 0;

static inline int charlen(uint8_t b) { return b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4; }

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

#define CELL(off, field) (*(const int32_t *)(cells + (off) + (field)))

// Every node unreached but the first.
static inline void reset_nodes(Node *best, int n) {
    for (int i = 0; i <= n; i++) { best[i].score = -INFINITY; best[i].start = -1; best[i].id = -1; }
    best[0].score = 0;
}

// A candidate: kept when strictly better than what reached `end` (the first of equals wins).
static inline __attribute__((always_inline)) void offer(Node *best, int end, float c, int start, int32_t id) {
    if (c > best[end].score) { best[end].score = c; best[end].start = start; best[end].id = id; }
}

// The walk from state `off` at `pos` for the start `i` (path score `s`), offering every key it passes;
// returns whether it offered the one-character piece (length `clen`).
static inline __attribute__((always_inline)) int walk(const uint8_t *text, int n, Node *best, int i, int clen, float s,
                                                      int32_t off, int pos) {
    int single = 0;
    while (pos < n) {
        int32_t t = CELL(off, 0) + text[pos] * 16;
        if (CELL(t, 4) != off) break;
        off = t; pos++;
        int32_t v = CELL(t, 8);
        if (v >= 0) {
            offer(best, pos, s + *(const float *)(cells + t + 12), i, v);
            if (pos - i == clen) single = 1;
        }
    }
    return single;
}

static void forward_a(const uint8_t *text, int n, Node *best) {
    reset_nodes(best, n);
    int i = 0;
    while (i < n) {
        float s = best[i].score;
        int clen = charlen(text[i]); if (clen > n - i) clen = n - i;
        if (!walk(text, n, best, i, clen, s, 0, i)) offer(best, i + clen, s + unknown_score, i, unknown_id);
        i += clen;
    }
}

static const uint8_t *cells_index;   // the same cells with base stored as an index (base / 16)
#define CELLI(off, field) (*(const int32_t *)(cells_index + (off) + (field)))
static void forward_a0(const uint8_t *text, int n, Node *best) {
    reset_nodes(best, n);
    int i = 0;
    while (i < n) {
        float s = best[i].score;
        int clen = charlen(text[i]); if (clen > n - i) clen = n - i;
        int single = 0; int32_t off = 0; int pos = i;
        while (pos < n) {
            int32_t t = (CELLI(off, 0) + text[pos]) * 16;
            if (CELLI(t, 4) != off) break;
            off = t; pos++;
            int32_t v = CELLI(t, 8);
            if (v >= 0) {
                offer(best, pos, s + *(const float *)(cells_index + t + 12), i, v);
                if (pos - i == clen) single = 1;
            }
        }
        if (!single) offer(best, i + clen, s + unknown_score, i, unknown_id);
        i += clen;
    }
}


// The Swift loop's exact structure: ThreeByteStarts (state after a 3-byte character's first two bytes in one
// load) and SpaceRunChain (runs of U+2581 stepped a character at a time), walks resumed from there.
static int32_t three[16 * 256];
static int three_ok;
static int32_t chain_state[1025], chain_value[1025];
static int chain_len;
static inline int32_t next_state(int32_t state, uint8_t byte) {   // states as byte offsets
    int32_t t = CELL(state, 0) + byte * 16;
    return CELL(t, 4) == state ? t : -1;
}
static void build_tables(void) {
    three_ok = 1;
    for (int i = 0; i < 16 * 256; i++) three[i] = -1;
    for (int low = 0; low < 16 && three_ok; low++) {
        int32_t first = next_state(0, 0xE0 | low);
        if (first < 0) continue;
        if (CELL(first, 8) >= 0) { three_ok = 0; break; }
        for (int second = 0; second < 256; second++) {
            int32_t st = next_state(first, second);
            if (st < 0) continue;
            if (CELL(st, 8) >= 0) { three_ok = 0; break; }
            three[low << 8 | second] = st;
        }
    }
    chain_state[0] = 0; chain_value[0] = -1; chain_len = 0;
    int32_t state = 0;
    while (chain_len < 1024) {
        const uint8_t sp[3] = {0xE2, 0x96, 0x81};
        int ok = 1;
        for (int b = 0; b < 3; b++) {
            int32_t nx = next_state(state, sp[b]);
            if (nx < 0) { ok = 0; break; }
            if (b < 2 && CELL(nx, 8) >= 0) { chain_len = 0; ok = 0; break; }
            state = nx;
        }
        if (!ok) break;
        chain_len++;
        chain_state[chain_len] = state; chain_value[chain_len] = CELL(state, 8);
    }
}
static inline int is_space(const uint8_t *t, int p, int n) { return p + 3 <= n && t[p] == 0xE2 && t[p + 1] == 0x96 && t[p + 2] == 0x81; }

// The Swift loop's per-start prologue: the character's length, the `▁`-run chain's offers and the
// state the walk starts from (`*off` < 0: no piece starts here). Returns whether it offered the
// one-character piece.
static inline __attribute__((always_inline)) int first_steps(const uint8_t *text, int n, Node *best, int i, float s,
                                                             int *clen, int32_t *off, int *pos, int *run_end) {
    int single = 0;
    uint8_t lead = text[i];
    *clen = 1; *off = 0; *pos = i;
    if (lead < 0x80) {
    } else if ((lead & 0xF0) == 0xE0) {
        *clen = n - i < 3 ? n - i : 3;
        if (lead == 0xE2 && chain_len > 0 && is_space(text, i, n)) {
            if (i >= *run_end) { *run_end = i; while (is_space(text, *run_end, n)) *run_end += 3; }
            int steps = (*run_end - i) / 3; if (steps > chain_len) steps = chain_len;
            for (int st = 1; st <= steps; st++) {
                int32_t v = chain_value[st];
                if (v >= 0) {
                    offer(best, i + 3 * st, s + *(const float *)(cells + chain_state[st] + 12), i, v);
                    if (st == 1) single = 1;
                }
            }
            *off = chain_state[steps]; *pos = i + 3 * steps;
        } else if (three_ok && i + 1 < n) {
            *off = three[(lead & 0x0F) << 8 | text[i + 1]]; *pos = i + 2;
        }
    } else {
        *clen = charlen(lead); if (*clen > n - i) *clen = n - i;
    }
    return single;
}

#ifndef K
#define K 4
#endif
// The Swift loop's structure (`branch_free` 0: variant full) or variant C (1): full's special first steps,
// then K branch-free steps of the walk, then full's loop if still walking. C's text is padded (its steps
// read past the end) and its nodes have K + 8 spare entries past it.
static inline __attribute__((always_inline)) void forward_steps(const uint8_t *text, int n, Node *best, int branch_free) {
    reset_nodes(best, n);
    int i = 0, run_end = 0;
    while (i < n) {
        float s = best[i].score;
        int clen, pos; int32_t off;
        int single = first_steps(text, n, best, i, s, &clen, &off, &pos, &run_end);
        if (off >= 0 && !branch_free) {
            single |= walk(text, n, best, i, clen, s, off, pos);
        } else if (off >= 0) {
            int alive = 1;
#pragma GCC unroll 16
            for (int k = 0; k < K; k++) {
                int p = pos + k;
                int32_t t = CELL(off, 0) + text[p] * 16;
                int ok = alive & (CELL(t, 4) == off) & (p < n);
                off = ok ? t : off;
                int32_t v = CELL(t, 8);
                float c = s + *(const float *)(cells + t + 12);
                int end = p + 1;
                // Field by field: a 12-byte load of a node just stored in parts would not be forwarded.
                float old_score = best[end].score; int32_t old_start = best[end].start, old_id = best[end].id;
                int win = ok & (v >= 0) & (c > old_score);
                best[end].score = win ? c : old_score; best[end].start = win ? i : old_start; best[end].id = win ? v : old_id;
                single |= ok & (v >= 0) & (end == i + clen);
                alive = ok;
            }
            if (alive) single |= walk(text, n, best, i, clen, s, off, pos + K);
        }
        if (!single) offer(best, i + clen, s + unknown_score, i, unknown_id);
        i += clen;
    }
}
static void forward_full(const uint8_t *text, int n, Node *best) { forward_steps(text, n, best, 0); }
static void forward_c(const uint8_t *text, int n, Node *best) { forward_steps(text, n, best, 1); }

#ifdef __AVX512F__
#define SLOT 16
#define BLOCK 512

static int32_t starts[1 << 22];
static int32_t slot_packed[BLOCK * SLOT];
static float slot_payload[BLOCK * SLOT];
static int32_t slot_count[BLOCK];


typedef struct { __m512i off, pos, origin, kk, cnt; __mmask16 active; int next, end; } Lanes;
#ifndef NV
#define NV 2
#endif
static inline __attribute__((always_inline)) int lanes_step(Lanes *S, const uint8_t *text, int n, int k0) {
    const __m512i lane_ids = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i nn = _mm512_set1_epi32(n);
    __mmask16 idle = (__mmask16)~S->active;
    if (idle && S->next < S->end) {
        int avail = S->end - S->next;
        int want = __builtin_popcount(idle);
        __mmask16 fill = idle;
        if (avail < want) {
            __mmask16 f = 0; int c = 0;
            for (int l = 0; l < 16 && c < avail; l++) if (idle >> l & 1) { f |= 1 << l; c++; }
            fill = f; want = avail;
        }
        __m512i seq = _mm512_add_epi32(_mm512_set1_epi32(S->next), lane_ids);
        S->kk = _mm512_mask_expand_epi32(S->kk, fill, seq);
        __m512i local = _mm512_sub_epi32(S->kk, _mm512_set1_epi32(k0));
        S->origin = _mm512_mask_i32gather_epi32(S->origin, fill, S->kk, starts, 4);
        S->pos = _mm512_mask_mov_epi32(S->pos, fill, S->origin);
        S->off = _mm512_mask_mov_epi32(S->off, fill, _mm512_setzero_si512());
        S->cnt = _mm512_mask_mov_epi32(S->cnt, fill, _mm512_mullo_epi32(local, _mm512_set1_epi32(SLOT)));
        S->active |= fill;
        S->next += want;
    }
    __mmask16 active = S->active;
    if (!active) return 0;
    __m512i off = S->off, pos = S->pos, cnt = S->cnt;
    __mmask16 inside = _mm512_mask_cmplt_epi32_mask(active, pos, nn);
    __m512i base = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), inside, off, cells, 1);
    __m512i byte = _mm512_and_si512(_mm512_mask_i32gather_epi32(_mm512_setzero_si512(), inside, pos, text, 1), _mm512_set1_epi32(0xFF));
    __m512i t = _mm512_add_epi32(base, _mm512_slli_epi32(byte, 4));
    __m512i chk = _mm512_mask_i32gather_epi32(_mm512_set1_epi32(-1), inside, _mm512_add_epi32(t, _mm512_set1_epi32(4)), cells, 1);
    __mmask16 alive = _mm512_mask_cmpeq_epi32_mask(inside, chk, off);
    __m512i val = _mm512_mask_i32gather_epi32(_mm512_set1_epi32(-1), alive, _mm512_add_epi32(t, _mm512_set1_epi32(8)), cells, 1);
    pos = _mm512_mask_add_epi32(pos, alive, pos, _mm512_set1_epi32(1));
    off = _mm512_mask_mov_epi32(off, alive, t);
    __mmask16 has = _mm512_mask_cmpge_epi32_mask(alive, val, _mm512_setzero_si512());
    if (has) {
        __m512i pay = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), has, _mm512_add_epi32(t, _mm512_set1_epi32(12)), cells, 1);
        __m512i len = _mm512_sub_epi32(pos, S->origin);
        __m512i packed = _mm512_or_si512(_mm512_slli_epi32(len, 24), val);
        __m512i limit = _mm512_add_epi32(_mm512_mullo_epi32(_mm512_sub_epi32(S->kk, _mm512_set1_epi32(k0)), _mm512_set1_epi32(SLOT)), _mm512_set1_epi32(SLOT));
        __mmask16 room = _mm512_mask_cmplt_epi32_mask(has, cnt, limit);
        _mm512_mask_i32scatter_epi32(slot_packed, room, cnt, packed, 4);
        _mm512_mask_i32scatter_epi32(slot_payload, room, cnt, pay, 4);
        cnt = _mm512_mask_add_epi32(cnt, has, cnt, _mm512_set1_epi32(1));
    }
    __mmask16 ended = active & ~alive;
    if (ended) {
        __m512i local = _mm512_sub_epi32(S->kk, _mm512_set1_epi32(k0));
        __m512i c = _mm512_sub_epi32(cnt, _mm512_mullo_epi32(local, _mm512_set1_epi32(SLOT)));
        _mm512_mask_i32scatter_epi32(slot_count, ended, local, c, 4);
        active &= alive;
    }
    S->off = off; S->pos = pos; S->cnt = cnt; S->active = active;
    return 1;
}

static void forward_b(const uint8_t *text, int n, Node *best) {
    reset_nodes(best, n);
    int m = 0;
    for (int i = 0; i < n; ) { starts[m++] = i; int c = charlen(text[i]); i += c; }
    for (int k0 = 0; k0 < m; k0 += BLOCK) {
        int kend = k0 + BLOCK < m ? k0 + BLOCK : m;
        // Phase 1: walks, NV vectors of 16 lanes in flight, each over its own share of the block.
        Lanes L[NV];
        int share = (kend - k0 + NV - 1) / NV;
        for (int v = 0; v < NV; v++) {
            L[v].off = L[v].pos = L[v].origin = L[v].kk = L[v].cnt = _mm512_setzero_si512();
            L[v].active = 0; L[v].next = k0 + v * share; L[v].end = k0 + (v + 1) * share < kend ? k0 + (v + 1) * share : kend;
        }
        for (;;) {
            int any = 0;
            for (int v = 0; v < NV; v++) any |= lanes_step(&L[v], text, n, k0);
            if (!any) break;
        }
        // Phase 2: offers in text order.
        if (skip2) continue;
        for (int k = k0; k < kend; k++) {
            int i = starts[k];
            float s = best[i].score;
            int clen = charlen(text[i]); if (clen > n - i) clen = n - i;
            int single = 0;
            int c = slot_count[k - k0];
            if (c > SLOT) {
                single = walk(text, n, best, i, clen, s, 0, i);   // more candidates than its slot holds
            } else {
                const int32_t *p = slot_packed + (k - k0) * SLOT;
                const float *q = slot_payload + (k - k0) * SLOT;
                for (int j = 0; j < c; j++) {
                    int len = (uint32_t)p[j] >> 24;
                    int e = i + len;
                    offer(best, e, s + q[j], i, p[j] & 0xFFFFFF);
                    single |= (len == clen);
                }
            }
            if (!single) offer(best, i + clen, s + unknown_score, i, unknown_id);
        }
    }
}

#endif

// P8 (see the top): the cells converted from the 16-byte ones, base and check rescaled to 8-byte offsets.
static uint8_t *cells8, *leaf8;
#define C8(off, field) (*(const int32_t *)(cells8 + (off) + (field)))
#define L8(off, field) (*(const int32_t *)(leaf8 + (off) + (field)))
static int32_t three8[16 * 256];
static int32_t chain_state8[1025];
static void build8(long units) {
    cells8 = aligned_alloc(64, (units * 8 + 63) / 64 * 64 + 4096 * 8);
    leaf8 = aligned_alloc(64, (units * 8 + 63) / 64 * 64 + 4096 * 8);
    for (long u = 0; u < units; u++) {
        const int32_t *src = (const int32_t *)(cells + u * 16);
        int32_t *dst = (int32_t *)(cells8 + u * 8), *lf = (int32_t *)(leaf8 + u * 8);
        dst[0] = src[0] / 2;
        dst[1] = src[1] < 0 ? -1 : (src[1] / 16 * 8) | (src[2] >= 0 ? 1 : 0);
        lf[0] = src[2]; lf[1] = src[3];
    }
    for (int i = 0; i < 16 * 256; i++) three8[i] = three[i] < 0 ? -1 : three[i] / 2;
    for (int i = 0; i <= chain_len; i++) chain_state8[i] = chain_state[i] / 2;
}
static inline __attribute__((always_inline)) int walk8(const uint8_t *text, int n, Node *best, int i, int clen, float s,
                                                      int32_t off, int pos) {
    int single = 0;
    while (pos < n) {
        int32_t t = C8(off, 0) + text[pos] * 8;
        int32_t c = C8(t, 4);
        if ((uint32_t)(c ^ off) > 1) break;
        off = t; pos++;
        if (c & 1) {
            offer(best, pos, s + *(const float *)(leaf8 + t + 4), i, L8(t, 0));
            if (pos - i == clen) single = 1;
        }
    }
    return single;
}
static void forward_p8(const uint8_t *text, int n, Node *best) {
    reset_nodes(best, n);
    int i = 0, run_end = 0;
    while (i < n) {
        float s = best[i].score;
        int single = 0;
        uint8_t lead = text[i];
        int clen = 1; int32_t off = 0; int pos = i;
        if (lead < 0x80) {
        } else if ((lead & 0xF0) == 0xE0) {
            clen = n - i < 3 ? n - i : 3;
            if (lead == 0xE2 && chain_len > 0 && is_space(text, i, n)) {
                if (i >= run_end) { run_end = i; while (is_space(text, run_end, n)) run_end += 3; }
                int steps = (run_end - i) / 3; if (steps > chain_len) steps = chain_len;
                for (int st = 1; st <= steps; st++) {
                    int32_t v = chain_value[st];
                    if (v >= 0) {
                        offer(best, i + 3 * st, s + *(const float *)(cells + chain_state[st] + 12), i, v);
                        if (st == 1) single = 1;
                    }
                }
                off = chain_state8[steps]; pos = i + 3 * steps;
            } else if (three_ok && i + 1 < n) {
                off = three8[(lead & 0x0F) << 8 | text[i + 1]]; pos = i + 2;
            }
        } else {
            clen = charlen(lead); if (clen > n - i) clen = n - i;
        }
        if (off >= 0) single |= walk8(text, n, best, i, clen, s, off, pos);
        if (!single) offer(best, i + clen, s + unknown_score, i, unknown_id);
        i += clen;
    }
}


// COUNT=1 (seventeenth session): could a start be skipped? `forward_count` is `full` counting the steps walked
// from starts none of whose offers changed a node (what an oracle that skips them would save; "inside the
// frontier": none of their offers reached past the furthest end offered before), and it also tries an exact
// test that needs no walk: with the best score and the deepest key below the state after the start's
// first character (`build_bounds`), the start is skipped when its path score plus that best score would not beat
// any node it could reach (`<=`: the first of equal candidates wins, and float addition is monotone); it counts
// the starts the test would skip and checks that none of them made a winning offer.
static long st_steps, st_useless_steps, st_starts, st_useless_starts, st_inside_useless_steps, st_inside_useless_starts;
static inline int walk_count(const uint8_t *text, int n, Node *best, int i, int clen, float s, int32_t off, int pos, int *won, int *maxend) {
    int single = 0;
    while (pos < n) {
        int32_t t = CELL(off, 0) + text[pos] * 16;
        st_steps++;
        if (CELL(t, 4) != off) break;
        off = t; pos++;
        int32_t v = CELL(t, 8);
        if (v >= 0) {
            float c = s + *(const float *)(cells + t + 12);
            if (c > best[pos].score) { *won = 1; best[pos].score = c; best[pos].start = i; best[pos].id = v; }
            if (pos > *maxend) *maxend = pos;
            if (pos - i == clen) single = 1;
        }
    }
    return single;
}

// Per state: the best score of a key at or below it, and the depth (bytes) of the deepest key below it.
static float *max_below; static int32_t *depth_below; static long nunits;
static void build_bounds(long units) {
    nunits = units;
    max_below = malloc(units * sizeof(float)); depth_below = malloc(units * sizeof(int32_t));
    // iterative post-order DFS from the root over states (indices)
    int32_t *stack = malloc(units * 2 * sizeof(int32_t)); long sp = 0;
    char *done = calloc(units, 1);
    stack[sp++] = 0;
    while (sp) {
        int32_t st = stack[sp - 1];
        int32_t off = st * 16;
        int32_t base = CELL(off, 0);
        if (!done[st]) {
            done[st] = 1;
            for (int c = 0; c < 256; c++) { int32_t u = base + c * 16; if (u / 16 < units && u > 0 && CELL(u, 4) == off) stack[sp++] = u / 16; }
            continue;
        }
        sp--;
        float m = CELL(off, 8) >= 0 ? *(const float *)(cells + off + 12) : -INFINITY;
        int32_t d = 0;
        for (int c = 0; c < 256; c++) { int32_t u = base + c * 16; if (u / 16 < units && u > 0 && CELL(u, 4) == off) { if (max_below[u / 16] > m) m = max_below[u / 16]; if (depth_below[u / 16] + 1 > d) d = depth_below[u / 16] + 1; } }
        max_below[st] = m; depth_below[st] = d;
    }
}
static long pr_starts, pr_steps, pr_wrong, within_starts, within_steps;
// `full`, counting: before each start's walk the bound test (on the nodes as they are then), after it whether
// an offer won and how far its offers reached.
static void forward_count(const uint8_t *text, int n, Node *best) {
    reset_nodes(best, n);
    int i = 0, run_end = 0, frontier = 0;
    while (i < n) {
        float s = best[i].score;
        int clen, pos; int32_t off;
        int cl = charlen(text[i]); if (cl > n - i) cl = n - i;
        int32_t st = 0; int ok = 1, within = 0, prunable;
        for (int k = 0; k < cl; k++) { int32_t t = CELL(st, 0) + text[i + k] * 16; if (CELL(t, 4) != st) { ok = 0; break; } st = t; }
        if (ok) {
            float bound = s + max_below[st / 16];
            int reach = i + cl + depth_below[st / 16]; if (reach > n) reach = n;
            within = reach <= frontier;
            prunable = 1;
            for (int e = i + cl; e <= reach; e++) {
                if (e < n && (text[e] & 0xC0) == 0x80) continue;   // no key ends inside a character
                if (!(bound <= best[e].score)) { prunable = 0; break; }
            }
            if (CELL(st, 8) < 0 && !(s + unknown_score <= best[i + cl].score)) prunable = 0;
        } else {
            prunable = s + unknown_score <= best[i + cl].score;
        }
        long before = st_steps;
        int single = first_steps(text, n, best, i, s, &clen, &off, &pos, &run_end);
        int won = 0, maxend = i;
        if (off >= 0) single |= walk_count(text, n, best, i, clen, s, off, pos, &won, &maxend);
        if (!single) {
            float c = s + unknown_score;
            if (c > best[i + clen].score) { won = 1; best[i + clen].score = c; best[i + clen].start = i; best[i + clen].id = unknown_id; }
            if (i + clen > maxend) maxend = i + clen;
        }
        long steps = st_steps - before;
        st_starts++;
        if (!won) { st_useless_starts++; st_useless_steps += steps; if (maxend <= frontier) { st_inside_useless_starts++; st_inside_useless_steps += steps; } }
        if (prunable) { pr_starts++; pr_steps += steps; if (won) pr_wrong++; }
        if (within) { within_starts++; within_steps += steps; }
        if (maxend > frontier) frontier = maxend;
        i += clen;
    }
}

typedef void (*Forward)(const uint8_t *text, int n, Node *best);

// With `check`, the documents on which `y`'s nodes differ from `x`'s; then `rounds` timings of the two
// over every document, alternating.
static void compare(const char *xname, Forward x, const char *yname, Forward y, uint8_t **docs, const int *lens, int ndocs,
                    Node *a, Node *b, int rounds, int check) {
    if (check) {
        long diff = 0;
        for (int d = 0; d < ndocs; d++) {
            x(docs[d], lens[d], a); y(docs[d], lens[d], b);
            if (memcmp(a, b, (lens[d] + 1) * sizeof(Node))) diff++;
        }
        printf("%s: documents differing from %s: %ld of %d\n", yname, xname, diff, ndocs);
    }
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        for (int d = 0; d < ndocs; d++) x(docs[d], lens[d], a);
        double t1 = now();
        for (int d = 0; d < ndocs; d++) y(docs[d], lens[d], b);
        double t2 = now();
        printf("%s %.2f ms   %s %.2f ms   %s/%s %.3f\n", xname, (t1 - t0) * 1e3, yname, (t2 - t1) * 1e3, xname, yname,
               (t1 - t0) / (t2 - t1));
    }
}

int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
    uint8_t *trie = aligned_alloc(64, (size + 63) / 64 * 64 + 4096 * 16); fread(trie, 1, size, f); fclose(f);
    cells = trie + 48;
    f = fopen(argv[2], "rb"); fseek(f, 0, SEEK_END); long tsize = ftell(f); fseek(f, 0, SEEK_SET);
    uint8_t *all = malloc(tsize + 64); fread(all, 1, tsize, f); fclose(f); memset(all + tsize, 0, 64);
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    skip2 = getenv("SKIP2") != NULL;
    // documents
    int ndocs = 0; long offs[20000]; int lens[20000];
    for (long p = 0; p < tsize; ) { uint32_t l; memcpy(&l, all + p, 4); offs[ndocs] = p + 4; lens[ndocs] = l; ndocs++; p += 4 + l; }
    // Each document copied with K + 8 zero bytes after it (the gathers read 4 bytes, C's steps up to K).
    uint8_t **docs = malloc(ndocs * sizeof *docs);
    int maxlen = 0;
    for (int d = 0; d < ndocs; d++) { docs[d] = calloc(lens[d] + K + 8, 1); memcpy(docs[d], all + offs[d], lens[d]); if (lens[d] > maxlen) maxlen = lens[d]; }
    Node *a = malloc((maxlen + K + 8) * sizeof(Node)), *b = malloc((maxlen + K + 8) * sizeof(Node));
#ifdef __AVX512F__
    long mismatches = 0;
    for (int d = 0; d < ndocs && !skip2; d++) {
        forward_a(docs[d], lens[d], a); forward_b(docs[d], lens[d], b);
        for (int i = 0; i <= lens[d]; i++) if (a[i].start != b[i].start || a[i].id != b[i].id || (a[i].score != b[i].score && !(isinf(a[i].score) && isinf(b[i].score)))) { mismatches++; break; }
    }
#endif
    build_tables();
    if (getenv("COUNT")) {
        build_bounds((size - 48) / 16);
        for (int d = 0; d < ndocs; d++) forward_count(docs[d], lens[d], a);
        printf("starts %ld, steps %ld (walks only; the first steps taken from tables not counted)\n"
               "starts with no winning offer %ld (%.1f %%), their steps %ld (%.1f %%)\n"
               "  of which every offer ended inside the frontier: %ld starts, %ld steps (%.1f %%)\n",
               st_starts, st_steps, st_useless_starts, 100.0 * st_useless_starts / st_starts, st_useless_steps, 100.0 * st_useless_steps / st_steps,
               st_inside_useless_starts, st_inside_useless_steps, 100.0 * st_inside_useless_steps / st_steps);
        printf("bound test (per first character: best score and depth below): prunable starts %ld (%.1f %%), their steps %ld (%.1f %%), wrongly pruned %ld\n",
               pr_starts, 100.0 * pr_starts / st_starts, pr_steps, 100.0 * pr_steps / st_steps, pr_wrong);
        printf("starts whose deepest possible key ends inside the frontier: %ld (%.1f %%), their steps %.1f %%\n",
               within_starts, 100.0 * within_starts / st_starts, 100.0 * within_steps / st_steps);
        return 0;
    }
    printf("three-byte table %s, chain length %d\n", three_ok ? "used" : "not used", chain_len);
    compare("A", forward_a, "full", forward_full, docs, lens, ndocs, a, b, rounds, 1);
    if (getenv("ONLY_FULL")) return 0;
    compare("full", forward_full, "C", forward_c, docs, lens, ndocs, a, b, rounds, 1);
    if (getenv("ONLY_C")) return 0;
    build8((size - 48) / 16);
    compare("full", forward_full, "P8", forward_p8, docs, lens, ndocs, a, b, rounds, 1);
    if (getenv("ONLY_P8")) return 0;
    long units = (size - 48) / 16;
    uint8_t *c16 = aligned_alloc(64, (units * 16 + 63) / 64 * 64 + 4096 * 16);
    memcpy(c16, cells, units * 16);
    for (long u = 0; u < units; u++) { int32_t *base = (int32_t *)(c16 + u * 16); base[0] /= 16; }
    cells_index = c16;
    compare("A", forward_a, "A0", forward_a0, docs, lens, ndocs, a, b, rounds, 1);
    if (getenv("ONLY_A0")) return 0;
#ifdef __AVX512F__
    printf("%d documents, %ld bytes, B: documents differing from A: %ld\n", ndocs, tsize, mismatches);
    compare("A", forward_a, "B", forward_b, docs, lens, ndocs, a, b, rounds, 0);   // checked above (SKIP2 aside)
#endif
    return 0;
}
