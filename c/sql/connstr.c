#include "sql/connstr.h"
#include "odbctx.h"

#include <string.h>
#include <strings.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int odbctx_connstr_walk(const char *conn, odbctx_connstr_fn fn, void *ctx, size_t *bad_offset)
{
    size_t pos = 0;

    if (!conn)
        return 0;
    while (conn[pos]) {
        while (is_blank(conn[pos]) || conn[pos] == ';')
            pos++;
        if (!conn[pos])
            break;

        struct odbctx_connstr_pair pair = {0};
        size_t key_start = pos;
        while (conn[pos] && conn[pos] != '=' && conn[pos] != ';')
            pos++;
        size_t key_end = pos;
        while (key_end > key_start && is_blank(conn[key_end - 1]))
            key_end--;
        pair.key = conn + key_start;
        pair.key_len = key_end - key_start;

        if (conn[pos] != '=') {
            pair.value = conn + pos;
            int rc = fn(ctx, &pair);
            if (rc)
                return rc;
            continue;
        }
        pos++;
        while (is_blank(conn[pos]))
            pos++;
        size_t value_start = pos;
        if (conn[pos] == '{') {
            pos++;
            for (;;) {
                if (!conn[pos]) {
                    if (bad_offset)
                        *bad_offset = value_start;
                    return -1;
                }
                if (conn[pos] == '}') {
                    if (conn[pos + 1] == '}') {
                        pos += 2;
                        continue;
                    }
                    pos++;
                    break;
                }
                pos++;
            }
            pair.braced = 1;
            pair.value = conn + value_start;
            pair.value_len = pos - value_start;
            /* Text between the closing brace and the next ';' is ignored,
             * as the driver manager does. */
            while (conn[pos] && conn[pos] != ';')
                pos++;
        } else {
            while (conn[pos] && conn[pos] != ';')
                pos++;
            size_t value_end = pos;
            while (value_end > value_start && is_blank(conn[value_end - 1]))
                value_end--;
            pair.value = conn + value_start;
            pair.value_len = value_end - value_start;
        }
        int rc = fn(ctx, &pair);
        if (rc)
            return rc;
    }
    return 0;
}

static int contains(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

int odbctx_connstr_is_secret_key(const char *key, size_t len)
{
    /* Judged on the letters and digits alone: braces, blanks and other
     * punctuation in a key ("{PWD}", "P{W}D", "Pass_Word") must not hide
     * what a driver manager or driver may still read as a password. Over
     * redaction costs a less readable message; under redaction a leak. */
    char norm[128];
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof norm; i++) {
        char c = key[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            norm[n++] = c;
    }
    if (len > 0 && n == sizeof norm)
        return 1; /* a key this long is no known key: hide it */
    static const char *const secret_words[] = {"PWD", "PASS", "SECRET", "TOKEN", "CREDENTIAL",
                                               "APIKEY", "ACCESSKEY", "PRIVATEKEY"};
    for (size_t i = 0; i < sizeof secret_words / sizeof *secret_words; i++)
        if (contains(norm, n, secret_words[i]))
            return 1;
    return 0;
}

size_t odbctx_connstr_value(const struct odbctx_connstr_pair *pair, char *out, size_t n)
{
    const char *v = pair->value;
    size_t len = pair->value_len, used = 0;

    if (pair->braced && len >= 2) {
        v++;
        len -= 2;
    }
    for (size_t i = 0; i < len; i++) {
        if (pair->braced && v[i] == '}' && i + 1 < len && v[i + 1] == '}')
            i++;
        if (n > 0 && used + 1 < n)
            out[used] = v[i];
        used++;
    }
    if (n > 0)
        out[used < n ? used : n - 1] = '\0';
    return used;
}

struct get_ctx {
    const char *key;
    char *out;
    size_t n, len;
};

static int get_one(void *p, const struct odbctx_connstr_pair *pair)
{
    struct get_ctx *g = p;
    size_t klen = strlen(g->key);
    if (pair->key_len != klen || strncasecmp(pair->key, g->key, klen) != 0)
        return 0;
    g->len = odbctx_connstr_value(pair, g->out, g->n);
    return 1;
}

size_t odbctx_connstr_get(const char *conn, const char *key, char *out, size_t n)
{
    struct get_ctx g = {key, out, n, (size_t)-1};
    if (n > 0)
        out[0] = '\0';
    if (odbctx_connstr_walk(conn, get_one, &g, NULL) != 1)
        return (size_t)-1;
    return g.len;
}

/* Output that counts what it could not store, as snprintf does. */
struct sink {
    char *out;
    size_t n, len;
};

static void put(struct sink *k, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++, k->len++)
        if (k->n > 0 && k->len + 1 < k->n)
            k->out[k->len] = text[i];
}

struct redact_ctx {
    const char *conn;
    size_t copied; /* conn[0..copied) is already in the sink */
    struct sink sink;
};

static int redact_one(void *p, const struct odbctx_connstr_pair *pair)
{
    struct redact_ctx *r = p;
    if (!odbctx_connstr_is_secret_key(pair->key, pair->key_len) || pair->value_len == 0)
        return 0;
    size_t start = (size_t)(pair->value - r->conn);
    put(&r->sink, r->conn + r->copied, start - r->copied);
    put(&r->sink, "***", 3);
    r->copied = start + pair->value_len;
    return 0;
}

size_t odbctx_redact(const char *conn, char *out, size_t n)
{
    struct redact_ctx r = {conn ? conn : "", 0, {out, n, 0}};
    size_t bad = 0;

    if (odbctx_connstr_walk(r.conn, redact_one, &r, &bad) < 0) {
        /* An unterminated brace swallows the rest of the string, which may
         * hold a password: keep only what comes before it. */
        if (bad > r.copied)
            put(&r.sink, r.conn + r.copied, bad - r.copied);
        put(&r.sink, "***", 3);
    } else {
        put(&r.sink, r.conn + r.copied, strlen(r.conn) - r.copied);
    }
    if (n > 0)
        out[r.sink.len < n ? r.sink.len : n - 1] = '\0';
    return r.sink.len;
}
