// Byte replacement with vectors (ck_replace_byte.h). 32 bytes are compared at once; without a
// match they are stored as they are, else each 8 with a match are spread by one byte shuffle from
// a table indexed by their match mask: the 8 bytes sit in lanes 0-7 of a register and the
// replacement in lanes 8-10, and the table's entry for the mask picks, for each output byte, the
// input byte or a replacement byte (up to 24 output bytes, two 16-byte shuffles). The scalar
// word-at-a-time path it replaces cost 6-9 instructions per byte of English and code (callgrind,
// BENCHMARKS.md "Eleventh session").
#include "ck_replace_byte.h"
#include "ck_cpu.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

// For each width 1-3 and each 8-bit match mask: the two shuffles and the output length.
typedef struct {
    uint8_t low[16], high[16];
    uint8_t length;
} spread;

static spread spreads[3][256];
static pthread_once_t spreads_once = PTHREAD_ONCE_INIT;

static void make_spreads(void) {
    for (int width = 1; width <= 3; width++) {
        for (int mask = 0; mask < 256; mask++) {
            uint8_t lanes[32];
            memset(lanes, 0x80, sizeof lanes);   // a lane with bit 7 set shuffles in a zero
            int length = 0;
            for (int i = 0; i < 8; i++) {
                if ((mask >> i) & 1) {
                    for (int k = 0; k < width; k++) lanes[length++] = (uint8_t)(8 + k);
                } else {
                    lanes[length++] = (uint8_t)i;
                }
            }
            spread *entry = &spreads[width - 1][mask];
            memcpy(entry->low, lanes, 16);
            memcpy(entry->high, lanes + 16, 16);
            entry->length = (uint8_t)length;
        }
    }
}

__attribute__((target("avx2"))) static size_t replace_avx2(const uint8_t *input, size_t count, uint8_t byte,
                                                          const uint8_t *replacement, size_t width, uint8_t *output) {
    const spread *table = spreads[width - 1];
    uint8_t tail[16] = {0};
    memcpy(tail + 8, replacement, width);
    const __m128i with = _mm_loadu_si128((const __m128i *)tail);
    const __m256i pattern = _mm256_set1_epi8((char)byte);
    size_t i = 0, o = 0;
    for (; i + 32 <= count; i += 32) {
        __m256i block = _mm256_loadu_si256((const __m256i *)(input + i));
        unsigned matches = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(block, pattern));
        if (matches == 0) {
            _mm256_storeu_si256((__m256i *)(output + o), block);
            o += 32;
            continue;
        }
        for (int group = 0; group < 4; group++) {
            unsigned mask = (matches >> (8 * group)) & 0xFF;
            __m128i eight = _mm_loadl_epi64((const __m128i *)(input + i + 8 * group));
            if (mask == 0) {
                _mm_storel_epi64((__m128i *)(output + o), eight);
                o += 8;
                continue;
            }
            const spread *entry = &table[mask];
            __m128i source = _mm_or_si128(eight, with);
            _mm_storeu_si128((__m128i *)(output + o), _mm_shuffle_epi8(source, _mm_loadu_si128((const __m128i *)entry->low)));
            _mm_storeu_si128((__m128i *)(output + o + 16), _mm_shuffle_epi8(source, _mm_loadu_si128((const __m128i *)entry->high)));
            o += entry->length;
        }
    }
    for (; i < count; i++) {
        if (input[i] == byte) {
            memcpy(output + o, replacement, width);
            o += width;
        } else {
            output[o++] = input[i];
        }
    }
    return o;
}

size_t ck_replace_byte(const uint8_t *input, size_t count, uint8_t byte, const uint8_t *replacement, size_t width,
                       uint8_t *output) {
    if (width < 1 || width > 3 || !ck_text_kernels_avx2()) return SIZE_MAX;
    pthread_once(&spreads_once, make_spreads);
    return replace_avx2(input, count, byte, replacement, width, output);
}

#else

size_t ck_replace_byte(const uint8_t *input, size_t count, uint8_t byte, const uint8_t *replacement, size_t width,
                       uint8_t *output) {
    (void)input; (void)count; (void)byte; (void)replacement; (void)width; (void)output;
    return SIZE_MAX;
}

#endif
