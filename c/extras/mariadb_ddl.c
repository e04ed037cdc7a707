/*
 * MariaDB: table DDL inside a test, contained (docs/databases.md, "DDL
 * inside a test on MariaDB").
 *
 * MariaDB commits what is pending before it runs CREATE, DROP, ALTER,
 * TRUNCATE, RENAME and the like, which would end the suite transaction;
 * it does not for CREATE TEMPORARY TABLE and DROP TEMPORARY TABLE. Inside
 * a test, odbctx_exec and captured code therefore send instead
 *   CREATE [OR REPLACE] TABLE t ...   CREATE ... TEMPORARY TABLE t ...
 *   DROP TABLE t [, ...]              DROP TEMPORARY TABLE t [, ...]
 *   TRUNCATE [TABLE] t                DELETE FROM t
 * first making the app-level commit that the implicit commit is in
 * production. A temporary table lives on the session's connection, which
 * every captured connection and child process shares, and the test's are
 * dropped when it ends, so the next test starts without them.
 *
 * What cannot be made exact is refused before anything is sent, naming
 * the statement: dropping or replacing a table the test did not create
 * (the schema's, one committed before), a foreign key in a table made in
 * a test (MariaDB's temporary tables have none), TRUNCATE of a table with
 * DELETE triggers (TRUNCATE fires none) or of a view, and every other
 * implicit commit, which MariaDB commits even on a temporary table
 * (ALTER TABLE, CREATE/DROP INDEX, RENAME, measured on 10.11).
 */
#include "extras/extras.h"
#include "sql/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Nothing was run" is true of every refusal here. */
#define NOTHING_RUN "Nothing was run"

/* One part of a name without its backquotes ("`a``b`" -> "a`b"). */
static void unquote(const char *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    if (n >= 2 && (p[0] == '`' || p[0] == '"') && p[n - 1] == p[0]) {
        char q = p[0];
        for (size_t i = 1; i + 1 < n && o + 1 < cap; i++) {
            out[o++] = p[i];
            if (p[i] == q && i + 2 < n && p[i + 1] == q)
                i++;
        }
    } else {
        for (size_t i = 0; i < n && o + 1 < cap; i++)
            out[o++] = p[i];
    }
    out[o] = '\0';
}

/* A table name as written, split at its dot: schema ("" when none) and table. */
struct name {
    char schema[200], table[200];
};

static void split(const char *p, size_t n, struct name *out)
{
    /* The dot between parts is outside quotes: the last one that is. */
    size_t dot = n;
    char q = 0;
    for (size_t i = 0; i < n; i++) {
        if (q) {
            if (p[i] == q)
                q = 0;
        } else if (p[i] == '`' || p[i] == '"') {
            q = p[i];
        } else if (p[i] == '.') {
            dot = i;
        }
    }
    if (dot == n) {
        out->schema[0] = '\0';
        unquote(p, n, out->table, sizeof out->table);
    } else {
        unquote(p, dot, out->schema, sizeof out->schema);
        unquote(p + dot + 1, n - dot - 1, out->table, sizeof out->table);
    }
}

/* A MariaDB string literal of text (backslashes escaped too). */
static void literal(const char *text, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = '\'';
    for (const char *p = text; *p && o + 4 < cap; p++) {
        if (*p == '\'' || *p == '\\')
            out[o++] = *p;
        out[o++] = *p;
    }
    out[o++] = '\'';
    out[o] = '\0';
}

/* "schema" or DATABASE(), for information_schema. */
static void schema_of(const struct name *n, char *out, size_t cap)
{
    if (n->schema[0])
        literal(n->schema, out, cap);
    else
        odbctx__copy(out, cap, "DATABASE()");
}

/* ---- the test's temporary tables ---- */

static int same(const struct name *a, const struct name *b)
{
    /* Table names are case-sensitive on Linux (lower_case_table_names=0);
     * an unnamed schema is the current database, which does not change. */
    return strcmp(a->table, b->table) == 0 && strcmp(a->schema, b->schema) == 0;
}

