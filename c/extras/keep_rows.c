/*
 * odbctx_keep_rows: a failing test's rows, written as a script that puts
 * them back, before the test is discarded.
 *
 * Which tables: those the test's trace shows it wrote to (writes.c). What
 * of them: every row as the test left them, read inside the test's own
 * transaction, so reading changes nothing and isolation holds. The script
 * empties those tables and inserts the rows, so that replayed on a database
 * with the schema it gives the state the test failed in, including rows
 * the schema had made.
 */
#include "internal.h"
#include "extras/extras.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Rows written per table; the rest are counted in a comment. */
#define KEEP_ROWS_MAX 10000
#define KEEP_TABLES_MAX 64
/* A column the server already wrote as a literal (literal_fn). */
#define LITERAL 32000

struct tables {
    char *name[KEEP_TABLES_MAX];
    size_t n;
    int more; /* more tables than KEEP_TABLES_MAX */
};

/* Names as written: the same table may be spelled with other letter case
 * (unquoted names fold on every supported DBMS), quoted names compare
 * exactly. */
static int same_name(const char *a, const char *b, size_t blen)
{
    if (strlen(a) != blen)
        return 0;
    int quoted = memchr(b, '"', blen) || memchr(b, '`', blen);
    return quoted ? memcmp(a, b, blen) == 0 : strncasecmp(a, b, blen) == 0;
}

static int collect(void *ctx, const struct odbctx__write *w)
{
    struct tables *t = ctx;
    if (w->table_len == 0)
        return 0;
    for (size_t i = 0; i < t->n; i++)
        if (same_name(t->name[i], w->table, w->table_len))
            return 0;
    if (t->n == KEEP_TABLES_MAX) {
        t->more = 1;
        return 1;
    }
    t->name[t->n] = strndup(w->table, w->table_len);
    if (t->name[t->n])
        t->n++;
    return 0;
}

struct out {
    FILE *f;
    const struct odbctx_dialect_facts *d;
};

static void put_ident(const struct out *o, const char *name)
{
    fputc(o->d->ident_quote, o->f);
    for (const char *p = name; *p; p++) {
        if (*p == o->d->ident_quote)
            fputc(*p, o->f);
        fputc(*p, o->f);
    }
    fputc(o->d->ident_quote, o->f);
}

static void put_string(const struct out *o, const char *v, size_t n)
{
    fputc('\'', o->f);
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\'')
            fputc('\'', o->f);
        else if (v[i] == '\\' && o->d->backslash_escapes)
            fputc('\\', o->f);
        if (v[i] == '\0' && o->d->backslash_escapes)
            fputs("\\0", o->f);
        else if (v[i] != '\0') /* elsewhere a string holds no NUL */
            fputc(v[i], o->f);
    }
    fputc('\'', o->f);
}

static int numeric_type(SQLSMALLINT t)
{
    switch (t) {
    case SQL_TINYINT: case SQL_SMALLINT: case SQL_INTEGER: case SQL_BIGINT:
    case SQL_DECIMAL: case SQL_NUMERIC: case SQL_REAL: case SQL_FLOAT: case SQL_DOUBLE:
        return 1;
    }
    return 0;
}

static int floating_type(SQLSMALLINT t)
{
    return t == SQL_REAL || t == SQL_FLOAT || t == SQL_DOUBLE;
}

static int binary_type(SQLSMALLINT t)
{
    return t == SQL_BINARY || t == SQL_VARBINARY || t == SQL_LONGVARBINARY;
}

/* A number as SQL reads it: what a driver gives for a numeric column is,
 * except NaN and infinities (and, on SQLite, whatever the row holds). */
static int looks_numeric(const char *v, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (v[i] == '-' || v[i] == '+'))
        i++;
    for (; i < n; i++) {
        if (v[i] >= '0' && v[i] <= '9')
            digits++;
        else if (v[i] != '.' && v[i] != 'e' && v[i] != 'E' && v[i] != '-' && v[i] != '+')
            return 0;
    }
    return digits > 0;
}

/* Column c of the current row, whole, into *buf (grown); *len its length,
 * -1 for NULL. 0, or -1 when the driver failed. */
