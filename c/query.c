#include "internal.h"
#include "classify.h"
#include "script.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char odbctx__origin_own[] = "odbctx";

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
static int run(odbctx_session *s, const char *sql, const char *origin, int prepared,
               SQLHSTMT *out, int *reuse)
{
    /* Taken out while in use: a call re-entered meanwhile allocates its own. */
    SQLHSTMT st = SQL_NULL_HSTMT;
    SQLRETURN rc;
    int cached = 0;
    *reuse = !prepared && origin == odbctx__origin_own;
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
                int code = odbctx__fail_odbc(s, ODBCTX_ESQL, SQL_HANDLE_DBC, s->dbc, sql);
                odbctx__trace_add(s, origin, sql, 0, s->err.message);
                return code;
            }
        }
        if (prepared) {
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
        int code = odbctx__fail_odbc(s, ODBCTX_ESQL, SQL_HANDLE_STMT, st, NULL);
        odbctx__trace_add(s, origin, sql, 0, s->err.message);
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
    int code = odbctx__fail_odbc(s, ODBCTX_ESQL, SQL_HANDLE_STMT, st, sql);
    return code;
}

int odbctx__exec_opt(odbctx_session *s, const char *sql, const char *origin, int prepared)
{
    SQLHSTMT st;
    int reuse, rc = run(s, sql, origin, prepared, &st, &reuse);
    if (rc)
        return rc;
    /* Later statements of a multi-statement string report their errors
     * only when their result is reached. */
    while ((rc = next_result(s, st, sql)) > 0)
        ;
    done(s, st, reuse && rc == 0);
    odbctx__trace_add(s, origin, sql, rc == 0, rc == 0 ? NULL : s->err.message);
    return rc;
}

int odbctx__exec_real(odbctx_session *s, const char *sql, const char *origin)
{
    return odbctx__exec_opt(s, sql, origin, 0);
}

int odbctx__query_int_real(odbctx_session *s, const char *sql, const char *origin,
                           long long *out)
{
    SQLHSTMT st;
    int reuse, found = 0, rc = run(s, sql, origin, 0, &st, &reuse);
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
            rc = odbctx__fail_odbc(s, ODBCTX_ESQL, SQL_HANDLE_STMT, st, sql);
            break;
        }
        SQLBIGINT v = 0;
        SQLLEN ind = 0;
        if (!SQL_SUCCEEDED(REAL(SQLGetData)(st, 1, SQL_C_SBIGINT, &v, sizeof v, &ind))) {
            rc = odbctx__fail_odbc(s, ODBCTX_ESQL, SQL_HANDLE_STMT, st, sql);
            break;
        }
        *out = ind == SQL_NULL_DATA ? 0 : (long long)v;
        found = 1;
    } while ((rc = next_result(s, st, sql)) > 0);
    done(s, st, reuse && rc == 0);
    if (rc == 0 && !found)
        rc = odbctx__fail(s, ODBCTX_ESQL, "%s: the query returned no row", sql);
    odbctx__trace_add(s, origin, sql, rc == 0, rc == 0 ? NULL : s->err.message);
    return rc;
}

int odbctx__probe(odbctx_session *s, const char *sql, char *msg, size_t n)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (msg && n)
        msg[0] = '\0';
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, s->dbc, &st)))
        return 0;
    SQLRETURN rc = REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS);
    int ok = SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA;
    /* MariaDB's connection stays busy until every result has been read. */
    while (ok && SQL_SUCCEEDED(rc = REAL(SQLMoreResults)(st)))
        ;
    if (ok && rc != SQL_NO_DATA)
        ok = 0;
    if (!ok && msg && n) {
        SQLCHAR state[6];
        SQLINTEGER native;
        SQLSMALLINT len;
        REAL(SQLGetDiagRec)(SQL_HANDLE_STMT, st, 1, state, &native, (SQLCHAR *)msg,
                            (SQLSMALLINT)(n > 32767 ? 32767 : n), &len);
    }
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return ok;
}

static const char *origin_of(const odbctx_session *s)
{
    return s->in_test ? "test" : "suite";
}

