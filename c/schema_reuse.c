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
#include "connstr.h"
#include "reliability.h"
#include "script.h"

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
    odbctx_error *err;
    SQLHENV env;
    SQLHDBC dbc;
    enum odbctx_dialect dialect;
    char *worker_conn; /* ODBCTX_WORKER's database, when there is one */
    /* The core's helpers (worker.c, guard.c) report on a session: this one
     * holds only what they read, the connection and its dialect. */
    odbctx_session scratch;
};

static int fail(struct reuse *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct reuse *r, int code, const char *fmt, ...)
{
    if (r->err) {
        va_list ap;
        memset(r->err, 0, sizeof *r->err);
        r->err->code = code;
        va_start(ap, fmt);
        vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

struct scrub_ctx {
    char *msg;
    size_t size;
};

/* Hides one secret-like value of the connection string wherever msg has it. */
static int scrub_pair(void *vctx, const struct odbctx_connstr_pair *pair)
{
    struct scrub_ctx *c = vctx;
    if (!odbctx_connstr_is_secret_key(pair->key, pair->key_len))
        return 0;
    char secret[256];
    size_t len = odbctx_connstr_value(pair, secret, sizeof secret);
    if (len == 0 || len >= sizeof secret)
        return 0;
    char *p;
    while ((p = strstr(c->msg, secret)) != NULL) {
        size_t rest = strlen(p + len);
        if (p + 3 + rest + 1 > c->msg + c->size)
            break;
        memmove(p + 3, p + len, rest + 1);
        memcpy(p, "***", 3);
    }
    return 0;
}

/* Replaces every secret value of the connection (any key the connection
 * string rules take as secret) in msg by "***": a driver may echo the
 * connection string back in its diagnostics. */
static void scrub(const char *conn, char *msg, size_t size)
{
    struct scrub_ctx c = {msg, size};
    odbctx_connstr_walk(conn, scrub_pair, &c, NULL);
}

/* Copies a helper's error from the scratch session; returns rc. */
static int from_scratch(struct reuse *r, int rc)
{
    if (rc && r->err) {
        *r->err = r->scratch.err;
        scrub(r->conn, r->err->message, sizeof r->err->message);
    }
    return rc;
}

static int fail_odbc(struct reuse *r, int code, SQLSMALLINT type, SQLHANDLE h, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));

static int fail_odbc(struct reuse *r, int code, SQLSMALLINT type, SQLHANDLE h, const char *fmt,
                     ...)
{
    if (!r->err)
        return code;
    SQLCHAR state[6] = "", text[700] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (h && !SQL_SUCCEEDED(REAL(SQLGetDiagRec)(type, h, 1, state, &native, text,
                                               (SQLSMALLINT)sizeof text, &len)))
        text[0] = state[0] = '\0';
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    memset(r->err, 0, sizeof *r->err);
    r->err->code = code;
    memcpy(r->err->sqlstate, state, sizeof r->err->sqlstate - 1);
    r->err->native = native;
    snprintf(r->err->message, sizeof r->err->message, "%s: %s", what, (const char *)text);
    scrub(r->conn, r->err->message, sizeof r->err->message);
    return code;
}

/* Runs one statement and discards any result; what describes it in errors. */
static int exec_n(struct reuse *r, const char *sql, size_t len, const char *what)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, r->dbc, &st)))
        return fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_DBC, r->dbc, "%s", what);
    SQLRETURN rc = REAL(SQLExecDirect)(st, (SQLCHAR *)sql, (SQLINTEGER)len);
    int out = ODBCTX_OK;
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
        out = fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_STMT, st, "%s", what);
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return out;
}

static int exec(struct reuse *r, const char *sql)
{
    return exec_n(r, sql, strlen(sql), sql);
}

/* Runs a query of one or two text columns; calls row() for each row. */
static int query(struct reuse *r, const char *sql,
                 int (*row)(struct reuse *, void *, const char *, const char *), void *ctx)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, r->dbc, &st)))
        return fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_DBC, r->dbc, "%s", sql);
    int out = ODBCTX_OK;
    SQLSMALLINT cols = 0;
    if (!SQL_SUCCEEDED(REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS)) ||
        !SQL_SUCCEEDED(REAL(SQLNumResultCols)(st, &cols))) {
        out = fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_STMT, st, "%s", sql);
    } else {
        SQLRETURN rc;
        while (out == ODBCTX_OK && SQL_SUCCEEDED(rc = REAL(SQLFetch)(st))) {
            char a[512] = "", b[512] = "";
            SQLLEN ia = 0, ib = 0;
            REAL(SQLGetData)(st, 1, SQL_C_CHAR, a, sizeof a, &ia);
            if (cols > 1)
                REAL(SQLGetData)(st, 2, SQL_C_CHAR, b, sizeof b, &ib);
            if (ia == SQL_NULL_DATA)
                a[0] = '\0';
            if (ib == SQL_NULL_DATA)
                b[0] = '\0';
            out = row(r, ctx, a, b);
        }
        if (out == ODBCTX_OK && rc != SQL_NO_DATA)
            out = fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_STMT, st, "%s", sql);
    }
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return out;
}

static int add_object(struct reuse *r, void *ctx, const char *kind, const char *name)
{
    struct objects *o = ctx;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 16;
        struct object *v = realloc(o->v, cap * sizeof *v);
        if (!v)
            return fail(r, ODBCTX_ENOMEM, "out of memory listing the schema");
        o->v = v;
        o->cap = cap;
    }
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
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, r->dbc, &st)))
        return fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_DBC, r->dbc, "%s", sql);
    SQLLEN lk = SQL_NTS, lv = SQL_NTS;
    int out = ODBCTX_OK;
    if (!SQL_SUCCEEDED(REAL(SQLBindParameter)(st, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 24,
                                              0, (SQLPOINTER)kind, 0, &lk)) ||
        !SQL_SUCCEEDED(REAL(SQLBindParameter)(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR,
                                              300, 0, (SQLPOINTER)value, 0, &lv)) ||
        !SQL_SUCCEEDED(REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS)))
        out = fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_STMT, st, "%s", sql);
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
                                  "last error: %s", left, r->err ? r->err->message : "");
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

