/*
 * Reuse mode for slow schemas (odbctx_schema_reuse in odbctx.h).
 *
 * It works on a plain connection of its own, never on a session: a session's
 * outermost level is a transaction that is never committed, and keeping the
 * schema is precisely a commit. Everything goes through the REAL() table so
 * that capture never sees these statements.
 *
 * The marker table odbctx_schema_marker holds one ('hash', <hex>) row and one
 * (<object kind>, <quoted name>) row for every table, view and sequence the
 * scripts created, found by listing the catalog before and after them. A
 * rebuild drops exactly those objects, so objects the scripts did not create
 * are never touched.
 */
#include "internal.h"
#include "sql/connstr.h"
#include "extras/extras.h"
#include "sql/script.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARKER "odbctx_schema_marker"
#define LOCK_NAME "odbctx_schema_reuse"

struct object {
    char kind[24];  /* TABLE, VIEW, MATERIALIZED VIEW, SEQUENCE */
    char name[300]; /* quoted, schema-qualified on PostgreSQL */
};

struct objects {
    struct object *v;
    size_t n, cap;
};

struct reuse {
    const char *conn;
    /* Not an open session: the home of this run's error (formatted and
     * redacted by the core, with the connection string's secrets learned)
     * and of nothing else. */
    odbctx_session *s;
    struct odbctx_plain c;
    enum odbctx_dialect dialect;
    char *worker_conn; /* ODBCTX_WORKER's database, when there is one */
};

static int fail(struct reuse *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct reuse *r, int code, const char *fmt, ...)
{
    char text[sizeof r->s->err.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return odbctx__fail(r->s, code, "%s", text);
}

static int fail_odbc(struct reuse *r, int code, SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    return odbctx__fail_odbc(r->s, code, type, h, what);
}

static int exec_n(struct reuse *r, const char *sql, size_t len, const char *what)
{
    return odbctx__plain_exec(r->s, r->c.dbc, sql, len, what);
}

static int exec(struct reuse *r, const char *sql)
{
    return exec_n(r, sql, strlen(sql), sql);
}

typedef int (*row_fn)(struct reuse *, void *, const char *, const char *);

struct rows {
    struct reuse *r;
    row_fn row;
    void *ctx;
};

static int each_row(void *ctx, const char *a, const char *b)
{
    struct rows *x = ctx;
    return x->row(x->r, x->ctx, a, b);
}

/* Runs a query of one or two text columns; calls row() for each row. */
static int query(struct reuse *r, const char *sql, row_fn row, void *ctx)
{
    struct rows x = {r, row, ctx};
    return odbctx__plain_rows(r->s, r->c.dbc, sql, each_row, &x);
}

static int add_object(struct reuse *r, void *ctx, const char *kind, const char *name)
{
    struct objects *o = ctx;
    if (odbctx__grow((void **)&o->v, &o->cap, o->n + 1, sizeof *o->v))
        return fail(r, ODBCTX_ENOMEM, "out of memory listing the schema");
    snprintf(o->v[o->n].kind, sizeof o->v[o->n].kind, "%s", kind);
    snprintf(o->v[o->n].name, sizeof o->v[o->n].name, "%s", name);
    o->n++;
    return ODBCTX_OK;
}

/* The tables, views and sequences of the database the connection works in,
 * with their names quoted ready for DROP; the marker table left out. */
static int list_objects(struct reuse *r, struct objects *out)
{
    static const char *const sql[] = {
        [ODBCTX_DIALECT_SQLITE] =
            "SELECT upper(type), '\"' || replace(name, '\"', '\"\"') || '\"' FROM sqlite_master "
            "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "AND name <> '" MARKER "'",
        [ODBCTX_DIALECT_POSTGRESQL] =
            "SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' "
            "WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, "
            "quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relpersistence <> 't' "
            "AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' "
            "AND c.relname <> '" MARKER "'",
        [ODBCTX_DIALECT_MARIADB] =
            "SELECT CASE table_type WHEN 'VIEW' THEN 'VIEW' WHEN 'SEQUENCE' THEN 'SEQUENCE' "
            "ELSE 'TABLE' END, CONCAT('`', REPLACE(table_name, '`', '``'), '`') "
            "FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND table_type <> 'TEMPORARY' AND table_name <> '" MARKER "'",
    };
    out->n = 0;
    return query(r, sql[r->dialect], add_object, out);
}

static int has_object(const struct objects *o, const struct object *x)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->v[i].kind, x->kind) == 0 && strcmp(o->v[i].name, x->name) == 0)
            return 1;
    return 0;
}