/* Runs a statement the user gave. At suite level it is journaled for
 * replays, and DDL that commits implicitly (MariaDB) takes the schema path.
 * A statement that failed, or that may end transactions, is followed by a
 * check that the suite transaction survived it. from_script: see
 * odbctx__script_prepared. */
static int exec_user(odbctx_session *s, const char *sql, int from_script)
{
    if (s->in_test && s->breach)
        return odbctx__breached(s, "odbctx_exec");

    size_t len = strlen(sql);
    int ends = odbctx__dialect_ends_transaction(s->dialect, sql, len);
    if (!s->in_test && ends && s->dialect == ODBCTX_DIALECT_MARIADB &&
        odbctx__schema_is_ddl(sql, len))
        return odbctx__schema_statement(s, sql);

    /* Suite-level DDL is recorded like the schema's, so that a breach that
     * commits it can be undone by dropping what it made. */
    int rc = !s->in_test && odbctx__schema_is_ddl(sql, len)
                 ? odbctx__schema_replay_one(s, sql)
                 : odbctx__exec_opt(s, sql, s->in_test ? "test" : "suite",
                                    from_script && odbctx__script_prepared(s));
    if (ends && odbctx__dialect_commits_implicitly(s->dialect, sql, len))
        ends = ODBCTX_ENDS_SURELY;
    else if (!ends && s->in_test && odbctx__dialect_procedure_commits(s, sql, len))
        ends = ODBCTX_ENDS_SURELY;
    rc = odbctx__after_statement(s, sql, rc, ends);
    if (rc == 0 && !s->in_test && odbctx__journal_add(s, ODBCTX_JOURNAL_SUITE, sql, len) != 0)
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    return rc;
}

int odbctx__script_prepared(const odbctx_session *s)
{
    return s->dialect == ODBCTX_DIALECT_POSTGRESQL;
}

/* Suite-level statements must find the suite transaction open, and not
 * the last test's savepoint (levels.c). */
static int ensure_suite(odbctx_session *s)
{
    int rc = odbctx__refuse_broken(s, "odbctx");
    if (rc)
        return rc;
    if (s->in_test)
        return 0;
    if (s->suite_open)
        return odbctx__settle(s);
    return odbctx__suite_rebuild(s, 0);
}

int odbctx_exec(odbctx_session *s, const char *sql)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    if (!sql || !*sql)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_exec: sql is NULL or empty");
    else if ((rc = ensure_suite(s)) == 0)
        rc = exec_user(s, sql, 0);
    odbctx__leave(s);
    return rc;
}

int odbctx_query_int(odbctx_session *s, const char *sql, long long *out)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    if (!sql || !*sql || !out)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_query_int: %s",
                          !out ? "out is NULL" : "sql is NULL or empty");
    else if (s->in_test && s->breach)
        rc = odbctx__breached(s, "odbctx_query_int");
    else if ((rc = ensure_suite(s)) == 0)
        rc = odbctx__after_statement(s, sql, odbctx__query_int_real(s, sql, origin_of(s), out), 0);
    odbctx__leave(s);
    return rc;
}

/* PostgreSQL runs a script's statements prepared, one at a time (see
 * odbctx__script_prepared): five round trips each, 0.5 ms a statement on
 * loopback. Runs of plain statements outside a test therefore go to the
 * server together, in one prepared call of up to BATCH_STMTS statements,
 * inside a savepoint of their own. A batch that fails (a syntax error takes
 * the whole transaction with it there) is undone, or the suite rebuilt
 * when it was lost, and its statements run again one by one, so that the
 * error, its line and what ran before it are exactly as without batches. */
#define BATCH_STMTS 200
#define BATCH_BYTES (256u << 10)
#define BATCH_SAVEPOINT "odbctx_batch"

struct pending {
    const char *text;
    size_t len;
    unsigned line;
};

struct script_run {
    odbctx_session *s;
    const char *name;
    odbctx__stmt_fn fn;
    void *ctx;
    char *buf;
    size_t cap;
    int journal; /* what a batched statement is journaled as; -1: no batches */
    struct pending *batch;
    size_t n_batch, cap_batch, batch_bytes;
};

