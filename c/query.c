/*
 * odbctx_exec, odbctx_query_int and scripts (odbctx_exec_file,
 * odbctx_exec_script): SQL at the current level, judged before it is sent.
 */
#include "internal.h"
#include "extras/extras.h"
#include "sql/classify.h"
#include "sql/script.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *origin_of(const odbctx_session *s)
{
    return s->in_test ? "test" : "suite";
}

/* Runs a statement the user gave. At suite level it is journaled for
 * replays, and DDL that commits implicitly (MariaDB) takes the schema path.
 * A statement that failed, or that may end transactions, is followed by a
 * check that the suite transaction survived it. from_script: see
 * scripts_prepared in dialect.c. */
static int exec_user(odbctx_session *s, const char *sql, int from_script,
                     const struct odbctx__bound *b)
{
    if (s->in_test && s->breach)
        return odbctx__breached(s, "odbctx_exec");

    size_t len = strlen(sql);
    /* Suite-level statements are journaled as text, to be replayed after a
     * breach: values bound to one could not be replayed. */
    if (b && !s->in_test)
        return odbctx__fail(s, ODBCTX_EARG,
                            "odbctx_exec_params: %.300s: outside a test, suite-level data is "
                            "written with odbctx_exec (values in the text), which a repair can "
                            "replay; nothing was run",
                            sql);
    /* The schema's paths (recorded, temporary tables on MariaDB) keep the
     * statement's text only. */
    if (b && odbctx__schema_is_ddl(s, sql, len))
        return odbctx__fail(s, ODBCTX_EARG,
                            "odbctx_exec_params: %.300s: DDL takes no parameters (put the values "
                            "in the text, or use odbctx_exec); nothing was run",
                            sql);
    int ends = odbctx__dialect_ends_transaction(s->dialect, sql, len);
    if (!s->in_test && ends && odbctx__dialect(s->dialect)->ddl_commits &&
        odbctx__schema_is_ddl(s, sql, len))
        return odbctx__schema_statement(s, sql);
    int implicit = ends && odbctx__dialect_commits_implicitly(s->dialect, sql, len);
    /* Inside a test, MariaDB's table DDL runs as temporary tables. */
    if (s->in_test && implicit)
        return odbctx__ddl_run(s, sql, "test");

    /* Suite-level DDL is recorded like the schema's, so that a breach that
     * commits it can be undone by dropping what it made. */
    int rc = !s->in_test && odbctx__schema_is_ddl(s, sql, len)
                 ? odbctx__schema_run_recorded(s, sql)
             : b ? odbctx__exec_bound(s, sql, origin_of(s), b)
                 : odbctx__exec_opt(s, sql, origin_of(s),
                                    from_script && odbctx__dialect(s->dialect)->scripts_prepared);
    if (implicit)
        ends = ODBCTX_ENDS_SURELY;
    else if (!ends && s->in_test && odbctx__procedure_commits(s, sql, len))
        ends = ODBCTX_ENDS_SURELY;
    rc = odbctx__after_statement(s, sql, rc, ends);
    if (s->in_test && s->dialect == ODBCTX_DIALECT_MARIADB)
        odbctx__ddl_ran(s, sql, rc == 0);
    if (rc == 0 && !s->in_test && odbctx__journal_add(s, ODBCTX_JOURNAL_SUITE, sql, len) != 0)
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    return rc;
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
        rc = exec_user(s, sql, 0, NULL);
    odbctx__leave(s);
    return rc;
}

/* A value odbctx_exec_params cannot bind: named, or 0. */
static int check_params(odbctx_session *s, const char *fn, const odbctx_param *params, size_t n)
{
    if (n > 0 && !params)
        return odbctx__fail(s, ODBCTX_EARG, "%s: params is NULL with n = %zu", fn, n);
    for (size_t i = 0; i < n; i++) {
        const odbctx_param *p = &params[i];
        if (p->data && (p->c_type == SQL_C_CHAR || p->c_type == SQL_C_BINARY) &&
            p->len < 0 && !(p->c_type == SQL_C_CHAR && p->len == SQL_NTS))
            return odbctx__fail(s, ODBCTX_EARG, "%s: parameter %zu has length %ld", fn, i + 1,
                                (long)p->len);
        if (p->c_type == 0 || p->sql_type == 0)
            return odbctx__fail(s, ODBCTX_EARG, "%s: parameter %zu has no C or SQL type", fn,
                                i + 1);
    }
    return 0;
}