static int mine_at(const odbctx_session *s, const struct name *n)
{
    for (size_t i = 0; i < s->temps.n; i++) {
        struct name m;
        split(s->temps.names[i], strlen(s->temps.names[i]), &m);
        if (same(&m, n))
            return (int)i;
    }
    return -1;
}

static void add_mine(odbctx_session *s, const char *p, size_t n)
{
    struct name nm;
    split(p, n, &nm);
    if (mine_at(s, &nm) >= 0)
        return;
    char *copy = malloc(n + 1);
    if (!copy || odbctx__grow((void **)&s->temps.names, &s->temps.cap, s->temps.n + 1,
                              sizeof *s->temps.names)) {
        /* Not dropped at the end of the test: the next CREATE of it fails
         * loudly ("already exists"), it never leaks silently. */
        free(copy);
        return;
    }
    memcpy(copy, p, n);
    copy[n] = '\0';
    s->temps.names[s->temps.n++] = copy;
}

static void remove_mine(odbctx_session *s, const char *p, size_t n)
{
    struct name nm;
    split(p, n, &nm);
    int i = mine_at(s, &nm);
    if (i < 0)
        return;
    free(s->temps.names[i]);
    s->temps.names[i] = s->temps.names[--s->temps.n];
}

void odbctx__ddl_ran(odbctx_session *s, const char *sql, int ok)
{
    struct odbctx_sql_table_ddl d;
    if (!ok || s->dialect != ODBCTX_DIALECT_MARIADB || !s->in_test ||
        !odbctx_sql_table_ddl(sql, strlen(sql), odbctx__dialect(s->dialect)->lexis, &d) ||
        !d.temporary || d.op == ODBCTX_TABLE_TRUNCATE)
        return;
    for (size_t i = 0; i < d.n_names; i++) {
        if (d.op == ODBCTX_TABLE_CREATE)
            add_mine(s, sql + d.names[i].off, d.names[i].len);
        else
            remove_mine(s, sql + d.names[i].off, d.names[i].len);
    }
}

void odbctx__ddl_test_end(odbctx_session *s)
{
    if (s->temps.n == 0)
        return;
    /* DROP TEMPORARY TABLE commits nothing; one statement for all. A
     * connection that is gone took them with it. */
    size_t len = 64;
    for (size_t i = 0; i < s->temps.n; i++)
        len += strlen(s->temps.names[i]) + 2;
    char *sql = malloc(len);
    if (sql) {
        size_t o = (size_t)snprintf(sql, len, "DROP TEMPORARY TABLE IF EXISTS ");
        for (size_t i = 0; i < s->temps.n; i++)
            o += (size_t)snprintf(sql + o, len - o, "%s%s", i ? ", " : "", s->temps.names[i]);
        odbctx_error kept = s->err;
        odbctx__exec_real(s, sql, "odbctx");
        s->err = kept;
        free(sql);
    }
    for (size_t i = 0; i < s->temps.n; i++)
        free(s->temps.names[i]);
    s->temps.n = 0;
}

void odbctx__ddl_free(odbctx_session *s)
{
    for (size_t i = 0; i < s->temps.n; i++)
        free(s->temps.names[i]);
    free(s->temps.names);
    memset(&s->temps, 0, sizeof s->temps);
}

/* ---- deciding ---- */

/* The value of an information_schema query about n, or -1 (error on s). */
static long long ask(odbctx_session *s, const char *fmt, const struct name *n)
{
    char schema[420], table[420], sql[1400];
    schema_of(n, schema, sizeof schema);
    literal(n->table, table, sizeof table);
    snprintf(sql, sizeof sql, fmt, schema, table);
    long long v = -1;
    if (odbctx__query_int_real(s, sql, "odbctx", &v) != 0)
        return -1;
    return v;
}

#define BASE_OR_VIEW                                                                               \
    "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s"

/* Bits of what keeps a TRUNCATE of n from being a DELETE: 1 not a base
 * table (a view), 2 DELETE triggers, 4 referenced by a foreign key. */