static int run_one(struct script_run *r, const char *text, size_t len, unsigned line)
{
    odbctx_session *s = r->s;
    if (len + 1 > r->cap) {
        char *grown = realloc(r->buf, len + 1);
        if (!grown)
            return odbctx__fail(s, ODBCTX_ENOMEM, "%s:%u: out of memory", r->name, line);
        r->buf = grown;
        r->cap = len + 1;
    }
    memcpy(r->buf, text, len);
    r->buf[len] = '\0';
    int rc = r->fn ? r->fn(s, r->buf, r->ctx) : exec_user(s, r->buf, 1);
    /* The statement already leads the driver's message when the driver
     * failed; say where it is in the script. */
    if (rc)
        odbctx__error_prefix(s, "%s:%u", r->name, line);
    return rc;
}

static int batchable(const struct script_run *r, const struct odbctx_script_stmt *st)
{
    const odbctx_session *s = r->s;
    if (r->journal < 0 || s->dialect != ODBCTX_DIALECT_POSTGRESQL || s->in_test ||
        !s->suite_open || st->len > BATCH_BYTES)
        return 0;
    struct odbctx_sql_stmt one[2];
    size_t n = odbctx_classify(st->text, st->len, odbctx__dialect_sql_flags(s->dialect), one, 2);
    return n == 1 && one[0].kind == ODBCTX_SQL_OTHER && !one[0].params &&
           odbctx__schema_batchable(st->text, st->len);
}

/* What run_one's path would have noted for a statement that ran. */
static int note_ran(struct script_run *r, const struct pending *p)
{
    odbctx_session *s = r->s;
    int rc = 0;
    if (r->journal == ODBCTX_JOURNAL_SCHEMA || odbctx__schema_is_ddl(p->text, p->len))
        rc = odbctx__schema_note(s, p->text, p->len);
    if (rc == 0 && odbctx__journal_add(s, (enum odbctx_journal_kind)r->journal, p->text, p->len))
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    return rc;
}

static int flush(struct script_run *r)
{
    odbctx_session *s = r->s;
    size_t n = r->n_batch;
    r->n_batch = 0;
    r->batch_bytes = 0;
    if (n == 0)
        return 0;
    if (n == 1)
        return run_one(r, r->batch[0].text, r->batch[0].len, r->batch[0].line);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += r->batch[i].len + 2;
    char *joined = malloc(total + 1);
    if (!joined)
        return odbctx__fail(s, ODBCTX_ENOMEM, "%s: out of memory", r->name);
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(joined + used, r->batch[i].text, r->batch[i].len);
        used += r->batch[i].len;
        memcpy(joined + used, ";\n", 2);
        used += 2;
    }
    joined[used] = '\0';
    const char *origin = r->journal == ODBCTX_JOURNAL_SCHEMA ? "schema" : "suite";
    int rc = odbctx__savepoint(s, BATCH_SAVEPOINT);
    if (rc == 0 && (rc = odbctx__exec_opt(s, joined, origin, 1)) == 0 &&
        (rc = odbctx__savepoint_release(s, BATCH_SAVEPOINT)) == 0) {
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = note_ran(r, &r->batch[i]);
        free(joined);
        return rc;
    }
    free(joined);
    /* Undo whatever of the batch ran, then find the failing statement. */
    if (odbctx__suite_verify(s) == 0)
        rc = odbctx__savepoint_undo(s, BATCH_SAVEPOINT);
    else
        rc = odbctx__suite_rebuild(s, 0);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = run_one(r, r->batch[i].text, r->batch[i].len, r->batch[i].line);
    return rc;
}

static int run_statement(void *vctx, const struct odbctx_script_stmt *st)
{
    struct script_run *r = vctx;
    if (!batchable(r, st)) {
        int rc = flush(r);
        return rc ? rc : run_one(r, st->text, st->len, st->line);
    }
    if (r->n_batch == r->cap_batch) {
        size_t cap = r->cap_batch ? r->cap_batch * 2 : 32;
        struct pending *grown = realloc(r->batch, cap * sizeof *grown);
        if (!grown)
            return odbctx__fail(r->s, ODBCTX_ENOMEM, "%s:%u: out of memory", r->name, st->line);
        r->batch = grown;
        r->cap_batch = cap;
    }
    r->batch[r->n_batch++] = (struct pending){st->text, st->len, st->line};
    r->batch_bytes += st->len;
    if (r->n_batch >= BATCH_STMTS || r->batch_bytes >= BATCH_BYTES)
        return flush(r);
    return 0;
}