int odbctx_exec_params(odbctx_session *s, const char *sql, const odbctx_param *params, size_t n)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    struct odbctx__bound b = {params, n};
    if (!sql || !*sql)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_exec_params: sql is NULL or empty");
    else if ((rc = check_params(s, "odbctx_exec_params", params, n)) == 0 &&
             (rc = ensure_suite(s)) == 0)
        rc = exec_user(s, sql, 0, &b);
    odbctx__leave(s);
    return rc;
}

int odbctx_query_rows(odbctx_session *s, const char *sql, const odbctx_param *params, size_t n,
                      int (*rows)(void *ctx, SQLHSTMT st), void *ctx)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    struct odbctx__bound b = {params, n};
    if (!sql || !*sql || !rows)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_query_rows: %s",
                          !rows ? "rows is NULL" : "sql is NULL or empty");
    else if ((rc = check_params(s, "odbctx_query_rows", params, n)) != 0)
        ;
    else if (s->in_test && s->breach)
        rc = odbctx__breached(s, "odbctx_query_rows");
    else if ((rc = ensure_suite(s)) == 0)
        rc = odbctx__after_statement(
            s, sql, odbctx__query_rows_bound(s, sql, origin_of(s), &b, rows, ctx), 0);
    odbctx__leave(s);
    return rc;
}

int odbctx_query_int_params(odbctx_session *s, const char *sql, const odbctx_param *params,
                            size_t n, long long *out)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    struct odbctx__bound b = {params, n};
    if (!sql || !*sql || !out)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_query_int_params: %s",
                          !out ? "out is NULL" : "sql is NULL or empty");
    else if ((rc = check_params(s, "odbctx_query_int_params", params, n)) != 0)
        ;
    else if (s->in_test && s->breach)
        rc = odbctx__breached(s, "odbctx_query_int_params");
    else if ((rc = ensure_suite(s)) == 0)
        rc = odbctx__after_statement(
            s, sql, odbctx__query_int_bound(s, sql, origin_of(s), &b, out), 0);
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
 * scripts_prepared in dialect.c): five round trips each, 0.5 ms a statement on
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
    if (odbctx__grow((void **)&r->buf, &r->cap, len + 1, 1))
        return odbctx__fail(s, ODBCTX_ENOMEM, "%s:%u: out of memory", r->name, line);
    memcpy(r->buf, text, len);
    r->buf[len] = '\0';
    int rc = r->fn ? r->fn(s, r->buf, r->ctx) : exec_user(s, r->buf, 1, NULL);
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
    size_t n = odbctx_classify(st->text, st->len, odbctx__dialect(s->dialect)->lexis, one, 2);
    return n == 1 && one[0].kind == ODBCTX_SQL_OTHER && !one[0].params &&
           odbctx__schema_batchable(s, st->text, st->len);
}

/* What run_one's path would have noted for a statement that ran. */
static int note_ran(struct script_run *r, const struct pending *p)
{
    odbctx_session *s = r->s;
    int rc = 0;
    if (r->journal == ODBCTX_JOURNAL_SCHEMA || odbctx__schema_is_ddl(s, p->text, p->len))
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
    if (odbctx__grow((void **)&r->batch, &r->cap_batch, r->n_batch + 1, sizeof *r->batch))
        return odbctx__fail(r->s, ODBCTX_ENOMEM, "%s:%u: out of memory", r->name, st->line);
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
    unsigned flags = odbctx__dialect(s->dialect)->lexis;
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
    if (fd < 0) {
        int e = errno;
        /* A relative path is the working directory's, which is rarely
         * where the user thinks a test binary runs. */
        char cwd[1024];
        if (path[0] != '/' && getcwd(cwd, sizeof cwd))
            return read_fail(err, ODBCTX_EIO, "cannot open %s (relative to the working directory %s): %s",
                             path, cwd, strerror(e));
        return read_fail(err, ODBCTX_EIO, "cannot open %s: %s", path, strerror(e));
    }
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
