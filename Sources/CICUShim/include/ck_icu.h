#ifndef CK_ICU_H
#define CK_ICU_H
// A small C API over ICU, so Swift code never imports ICU headers
// (they clash with the copy of ICU that Foundation bundles). ICU is opened with dlopen on first
// use (ck_icu.c says why); ck_icu_load reports whether it could be.
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Opens ICU (once; later calls return the first call's answer). Returns NULL when it is
/// usable, else why not (the library or one of its functions missing). The other functions
/// load it themselves and fail as documented when it cannot be; ck_icu_tolower must only be
/// called after a successful load.
const char *ck_icu_load(void);

/// Unicode normalization forms.
typedef enum {
    CK_NORM_NFC = 0,
    CK_NORM_NFD = 1,
    CK_NORM_NFKC = 2,
    CK_NORM_NFKD = 3
} ck_norm_form;

/// Normalizes UTF-8 `input` into `output`.
/// Returns the number of bytes written; if `output_capacity` is too small, returns the
/// negated number of bytes needed (nothing useful is written); returns INT64_MIN on an ICU
/// error (for example invalid UTF-8 input).
int64_t ck_icu_normalize(ck_norm_form form, const uint8_t *input, int64_t input_length,
                         uint8_t *output, int64_t output_capacity);

/// Writes the UTF-8 byte offsets of the extended grapheme cluster boundaries of `input`
/// (always starting with 0 and ending with `input_length`) to `offsets`.
/// Returns the number of offsets, the negated number needed if `capacity` is too small,
/// or INT64_MIN on an ICU error.
int64_t ck_icu_grapheme_boundaries(const uint8_t *input, int64_t input_length,
                                   int64_t *offsets, int64_t capacity);

/// The simple lowercase mapping of one code point (ICU `u_tolower`); ICU must be loaded.
int32_t ck_icu_tolower(int32_t code_point);

#ifdef __cplusplus
}
#endif
#endif