struct marker {
    char hash[64];
    struct objects objects;
};

static int marker_row(struct reuse *r, void *ctx, const char *kind, const char *value)
{
    struct marker *m = ctx;
    if (strcmp(kind, "hash") == 0) {
        snprintf(m->hash, sizeof m->hash, "%s", value);
        return ODBCTX_OK;
    }
    return add_object(r, &m->objects, kind, value);
}

static int insert_marker(struct reuse *r, const char *kind, const char *value)
{
    static const char sql[] = "INSERT INTO " MARKER " (kind, value) VALUES (?, ?)";
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, r->c.dbc, &st)))
        return fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_DBC, r->c.dbc, sql);
    SQLLEN lk = SQL_NTS, lv = SQL_NTS;
    int out = ODBCTX_OK;
    if (!SQL_SUCCEEDED(REAL(SQLBindParameter)(st, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 24,
                                              0, (SQLPOINTER)kind, 0, &lk)) ||
        !SQL_SUCCEEDED(REAL(SQLBindParameter)(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR,
                                              300, 0, (SQLPOINTER)value, 0, &lv)) ||
        !SQL_SUCCEEDED(REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS)))
        out = fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_STMT, st, sql);
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return out;
}

/* Drops what an earlier build recorded. SQLite has no CASCADE and may check
 * foreign keys, so there the drops repeat until nothing more can go. */
static int drop_objects(struct reuse *r, const struct objects *o)
{
    static const char *const order[] = {"VIEW", "MATERIALIZED VIEW", "TABLE", "SEQUENCE"};
    const char *cascade = r->dialect == ODBCTX_DIALECT_POSTGRESQL ? " CASCADE" : "";
    int rc = ODBCTX_OK;
    if (r->dialect == ODBCTX_DIALECT_MARIADB && (rc = exec(r, "SET FOREIGN_KEY_CHECKS = 0")))
        return rc;
    size_t left = o->n;
    char *done = calloc(o->n ? o->n : 1, 1);
    if (!done)
        return fail(r, ODBCTX_ENOMEM, "out of memory dropping the old schema");
    for (int progress = 1; left && progress && rc == ODBCTX_OK;) {
        progress = 0;
        for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
            for (size_t i = 0; i < o->n && rc == ODBCTX_OK; i++) {
                if (done[i] || strcmp(o->v[i].kind, order[k]) != 0)
                    continue;
                char sql[400];
                snprintf(sql, sizeof sql, "DROP %s IF EXISTS %s%s", o->v[i].kind, o->v[i].name,
                         cascade);
                int e = exec(r, sql);
                if (e == ODBCTX_OK) {
                    done[i] = 1;
                    left--;
                    progress = 1;
                } else if (r->dialect != ODBCTX_DIALECT_SQLITE) {
                    rc = e;
                }
            }
        }
    }
    free(done);
    if (rc == ODBCTX_OK && left)
        rc = fail(r, ODBCTX_ESQL, "could not drop the previous schema (%zu objects left); "
                                  "last error: %s", left, r->s->err.message);
    if (r->dialect == ODBCTX_DIALECT_MARIADB) {
        int e = exec(r, "SET FOREIGN_KEY_CHECKS = 1");
        if (rc == ODBCTX_OK)
            rc = e;
    }
    return rc;
}

struct run_ctx {
    struct reuse *r;
    const char *name;
};

static int run_stmt(void *ctx, const struct odbctx_script_stmt *stmt)
{
    struct run_ctx *c = ctx;
    char what[300];
    int shown = stmt->len > 160 ? 160 : (int)stmt->len;
    snprintf(what, sizeof what, "schema %s, line %u: %.*s%s", c->name, stmt->line, shown,
             stmt->text, stmt->len > 160 ? "..." : "");
    return exec_n(c->r, stmt->text, stmt->len, what);
}

