/*
 * The text of captured SQL: SQLWCHAR to UTF-8 for the classifier, the
 * trace and messages.
 */
#include "capture/capture.h"
#include "sql/utf16.h"

#include <stdlib.h>
#include <string.h>

/* The converted text only feeds the classifier, the trace and messages;
 * the application's own text is what the driver receives whenever it is
 * sent whole. */

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
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    *out_len = odbctx_utf16_to_utf8(w, n, out);
    return out;
}

SQLWCHAR *odbctx__cap_to_wide(const char *s, size_t len, SQLINTEGER *out_len)
{
    SQLWCHAR *out = malloc((len + 1) * sizeof *out);
    if (!out)
        return NULL;
    *out_len = (SQLINTEGER)odbctx_utf16_from_utf8(s, len, out);
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
