/*
 * libFuzzer target for the statement classifier (c/classify.c):
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude -Ic fuzz/classify.c c/classify.c
 *
 * Raw input, for every dialect: the classifier reads only the bytes it is
 * given (ASan catches the rest), the statements it reports lie inside the
 * text in order without overlap, their names lie inside them, the count does
 * not depend on the size of the output array, and upper-casing the text
 * changes nothing (except where PostgreSQL dollar-quote tags are involved,
 * which are case-sensitive).
 *
 * odbctx_sql_plain, capture's shortcut, must never be wrong: where it says
 * plain, the classifier finds exactly one statement, of kind OTHER.
 *
 * The same input is also read as a recipe of tokens that is written out
 * twice: once with single spaces, once with random blanks, comments and
 * keyword case between and in the tokens. Both must classify the same.
 */
#include "sql/classify.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXS 64

static const unsigned dialects[] = {0, ODBCTX_SQL_MYSQL, ODBCTX_SQL_POSTGRESQL, ODBCTX_SQL_SQLITE};

static void check_layout(const struct odbctx_sql_stmt *st, size_t n, size_t size)
{
    size_t prev_end = 0;
    for (size_t i = 0; i < n; i++) {
        if (st[i].len == 0 || st[i].off < prev_end || st[i].off + st[i].len > size)
            abort();
        if (st[i].name_len &&
            (st[i].name_off < st[i].off || st[i].name_off + st[i].name_len > st[i].off + st[i].len))
            abort();
        if ((unsigned)st[i].kind > ODBCTX_SQL_IMPLICIT_COMMIT)
            abort();
        prev_end = st[i].off + st[i].len;
    }
}

static void same(const char *a, const struct odbctx_sql_stmt *x, size_t nx,
                 const char *b, const struct odbctx_sql_stmt *y, size_t ny, int compare_names)
{
    if (nx != ny)
        abort();
    for (size_t i = 0; i < nx && i < MAXS; i++) {
        if (x[i].kind != y[i].kind || x[i].clash != y[i].clash || x[i].params != y[i].params ||
            x[i].chain != y[i].chain || (x[i].name_len != 0) != (y[i].name_len != 0))
            abort();
        if (compare_names && (x[i].name_len != y[i].name_len ||
                              strncasecmp(a + x[i].name_off, b + y[i].name_off, x[i].name_len)))
            abort();
    }
}

static void raw(const uint8_t *data, size_t size, unsigned f)
{
    struct odbctx_sql_stmt a[MAXS], b[MAXS];
    const char *s = (const char *)data;
    size_t n = odbctx_classify(s, size, f, a, MAXS);
    check_layout(a, n < MAXS ? n : MAXS, size);
    if (odbctx_classify(s, size, f, NULL, 0) != n)
        abort();
    if (odbctx_sql_plain(s, size, f) && (n != 1 || a[0].kind != ODBCTX_SQL_OTHER))
        abort();
    /* The table DDL reader (MariaDB's contained DDL): its names and the
     * place of TEMPORARY lie inside the text. */
    struct odbctx_sql_table_ddl d;
    if (odbctx_sql_table_ddl(s, size, f, &d)) {
        if (d.n_names == 0 || d.n_names > ODBCTX_TABLE_NAMES || d.insert_at > size)
            abort();
        for (size_t i = 0; i < d.n_names; i++)
            if (d.names[i].len == 0 || d.names[i].off + d.names[i].len > size)
                abort();
    }
    /* The write target (the never-committed report, kept rows): inside the
     * text, and only for a statement that writes. */
    size_t woff, wlen;
    if (odbctx_sql_write_target(s, size, f, &woff, &wlen)) {
        if (woff + wlen > size || (wlen > 0 && woff == 0))
            abort();
    } else if (wlen != 0) {
        abort();
    }
    /* Markers (odbctx_exec_params counts them): never more than the '?'
     * bytes, and some exactly when a statement says it has parameters. */
    size_t markers = odbctx_sql_markers(s, size, f), questions = 0;
    for (size_t i = 0; i < size; i++)
        questions += data[i] == '?';
    if (markers > questions)
        abort();
    for (size_t i = 0; i < n && i < MAXS; i++)
        if (a[i].params && markers == 0)
            abort();
    if ((f & ODBCTX_SQL_POSTGRESQL) && memchr(data, '$', size))
        return;
    char *up = malloc(size ? size : 1);
    if (!up)
        return;
    for (size_t i = 0; i < size; i++)
        up[i] = (char)toupper(data[i]);
    size_t m = odbctx_classify(up, size, f, b, MAXS);
    same(s, a, n, up, b, m, 1);
    free(up);
}

/* Tokens of the recipe; each is complete, so blanks and comments may go
 * between any two of them. Words are keywords whose case may change. */