#define TRUNCATE_FACTS                                                                             \
    "SELECT ((SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %1$s AND "       \
    "TABLE_NAME = %2$s AND TABLE_TYPE <> 'BASE TABLE') > 0)"                                       \
    " + 2 * ((SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = %1$s "  \
    "AND EVENT_OBJECT_TABLE = %2$s AND EVENT_MANIPULATION = 'DELETE') > 0)"                        \
    " + 4 * ((SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "              \
    "UNIQUE_CONSTRAINT_SCHEMA = %1$s AND REFERENCED_TABLE_NAME = %2$s) > 0)"

static int refuse(odbctx_session *s, const char *sql, size_t len, const char *why)
{
    int rc = odbctx__fail(s, ODBCTX_EREFUSED,
                        "%.*s: on MariaDB this statement commits the transaction implicitly, and "
                        "inside a test odbctx runs table DDL as temporary tables instead, but %s. "
                        NOTHING_RUN,
                        (int)(len > 300 ? 300 : len), sql, why);
    /* Invalid transaction state, as for other transaction control capture refuses. */
    odbctx__copy(s->err.sqlstate, sizeof s->err.sqlstate, "25000");
    return rc;
}

/* An error as MariaDB would give it, after the implicit commit it makes. */
static int as_mariadb(struct odbctx_ddl_plan *p, const char *sqlstate, long native,
                      const char *fmt, const char *table)
{
    p->fails = 1;
    p->err.code = ODBCTX_ESQL;
    odbctx__format(p->err.message, sizeof p->err.message, fmt, table);
    odbctx__copy(p->err.sqlstate, sizeof p->err.sqlstate, sqlstate);
    p->err.native = native;
    return 0;
}

static char *with_temporary(const char *sql, size_t len, size_t at)
{
    static const char word[] = "TEMPORARY ";
    char *out = malloc(len + sizeof word);
    if (!out)
        return NULL;
    memcpy(out, sql, at);
    memcpy(out + at, word, sizeof word - 1);
    memcpy(out + at + sizeof word - 1, sql + at, len - at);
    out[len + sizeof word - 1] = '\0';
    return out;
}

/* CREATE TABLE: what the test creates is its own temporary table. */
static int plan_create(odbctx_session *s, const char *sql, size_t len,
                       const struct odbctx_sql_table_ddl *d, struct odbctx_ddl_plan *p)
{
    struct name n;
    split(sql + d->names[0].off, d->names[0].len, &n);
    if (d->references)
        return refuse(s, sql, len,
                      "a table made inside a test is a temporary table, and MariaDB's temporary "
                      "tables cannot have foreign keys (errno 150); create it in the schema, or "
                      "leave out the REFERENCES clause");
    if (mine_at(s, &n) < 0) {
        long long there = ask(s, BASE_OR_VIEW, &n);
        if (there < 0)
            return ODBCTX_ESQL;
        if (there > 0 && d->or_replace)
            return refuse(s, sql, len,
                          "the table it would replace is not the test's own (a table of the "
                          "schema, or one committed before the test), and dropping that would "
                          "be for good");
        if (there > 0) {
            if (d->if_exists) /* IF NOT EXISTS: a note, nothing made */
                return 0;
            return as_mariadb(p, "42S01", 1050, "Table '%s' already exists", n.table);
        }
    }
    if (!(p->sql = with_temporary(sql, len, d->insert_at)))
        return odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    return 0;
}

/* DROP TABLE: only of the test's own tables, or of none that exists. */
static int plan_drop(odbctx_session *s, const char *sql, size_t len,
                     const struct odbctx_sql_table_ddl *d, struct odbctx_ddl_plan *p)
{
    for (size_t i = 0; i < d->n_names; i++) {
        struct name n;
        split(sql + d->names[i].off, d->names[i].len, &n);
        if (mine_at(s, &n) >= 0)
            continue;
        long long there = ask(s, BASE_OR_VIEW, &n);
        if (there < 0)
            return ODBCTX_ESQL;
        if (there > 0) {
            char why[600];
            odbctx__format(why, sizeof why,
                           "%s is not a table this test created (it is the schema's, or was "
                           "committed before the test), and dropping it would be for good",
                           n.table);
            return refuse(s, sql, len, why);
        }
        /* None such: IF EXISTS makes it a note, else MariaDB's error
         * (Unknown table) comes from the temporary form as from the plain one. */
    }
    if (!(p->sql = with_temporary(sql, len, d->insert_at)))
        return odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    return 0;
}

