/*
 * Parallel workers: ODBCTX_WORKER=N gives each test process a database of
 * its own, so that processes running at once never wait on each other's
 * rows (or, on SQLite, on each other's file lock). Without it, a GoogleTest
 * shard (GTEST_SHARD_INDEX) or a pytest-xdist worker (PYTEST_XDIST_WORKER)
 * is the worker of that number.
 *
 *   PostgreSQL, MariaDB   database <name>_w<N> beside the one the connection
 *                         string names, created when missing
 *   SQLite (Database=)    file <stem>_w<N><ext> beside the given file
 *   embedded default      nothing to do: every session has its own file
 *
 * A string that does not connect, or a DBMS odbctx does not support, is
 * left as it is: the session's own connect then reports it in its usual
 * words. Each worker's schema is created by the session as usual, from the
 * same scripts. The per-worker databases stay (empty: the schema never
 * outlives a session) and are reused by the next run.
 *
 * The database is created over a plain connection of odbctx's own (through
 * the REAL() table, so capture never sees it) in autocommit mode, because
 * PostgreSQL refuses CREATE DATABASE inside a transaction.
 */
#include "internal.h"
#include "sql/connstr.h"
#include "extras/extras.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Database names: PostgreSQL allows 63 bytes, MariaDB 64 characters. */
#define MAX_DB_NAME 63

/* The worker number a test runner gives its processes, when ODBCTX_WORKER
 * is unset: GoogleTest's shard index (GTEST_SHARD_INDEX with
 * GTEST_TOTAL_SHARDS above 1), pytest-xdist's worker id (PYTEST_XDIST_WORKER,
 * "gw3"). Writes what it read into why; -1 when none applies. */
static long runner_worker(char *why, size_t n)
{
    const char *shards = getenv("GTEST_TOTAL_SHARDS"), *index = getenv("GTEST_SHARD_INDEX");
    const char *xdist = getenv("PYTEST_XDIST_WORKER");
    char *end;
    if (shards && index && strtol(shards, &end, 10) > 1 && !*end) {
        long i = strtol(index, &end, 10);
        if (*index && !*end && i >= 0 && i < 1000000) {
            snprintf(why, n, "GoogleTest shard GTEST_SHARD_INDEX=%ld of %s", i, shards);
            return i;
        }
    }
    if (xdist && strncmp(xdist, "gw", 2) == 0 && xdist[2]) {
        long i = strtol(xdist + 2, &end, 10);
        if (!*end && i >= 0 && i < 1000000) {
            snprintf(why, n, "pytest-xdist worker PYTEST_XDIST_WORKER=%s", xdist);
            return i;
        }
    }
    return -1;
}

int odbctx__worker_number(odbctx_session *s, long *n)
{
    const char *v = getenv("ODBCTX_WORKER");
    *n = -1;
    if (!v || !*v) {
        char why[96];
        *n = runner_worker(why, sizeof why);
        return 0;
    }
    size_t len = strlen(v);
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)v[i]))
            return odbctx__fail(s, ODBCTX_EARG,
                                "ODBCTX_WORKER must be a worker number such as 1 (got \"%.40s\")", v);
    if (len > 6)
        return odbctx__fail(s, ODBCTX_EARG, "ODBCTX_WORKER is too large (got \"%.40s\")", v);
    *n = strtol(v, NULL, 10);
    return 0;
}

/* ---- connection-string editing ---- */

static int is_database_key(const struct odbctx_connstr_pair *p)
{
    return (p->key_len == 8 && strncasecmp(p->key, "DATABASE", 8) == 0) ||
           (p->key_len == 2 && strncasecmp(p->key, "DB", 2) == 0);
}

struct find_db {
    char value[1024];
    int found;
};

static int find_database(void *ctx, const struct odbctx_connstr_pair *p)
{
    struct find_db *f = ctx;
    if (!is_database_key(p))
        return 0;
    odbctx_connstr_value(p, f->value, sizeof f->value);
    f->found = 1;
    return 1;
}

static int find_driver(void *ctx, const struct odbctx_connstr_pair *p)
{
    char *out = ctx;
    if (p->key_len != 6 || strncasecmp(p->key, "DRIVER", 6) != 0)
        return 0;
    odbctx_connstr_value(p, out, 256);
    return 1;
}

struct rewrite {
    const char *conn;
    const char *value; /* ready to paste: braced when it needs to be */
    char *out;
    size_t used, cap;
    size_t copied;
    int replaced;
};

static int append(struct rewrite *r, const char *text, size_t len)
{
    if (odbctx__grow((void **)&r->out, &r->cap, r->used + len + 1, 1))
        return -1;
    memcpy(r->out + r->used, text, len);
    r->used += len;
    r->out[r->used] = '\0';
    return 0;
}

