/*
 * libFuzzer target for the UTF-8 <-> UTF-16 conversions (c/sql/utf16.c)
 * that odbctx uses when a session connects with SQLDriverConnectW and when
 * capture reads a wide call's text.
 *
 * The input is read both as bytes (UTF-8, maybe invalid) and as 16-bit
 * units (UTF-16, maybe with unpaired surrogates). Each conversion stays
 * inside the room its header promises and ends with a 0; what it writes is
 * valid in the target form; converting back and forth again changes
 * nothing once the text is valid; valid UTF-8 comes back byte for byte.
 */
#include "sql/utf16.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none:
 * shortest form, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (k == 0 || k > n)
        return 0;
    uint32_t cp = k == 1 ? c : k == 2 ? (c & 0x1f) : k == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return k;
}

static int valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

static int valid_utf16(const uint16_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (w[i] >= 0xd800 && w[i] <= 0xdbff) {
            if (i + 1 >= n || w[i + 1] < 0xdc00 || w[i + 1] > 0xdfff)
                return 0;
            i++;
        } else if (w[i] >= 0xdc00 && w[i] <= 0xdfff) {
            return 0;
        }
    }
    return 1;
}

/* UTF-8 in exactly the room the header asks for (len + 1 units). */
static uint16_t *to16(const char *s, size_t len, size_t *n)
{
    uint16_t *w = malloc((len + 1) * sizeof *w);
    if (!w)
        abort();
    *n = odbctx_utf16_from_utf8(s, len, w);
    if (*n > len || w[*n] != 0 || !valid_utf16(w, *n))
        abort();
    return w;
}

/* UTF-16 in exactly the room the header asks for (3 n + 1 bytes). */
static char *to8(const uint16_t *w, size_t n, size_t *len)
{
    char *s = malloc(3 * n + 1);
    if (!s)
        abort();
    *len = odbctx_utf16_to_utf8(w, n, s);
    if (*len > 3 * n || s[*len] != '\0' || !valid_utf8(s, *len))
        abort();
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Bytes first. */
    size_t n1, l1, n2;
    uint16_t *w1 = to16((const char *)data, size, &n1);
    char *s1 = to8(w1, n1, &l1);
    if (valid_utf8((const char *)data, size) && (l1 != size || memcmp(s1, data, size) != 0))
        abort();
    uint16_t *w2 = to16(s1, l1, &n2);
    if (n2 != n1 || memcmp(w2, w1, n1 * sizeof *w1) != 0)
        abort();
    free(w1);
    free(s1);
    free(w2);

    /* Then the same input as units. */
    size_t units = size / 2, l3, n3, l4;
    uint16_t *w = malloc((units ? units : 1) * sizeof *w);
    if (!w)
        abort();
    for (size_t i = 0; i < units; i++)
        w[i] = (uint16_t)(data[2 * i] | (data[2 * i + 1] << 8));
    char *s3 = to8(w, units, &l3);
    uint16_t *w3 = to16(s3, l3, &n3);
    if (valid_utf16(w, units) && (n3 != units || memcmp(w3, w, units * sizeof *w) != 0))
        abort();
    char *s4 = to8(w3, n3, &l4);
    if (l4 != l3 || memcmp(s4, s3, l3) != 0)
        abort();
    free(w);
    free(s3);
    free(w3);
    free(s4);
    return 0;
}