static int get_value(SQLHSTMT st, SQLUSMALLINT c, SQLSMALLINT ctype, char **buf, size_t *cap,
                     SQLLEN *len)
{
    size_t used = 0;
    for (;;) {
        if (*cap - used < 256) {
            char *more = realloc(*buf, *cap * 2);
            if (!more)
                return -1;
            *buf = more;
            *cap *= 2;
        }
        SQLLEN ind = 0;
        SQLRETURN r = REAL(SQLGetData)(st, c, ctype, *buf + used, (SQLLEN)(*cap - used), &ind);
        if (r == SQL_NO_DATA)
            break;
        if (!SQL_SUCCEEDED(r))
            return -1;
        if (ind == SQL_NULL_DATA) {
            *len = -1;
            return 0;
        }
        size_t room = *cap - used - (ctype == SQL_C_CHAR ? 1 : 0);
        if (r == SQL_SUCCESS || (ind != SQL_NO_TOTAL && (size_t)ind <= room)) {
            used += ind == SQL_NO_TOTAL ? room : (size_t)ind;
            break;
        }
        used += room; /* cut (01004): the rest comes with the next call */
    }
    *len = (SQLLEN)used;
    return 0;
}

/* One table's rows as INSERTs. 0, or the failed step's message in why. */
static int dump_table(odbctx_session *s, const struct out *o, const char *table, char *why,
                      size_t n)
{
    char sql[600];
    snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
    SQLHSTMT st = SQL_NULL_HSTMT;
    SQLSMALLINT cols = 0;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, s->dbc, &st))) {
        odbctx__format(why, n, "no statement handle");
        return -1;
    }
    int rc = 0;
    SQLSMALLINT *types = NULL;
    char *names = NULL, *buf = malloc(1024);
    size_t cap = 1024;
    if (!SQL_SUCCEEDED(REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS)) ||
        !SQL_SUCCEEDED(REAL(SQLNumResultCols)(st, &cols)) || cols < 1) {
        SQLCHAR state[6] = "", msg[400] = "";
        SQLINTEGER native = 0;
        SQLSMALLINT ml = 0;
        REAL(SQLGetDiagRec)(SQL_HANDLE_STMT, st, 1, state, &native, msg, sizeof msg, &ml);
        odbctx__format(why, n, "%s: %s (SQLSTATE %s)", sql, (char *)msg, (char *)state);
        rc = -1;
        goto out;
    }
    types = calloc((size_t)cols, sizeof *types);
    names = calloc((size_t)cols, 256);
    if (!types || !names || !buf) {
        odbctx__format(why, n, "out of memory");
        rc = -1;
        goto out;
    }
    for (SQLSMALLINT c = 0; c < cols; c++) {
        SQLSMALLINT nl = 0, dec = 0, nul = 0;
        SQLULEN size = 0;
        REAL(SQLDescribeCol)(st, (SQLUSMALLINT)(c + 1), (SQLCHAR *)names + 256 * c, 256, &nl,
                             &types[c], &size, &dec, &nul);
    }
    /* The server writes each value as a literal: read that instead. */
    if (o->d->literal_fn) {
        char *lit = NULL;
        size_t lcap = 0, lused = 0;
        int bad = 0;
        for (SQLSMALLINT c = 0; c < cols && !bad; c++) {
            const char *name = names + 256 * c;
            size_t need = lused + 2 * strlen(name) + strlen(o->d->literal_fn) + 16;
            if (odbctx__grow((void **)&lit, &lcap, need + strlen(table) + 16, 1)) {
                bad = 1;
                break;
            }
            lused += (size_t)sprintf(lit + lused, "%s%s(%c", c ? ", " : "SELECT ",
                                     o->d->literal_fn, o->d->ident_quote);
            for (const char *p = name; *p; p++) {
                if (*p == o->d->ident_quote)
                    lit[lused++] = *p;
                lit[lused++] = *p;
            }
            lused += (size_t)sprintf(lit + lused, "%c)", o->d->ident_quote);
        }
        if (!bad && !odbctx__grow((void **)&lit, &lcap, lused + strlen(table) + 8, 1)) {
            sprintf(lit + lused, " FROM %s", table);
            REAL(SQLFreeStmt)(st, SQL_CLOSE);
            if (!SQL_SUCCEEDED(REAL(SQLExecDirect)(st, (SQLCHAR *)lit, SQL_NTS))) {
                odbctx__format(why, n, "%s: failed", lit);
                free(lit);
                rc = -1;
                goto out;
            }
            for (SQLSMALLINT c = 0; c < cols; c++)
                types[c] = LITERAL;
        }
        free(lit);
        if (bad) {
            odbctx__format(why, n, "out of memory");
            rc = -1;
            goto out;
        }
    }
    unsigned long rows = 0;
    SQLRETURN r;
    while (SQL_SUCCEEDED(r = REAL(SQLFetch)(st))) {
        if (++rows > KEEP_ROWS_MAX)
            continue; /* counted, not written */
        fprintf(o->f, "INSERT INTO %s (", table);
        for (SQLSMALLINT c = 0; c < cols; c++) {
            if (c)
                fputs(", ", o->f);
            put_ident(o, names + 256 * c);
        }
        fputs(") VALUES (", o->f);
        for (SQLSMALLINT c = 0; c < cols; c++) {
            int bin = binary_type(types[c]);
            SQLLEN len = 0;
            if (floating_type(types[c])) {
                /* As a double, every digit: a driver's text may round
                 * (SQLite's gives 15 digits). */
                double v = 0;
                SQLLEN ind = 0;
                if (!SQL_SUCCEEDED(REAL(SQLGetData)(st, (SQLUSMALLINT)(c + 1), SQL_C_DOUBLE, &v,
                                                    sizeof v, &ind))) {
                    odbctx__format(why, n, "%s: reading column %s failed", sql, names + 256 * c);
                    rc = -1;
                    goto out;
                }
                if (c)
                    fputs(", ", o->f);
                if (ind == SQL_NULL_DATA)
                    fputs("NULL", o->f);
                else if (isfinite(v))
                    fprintf(o->f, "%.17g", v);
                else
                    fprintf(o->f, "'%s'", isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
                continue;
            }
            if (get_value(st, (SQLUSMALLINT)(c + 1), bin ? SQL_C_BINARY : SQL_C_CHAR, &buf, &cap,
                          &len) != 0) {
                odbctx__format(why, n, "%s: reading column %s failed", sql, names + 256 * c);
                rc = -1;
                goto out;
            }
            if (c)
                fputs(", ", o->f);
            if (len < 0) {
                fputs("NULL", o->f);
            } else if (types[c] == LITERAL) {
                fwrite(buf, 1, (size_t)len, o->f);
            } else if (bin) {
                fputs(o->d->hex_open, o->f);
                for (SQLLEN i = 0; i < len; i++)
                    fprintf(o->f, "%02x", (unsigned char)buf[i]);
                fputc('\'', o->f);
            } else if ((numeric_type(types[c]) || (types[c] == SQL_BIT && !o->d->bit_quoted)) &&
                       looks_numeric(buf, (size_t)len)) {
                fwrite(buf, 1, (size_t)len, o->f);
            } else {
                put_string(o, buf, (size_t)len);
            }
        }
        fputs(");\n", o->f);
    }
    if (r != SQL_NO_DATA) {
        odbctx__format(why, n, "%s: fetching failed", sql);
        rc = -1;
    } else if (rows > KEEP_ROWS_MAX) {
        fprintf(o->f, "-- %lu more rows of %s are not written (at most %d per table)\n",
                rows - KEEP_ROWS_MAX, table, KEEP_ROWS_MAX);
    } else if (rows == 0) {
        fprintf(o->f, "-- %s: no rows\n", table);
    }
out:
    free(types);
    free(names);
    free(buf);
    REAL(SQLFreeStmt)(st, SQL_CLOSE);
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return rc;
}

