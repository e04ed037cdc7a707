/*
 * SQL on the session's connection, traced: odbctx's own statements (on one
 * reused statement handle), the user's and captured code's, one integer
 * read back, and what the server says about a procedure before it is
 * called. Errors go to the session; a lost connection is noted there.
 */
#include "internal.h"
#include "extras/extras.h"
#include "sql/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reused handle that fails with one of these was not fit to run anything
 * (nothing was executed): function sequence error, invalid cursor state. */
static int unfit(SQLRETURN rc, SQLHSTMT st)
{
    SQLCHAR state[6] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (rc == SQL_INVALID_HANDLE)
        return 1;
    if (!SQL_SUCCEEDED(REAL(SQLGetDiagRec)(SQL_HANDLE_STMT, st, 1, state, &native, NULL, 0, &len)))
        return 0;
    return strcmp((char *)state, "HY010") == 0 || strcmp((char *)state, "24000") == 0;
}

/* The driver's handle for the session's connection: the driver manager
 * answers from its own record, without the driver or the server. */
static SQLHANDLE driver_dbc(odbctx_session *s)
{
    SQLHANDLE drv = NULL;
    if (!SQL_SUCCEEDED(REAL(SQLGetInfo)(s->dbc, SQL_DRIVER_HDBC, &drv, sizeof drv, NULL)))
        return NULL;
    return drv;
}

/* Gives a statement handle back: odbctx's own statements keep one handle
 * per session, since allocating and freeing one costs more than the savepoint
 * statement itself on SQLite, and a tenth of a commit's overhead on a server;
 * every other handle is freed. */
static void done(odbctx_session *s, SQLHSTMT st, int reuse)
{
    if (reuse && !s->own_stmt && SQL_SUCCEEDED(REAL(SQLFreeStmt)(st, SQL_CLOSE)) &&
        SQL_SUCCEEDED(REAL(SQLFreeStmt)(st, SQL_RESET_PARAMS))) {
        s->own_stmt = st;
        s->own_stmt_drv = driver_dbc(s);
        return;
    }
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
}

/* Whether the kept handle still belongs to the connection odbctx made.
 * Legacy code that disconnects the session's connection through libodbc
 * itself, past capture, leaves it dangling: unixODBC keeps its own record
 * of the statement and passes calls on to the driver's freed one. The
 * reconnect gives the connection a new driver handle (unless malloc hands
 * back the same address) and autocommit back on (odbctx keeps it off for
 * the whole session), and both are read without a round trip. SQLite
 * refuses to disconnect inside the suite transaction. */
static int own_stmt_valid(odbctx_session *s)
{
    if (s->dialect == ODBCTX_DIALECT_SQLITE)
        return 1;
    SQLUINTEGER ac = SQL_AUTOCOMMIT_ON;
    return driver_dbc(s) == s->own_stmt_drv &&
           SQL_SUCCEEDED(REAL(SQLGetConnectAttr)(s->dbc, SQL_ATTR_AUTOCOMMIT, &ac, 0, NULL)) &&
           ac == SQL_AUTOCOMMIT_OFF;
}

void odbctx__own_stmt_drop(odbctx_session *s)
{
    if (s->own_stmt)
        REAL(SQLFreeHandle)(SQL_HANDLE_STMT, s->own_stmt);
    s->own_stmt = SQL_NULL_HSTMT;
}

/* Runs sql on a statement handle (the session's reused one for odbctx's own
 * unprepared statements, else a new one); on success *out holds it positioned
 * on the first result, to be given back with done(s, *out, *reuse). On
 * failure the error is on the session (the statement text as its prefix),
 * the trace has the line and nothing is left open. */
/* Binds b's values to st's markers after checking their count; 0 or the
 * error on s. ind holds b->n lengths for the call's duration. */
