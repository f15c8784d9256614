#ifndef CK_JSON_SCAN_H
#define CK_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

/// Skips the plain part of a JSON string's contents from `p[i]`, 32 bytes at a time (AVX2), and
/// returns where a scanner must look byte by byte: the first byte that is not plain, or a position
/// with fewer than 32 bytes left before `n`. Plain is what needs no decision: ASCII 0x20-0x7F
/// other than `"` and `\`; the two-byte escapes (`\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t`,
/// which set `*escapes` to 1); and whole three-byte UTF-8 characters whose lead is E1-EC or EE-EF
/// (always valid; E0 and ED restrict their second byte, so they stop the skip, as do two- and
/// four-byte characters, `\u` escapes and anything invalid). Returns `i` itself without AVX2.
size_t ck_json_plain_run(const uint8_t *p, size_t n, size_t i, int *escapes);

#endif