static int run_scripts(struct reuse *r, const char *const *scripts, const char *const *names,
                       size_t n)
{
    unsigned flags = odbctx__dialect(r->dialect)->lexis;
    for (size_t i = 0; i < n; i++) {
        const char *name = names && names[i] ? names[i] : "schema";
        struct odbctx_script_error se = {0, NULL};
        size_t len = strlen(scripts[i]);
        /* Check the whole script first, so that a broken one runs no part. */
        if (odbctx_script_split(scripts[i], len, flags, NULL, NULL, &se) != 0)
            return fail(r, ODBCTX_ESQL, "schema %s, line %u: %s", name, se.line,
                        se.what ? se.what : "cannot be split");
        struct run_ctx c = {r, name};
        int rc = odbctx_script_split(scripts[i], len, flags, run_stmt, &c, NULL);
        if (rc != 0)
            return rc;
    }
    return ODBCTX_OK;
}

/* FNV-1a, 64 bits, over every script with its length in front, so that
 * moving text from one script to the next changes the hash too. */
static void schema_hash(const char *const *scripts, size_t n, char out[17])
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        uint64_t len = strlen(scripts[i]);
        for (int b = 0; b < 8; b++) {
            h ^= (unsigned char)(len >> (8 * b));
            h *= 0x100000001b3u;
        }
        for (const unsigned char *p = (const unsigned char *)scripts[i]; *p; p++) {
            h ^= *p;
            h *= 0x100000001b3u;
        }
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static int open_connection(struct reuse *r)
{
    if (!odbctx_real_load())
        return fail(r, ODBCTX_ECONNECT, "%s", odbctx_real_error());
    int rc = odbctx__plain_open(r->s, &r->c, r->conn, "schema reuse", "cannot connect");
    if (rc)
        return rc;
    char dbms[64] = "", ver[64] = "", shown[32];
    SQLSMALLINT len = 0;
    REAL(SQLGetInfo)(r->c.dbc, SQL_DBMS_NAME, dbms, (SQLSMALLINT)sizeof dbms, &len);
    REAL(SQLGetInfo)(r->c.dbc, SQL_DBMS_VER, ver, (SQLSMALLINT)sizeof ver, &len);
    if (odbctx__dialect_lookup(dbms, ver, &r->dialect, shown, sizeof shown))
        return fail(r, ODBCTX_EDBMS, "schema reuse does not support the DBMS \"%s\"", dbms);
    /* It drops and creates tables, as the schema lifecycle does: the same
     * guard against a database that is not meant for tests. */
    rc = odbctx__guard_database(r->s, r->c.dbc, r->dialect);
    if (rc)
        return rc;
    if (!SQL_SUCCEEDED(REAL(SQLSetConnectAttr)(r->c.dbc, SQL_ATTR_AUTOCOMMIT,
                                               (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0)))
        return fail_odbc(r, ODBCTX_ECONNECT, SQL_HANDLE_DBC, r->c.dbc, "cannot turn autocommit off");
    return ODBCTX_OK;
}

static void close_connection(struct reuse *r)
{
    if (r->c.dbc)
        REAL(SQLEndTran)(SQL_HANDLE_DBC, r->c.dbc, SQL_ROLLBACK);
    odbctx__plain_close(&r->c);
}

static int commit(struct reuse *r)
{
    if (!SQL_SUCCEEDED(REAL(SQLEndTran)(SQL_HANDLE_DBC, r->c.dbc, SQL_COMMIT)))
        return fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_DBC, r->c.dbc, "schema reuse: commit");
    return ODBCTX_OK;
}

/* Serialises runners that share a database; the lock ends with the
 * transaction (PostgreSQL) or the connection (MariaDB). SQLite locks the
 * file at the first write. */
static int lock(struct reuse *r)
{
    if (r->dialect == ODBCTX_DIALECT_POSTGRESQL)
        return exec(r, "SELECT pg_advisory_xact_lock(hashtext('" LOCK_NAME "'))");
    if (r->dialect == ODBCTX_DIALECT_MARIADB)
        return exec(r, "SELECT GET_LOCK('" LOCK_NAME "', 600)");
    return ODBCTX_OK;
}

/* The build proper; on PostgreSQL and SQLite it commits all or nothing, on
 * MariaDB (DDL commits on its own) a failed build still records what it
 * created, so that the next run can drop it. */