static int replace_database(void *ctx, const struct odbctx_connstr_pair *p)
{
    struct rewrite *r = ctx;
    if (!is_database_key(p))
        return 0;
    size_t start = (size_t)(p->value - r->conn);
    if (append(r, r->conn + r->copied, start - r->copied) ||
        append(r, r->value, strlen(r->value)))
        return 2;
    r->copied = start + p->value_len;
    r->replaced = 1;
    return 0;
}

/* conn with every Database=/DB= value set to name (appended when absent). */
static char *with_database(const char *conn, const char *name)
{
    char value[2 * MAX_DB_NAME + 4096];
    int brace = strpbrk(name, ";{}") != NULL || isspace((unsigned char)name[0]) ||
                (*name && isspace((unsigned char)name[strlen(name) - 1]));
    size_t v = 0;
    if (brace)
        value[v++] = '{';
    for (const char *p = name; *p && v + 4 < sizeof value; p++) {
        value[v++] = *p;
        if (brace && *p == '}')
            value[v++] = '}';
    }
    if (brace)
        value[v++] = '}';
    value[v] = '\0';

    struct rewrite r = {conn, value, NULL, 0, 0, 0, 0};
    if (odbctx_connstr_walk(conn, replace_database, &r, NULL) != 0 ||
        append(&r, conn + r.copied, strlen(conn) - r.copied)) {
        free(r.out);
        return NULL;
    }
    if (!r.replaced) {
        size_t len = strlen(r.out);
        const char *sep = len > 0 && r.out[len - 1] != ';' ? ";" : "";
        if (append(&r, sep, strlen(sep)) || append(&r, "Database=", 9) ||
            append(&r, value, strlen(value))) {
            free(r.out);
            return NULL;
        }
    }
    return r.out;
}

/* /dir/app.db -> /dir/app_w3.db; /dir/app -> /dir/app_w3. */
static int sqlite_worker_path(const char *path, long n, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - path) : strlen(path);
    int len = snprintf(out, size, "%.*s_w%ld%s", (int)stem, path, n, path + stem);
    return len < 0 || (size_t)len >= size ? -1 : 0;
}

static void quote_ident(const char *name, char q, char *out, size_t n)
{
    size_t used = 0;
    out[used++] = q;
    for (const char *p = name; *p && used + 3 < n; p++) {
        out[used++] = *p;
        if (*p == q)
            out[used++] = q;
    }
    out[used++] = q;
    out[used] = '\0';
}