static int bind(odbctx_session *s, SQLHSTMT st, const char *sql, const struct odbctx__bound *b,
                SQLLEN *ind)
{
    /* Counted in the text, not with SQLNumParams: that needs SQLPrepare,
     * which costs psqlODBC two more round trips than SQLExecDirect. */
    size_t markers = odbctx_sql_markers(sql, strlen(sql), odbctx__dialect(s->dialect)->lexis);
    if (markers != b->n)
        return odbctx__fail(s, ODBCTX_EARG,
                            "%.300s: the statement has %zu parameter marker%s, %zu value%s given; "
                            "nothing was run",
                            sql, markers, markers == 1 ? "" : "s", b->n, b->n == 1 ? "" : "s");
    for (size_t i = 0; i < b->n; i++) {
        const odbctx_param *p = &b->params[i];
        SQLULEN size = p->size;
        if (p->data == NULL) {
            ind[i] = SQL_NULL_DATA;
        } else if (p->c_type == SQL_C_CHAR || p->c_type == SQL_C_BINARY) {
            ind[i] = p->len == SQL_NTS ? (SQLLEN)strlen(p->data) : p->len;
            if (size == 0)
                size = ind[i] > 0 ? (SQLULEN)ind[i] : 1;
        } else {
            ind[i] = 0;
        }
        if (size == 0)
            size = 1;
        SQLRETURN r = REAL(SQLBindParameter)(st, (SQLUSMALLINT)(i + 1), SQL_PARAM_INPUT, p->c_type,
                                             p->sql_type, size, p->digits, (SQLPOINTER)p->data,
                                             ind[i] > 0 ? ind[i] : 0, &ind[i]);
        if (!SQL_SUCCEEDED(r)) {
            int code = odbctx__fail_sql(s, s->dbc, SQL_HANDLE_STMT, st, NULL);
            odbctx__error_prefix(s, "%.300s: parameter %zu", sql, i + 1);
            return code;
        }
    }
    return 0;
}

/* shown: what the trace shows of sql (traced_text) when it fails here. */
static int run(odbctx_session *s, const char *sql, const char *shown, const char *origin,
               int prepared, const struct odbctx__bound *b, SQLHSTMT *out, int *reuse)
{
    /* Taken out while in use: a call re-entered meanwhile allocates its own. */
    SQLHSTMT st = SQL_NULL_HSTMT;
    SQLRETURN rc;
    int cached = 0;
    *reuse = !prepared && !b && origin == odbctx__origin_own;
    if (*reuse && s->own_stmt) {
        /* A dangling handle is dropped, not freed: freeing it would free
         * the driver's statement a second time. */
        if (own_stmt_valid(s)) {
            st = s->own_stmt;
            cached = 1;
        }
        s->own_stmt = SQL_NULL_HSTMT;
    }
    for (;;) {
        if (!st) {
            rc = REAL(SQLAllocHandle)(SQL_HANDLE_STMT, s->dbc, &st);
            if (!SQL_SUCCEEDED(rc)) {
                int code = odbctx__fail_sql(s, s->dbc, SQL_HANDLE_DBC, s->dbc, sql);
                odbctx__trace_add(s, origin, shown, 0, s->err.message);
                return code;
            }
        }
        if (b) {
            /* Bound, then sent once: SQLExecDirect, since a statement with
             * values is rarely run twice on one handle. */
            SQLLEN small[16], *ind = b->n <= 16 ? small : malloc(b->n * sizeof *ind);
            int bound = ind ? bind(s, st, sql, b, ind)
                            : odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
            if (bound == 0)
                rc = REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS);
            if (ind != small)
                free(ind);
            if (bound) {
                odbctx__trace_add(s, origin, shown, 0, s->err.message);
                REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
                return bound;
            }
        } else if (prepared) {
            rc = REAL(SQLPrepare)(st, (SQLCHAR *)sql, SQL_NTS);
            if (SQL_SUCCEEDED(rc))
                rc = REAL(SQLExecute)(st);
        } else {
            rc = REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS);
        }
        if (!cached || SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA || !unfit(rc, st))
            break;
        /* Freed under us (a reconnect nobody told query.c about) or in a
         * state it cannot leave: run it on a fresh one. */
        if (rc != SQL_INVALID_HANDLE)
            REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
        st = SQL_NULL_HSTMT;
        cached = 0;
    }
    /* SQL_NO_DATA: a searched UPDATE or DELETE that matched no row. */
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
        int code = odbctx__fail_sql(s, s->dbc, SQL_HANDLE_STMT, st, NULL);
        odbctx__trace_add(s, origin, shown, 0, s->err.message);
        odbctx__error_prefix(s, "%.*s%s", 300, sql, strlen(sql) > 300 ? "..." : "");
        /* Freed, not kept, whatever failed: failures are rare, and a lost
         * connection may have taken the handle's state along. */
        REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
        return code;
    }
    *out = st;
    return 0;
}