static void put_comment(FILE *f, const char *text)
{
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        fprintf(f, "-- %.*s\n", (int)len, p);
        p += len + (end ? 1 : 0);
    }
}

static int keep_rows(odbctx_session *s, const char *path, const char *header)
{
    if (!path || !*path)
        return odbctx__fail(s, ODBCTX_EARG, "odbctx_keep_rows: path is NULL or empty");
    if (!s->in_test)
        return odbctx__fail(s, ODBCTX_ESTATE,
                            "odbctx_keep_rows: no test is running (call it before "
                            "odbctx_end_test, which discards the rows)");
    if (s->breach)
        return odbctx__breached(s, "odbctx_keep_rows");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return odbctx__fail(s, ODBCTX_EIO, "odbctx_keep_rows: cannot write %s: %s", path,
                            strerror(e));
    }
    struct tables t = {{NULL}, 0, 0};
    odbctx__writes_each(s, 0, collect, &t);
    struct out o = {f, odbctx__dialect(s->dialect)};

    fprintf(f, "-- The rows of the tables a test wrote to, as it left them (%s).\n", s->dbms);
    fputs("-- Replayed on a database with the schema, it empties these tables and puts the "
          "rows back.\n",
          f);
    if (header && *header)
        put_comment(f, header);
    if (s->trace.dropped)
        fprintf(f, "-- The trace dropped %zu early lines: tables written only there are "
                   "missing.\n",
                s->trace.dropped);
    if (t.more)
        fprintf(f, "-- Only the first %d tables written are kept.\n", KEEP_TABLES_MAX);
    if (t.n == 0)
        fputs("-- The test wrote to no table.\n", f);
    /* Children before parents, for foreign keys: a table written first is
     * most often the one the others refer to. */
    for (size_t i = t.n; i-- > 0;)
        fprintf(f, "DELETE FROM %s;\n", t.name[i]);
    int rc = 0;
    char why[600] = "", first_why[600] = "";
    for (size_t i = 0; i < t.n; i++) {
        if (dump_table(s, &o, t.name[i], why, sizeof why) != 0) {
            fprintf(f, "-- %s could not be read: %s\n", t.name[i], why);
            if (!first_why[0])
                memcpy(first_why, why, sizeof why);
        }
    }
    for (size_t i = 0; i < t.n; i++)
        free(t.name[i]);
    if (ferror(f) | (fclose(f) != 0))
        rc = odbctx__fail(s, ODBCTX_EIO, "odbctx_keep_rows: writing %s failed: %s", path,
                          strerror(errno));
    else if (first_why[0])
        rc = odbctx__fail(s, ODBCTX_ESQL,
                          "odbctx_keep_rows: %s holds the other tables' rows; reading one "
                          "failed: %s",
                          path, first_why);
    return rc;
}

