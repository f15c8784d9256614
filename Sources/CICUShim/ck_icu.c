#include "ck_icu.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/uchar.h>
#include <unicode/uversion.h>   // U_ICU_VERSION_MAJOR_NUM, the library name

// ICU is opened with dlopen the first time a normalizer needs it, not linked: most jobs (every
// sentencepiece .model, llm-jp's tokenizer.json files) never call it, and loading libicuuc and
// libicudata at every process start cost ~1.2 ms of an empty `encode` (BENCHMARKS.md, thirteenth
// session). The headers still give the types and ICU's versioned symbol names (`u_tolower` is
// `u_tolower_72` in ICU 72), so the library opened is the one the build saw.
#define CK_STRINGIFY_(x) #x
#define CK_STRINGIFY(x) CK_STRINGIFY_(x)
#if defined(__APPLE__)
#define CK_ICU_LIBRARY "libicuuc." CK_STRINGIFY(U_ICU_VERSION_MAJOR_NUM) ".dylib"
#else
#define CK_ICU_LIBRARY "libicuuc.so." CK_STRINGIFY(U_ICU_VERSION_MAJOR_NUM)
#endif

// Each function ICU is asked for: its pointer, declared with the header's own type.
#define CK_ICU_FUNCTIONS(X) \
    X(unorm2_getNFCInstance) X(unorm2_getNFDInstance) X(unorm2_getNFKCInstance) X(unorm2_getNFKDInstance) \
    X(unorm2_normalize) X(u_strFromUTF8) X(u_strToUTF8) X(utext_openUTF8) X(utext_close) \
    X(ubrk_open) X(ubrk_setUText) X(ubrk_first) X(ubrk_next) X(ubrk_close) X(u_tolower)

#define CK_ICU_POINTER(name) static __typeof__(name) *p_##name;
CK_ICU_FUNCTIONS(CK_ICU_POINTER)

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];   // empty: loaded

static void load_icu(void) {
    void *handle = dlopen(CK_ICU_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "%s", reason ? reason : CK_ICU_LIBRARY ": cannot be opened");
        return;
    }
#define CK_ICU_RESOLVE(name) \
    p_##name = (__typeof__(name) *)dlsym(handle, CK_STRINGIFY(name)); \
    if (!p_##name) { \
        snprintf(load_error, sizeof load_error, "%s has no %s", CK_ICU_LIBRARY, CK_STRINGIFY(name)); \
        return; \
    }
    CK_ICU_FUNCTIONS(CK_ICU_RESOLVE)
}

const char *ck_icu_load(void) {
    pthread_once(&load_once, load_icu);
    return load_error[0] ? load_error : NULL;
}

static const UNormalizer2 *normalizer_for(ck_norm_form form, UErrorCode *status) {
    switch (form) {
    case CK_NORM_NFC: return p_unorm2_getNFCInstance(status);
    case CK_NORM_NFD: return p_unorm2_getNFDInstance(status);
    case CK_NORM_NFKC: return p_unorm2_getNFKCInstance(status);
    case CK_NORM_NFKD: return p_unorm2_getNFKDInstance(status);
    }
    *status = U_ILLEGAL_ARGUMENT_ERROR;
    return NULL;
}

int64_t ck_icu_normalize(ck_norm_form form, const uint8_t *input, int64_t input_length,
                         uint8_t *output, int64_t output_capacity) {
    if (ck_icu_load()) return INT64_MIN;
    if (input_length < 0 || input_length > INT32_MAX / 4) return INT64_MIN;
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *norm = normalizer_for(form, &status);
    if (U_FAILURE(status)) return INT64_MIN;

    // UTF-8 -> UTF-16
    int32_t u16_len = 0;
    status = U_ZERO_ERROR;
    p_u_strFromUTF8(NULL, 0, &u16_len, (const char *)input, (int32_t)input_length, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return INT64_MIN;
    UChar *src = (UChar *)malloc(sizeof(UChar) * (size_t)(u16_len + 1));
    if (!src) return INT64_MIN;
    status = U_ZERO_ERROR;
    p_u_strFromUTF8(src, u16_len + 1, NULL, (const char *)input, (int32_t)input_length, &status);
    if (U_FAILURE(status)) { free(src); return INT64_MIN; }

    // Normalize (NFKC can grow the text: retry with the size ICU asks for).
    int32_t cap = u16_len * 3 + 16;
    UChar *dst = NULL;
    int32_t dst_len = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        dst = (UChar *)malloc(sizeof(UChar) * (size_t)cap);
        if (!dst) { free(src); return INT64_MIN; }
        status = U_ZERO_ERROR;
        dst_len = p_unorm2_normalize(norm, src, u16_len, dst, cap, &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) { free(dst); dst = NULL; cap = dst_len + 16; continue; }
        break;
    }
    free(src);
    if (!dst || U_FAILURE(status)) { free(dst); return INT64_MIN; }

    // UTF-16 -> UTF-8
    int32_t u8_len = 0;
    status = U_ZERO_ERROR;
    p_u_strToUTF8(NULL, 0, &u8_len, dst, dst_len, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) { free(dst); return INT64_MIN; }
    if (u8_len > output_capacity) { free(dst); return -(int64_t)u8_len; }
    status = U_ZERO_ERROR;
    p_u_strToUTF8((char *)output, (int32_t)output_capacity, NULL, dst, dst_len, &status);
    free(dst);
    if (U_FAILURE(status) && status != U_STRING_NOT_TERMINATED_WARNING) return INT64_MIN;
    return u8_len;
}

int64_t ck_icu_grapheme_boundaries(const uint8_t *input, int64_t input_length,
                                   int64_t *offsets, int64_t capacity) {
    if (ck_icu_load()) return INT64_MIN;
    UErrorCode status = U_ZERO_ERROR;
    UText *text = p_utext_openUTF8(NULL, (const char *)input, input_length, &status);
    if (U_FAILURE(status)) return INT64_MIN;
    UBreakIterator *it = p_ubrk_open(UBRK_CHARACTER, NULL, NULL, 0, &status);
    if (U_FAILURE(status)) { p_utext_close(text); return INT64_MIN; }
    p_ubrk_setUText(it, text, &status);
    if (U_FAILURE(status)) { p_ubrk_close(it); p_utext_close(text); return INT64_MIN; }
    int64_t count = 0;
    for (int32_t pos = p_ubrk_first(it); pos != UBRK_DONE; pos = p_ubrk_next(it)) {
        if (count < capacity) offsets[count] = pos;
        count++;
    }
    p_ubrk_close(it);
    p_utext_close(text);
    return count <= capacity ? count : -count;
}

int32_t ck_icu_tolower(int32_t code_point) {
    // Only called after ck_icu_load() succeeded (ICU.swift).
    return p_u_tolower(code_point);
}