int odbctx__run_script(odbctx_session *s, const char *script, const char *name,
                       odbctx__stmt_fn fn, void *ctx, int batch_journal)
{
    struct odbctx_script_error err = {0, NULL};
    unsigned flags = odbctx__dialect_script_flags(s->dialect);
    size_t len = strlen(script);

    if (odbctx_script_split(script, len, flags, NULL, NULL, &err) < 0)
        return odbctx__fail(s, ODBCTX_ESQL, "%s:%u: %s; nothing in the script was run", name,
                            err.line, err.what);
    struct script_run r = {s, name, fn, ctx, NULL, 0, batch_journal, NULL, 0, 0, 0};
    int rc = odbctx_script_split(script, len, flags, run_statement, &r, NULL);
    if (rc == 0)
        rc = flush(&r);
    free(r.buf);
    free(r.batch);
    return rc;
}

int odbctx_exec_script(odbctx_session *s, const char *script, const char *name)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    if (!script || !*script)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_exec_script: script is NULL or empty");
    else if ((rc = ensure_suite(s)) == 0)
        rc = odbctx__run_script(s, script, name && *name ? name : "script", NULL, NULL,
                                ODBCTX_JOURNAL_SUITE);
    odbctx__leave(s);
    return rc;
}

/* The largest script read unless ODBCTX_SCRIPT_MAX_BYTES says otherwise:
 * far above any schema, far below what would exhaust the machine. */
#define SCRIPT_MAX_DEFAULT (256ull << 20)

static unsigned long long script_max(void)
{
    const char *v = getenv("ODBCTX_SCRIPT_MAX_BYTES");
    char *end;
    unsigned long long n = v && *v ? strtoull(v, &end, 10) : 0;
    return n > 0 && !*end ? n : SCRIPT_MAX_DEFAULT;
}

static int read_fail(odbctx_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int read_fail(odbctx_error *err, int code, const char *fmt, ...)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int odbctx_script_read(const char *path, char **text, odbctx_error *err)
{
    if (text)
        *text = NULL;
    if (!path || !*path || !text)
        return read_fail(err, ODBCTX_EARG, "odbctx_script_read: %s",
                         !text ? "text is NULL" : "path is NULL or empty");
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return read_fail(err, ODBCTX_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return read_fail(err, ODBCTX_EIO, "cannot read %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return read_fail(err, ODBCTX_EIO, "%s is %s, not a script file: nothing was read", path,
                         file_kind(st.st_mode));
    }
    unsigned long long max = script_max();
    if ((unsigned long long)st.st_size > max) {
        close(fd);
        return read_fail(err, ODBCTX_EIO,
                         "%s has %lld bytes, more than the %llu a script may have "
                         "(ODBCTX_SCRIPT_MAX_BYTES): nothing was read",
                         path, (long long)st.st_size, max);
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return read_fail(err, ODBCTX_ENOMEM, "%s: out of memory", path);
    }
    size_t len = 0;
    /* A file that grows while it is read is cut at its size from fstat. */
    while (len < size) {
        ssize_t n = read(fd, buf + len, size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return read_fail(err, ODBCTX_EIO, "cannot read %s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    if (strlen(buf) != len) {
        free(buf);
        return read_fail(err, ODBCTX_EIO, "%s: not a text file (contains NUL bytes)", path);
    }
    *text = buf;
    return 0;
}

int odbctx__read_file(odbctx_session *s, const char *path, char **out)
{
    odbctx_error err;
    int rc = odbctx_script_read(path, out, &err);
    return rc ? odbctx__fail(s, rc, "%s", err.message) : 0;
}

int odbctx_exec_file(odbctx_session *s, const char *path)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    char *text = NULL;
    if (!path || !*path)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_exec_file: path is NULL or empty");
    else if ((rc = odbctx__read_file(s, path, &text)) == 0 && (rc = ensure_suite(s)) == 0)
        rc = odbctx__run_script(s, text, path, NULL, NULL, ODBCTX_JOURNAL_SUITE);
    free(text);
    odbctx__leave(s);
    return rc;
}
