/*
 * libFuzzer target for the connection-string parser and the password
 * redaction built on it (c/connstr.c).
 *
 * The input is used as a NUL-terminated string (an embedded NUL ends it,
 * as it would for the driver manager). Besides "no crash", it checks:
 * - every pair lies inside the string; keys are trimmed and hold no '=' or
 *   ';'; plain values hold no ';'; braced values run from '{' to '}';
 * - odbctx_redact returns the same length for every buffer size and writes
 *   a terminated prefix of the full result;
 * - after redaction no password is left: every PWD/PASSWORD value in the
 *   redacted string starts with "***", and a string whose unterminated
 *   brace swallows the rest ends in "***";
 * - odbctx_connstr_get agrees with the walk and terminates its output;
 * - the redaction oracle, independent of odbctx's own key rule: no value of
 *   a key whose letters and digits, in any case, contain PWD or PASS (so
 *   "{PWD}", "P{W}D", "pass word" count) survives in the redacted string
 *   more often than it appears in the rest of the input.
 */
#include "sql/connstr.h"
#include "odbctx.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void fail(const char *what)
{
    fprintf(stderr, "fuzz/connstr oracle: %s\n", what);
    abort();
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct shape {
    const char *conn;
    size_t len;
    size_t pairs;
};

static int check_pair(void *ctx, const struct odbctx_connstr_pair *p)
{
    struct shape *s = ctx;
    const char *end = s->conn + s->len;

    s->pairs++;
    if (p->key < s->conn || p->key + p->key_len > end)
        fail("key outside the string");
    if (p->value < s->conn || p->value + p->value_len > end)
        fail("value outside the string");
    if (p->key_len > 0 && (is_blank(p->key[0]) || is_blank(p->key[p->key_len - 1])))
        fail("key not trimmed");
    if (memchr(p->key, '=', p->key_len) || memchr(p->key, ';', p->key_len))
        fail("key holds '=' or ';'");
    if (p->braced) {
        if (p->value_len < 2 || p->value[0] != '{' || p->value[p->value_len - 1] != '}')
            fail("braced value not enclosed in braces");
    } else if (memchr(p->value, ';', p->value_len)) {
        fail("plain value holds ';'");
    }

    char small[8], big[4096];
    size_t full = odbctx_connstr_value(p, NULL, 0);
    if (odbctx_connstr_value(p, small, sizeof small) != full)
        fail("value length depends on the buffer");
    if (full > p->value_len)
        fail("unbraced value longer than the raw one");
    if (full < sizeof big) {
        odbctx_connstr_value(p, big, sizeof big);
        if (strlen(big) > full || strncmp(small, big, sizeof small - 1) != 0)
            fail("value in a small buffer is not a prefix of the full value");
    }
    return 0;
}

static int secrets_masked(void *ctx, const struct odbctx_connstr_pair *p)
{
    (void)ctx;
    if (!odbctx_connstr_is_secret_key(p->key, p->key_len) || p->value_len == 0)
        return 0;
    if (p->value_len < 3 || memcmp(p->value, "***", 3) != 0)
        fail("a password survived redaction");
    return 0;
}

static size_t occurrences(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return len ? n : 0;
}

/* The oracle's own idea of a secret key, written apart from connstr.c. */
static int oracle_secret_key(const char *key, size_t len)
{
    char norm[256];
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < sizeof norm; i++)
        if ((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= 'A' && key[i] <= 'Z') ||
            (key[i] >= '0' && key[i] <= '9'))
            norm[n++] = key[i] >= 'a' && key[i] <= 'z' ? (char)(key[i] - 'a' + 'A') : key[i];
    norm[n] = '\0';
    return strstr(norm, "PWD") != NULL || strstr(norm, "PASS") != NULL;
}

struct leak_ctx {
    const char *conn, *redacted;
};

static int no_leak(void *vctx, const struct odbctx_connstr_pair *p)
{
    struct leak_ctx *c = vctx;
    if (!oracle_secret_key(p->key, p->key_len))
        return 0;
    char secret[256];
    size_t len = odbctx_connstr_value(p, secret, sizeof secret);
    /* A value with '*' in it may be spelled by the mask itself. */
    if (len < 3 || len >= sizeof secret || strchr(secret, '*'))
        return 0;
    /* The input with this value cut out: what may legitimately remain. */
    size_t at = (size_t)(p->value - c->conn), total = strlen(c->conn);
    char *rest = malloc(total + 1);
    if (!rest)
        return 0;
    memcpy(rest, c->conn, at);
    memcpy(rest + at, c->conn + at + p->value_len, total - at - p->value_len + 1);
    size_t allowed = occurrences(rest, secret);
    free(rest);
    if (occurrences(c->redacted, secret) > allowed)
        fail("the value of a secret-like key survived redaction");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *conn = malloc(size + 1);
    if (!conn)
        return 0;
    memcpy(conn, data, size);
    conn[size] = '\0';
    size_t len = strlen(conn);

    struct shape s = {conn, len, 0};
    size_t bad = (size_t)-1;
    int rc = odbctx_connstr_walk(conn, check_pair, &s, &bad);
    if (rc != 0 && rc != -1)
        fail("unexpected return value from the walk");
    if (rc == -1 && bad >= len)
        fail("malformed string reported past its end");

    size_t need = odbctx_redact(conn, NULL, 0);
    char *full = malloc(need + 1);
    if (!full) {
        free(conn);
        return 0;
    }
    if (odbctx_redact(conn, full, need + 1) != need || strlen(full) != need)
        fail("redacted length differs from what was written");
    for (size_t n = 1; n <= 9 && n <= need + 1; n++) {
        char part[9];
        memset(part, 'X', sizeof part);
        if (odbctx_redact(conn, part, n) != need)
            fail("redacted length depends on the buffer");
        if (part[n - 1] != '\0' || strncmp(part, full, n - 1) != 0)
            fail("redaction into a small buffer is not a terminated prefix");
    }
    if (odbctx_connstr_walk(full, secrets_masked, NULL, NULL) < 0)
        fail("redaction produced a malformed string");
    if (rc == -1 && (need < 3 || strcmp(full + need - 3, "***") != 0))
        fail("an unterminated value was not masked");
    struct leak_ctx leak = {conn, full};
    odbctx_connstr_walk(conn, no_leak, &leak, NULL);

    char db[64];
    size_t got = odbctx_connstr_get(conn, "database", db, sizeof db);
    if (got != (size_t)-1 && strlen(db) != (got < sizeof db ? got : sizeof db - 1))
        fail("connstr_get length disagrees with what it wrote");
    if (got == (size_t)-1 && db[0] != '\0')
        fail("connstr_get wrote a value for an absent key");

    free(full);
    free(conn);
    return 0;
}