/* Moves to the next result of a multi-statement string; 1 when there is
 * one, 0 at the end, or a negative code (error on the session). */
static int next_result(odbctx_session *s, SQLHSTMT st, const char *sql)
{
    SQLRETURN rc = REAL(SQLMoreResults)(st);
    if (rc == SQL_NO_DATA)
        return 0;
    if (SQL_SUCCEEDED(rc))
        return 1;
    int code = odbctx__fail_sql(s, s->dbc, SQL_HANDLE_STMT, st, sql);
    return code;
}

/* Appends len bytes of str to out (capacity cap, *used so far), cut to fit. */
static void append(char *out, size_t cap, size_t *used, const char *str, size_t len)
{
    if (*used + 1 >= cap)
        return;
    if (len > cap - 1 - *used)
        len = cap - 1 - *used;
    memcpy(out + *used, str, len);
    *used += len;
}

static void append_int(char *out, size_t cap, size_t *used, unsigned long long v, int negative)
{
    char digits[24];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (negative)
        digits[--n] = '-';
    append(out, cap, used, digits + n, sizeof digits - n);
}

/* What the trace shows of a statement with values: the text, then the
 * values in brackets (text cut short, binary as its length), into out
 * (capacity cap, cut to fit: the trace shows at most SQL_SHOWN characters
 * of a statement anyway). Returns sql itself when there are no values.
 * Written by hand, not with snprintf: a factory's create() traces a line
 * per object, and formatting was most of its cost. */
#define TRACED_MAX 2400
static const char *traced_text(const char *sql, const struct odbctx__bound *b, char *out,
                               size_t cap)
{
    if (!b || b->n == 0)
        return sql;
    size_t used = 0;
    append(out, cap, &used, sql, strlen(sql));
    append(out, cap, &used, " [", 2);
    for (size_t i = 0; i < b->n; i++) {
        const odbctx_param *p = &b->params[i];
        if (i)
            append(out, cap, &used, ", ", 2);
        if (!p->data) {
            append(out, cap, &used, "NULL", 4);
        } else if (p->c_type == SQL_C_CHAR) {
            size_t len = p->len == SQL_NTS ? strlen(p->data) : (size_t)p->len;
            append(out, cap, &used, "'", 1);
            append(out, cap, &used, p->data, len > 40 ? 40 : len);
            append(out, cap, &used, len > 40 ? "...'" : "'", len > 40 ? 4 : 1);
        } else if (p->c_type == SQL_C_BINARY) {
            append(out, cap, &used, "<", 1);
            append_int(out, cap, &used, (unsigned long long)p->len, 0);
            append(out, cap, &used, " bytes>", 7);
        } else if (p->c_type == SQL_C_SBIGINT) {
            long long v = *(const long long *)p->data;
            append_int(out, cap, &used, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v,
                       v < 0);
        } else if (p->c_type == SQL_C_UBIGINT) {
            append_int(out, cap, &used, *(const unsigned long long *)p->data, 0);
        } else if (p->c_type == SQL_C_BIT) {
            int on = *(const unsigned char *)p->data != 0;
            append(out, cap, &used, on ? "true" : "false", on ? 4 : 5);
        } else {
            char v[64] = "?";
            if (p->c_type == SQL_C_DOUBLE) {
                snprintf(v, sizeof v, "%g", *(const double *)p->data);
            } else if (p->c_type == SQL_C_TYPE_DATE) {
                const SQL_DATE_STRUCT *d = p->data;
                snprintf(v, sizeof v, "%04d-%02u-%02u", d->year, d->month, d->day);
            } else if (p->c_type == SQL_C_TYPE_TIMESTAMP) {
                const SQL_TIMESTAMP_STRUCT *d = p->data;
                snprintf(v, sizeof v, "%04d-%02u-%02u %02u:%02u:%02u", d->year, d->month, d->day,
                         d->hour, d->minute, d->second);
            }
            append(out, cap, &used, v, strlen(v));
        }
    }
    append(out, cap, &used, "]", 1);
    out[used] = '\0';
    return out;
}