/* TRUNCATE: a DELETE of every row, where nothing tells them apart. */
static int plan_truncate(odbctx_session *s, const char *sql, size_t len,
                         const struct odbctx_sql_table_ddl *d, struct odbctx_ddl_plan *p)
{
    struct name n;
    split(sql + d->names[0].off, d->names[0].len, &n);
    if (mine_at(s, &n) < 0) {
        long long facts = ask(s, TRUNCATE_FACTS, &n);
        if (facts < 0)
            return ODBCTX_ESQL;
        if (facts & 1)
            return refuse(s, sql, len, "it names a view, which TRUNCATE refuses and DELETE would not");
        if (facts & 2)
            return refuse(s, sql, len,
                          "the table has DELETE triggers, which a DELETE would fire and "
                          "TRUNCATE does not");
        if (facts & 4)
            return as_mariadb(p, "42000", 1701,
                              "Cannot truncate a table referenced in a foreign key constraint "
                              "(%s)",
                              n.table);
    }
    const char *name = sql + d->names[0].off;
    size_t nlen = d->names[0].len;
    if (!(p->sql = malloc(nlen + 16)))
        return odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    snprintf(p->sql, nlen + 16, "DELETE FROM %.*s", (int)nlen, name);
    return 0;
}

int odbctx__ddl_contain(odbctx_session *s, const char *sql, size_t len, struct odbctx_ddl_plan *p)
{
    memset(p, 0, sizeof *p);
    unsigned lexis = odbctx__dialect(s->dialect)->lexis;
    struct odbctx_sql_stmt st[2];
    size_t count = odbctx_classify(sql, len, lexis, st, 2);
    if (count != 1)
        return refuse(s, sql, len,
                      "a DDL statement is contained only when it is sent as a statement of its "
                      "own");
    struct odbctx_sql_table_ddl d;
    if (!odbctx_sql_table_ddl(sql + st[0].off, st[0].len, lexis, &d))
        return refuse(s, sql, len,
                      "only CREATE TABLE, DROP TABLE and TRUNCATE are (as temporary tables); "
                      "MariaDB commits this statement whatever table it works on, temporary ones "
                      "included: run it in the schema, before the tests");
    /* The offsets of d are into the statement. */
    const char *one = sql + st[0].off;
    switch (d.op) {
    case ODBCTX_TABLE_CREATE: return plan_create(s, one, st[0].len, &d, p);
    case ODBCTX_TABLE_DROP: return plan_drop(s, one, st[0].len, &d, p);
    case ODBCTX_TABLE_TRUNCATE: return plan_truncate(s, one, st[0].len, &d, p);
    }
    return refuse(s, sql, len, "odbctx does not know this form");
}

int odbctx__ddl_run(odbctx_session *s, const char *sql, const char *origin)
{
    struct odbctx_ddl_plan p;
    int rc = odbctx__ddl_contain(s, sql, strlen(sql), &p);
    if (rc == 0)
        rc = odbctx__app_commit(s);
    if (rc == 0 && p.fails) {
        s->err = p.err;
        rc = p.err.code;
    }
    if (rc || !p.sql) {
        odbctx__trace_add(s, origin, sql, rc == 0, rc ? s->err.message : "nothing to do (the table exists)");
        free(p.sql);
        return rc;
    }
    odbctx__trace_add(s, "odbctx", sql, 1, "MariaDB DDL inside a test: runs as the next statement");
    rc = odbctx__exec_real(s, p.sql, origin);
    odbctx__ddl_ran(s, p.sql, rc == 0);
    free(p.sql);
    return rc;
}