int odbctx_keep_rows(odbctx_session *s, const char *path, const char *header)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc = odbctx__refuse_broken(s, "odbctx_keep_rows");
    if (rc == 0)
        rc = keep_rows(s, path, header);
    odbctx__leave(s);
    return rc;
}

/* ---- where a failed test's rows go (the integrations' policy) ---- */

/* mkdir -p, each new directory private: the rows may be anyone's data. */
static int make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return errno;
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return errno;
    return 0;
}

/* The test's name with what a file name cannot hold made '_', cut, and a
 * hash of the whole name so that two names cut alike differ. */
static void file_name(const char *test, char *out, size_t n)
{
    size_t used = 0;
    unsigned long long h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)test; *p; p++) {
        h = (h ^ *p) * 1099511628211ULL;
        int keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || *p == '-' || *p == '.';
        if (used < 100 && used + 1 < n)
            out[used++] = keep ? (char)*p : '_';
    }
    out[used] = '\0';
    odbctx__format(out + used, n - used, "-%08llx.sql", h & 0xffffffffULL);
}

static int keep_failed(odbctx_session *s, const char *test, const char *header, char *out,
                       size_t n)
{
    const char *v = getenv("ODBCTX_FAILED_ROWS");
    if (v && strcmp(v, "0") == 0)
        return 0;
    char dir[4096];
    if (v && *v) {
        odbctx__copy(dir, sizeof dir, v);
    } else {
        const char *tmp = getenv("TMPDIR");
        odbctx__format(dir, sizeof dir, "%s/odbctx-failed-rows", tmp && *tmp ? tmp : "/tmp");
    }
    int e = make_dirs(dir);
    if (e)
        return odbctx__fail(s, ODBCTX_EIO,
                            "odbctx_keep_failed: cannot create %s: %s (ODBCTX_FAILED_ROWS names "
                            "another directory, 0 keeps none)",
                            dir, strerror(e));
    char name[160];
    file_name(test ? test : "", name, sizeof name);
    char path[4096 + 160];
    odbctx__format(path, sizeof path, "%s/%s", dir, name);
    if (strlen(path) + 1 > n)
        return odbctx__fail(s, ODBCTX_EARG, "odbctx_keep_failed: out has %zu bytes, the path needs %zu",
                            n, strlen(path) + 1);
    memcpy(out, path, strlen(path) + 1);
    return keep_rows(s, path, header);
}

int odbctx_keep_failed(odbctx_session *s, const char *test, const char *header, char *out,
                       size_t n)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    if (!out || n == 0)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_keep_failed: out is NULL or empty");
    else if ((out[0] = '\0', rc = odbctx__refuse_broken(s, "odbctx_keep_failed")) == 0)
        rc = keep_failed(s, test, header, out, n);
    odbctx__leave(s);
    return rc;
}
