#ifndef CK_REPLACE_BYTE_H
#define CK_REPLACE_BYTE_H

#include <stddef.h>
#include <stdint.h>

/// Room past the output's end that `ck_replace_byte` may write (and the caller discards).
#define CK_REPLACE_BYTE_SLACK 32

/// Copies the `count` bytes at `input` to `output` with every `byte` replaced by the `width`
/// (1 … 3) bytes at `replacement` (sentencepiece's and HF's space → `▁`, three bytes), and returns
/// how many bytes it wrote. `output` must have room for `count` × `width` + CK_REPLACE_BYTE_SLACK
/// bytes. Returns SIZE_MAX, having written nothing, where it has no vector path (another width,
/// no AVX2): the caller copies the bytes itself.
size_t ck_replace_byte(const uint8_t *input, size_t count, uint8_t byte, const uint8_t *replacement, size_t width,
                       uint8_t *output);

#endif