static void quote_literal(const char *text, char *out, size_t n)
{
    size_t used = 0;
    out[used++] = '\'';
    for (const char *p = text; *p && used + 3 < n; p++) {
        out[used++] = *p;
        if (*p == '\'')
            out[used++] = '\'';
    }
    out[used++] = '\'';
    out[used] = '\0';
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Creates database name on the server c is connected to, if missing.
 * Safe against another process creating it at the same moment. */
static int ensure_database(odbctx_session *s, struct odbctx_plain *c, int postgres, const char *name)
{
    char ident[2 * MAX_DB_NAME + 8], lit[2 * MAX_DB_NAME + 8], sql[512], got[16];
    quote_ident(name, postgres ? '"' : '`', ident, sizeof ident);
    quote_literal(name, lit, sizeof lit);

    if (!postgres) {
        snprintf(sql, sizeof sql, "CREATE DATABASE IF NOT EXISTS %s", ident);
        return odbctx__query_text(s, c->dbc, sql, NULL, 0);
    }
    for (int attempt = 0;; attempt++) {
        snprintf(sql, sizeof sql, "SELECT 1 FROM pg_database WHERE datname = %s", lit);
        int rc = odbctx__query_text(s, c->dbc, sql, got, sizeof got);
        if (rc)
            return rc;
        if (got[0] == '1')
            return 0;
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", ident);
        rc = odbctx__query_text(s, c->dbc, sql, NULL, 0);
        if (rc == 0)
            return 0;
        /* Lost a race with another worker of the same number (42P04, or a
         * unique violation in the catalog), or template1 was busy (55006):
         * look again. */
        if (attempt >= 20)
            return rc;
        pause_ms(50 + 50 * attempt);
    }
}

static int valid_db_name(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (*p == '\\' || *p == '\'' || *p == '"' || *p == '`' || (unsigned char)*p < 0x20)
            return 0;
    return 1;
}

/* Which worker a process is when the test runner chose it: said once per
 * process on standard error, since nobody set ODBCTX_WORKER to know it. */
static void say_worker(long n, const char *database)
{
    static atomic_int said;
    char why[96];
    if (getenv("ODBCTX_WORKER") && *getenv("ODBCTX_WORKER"))
        return;
    if (runner_worker(why, sizeof why) != n || atomic_exchange(&said, 1))
        return;
    fprintf(stderr, "odbctx: this process is worker %ld (%s): database %s of its own\n", n, why,
            database);
}

int odbctx__worker_connection(odbctx_session *s, const char *conn, long n, char **out)
{
    char driver[256] = "", name[MAX_DB_NAME + 40] = "", dbms[64] = "";
    struct find_db db = {"", 0};
    struct odbctx_plain c = {NULL, NULL};
    SQLSMALLINT len = 0;
    int rc;

    *out = NULL;
    if (n < 0 || !conn || !*conn)
        return 0; /* the embedded default is private to its session already */

    odbctx_connstr_walk(conn, find_driver, driver, NULL);
    odbctx_connstr_walk(conn, find_database, &db, NULL);
    int sqlite = strcasestr(driver, "sqlite") != NULL;
    if (!sqlite) {
        /* A string that does not connect is reported by the session's own
         * connect, in its usual words; nothing to rewrite until then. */
        if (odbctx__plain_open(s, &c, conn, "ODBCTX_WORKER", "cannot connect to create the worker's database") != 0) {
            odbctx__clear_error(s);
            return 0;
        }
        REAL(SQLGetInfo)(c.dbc, SQL_DBMS_NAME, dbms, sizeof dbms, &len);
        sqlite = strcasestr(dbms, "sqlite") != NULL;
        if (sqlite)
            odbctx__plain_close(&c);
    }

    if (sqlite) {
        if (!db.found || !db.value[0] || strcmp(db.value, ":memory:") == 0)
            return 0; /* a private or temporary database: nothing is shared */
        char path[sizeof db.value + 16];
        if (sqlite_worker_path(db.value, n, path, sizeof path) != 0)
            return odbctx__fail(s, ODBCTX_EARG, "ODBCTX_WORKER: the SQLite path is too long");
        *out = with_database(conn, path);
        if (!*out)
            return odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
        say_worker(n, path);
        return 0;
    }

    enum odbctx_dialect dialect;
    char display[32];
    if (odbctx__dialect_lookup(dbms, "", &dialect, display, sizeof display) != 0 ||
        dialect == ODBCTX_DIALECT_SQLITE) {
        /* The session refuses this DBMS itself, saying why. */
        odbctx__plain_close(&c);
        return 0;
    }
    int postgres = dialect == ODBCTX_DIALECT_POSTGRESQL;
    char base[256];
    rc = odbctx__query_text(s, c.dbc, odbctx__dialect(dialect)->database_name_sql, base, sizeof base);
    if (rc == 0 && !base[0])
        rc = odbctx__fail(s, ODBCTX_EARG,
                          "ODBCTX_WORKER: the connection string names no database "
                          "(add Database=...); the workers' databases are named after it");
    if (rc == 0 && (!valid_db_name(base) ||
                    snprintf(name, sizeof name, "%s_w%ld", base, n) > MAX_DB_NAME))
        rc = odbctx__fail(s, ODBCTX_EARG,
                          "ODBCTX_WORKER: cannot name a worker database after \"%.64s\" "
                          "(quotes, backslashes or longer than %d characters)",
                          base, MAX_DB_NAME - 8);
    if (rc == 0)
        rc = ensure_database(s, &c, postgres, name);
    odbctx__plain_close(&c);
    if (rc) {
        odbctx__error_prefix(s, "ODBCTX_WORKER=%ld: cannot prepare the worker's database%s%s", n,
                             name[0] ? " " : "", name);
        return rc;
    }
    *out = with_database(conn, name);
    if (!*out)
        return odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    say_worker(n, name);
    return 0;
}

int odbctx_worker_connection(const char *conn, char *out, size_t n, odbctx_error *err)
{
    /* The helpers above report on a session; this one holds only that. */
    odbctx_session scratch;
    char *rewritten = NULL;
    long worker = -1;
    int rc = 0;

    memset(&scratch, 0, sizeof scratch);
    if (err)
        memset(err, 0, sizeof *err);
    if (!conn)
        conn = "";
    if (!odbctx_real_load())
        rc = odbctx__fail(&scratch, ODBCTX_ECONNECT, "%s", odbctx_real_error());
    if (rc == 0)
        rc = odbctx__worker_number(&scratch, &worker);
    if (rc == 0)
        rc = odbctx__worker_connection(&scratch, conn, worker, &rewritten);
    if (rc) {
        if (err)
            *err = scratch.err;
        return rc;
    }
    const char *result = rewritten ? rewritten : conn;
    size_t len = strlen(result);
    if (out && n > 0) {
        size_t k = len < n - 1 ? len : n - 1;
        memcpy(out, result, k);
        out[k] = '\0';
    }
    if (rewritten) {
        memset(rewritten, 0, len);
        free(rewritten);
    }
    return len > 0x7fffffff ? 0x7fffffff : (int)len;
}
