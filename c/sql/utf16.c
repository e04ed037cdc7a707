/*
 * UTF-8 <-> UTF-16 (utf16.h).
 */
#include "sql/utf16.h"

static size_t put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t odbctx_utf16_to_utf8(const uint16_t *w, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long c = w[i];
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && w[i + 1] >= 0xdc00 && w[i + 1] <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (w[i + 1] - 0xdc00);
            i++;
        } else if (c >= 0xd800 && c <= 0xdfff) {
            c = 0xfffd;
        }
        o += put_utf8(out + o, c);
    }
    out[o] = '\0';
    return o;
}

/* Decodes one UTF-8 sequence at s[*i]; invalid bytes give U+FFFD. */
static unsigned long next_cp(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    size_t need;
    unsigned long cp;
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    if ((c & 0xe0) == 0xc0) {
        need = 1;
        cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        need = 2;
        cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        need = 3;
        cp = c & 0x07;
    } else {
        (*i)++;
        return 0xfffd;
    }
    if (*i + need >= len) {
        (*i)++;
        return 0xfffd;
    }
    for (size_t k = 1; k <= need; k++) {
        if ((s[*i + k] & 0xc0) != 0x80) {
            (*i)++;
            return 0xfffd;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3f);
    }
    *i += need + 1;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0xfffd;
    return cp;
}

size_t odbctx_utf16_from_utf8(const char *s, size_t len, uint16_t *out)
{
    size_t o = 0, i = 0;
    while (i < len) {
        unsigned long cp = next_cp((const unsigned char *)s, len, &i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out[o++] = (uint16_t)(0xd800 + (cp >> 10));
            out[o++] = (uint16_t)(0xdc00 + (cp & 0x3ff));
        } else {
            out[o++] = (uint16_t)cp;
        }
    }
    out[o] = 0;
    return o;
}