static unsigned script_flags(enum odbctx_dialect d)
{
    switch (d) {
    case ODBCTX_DIALECT_POSTGRESQL:
        return ODBCTX_SCRIPT_DOLLAR_QUOTES | ODBCTX_SCRIPT_NESTED_COMMENTS;
    case ODBCTX_DIALECT_MARIADB:
        return ODBCTX_SCRIPT_BACKSLASH | ODBCTX_SCRIPT_MYSQL_COMMENTS;
    case ODBCTX_DIALECT_SQLITE:
        return ODBCTX_SCRIPT_BRACKETS;
    }
    return 0;
}

static int run_scripts(struct reuse *r, const char *const *scripts, const char *const *names,
                       size_t n)
{
    unsigned flags = script_flags(r->dialect);
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
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &r->env)))
        return fail(r, ODBCTX_ECONNECT, "cannot allocate an ODBC environment");
    REAL(SQLSetEnvAttr)(r->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_DBC, r->env, &r->dbc)))
        return fail_odbc(r, ODBCTX_ECONNECT, SQL_HANDLE_ENV, r->env, "cannot allocate a connection");
    SQLRETURN rc = REAL(SQLDriverConnect)(r->dbc, NULL, (SQLCHAR *)r->conn, SQL_NTS, NULL, 0, NULL,
                                          SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        fail_odbc(r, ODBCTX_ECONNECT, SQL_HANDLE_DBC, r->dbc, "schema reuse: cannot connect");
        REAL(SQLFreeHandle)(SQL_HANDLE_DBC, r->dbc);
        r->dbc = SQL_NULL_HDBC;
        return ODBCTX_ECONNECT;
    }
    char dbms[64] = "";
    SQLSMALLINT len = 0;
    REAL(SQLGetInfo)(r->dbc, SQL_DBMS_NAME, dbms, (SQLSMALLINT)sizeof dbms, &len);
    if (strcmp(dbms, "SQLite") == 0)
        r->dialect = ODBCTX_DIALECT_SQLITE;
    else if (strcmp(dbms, "PostgreSQL") == 0)
        r->dialect = ODBCTX_DIALECT_POSTGRESQL;
    else if (strcmp(dbms, "MariaDB") == 0 || strcmp(dbms, "MySQL") == 0)
        r->dialect = ODBCTX_DIALECT_MARIADB;
    else
        return fail(r, ODBCTX_EDBMS, "schema reuse does not support the DBMS \"%s\"", dbms);
    /* It drops and creates tables, as the schema lifecycle does: the same
     * guard against a database that is not meant for tests. */
    r->scratch.env = r->env;
    r->scratch.dbc = r->dbc;
    r->scratch.dialect = r->dialect;
    int rc2 = from_scratch(r, odbctx__guard_schema(&r->scratch));
    if (rc2)
        return rc2;
    if (!SQL_SUCCEEDED(REAL(SQLSetConnectAttr)(r->dbc, SQL_ATTR_AUTOCOMMIT,
                                               (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0)))
        return fail_odbc(r, ODBCTX_ECONNECT, SQL_HANDLE_DBC, r->dbc, "cannot turn autocommit off");
    return ODBCTX_OK;
}

static void close_connection(struct reuse *r)
{
    if (r->dbc) {
        REAL(SQLEndTran)(SQL_HANDLE_DBC, r->dbc, SQL_ROLLBACK);
        REAL(SQLDisconnect)(r->dbc);
        REAL(SQLFreeHandle)(SQL_HANDLE_DBC, r->dbc);
    }
    if (r->env)
        REAL(SQLFreeHandle)(SQL_HANDLE_ENV, r->env);
}

static int commit(struct reuse *r)
{
    if (!SQL_SUCCEEDED(REAL(SQLEndTran)(SQL_HANDLE_DBC, r->dbc, SQL_COMMIT)))
        return fail_odbc(r, ODBCTX_ESQL, SQL_HANDLE_DBC, r->dbc, "schema reuse: commit");
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
        odbctx_error saved;
        memset(&saved, 0, sizeof saved);
        if (r->err)
            saved = *r->err;
        int rec = list_objects(r, &after);
        for (size_t i = 0; rec == ODBCTX_OK && i < after.n; i++)
            if (!has_object(&before, &after.v[i]))
                rec = insert_marker(r, after.v[i].kind, after.v[i].name);
        if (rec == ODBCTX_OK && rc == ODBCTX_OK)
            rec = insert_marker(r, "hash", hash);
        if (rc == ODBCTX_OK)
            rc = rec;
        else if (r->err)
            *r->err = saved;
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
    int rc = from_scratch(r, odbctx__worker_number(&r->scratch, &n));
    if (rc == 0)
        rc = from_scratch(r, odbctx__worker_connection(&r->scratch, r->conn, n, &r->worker_conn));
    if (rc == 0 && r->worker_conn)
        r->conn = r->worker_conn;
    return rc;
}

int odbctx_schema_reuse(const char *conn, const char *const *scripts, const char *const *names,
                        size_t n, int *rebuilt, odbctx_error *err)
{
    static struct reuse zero;
    struct reuse r = zero;
    r.conn = conn;
    r.err = err;
    if (rebuilt)
        *rebuilt = 0;
    if (err)
        memset(err, 0, sizeof *err);
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