void odbctx_trace_statement(odbctx_session *s, const char *origin, const char *sql,
                            const odbctx_param *params, size_t n, const char *note, int ok,
                            const char *message)
{
    if (!sql || !odbctx__enter(s, 0))
        return;
    if (!origin || !*origin)
        origin = "?";
    /* A loop of the same INSERT makes one line with a count. */
    if (odbctx__trace_repeat(s, origin, sql, ok)) {
        odbctx__leave(s);
        return;
    }
    struct odbctx__bound b = {params, params ? n : 0};
    char buf[TRACED_MAX];
    const char *text = traced_text(sql, &b, buf, sizeof buf);
    if (note && *note) {
        size_t used = 0;
        if (text == buf)
            used = strlen(buf);
        else
            append(buf, sizeof buf, &used, sql, strlen(sql));
        append(buf, sizeof buf, &used, " (", 2);
        append(buf, sizeof buf, &used, note, strlen(note));
        append(buf, sizeof buf, &used, ")", 1);
        buf[used] = '\0';
        text = buf;
    }
    /* Not odbctx__origin_own: the line is redacted like the user's. */
    odbctx__trace_add(s, origin, text, ok != 0, message);
    if (ok)
        odbctx__trace_repeatable(s, origin, sql);
    odbctx__leave(s);
}

static int exec_any(odbctx_session *s, const char *sql, const char *origin, int prepared,
                    const struct odbctx__bound *b)
{
    SQLHSTMT st;
    char buf[TRACED_MAX];
    const char *traced = traced_text(sql, b, buf, sizeof buf);
    int reuse, rc = run(s, sql, traced, origin, prepared, b, &st, &reuse);
    if (rc)
        return rc;
    /* Later statements of a multi-statement string report their errors
     * only when their result is reached. */
    while ((rc = next_result(s, st, sql)) > 0)
        ;
    done(s, st, reuse && rc == 0);
    odbctx__trace_add(s, origin, traced, rc == 0, rc == 0 ? NULL : s->err.message);
    return rc;
}

int odbctx__exec_opt(odbctx_session *s, const char *sql, const char *origin, int prepared)
{
    return exec_any(s, sql, origin, prepared, NULL);
}

int odbctx__exec_real(odbctx_session *s, const char *sql, const char *origin)
{
    return exec_any(s, sql, origin, 0, NULL);
}

int odbctx__exec_bound(odbctx_session *s, const char *sql, const char *origin,
                       const struct odbctx__bound *b)
{
    return exec_any(s, sql, origin, 1, b);
}

int odbctx__query_int_bound(odbctx_session *s, const char *sql, const char *origin,
                            const struct odbctx__bound *b, long long *out)
{
    SQLHSTMT st;
    char buf[TRACED_MAX];
    const char *traced = traced_text(sql, b, buf, sizeof buf);
    int reuse, found = 0, rc = run(s, sql, traced, origin, 0, b, &st, &reuse);
    if (rc)
        return rc;
    *out = 0;
    do {
        SQLSMALLINT cols = 0;
        if (!SQL_SUCCEEDED(REAL(SQLNumResultCols)(st, &cols)) || cols < 1)
            continue;
        SQLRETURN f = REAL(SQLFetch)(st);
        if (f == SQL_NO_DATA) {
            found = 0;
            continue;
        }
        if (!SQL_SUCCEEDED(f)) {
            rc = odbctx__fail_sql(s, s->dbc, SQL_HANDLE_STMT, st, sql);
            break;
        }
        SQLBIGINT v = 0;
        SQLLEN ind = 0;
        if (!SQL_SUCCEEDED(REAL(SQLGetData)(st, 1, SQL_C_SBIGINT, &v, sizeof v, &ind))) {
            rc = odbctx__fail_sql(s, s->dbc, SQL_HANDLE_STMT, st, sql);
            break;
        }
        *out = ind == SQL_NULL_DATA ? 0 : (long long)v;
        found = 1;
    } while ((rc = next_result(s, st, sql)) > 0);
    done(s, st, reuse && rc == 0);
    if (rc == 0 && !found)
        rc = odbctx__fail(s, ODBCTX_ESQL, "%s: the query returned no row", sql);
    odbctx__trace_add(s, origin, traced, rc == 0, rc == 0 ? NULL : s->err.message);
    return rc;
}