static int rebuild(struct reuse *r, const struct marker *old, const char *const *scripts,
                   const char *const *names, size_t n, const char *hash)
{
    struct objects before = {0}, after = {0};
    int rc = drop_objects(r, &old->objects);
    if (rc == ODBCTX_OK)
        rc = exec(r, "DELETE FROM " MARKER);
    if (rc == ODBCTX_OK)
        rc = list_objects(r, &before);
    if (rc == ODBCTX_OK)
        rc = run_scripts(r, scripts, names, n);

    if (rc == ODBCTX_OK || r->dialect == ODBCTX_DIALECT_MARIADB) {
        odbctx_error saved = r->s->err;
        int rec = list_objects(r, &after);
        for (size_t i = 0; rec == ODBCTX_OK && i < after.n; i++)
            if (!has_object(&before, &after.v[i]))
                rec = insert_marker(r, after.v[i].kind, after.v[i].name);
        if (rec == ODBCTX_OK && rc == ODBCTX_OK)
            rec = insert_marker(r, "hash", hash);
        if (rc == ODBCTX_OK)
            rc = rec;
        else
            r->s->err = saved;
        if (rec == ODBCTX_OK) {
            rec = commit(r);
            if (rc == ODBCTX_OK)
                rc = rec;
        }
    }
    free(before.v);
    free(after.v);
    return rc;
}

/* Under ODBCTX_WORKER a session works in its worker's own database
 * (worker.c), so that is where the schema is kept. */
static int use_worker_database(struct reuse *r)
{
    long n = -1;
    int rc = odbctx__worker_number(r->s, &n);
    if (rc == 0)
        rc = odbctx__worker_connection(r->s, r->conn, n, &r->worker_conn);
    if (rc == 0 && r->worker_conn)
        r->conn = r->worker_conn;
    return rc;
}

static int reuse(struct reuse *rp, const char *const *scripts, const char *const *names,
                 size_t n, int *rebuilt)
{
    struct reuse r = *rp;
    const char *conn = r.conn;
    if (!conn || !*conn)
        return fail(&r, ODBCTX_EARG, "schema reuse needs a connection string: the embedded "
                                     "default is a new database on every run");
    if (n && !scripts)
        return fail(&r, ODBCTX_EARG, "schema reuse: scripts is NULL");
    for (size_t i = 0; i < n; i++)
        if (!scripts[i])
            return fail(&r, ODBCTX_EARG, "schema reuse: script %zu is NULL", i);

    char hash[17];
    schema_hash(scripts, n, hash);
    struct marker old = {"", {0}};
    struct objects now = {0};

    int rc = use_worker_database(&r);
    if (rc == ODBCTX_OK)
        rc = open_connection(&r);
    if (rc == ODBCTX_OK)
        rc = lock(&r);
    if (rc == ODBCTX_OK)
        rc = exec(&r, "CREATE TABLE IF NOT EXISTS " MARKER
                      " (kind VARCHAR(24) NOT NULL, value VARCHAR(300) NOT NULL)");
    if (rc == ODBCTX_OK)
        rc = query(&r, "SELECT kind, value FROM " MARKER, marker_row, &old);
    if (rc == ODBCTX_OK)
        rc = list_objects(&r, &now);

    int current = rc == ODBCTX_OK && strcmp(old.hash, hash) == 0;
    for (size_t i = 0; current && i < old.objects.n; i++)
        current = has_object(&now, &old.objects.v[i]);

    if (rc == ODBCTX_OK && current) {
        rc = commit(&r);
    } else if (rc == ODBCTX_OK) {
        rc = rebuild(&r, &old, scripts, names, n, hash);
        if (rc == ODBCTX_OK && rebuilt)
            *rebuilt = 1;
    }
    free(old.objects.v);
    free(now.v);
    close_connection(&r);
    free(r.worker_conn);
    return rc;
}

int odbctx_schema_reuse(const char *conn, const char *const *scripts, const char *const *names,
                        size_t n, int *rebuilt, odbctx_error *err)
{
    if (rebuilt)
        *rebuilt = 0;
    if (err)
        memset(err, 0, sizeof *err);
    struct reuse r = {conn, odbctx__session_new(), {NULL, NULL}, ODBCTX_DIALECT_SQLITE, NULL};
    if (!r.s) {
        if (err) {
            err->code = ODBCTX_ENOMEM;
            snprintf(err->message, sizeof err->message, "schema reuse: out of memory");
        }
        return ODBCTX_ENOMEM;
    }
    /* A driver may echo the connection string in its diagnostics. */
    int rc = conn ? odbctx__learn_secrets(r.s, conn, NULL) : 0;
    if (rc == 0)
        rc = reuse(&r, scripts, names, n, rebuilt);
    else
        rc = odbctx__fail(r.s, ODBCTX_ENOMEM, "schema reuse: out of memory");
    if (rc && err)
        *err = r.s->err;
    odbctx__session_free(r.s);
    return rc;
}
