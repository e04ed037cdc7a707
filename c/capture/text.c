/*
 * The text of captured SQL: SQLWCHAR to UTF-8 for the classifier, the
 * trace and messages.
 */
#include "capture/capture.h"

#include <stdlib.h>
#include <string.h>

/* unixODBC's SQLWCHAR is UTF-16 in 16-bit units. Invalid sequences become
 * U+FFFD: the text only feeds the classifier, the trace and messages; the
 * application's own text is what the driver receives whenever it is sent
 * whole. */

char *odbctx__cap_narrow(const SQLCHAR *s, SQLINTEGER len, size_t *out_len)
{
    if (!s)
        len = 0;
    else if (len == SQL_NTS)
        len = (SQLINTEGER)strlen((const char *)s);
    else if (len < 0)
        return NULL;
    char *out = malloc((size_t)len + 1);
    if (!out)
        return NULL;
    if (len)
        memcpy(out, s, (size_t)len);
    out[len] = '\0';
    *out_len = (size_t)len;
    return out;
}

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

char *odbctx__cap_from_wide(const SQLWCHAR *w, SQLINTEGER len, size_t *out_len)
{
    size_t n = 0;
    if (!w)
        len = 0;
    else if (len == SQL_NTS)
        while (w[n])
            n++;
    else if (len < 0)
        return NULL;
    if (len != SQL_NTS)
        n = (size_t)len;
    /* At most 3 bytes per unit: a surrogate pair (2 units) gives 4. */
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
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
    *out_len = o;
    return out;
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

SQLWCHAR *odbctx__cap_to_wide(const char *s, size_t len, SQLINTEGER *out_len)
{
    SQLWCHAR *out = malloc((len * 2 + 1) * sizeof *out);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    while (i < len) {
        unsigned long cp = next_cp((const unsigned char *)s, len, &i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out[o++] = (SQLWCHAR)(0xd800 + (cp >> 10));
            out[o++] = (SQLWCHAR)(0xdc00 + (cp & 0x3ff));
        } else {
            out[o++] = (SQLWCHAR)cp;
        }
    }
    out[o] = 0;
    *out_len = (SQLINTEGER)o;
    return out;
}

int odbctx__cap_put_narrow(const char *s, SQLCHAR *buf, SQLLEN cap, SQLLEN *len)
{
    size_t n = strlen(s);
    if (len)
        *len = (SQLLEN)n;
    if (!buf || cap <= 0)
        return n > 0;
    size_t k = n < (size_t)cap - 1 ? n : (size_t)cap - 1;
    memcpy(buf, s, k);
    buf[k] = '\0';
    return k < n;
}

int odbctx__cap_put_wide(const char *s, SQLWCHAR *buf, SQLLEN cap, SQLLEN *len, int bytes)
{
    SQLINTEGER n = 0;
    SQLWCHAR *w = odbctx__cap_to_wide(s, strlen(s), &n);
    if (!w) {
        if (len)
            *len = 0;
        return 1;
    }
    SQLLEN units = bytes ? cap / (SQLLEN)sizeof(SQLWCHAR) : cap;
    if (len)
        *len = bytes ? (SQLLEN)n * (SQLLEN)sizeof(SQLWCHAR) : (SQLLEN)n;
    int truncated = n > 0;
    if (buf && units > 0) {
        SQLLEN k = n < units - 1 ? n : units - 1;
        memcpy(buf, w, (size_t)k * sizeof(SQLWCHAR));
        buf[k] = 0;
        truncated = k < n;
    }
    free(w);
    return truncated;
}