int odbctx__query_rows_bound(odbctx_session *s, const char *sql, const char *origin,
                             const struct odbctx__bound *b, int (*rows)(void *, SQLHSTMT),
                             void *ctx)
{
    SQLHSTMT st;
    char buf[TRACED_MAX];
    const char *traced = traced_text(sql, b, buf, sizeof buf);
    int reuse, rc = run(s, sql, traced, origin, 0, b, &st, &reuse);
    if (rc)
        return rc;
    int read = 0;
    do {
        SQLSMALLINT cols = 0;
        if (read || !SQL_SUCCEEDED(REAL(SQLNumResultCols)(st, &cols)) || cols < 1)
            continue;
        read = 1;
        if ((rc = rows(ctx, st)) != 0)
            break;
    } while ((rc = next_result(s, st, sql)) > 0);
    /* A callback's failure leaves the cursor wherever it stopped. */
    done(s, st, reuse && rc == 0);
    if (rc == 0 && !read)
        rc = odbctx__fail(s, ODBCTX_ESQL, "%s: the statement returned no result set", sql);
    odbctx__trace_add(s, origin, traced, rc == 0, rc == 0 ? NULL : s->err.message[0] ? s->err.message : "reading the rows failed");
    return rc;
}

int odbctx__query_int_real(odbctx_session *s, const char *sql, const char *origin,
                           long long *out)
{
    return odbctx__query_int_bound(s, sql, origin, NULL, out);
}


/* The name a CALL names, unquoted, into out; 0 when it is not a plain
 * [schema.]name the lookup below can use. */
static int call_target(const char *sql, size_t len, char *out, size_t n)
{
    const char *p = odbctx__dialect_call(sql, len), *end = sql + len;
    if (!p)
        return 0;
    size_t used = 0;
    while (p < end && *p != '(' && *p != ';' && *p != ' ' && *p != '\t' && *p != '\n') {
        char c = *p++;
        if (c == '`')
            continue;
        if (c == '\'' || c == '\\' || used + 1 >= n)
            return 0;
        out[used++] = c;
    }
    out[used] = '\0';
    return used > 0;
}

int odbctx__procedure_commits(odbctx_session *s, const char *sql, size_t len)
{
    char name[200], query[600], *body;
    if (s->dialect != ODBCTX_DIALECT_MARIADB || !call_target(sql, len, name, sizeof name))
        return 0;
    const char *dot = strchr(name, '.');
    if (dot)
        snprintf(query, sizeof query,
                 "SELECT ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE "
                 "ROUTINE_TYPE = 'PROCEDURE' AND ROUTINE_SCHEMA = '%.*s' AND ROUTINE_NAME = '%s'",
                 (int)(dot - name), name, dot + 1);
    else
        snprintf(query, sizeof query,
                 "SELECT ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE "
                 "ROUTINE_TYPE = 'PROCEDURE' AND ROUTINE_SCHEMA = DATABASE() AND "
                 "ROUTINE_NAME = '%s'",
                 name);
    size_t cap = 65536;
    if (!(body = malloc(cap + 32)))
        return 0;
    odbctx_error keep = s->err;
    /* "BEGIN NOT ATOMIC" makes a body in BEGIN ... END a compound statement
     * for the classifier, which then refuses it when any of it controls
     * the transaction or is DDL. */
    memcpy(body, "BEGIN NOT ATOMIC ", 17);
    int found = 0;
    if (odbctx__query_text(s, s->dbc, query, body + 17, cap) == 0 && body[17]) {
        const char *text = body + 17;
        size_t tl = strlen(text);
        int block = tl > 5 && strncasecmp(text, "BEGIN", 5) == 0;
        if (block)
            memmove(body + 17, body + 22, tl - 5 + 1);
        struct odbctx_sql_stmt one[4];
        const char *from = block ? body : text;
        size_t n = odbctx_classify(from, strlen(from), ODBCTX_SQL_MYSQL, one, 4);
        for (size_t i = 0; i < n && i < 4; i++)
            if (one[i].kind != ODBCTX_SQL_OTHER)
                found = 1;
    }
    s->err = keep;
    free(body);
    return found;
}
