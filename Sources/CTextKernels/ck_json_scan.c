// The plain part of a JSON string with vectors (ck_json_scan.h).
// - ASCII: one signed comparison finds control characters and bytes >= 0x80 together, two
//   equalities the quote and the backslash. A two-byte escape is stepped over where it is found:
//   code and line-cut text have one every few dozen bytes, and a return to the scanner for each
//   cost more than the vectors saved.
// - Three-byte characters: 30 bytes (ten characters) at a time, every third byte a lead 1110xxxx
//   other than E0/ED and the others 10xxxxxx, compared with the positions' pattern.
// The scalar scanner it runs ahead of (JSONTokenScanners.swift) spent ~3.5 instructions a byte of
// the tokenizer benchmark's input (callgrind, BENCHMARKS.md "Twelfth session").
#include "ck_json_scan.h"
#include "ck_cpu.h"

#if defined(__x86_64__)
#include <immintrin.h>

// Bits 0, 3, ..., 27: the leads of ten three-byte characters; the other bits below 30 their
// continuation bytes.
#define LEADS 0x09249249u
#define CONTINUATIONS (0x3FFFFFFFu & ~LEADS)

// The escapes that are two bytes: \" \\ \/ \b \f \n \r \t.
static inline int is_short_escape(uint8_t byte) {
    switch (byte) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return 1;
    default: return 0;
    }
}

__attribute__((target("avx2,bmi"))) static size_t plain_run_avx2(const uint8_t *p, size_t n, size_t i, int *escapes) {
    const __m256i quote = _mm256_set1_epi8('"'), backslash = _mm256_set1_epi8('\\');
    const __m256i below_space = _mm256_set1_epi8(0x20);
    const __m256i high_nibble = _mm256_set1_epi8((char)0xF0), lead = _mm256_set1_epi8((char)0xE0);
    const __m256i e0 = _mm256_set1_epi8((char)0xE0), ed = _mm256_set1_epi8((char)0xED);
    const __m256i top_two = _mm256_set1_epi8((char)0xC0), continuation = _mm256_set1_epi8((char)0x80);
    while (i + 32 <= n) {
        __m256i bytes = _mm256_loadu_si256((const __m256i *)(p + i));
        if (p[i] < 0x80) {
            // Signed: bytes >= 0x80 are negative, so below 0x20 too.
            __m256i special = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(bytes, quote), _mm256_cmpeq_epi8(bytes, backslash)),
                                              _mm256_cmpgt_epi8(below_space, bytes));
            uint32_t mask = (uint32_t)_mm256_movemask_epi8(special);
            if (mask == 0) { i += 32; continue; }
            i += _tzcnt_u32(mask);
            if (p[i] == '\\' && i + 1 < n && is_short_escape(p[i + 1])) {
                *escapes = 1;
                i += 2;
                continue;
            }
            if (p[i] < 0x80) return i;   // a quote, a control character, a \u or bad escape
            if (i + 32 > n) return i;
            bytes = _mm256_loadu_si256((const __m256i *)(p + i));
        }
        __m256i leads = _mm256_andnot_si256(_mm256_or_si256(_mm256_cmpeq_epi8(bytes, e0), _mm256_cmpeq_epi8(bytes, ed)),
                                            _mm256_cmpeq_epi8(_mm256_and_si256(bytes, high_nibble), lead));
        __m256i follows = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, top_two), continuation);
        uint32_t bad = (~(uint32_t)_mm256_movemask_epi8(leads) & LEADS) | (~(uint32_t)_mm256_movemask_epi8(follows) & CONTINUATIONS);
        if (bad == 0) { i += 30; continue; }
        // The characters before the first byte out of pattern are whole and plain.
        i += 3 * (_tzcnt_u32(bad) / 3);
        if (p[i] >= 0x80) return i;   // not a plain three-byte character: the scanner decides
    }
    return i;
}
#endif

size_t ck_json_plain_run(const uint8_t *p, size_t n, size_t i, int *escapes) {
#if defined(__x86_64__)
    if (ck_text_kernels_avx2()) return plain_run_avx2(p, n, i, escapes);
#endif
    return i;
}
