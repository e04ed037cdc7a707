/*
 * Errors: formatting a message on the session's error (never acting on it:
 * the caller decides whether the connection is lost), reading the driver's
 * diagnostics, redacting passwords, and the one grow-an-array helper.
 */
#include "internal.h"
#include "sql/connstr.h"
#include "extras/extras.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Where a password value appears by itself (not after PWD= or Password=,
 * which is always hidden), it is hidden too unless it could be a word of the
 * text's own: a password of letters only ("test", "select") also spells the
 * database's name, SQL keywords and words in messages, and hiding those
 * would mangle the text for nothing, since none of the drivers echoes a
 * password by itself. Short values are not hidden by themselves either. */
#define MIN_SECRET_TO_SCRUB 3

static int could_be_a_word(const char *secret)
{
    for (const char *p = secret; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return 0;
    return 1;
}

void odbctx__clear_error(odbctx_session *s)
{
    memset(&s->err, 0, sizeof s->err);
}

void odbctx__format(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

void odbctx__copy(char *dst, size_t n, const char *src)
{
    if (n == 0)
        return;
    size_t len = strnlen(src, n - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

int odbctx__add_secret(odbctx_session *s, const char *value)
{
    if (!value || !*value)
        return 0;
    for (size_t i = 0; i < s->n_secrets; i++)
        if (strcmp(s->secrets[i], value) == 0)
            return 0;
    if (odbctx__grow((void **)&s->secrets, &s->cap_secrets, s->n_secrets + 1, sizeof *s->secrets))
        return ODBCTX_ENOMEM;
    if (!(s->secrets[s->n_secrets] = strdup(value)))
        return ODBCTX_ENOMEM;
    s->n_secrets++;
    return 0;
}

void odbctx__wipe_free(char *secret)
{
    if (secret) {
        memset(secret, 0, strlen(secret));
        free(secret);
    }
}

int odbctx__grow(void **array, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t grown = *cap ? *cap : 8;
    while (grown < need) {
        if (grown > SIZE_MAX / 2)
            return ODBCTX_ENOMEM;
        grown *= 2;
    }
    if (grown > SIZE_MAX / elem)
        return ODBCTX_ENOMEM;
    void *p = realloc(*array, grown * elem);
    if (!p)
        return ODBCTX_ENOMEM;
    *array = p;
    *cap = grown;
    return 0;
}

/* Replaces buf[from..to) with "***" within capacity n, cutting the end of
 * the text if it no longer fits. Returns where the replacement ends. */
static char *mask(char *buf, size_t n, char *from, char *to)
{
    size_t head = (size_t)(from - buf), tail = strlen(to) + 1;
    if (head + 3 + 1 > n) {
        *from = '\0';
        return from;
    }
    if (head + 3 + tail > n) {
        tail = n - head - 3;
        memmove(from + 3, to, tail - 1);
        from[3 + tail - 1] = '\0';
    } else {
        memmove(from + 3, to, tail);
    }
    memcpy(from, "***", 3);
    return from + 3;
}

static void scrub(char *buf, size_t n, const char *secret)
{
    size_t slen = strlen(secret);
    char *at = buf;
    while ((at = strstr(at, secret)) != NULL)
        at = mask(buf, n, at, at + slen);
}

/* Where the value after "PWD=" / "Password=" at key ends. */
static char *value_end(char *v)
{
    if (*v == '{') {
        char *p = v + 1;
        while (*p) {
            if (*p == '}' && p[1] == '}')
                p += 2;
            else if (*p == '}')
                return p + 1;
            else
                p++;
        }
        return p;
    }
    while (*v && *v != ';' && *v != '\'' && *v != '"' && *v != '\n' && *v != '\r')
        v++;
    return v;
}

static int key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '{' || c == '}' || c == '-' || c == '.';
}

/* Every KEY=value in free text whose key may name a secret (by the same
 * rule as connection strings: odbctx_connstr_is_secret_key) has its value
 * hidden, however the key is spelled or braced. */
static void scrub_assignments(char *buf, size_t n)
{
    for (char *eq = strchr(buf, '='); eq; eq = *eq ? strchr(eq + 1, '=') : NULL) {
        char *k = eq;
        while (k > buf && (k[-1] == ' ' || k[-1] == '\t'))
            k--;
        char *kend = k;
        while (k > buf && key_char(k[-1]))
            k--;
        if (k == kend || !odbctx_connstr_is_secret_key(k, (size_t)(kend - k)))
            continue;
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        char *end = value_end(v);
        if (end == v || (end - v == 3 && strncmp(v, "***", 3) == 0))
            continue;
        eq = mask(buf, n, v, end);
        if (eq > buf)
            eq--;
    }
}

void odbctx__redact_text(const odbctx_session *s, char *buf, size_t n)
{
    if (!buf || n == 0)
        return;
    if (s)
        for (size_t i = 0; i < s->n_secrets; i++)
            if (strlen(s->secrets[i]) >= MIN_SECRET_TO_SCRUB && !could_be_a_word(s->secrets[i]))
                scrub(buf, n, s->secrets[i]);
    scrub_assignments(buf, n);
}

/* One line: drivers end some messages with newlines. */
static void flatten(char *msg)
{
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t len = strlen(msg);
    while (len > 0 && msg[len - 1] == ' ')
        msg[--len] = '\0';
}

int odbctx__fail(odbctx_session *s, int code, const char *fmt, ...)
{
    /* Formatted aside first: an argument may be the current message. */
    char message[sizeof s->err.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    odbctx__clear_error(s);
    s->err.code = code;
    memcpy(s->err.message, message, sizeof message);
    flatten(s->err.message);
    odbctx__redact_text(s, s->err.message, sizeof s->err.message);
    return code;
}

void odbctx__error_suffix(odbctx_session *s, const char *text)
{
    /* The driver's words are cut, not the advice: it is what to do. */
    size_t cap = sizeof s->err.message, add = strlen(text), len = strlen(s->err.message);
    if (add + 4 >= cap)
        return;
    if (len + add + 1 > cap) {
        len = cap - add - 4;
        memcpy(s->err.message + len, "...", 3);
        len += 3;
    }
    memcpy(s->err.message + len, text, add + 1);
}

void odbctx__error_prefix(odbctx_session *s, const char *fmt, ...)
{
    char prefix[sizeof s->err.message];
    char joined[sizeof s->err.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t used = strlen(prefix);
    memcpy(joined, prefix, used + 1);
    if (s->err.message[0] && used + 2 < sizeof joined) {
        memcpy(joined + used, ": ", 3);
        odbctx__copy(joined + used + 2, sizeof joined - used - 2, s->err.message);
    }
    flatten(joined);
    odbctx__redact_text(s, joined, sizeof joined);
    memcpy(s->err.message, joined, sizeof joined);
}

/* The driver says the connection is gone: SQLSTATE class 08, PostgreSQL's
 * admin shutdown / crash codes, MariaDB client errors 2006 and 2013. */
static int connection_lost(const char *sqlstate, long native)
{
    return strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
           strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0 ||
           native == 2006 || native == 2013;
}

/* The diagnostic on s says a lock wait ran out (ODBCTX_LOCK_TIMEOUT). */
static int lock_wait_expired(const odbctx_session *s)
{
    if (s->lock_timeout_ms <= 0)
        return 0;
    switch (s->dialect) {
    case ODBCTX_DIALECT_POSTGRESQL: return strcmp(s->err.sqlstate, "55P03") == 0;
    case ODBCTX_DIALECT_MARIADB: return s->err.native == 1205;
    case ODBCTX_DIALECT_SQLITE: return strstr(s->err.message, "database is locked") != NULL;
    }
    return 0;
}

int odbctx__fail_odbc(odbctx_session *s, int code, SQLSMALLINT type, SQLHANDLE h,
                      const char *what)
{
    char text[sizeof s->err.message];
    size_t used = 0;

    odbctx__clear_error(s);
    text[0] = '\0';
    for (SQLSMALLINT rec = 1; rec <= 8 && h; rec++) {
        SQLCHAR state[6] = "", msg[SQL_MAX_MESSAGE_LENGTH];
        SQLINTEGER native = 0;
        SQLSMALLINT len = 0;
        SQLRETURN rc = REAL(SQLGetDiagRec)(type, h, rec, state, &native, msg, sizeof msg, &len);
        if (!SQL_SUCCEEDED(rc))
            break;
        if (rec == 1) {
            memcpy(s->err.sqlstate, state, sizeof s->err.sqlstate);
            s->err.sqlstate[5] = '\0';
            s->err.native = native;
        }
        if (used < sizeof text)
            used += (size_t)snprintf(text + used, sizeof text - used, "%s[%s] %s",
                                     rec > 1 ? "; " : "", (char *)state, (char *)msg);
    }
    if (!text[0])
        snprintf(text, sizeof text, "(the driver gave no diagnostics)");
    if (code == ODBCTX_ESQL && connection_lost(s->err.sqlstate, s->err.native))
        code = ODBCTX_ELOST;
    s->err.code = code;
    odbctx__format(s->err.message, sizeof s->err.message, "%s%s%s%s", what ? what : "",
                   what && *what ? ": " : "",
                   code == ODBCTX_ELOST ? "the connection to the server was lost: " : "", text);
    if (lock_wait_expired(s)) {
        size_t len = strlen(s->err.message);
        snprintf(s->err.message + len, sizeof s->err.message - len,
                 " (the statement waited %ld ms, %s, for a lock that another connection "
                 "holds: end that connection's transaction, or raise the limit)",
                 s->lock_timeout_ms,
                 s->dialect == ODBCTX_DIALECT_SQLITE && s->connection && s->connection[0]
                     ? "the SQLite driver's Timeout= of the connection string"
                     : "ODBCTX_LOCK_TIMEOUT");
    }
    flatten(s->err.message);
    odbctx__redact_text(s, s->err.message, sizeof s->err.message);
    return code;
}

const char *odbctx_strerror(int code)
{
    switch (code) {
    case ODBCTX_OK: return "ODBCTX_OK";
    case ODBCTX_EARG: return "ODBCTX_EARG";
    case ODBCTX_ECONNECT: return "ODBCTX_ECONNECT";
    case ODBCTX_EDBMS: return "ODBCTX_EDBMS";
    case ODBCTX_ESQL: return "ODBCTX_ESQL";
    case ODBCTX_ESTATE: return "ODBCTX_ESTATE";
    case ODBCTX_EIO: return "ODBCTX_EIO";
    case ODBCTX_EBREACH: return "ODBCTX_EBREACH";
    case ODBCTX_ENOMEM: return "ODBCTX_ENOMEM";
    case ODBCTX_ELOST: return "ODBCTX_ELOST";
    case ODBCTX_EREFUSED: return "ODBCTX_EREFUSED";
    case ODBCTX_EBROKEN: return "ODBCTX_EBROKEN";
    case ODBCTX_EUNCOMMITTED: return "ODBCTX_EUNCOMMITTED";
    default: return "ODBCTX_E(unknown)";
    }
}
