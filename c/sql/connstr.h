/*
 * ODBC connection strings: "KEY=value;KEY={value;with;semicolons};..."
 *
 * Keys are case-insensitive and trimmed of blanks; a value in braces runs
 * to the matching '}' ("}}" stands for one '}') and may hold ';'. These
 * functions allocate nothing, so a fuzz target can drive them directly.
 */
#ifndef ODBCTX_CONNSTR_H
#define ODBCTX_CONNSTR_H

#include <stddef.h>

struct odbctx_connstr_pair {
    const char *key;      /* into the string; not terminated */
    size_t key_len;
    const char *value;    /* raw text, braces included when braced */
    size_t value_len;
    int braced;
};

/* Called for every KEY=value pair in order; a nonzero return stops the walk
 * and becomes the result of odbctx_connstr_walk. */
typedef int (*odbctx_connstr_fn)(void *ctx, const struct odbctx_connstr_pair *pair);

/* Walks conn. Returns 0, the callback's nonzero value, or -1 when the string
 * is malformed (an unterminated '{'), with *bad_offset (when not NULL) set to
 * where the broken value starts. A segment without '=' is passed with an
 * empty value, as drivers ignore it. */
int odbctx_connstr_walk(const char *conn, odbctx_connstr_fn fn, void *ctx, size_t *bad_offset);

/* 1 when the key may name a secret: its letters and digits (punctuation
 * such as braces is ignored, any case) contain PWD, PASS, SECRET, TOKEN,
 * CREDENTIAL, APIKEY, ACCESSKEY or PRIVATEKEY. */
int odbctx_connstr_is_secret_key(const char *key, size_t len);

/* Copies the unbraced value of pair into out (size n, always terminated when
 * n > 0): braces removed and "}}" turned into "}". Returns the full length. */
size_t odbctx_connstr_value(const struct odbctx_connstr_pair *pair, char *out, size_t n);

/* Finds the first value for key (case-insensitive) and copies it as
 * odbctx_connstr_value does. Returns its length, or (size_t)-1 when absent. */
size_t odbctx_connstr_get(const char *conn, const char *key, char *out, size_t n);

#endif
