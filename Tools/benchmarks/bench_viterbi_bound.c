// Issue 22 (BENCHMARKS.md "Eighth session: ... walks in AVX-512 lanes"): how much of the Unigram forward
// pass's walking an exact bound could skip. Same inputs as bench_viterbi_walks.c (a trie cache entry and the
// prepared text, see its header):
//   gcc -O2 -o bound Tools/benchmarks/bench_viterbi_bound.c -lm && ./bound ~/.cache/corpuskit/tries/ENTRY.trie mixed.bin
// How much of the forward pass's walking could an exact bound skip? For each state: M = max score of a key in
// its subtree (itself included), D = deepest key below it (bytes). At a walk step from start i (path score s)
// at state t, position pos: the rest of the walk can only offer s + score <= s + M(t) to ends in (pos, pos+D(t)].
// If every such end already holds best >= s + M(t) (unreached ends hold -inf), no later candidate of this walk
// can win, now or later (best only grows). Counts: steps, steps after which some candidate still won
// ("useful"), steps the bound would have cut.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef struct { int32_t base, check, value; uint32_t payload; } Unit;
typedef struct { float score; int32_t start; int32_t id; } Node;
static const uint8_t *cells; static long units;
#define CELL(off, field) (*(const int32_t *)(cells + (off) + (field)))
static float *M; static int *D;
static int charlen(uint8_t b) { return b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4; }
static void dfs(int32_t state) {   // state = byte offset
    long u = state / 16;
    float m = CELL(state, 8) >= 0 ? *(const float *)(cells + state + 12) : -INFINITY;
    int d = CELL(state, 8) >= 0 ? 0 : -1000;
    int32_t base = CELL(state, 0);
    for (int b = 0; b < 256; b++) {
        long t = ((long)base + b) * 16;
        if (t <= 0 || t / 16 >= units) continue;
        if (CELL(t, 4) != state) continue;
        dfs((int32_t)t);
        if (M[t / 16] > m) m = M[t / 16];
        if (D[t / 16] + 1 > d) d = D[t / 16] + 1;
    }
    M[u] = m; D[u] = d;
}
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
    uint8_t *trie = malloc(size + 4096 * 16); fread(trie, 1, size, f); fclose(f); cells = trie + 48; units = (size - 48) / 16;
    M = malloc(units * sizeof *M); D = malloc(units * sizeof *D);
    dfs(0);
    f = fopen(argv[2], "rb"); fseek(f, 0, SEEK_END); long tsize = ftell(f); fseek(f, 0, SEEK_SET);
    uint8_t *all = malloc(tsize + 64); fread(all, 1, tsize, f); fclose(f);
    long steps = 0, useful = 0, cut = 0, cut_wrong = 0, offers = 0, wins = 0;
    Node *best = malloc(sizeof(Node) * (1 << 22));
    int *winstep = malloc(sizeof(int) * 4096);
    for (long p = 0; p < tsize; ) {
        uint32_t n; memcpy(&n, all + p, 4); const uint8_t *text = all + p + 4; p += 4 + n;
        for (int i = 0; i <= (int)n; i++) { best[i].score = -INFINITY; best[i].start = -1; }
        best[0].score = 0;
        for (int i = 0; i < (int)n; ) {
            float s = best[i].score; int clen = charlen(text[i]); if (clen > (int)n - i) clen = n - i;
            int off = 0, pos = i, single = 0, k = 0, lastwin = -1, cutat = -1;
            while (pos < (int)n) {
                int t = (CELL(off, 0) + text[pos]) * 16;
                if (CELL(t, 4) != off) break;
                // the bound, before taking this step's candidate: can anything at or below t still win?
                if (cutat < 0) {
                    float bound = s + M[t / 16];
                    int dmax = D[t / 16];
                    int ok = dmax >= 0;
                    for (int e = pos + 1; ok && e <= pos + 1 + dmax && e <= (int)n; e++) if (!(best[e].score >= bound)) ok = 0;
                    if (dmax < 0 || ok) cutat = k;
                }
                off = t; pos++; steps++; k++;
                int32_t v = CELL(t, 8);
                if (v >= 0) {
                    offers++;
                    float c = s + *(const float *)(cells + t + 12);
                    if (c > best[pos].score) { best[pos].score = c; best[pos].start = i; wins++; lastwin = k; }
                    if (pos - i == clen) single = 1;
                }
            }
            useful += lastwin > 0 ? lastwin : 0;
            if (cutat >= 0) { cut += k - cutat; if (lastwin > cutat) cut_wrong++; }
            if (!single) { float c = s - 20.0f; if (c > best[i + clen].score) { best[i + clen].score = c; best[i + clen].start = i; } }
            i += clen;
        }
    }
    printf("steps %ld, steps up to the last winning candidate %ld (%.1f%%), steps the bound cuts %ld (%.1f%%), walks where it would cut a winner %ld; offers %ld, winning %ld\n",
           steps, useful, 100.0 * useful / steps, cut, 100.0 * cut / steps, cut_wrong, offers, wins);
    return 0;
}