static const char *const words[] = {
    "COMMIT", "ROLLBACK", "BEGIN", "END", "START", "TRANSACTION", "WORK", "TO", "SAVEPOINT",
    "RELEASE", "AND", "NO", "CHAIN", "SET", "SESSION", "GLOBAL", "autocommit", "ON", "OFF", "0",
    "1", "ABORT", "PREPARE", "PREPARED", "XA", "SELECT", "INSERT", "INTO", "VALUES", "CREATE",
    "TEMPORARY", "TABLE", "TRIGGER", "FUNCTION", "PROCEDURE", "CASE", "WHEN", "THEN", "ATOMIC",
    "NOT", "IF", "LOOP", "DROP", "FROM", "UPDATE", "DELETE", "x", "odbctx_x", "t", "@@autocommit", "@@session.autocommit",
};
static const char *const others[] = {
    ";", ";", ";", "(", ")", ",", "=", "?", ":", "'a;b'", "'COMMIT'", "\"odbctx_q\"", "\"x;y\"",
    "'it''s'", "E'x'", "$$ ; COMMIT $$", "`b;c`", "[d;e]",
};
static const char *const blanks[] = {" ", "\n", "\t ", "/* c */", "-- c\n", "/**/", "  /*;*/ "};

struct out {
    char *p;
    size_t n, cap;
};

static void put(struct out *o, const char *s)
{
    size_t k = strlen(s);
    if (o->n + k + 1 > o->cap) {
        size_t cap = (o->cap + k + 1) * 2;
        char *np = realloc(o->p, cap);
        if (!np)
            abort();
        o->p = np;
        o->cap = cap;
    }
    memcpy(o->p + o->n, s, k);
    o->n += k;
}

static void recipe(const uint8_t *data, size_t size, unsigned f)
{
    struct out plain = {0}, noisy = {0};
    size_t nw = sizeof words / sizeof *words, no = sizeof others / sizeof *others;
    size_t nb = sizeof blanks / sizeof *blanks;
    /* Longer recipes find nothing new and slow every run down. */
    if (size > 512)
        size = 512;
    for (size_t i = 0; i + 1 < size; i += 2) {
        uint8_t pick = data[i], noise = data[i + 1];
        const char *tok;
        int is_word = 0;
        if (pick & 0x80) {
            tok = others[(pick & 0x7f) % no];
            /* Quote styles that this dialect does not have would not be single tokens. */
            if ((tok[0] == '`' && !(f & (ODBCTX_SQL_MYSQL | ODBCTX_SQL_SQLITE))) ||
                (tok[0] == '[' && !(f & ODBCTX_SQL_SQLITE)) ||
                (tok[0] == '$' && !(f & ODBCTX_SQL_POSTGRESQL)) ||
                (tok[0] == 'E' && !(f & ODBCTX_SQL_POSTGRESQL)))
                tok = ";";
        } else {
            tok = words[pick % nw];
            is_word = 1;
        }
        put(&plain, " ");
        put(&noisy, blanks[noise % nb]);
        if (noise & 0x40)
            put(&noisy, blanks[(noise >> 3) % nb]);
        put(&plain, tok);
        if (is_word && (noise & 0x80)) {
            char buf[64];
            size_t k = strlen(tok);
            for (size_t j = 0; j < k && j < sizeof buf - 1; j++)
                buf[j] = (char)(((noise >> (j % 7)) & 1) ? tolower((unsigned char)tok[j])
                                                         : toupper((unsigned char)tok[j]));
            buf[k < sizeof buf - 1 ? k : sizeof buf - 1] = 0;
            put(&noisy, buf);
        } else {
            put(&noisy, tok);
        }
    }
    put(&plain, " ");
    put(&noisy, "\n");
    struct odbctx_sql_stmt a[MAXS], b[MAXS];
    size_t n = odbctx_classify(plain.p, plain.n, f, a, MAXS);
    size_t m = odbctx_classify(noisy.p, noisy.n, f, b, MAXS);
    check_layout(a, n < MAXS ? n : MAXS, plain.n);
    check_layout(b, m < MAXS ? m : MAXS, noisy.n);
    same(plain.p, a, n, noisy.p, b, m, 1);
    if ((odbctx_sql_plain(plain.p, plain.n, f) && (n != 1 || a[0].kind != ODBCTX_SQL_OTHER)) ||
        (odbctx_sql_plain(noisy.p, noisy.n, f) && (m != 1 || b[0].kind != ODBCTX_SQL_OTHER)))
        abort();
    free(plain.p);
    free(noisy.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < sizeof dialects / sizeof *dialects; i++) {
        raw(data, size, dialects[i]);
        recipe(data, size, dialects[i]);
    }
    return 0;
}
