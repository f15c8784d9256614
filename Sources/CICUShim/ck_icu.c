#include "ck_icu.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/uchar.h>
#include <unicode/uversion.h>

static const UNormalizer2 *normalizer_for(ck_norm_form form, UErrorCode *status) {
    switch (form) {
    case CK_NORM_NFC: return unorm2_getNFCInstance(status);
    case CK_NORM_NFD: return unorm2_getNFDInstance(status);
    case CK_NORM_NFKC: return unorm2_getNFKCInstance(status);
    case CK_NORM_NFKD: return unorm2_getNFKDInstance(status);
    }
    *status = U_ILLEGAL_ARGUMENT_ERROR;
    return NULL;
}

int64_t ck_icu_normalize(ck_norm_form form, const uint8_t *input, int64_t input_length,
                         uint8_t *output, int64_t output_capacity) {
    if (input_length < 0 || input_length > INT32_MAX / 4) return INT64_MIN;
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *norm = normalizer_for(form, &status);
    if (U_FAILURE(status)) return INT64_MIN;

    // UTF-8 -> UTF-16
    int32_t u16_len = 0;
    status = U_ZERO_ERROR;
    u_strFromUTF8(NULL, 0, &u16_len, (const char *)input, (int32_t)input_length, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return INT64_MIN;
    UChar *src = (UChar *)malloc(sizeof(UChar) * (size_t)(u16_len + 1));
    if (!src) return INT64_MIN;
    status = U_ZERO_ERROR;
    u_strFromUTF8(src, u16_len + 1, NULL, (const char *)input, (int32_t)input_length, &status);
    if (U_FAILURE(status)) { free(src); return INT64_MIN; }

    // Normalize (NFKC can grow the text: retry with the size ICU asks for).
    int32_t cap = u16_len * 3 + 16;
    UChar *dst = NULL;
    int32_t dst_len = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        dst = (UChar *)malloc(sizeof(UChar) * (size_t)cap);
        if (!dst) { free(src); return INT64_MIN; }
        status = U_ZERO_ERROR;
        dst_len = unorm2_normalize(norm, src, u16_len, dst, cap, &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) { free(dst); dst = NULL; cap = dst_len + 16; continue; }
        break;
    }
    free(src);
    if (!dst || U_FAILURE(status)) { free(dst); return INT64_MIN; }

    // UTF-16 -> UTF-8
    int32_t u8_len = 0;
    status = U_ZERO_ERROR;
    u_strToUTF8(NULL, 0, &u8_len, dst, dst_len, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) { free(dst); return INT64_MIN; }
    if (u8_len > output_capacity) { free(dst); return -(int64_t)u8_len; }
    status = U_ZERO_ERROR;
    u_strToUTF8((char *)output, (int32_t)output_capacity, NULL, dst, dst_len, &status);
    free(dst);
    if (U_FAILURE(status) && status != U_STRING_NOT_TERMINATED_WARNING) return INT64_MIN;
    return u8_len;
}

int64_t ck_icu_grapheme_boundaries(const uint8_t *input, int64_t input_length,
                                   int64_t *offsets, int64_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    UText *text = utext_openUTF8(NULL, (const char *)input, input_length, &status);
    if (U_FAILURE(status)) return INT64_MIN;
    UBreakIterator *it = ubrk_open(UBRK_CHARACTER, NULL, NULL, 0, &status);
    if (U_FAILURE(status)) { utext_close(text); return INT64_MIN; }
    ubrk_setUText(it, text, &status);
    if (U_FAILURE(status)) { ubrk_close(it); utext_close(text); return INT64_MIN; }
    int64_t count = 0;
    for (int32_t pos = ubrk_first(it); pos != UBRK_DONE; pos = ubrk_next(it)) {
        if (count < capacity) offsets[count] = pos;
        count++;
    }
    ubrk_close(it);
    utext_close(text);
    return count <= capacity ? count : -count;
}

const char *ck_icu_version(void) {
    static char buffer[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo info;
    u_getVersion(info);
    u_versionToString(info, buffer);
    return buffer;
}

int32_t ck_icu_tolower(int32_t code_point) { return u_tolower(code_point); }
