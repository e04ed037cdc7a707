/*
 * UTF-8 <-> UTF-16, the text forms of unixODBC's narrow and wide calls
 * (its SQLWCHAR is 16 bits). Invalid sequences become U+FFFD.
 *
 * Pure and allocation-free: the caller gives room for the worst case.
 */
#ifndef ODBCTX_UTF16_H
#define ODBCTX_UTF16_H

#include <stddef.h>
#include <stdint.h>

/* Writes the UTF-16 of s[0, len) and a 0 unit to out, which has room for
 * len + 1 units (no byte sequence gives more units than bytes); returns
 * the units written, without the 0. */
size_t odbctx_utf16_from_utf8(const char *s, size_t len, uint16_t *out);
/* Writes the UTF-8 of w[0, n) and a NUL to out, which has room for
 * 3 * n + 1 bytes; returns the bytes written, without the NUL. */
size_t odbctx_utf16_to_utf8(const uint16_t *w, size_t n, char *out);

#endif
