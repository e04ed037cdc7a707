#include "internal.h"
#include "reliability.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A token of a CREATE statement: a word, a quoted identifier, or one
 * punctuation character. */
struct tok {
    const char *p;
    size_t n;
    int quoted;
};

static int word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static int next_tok(const char **at, const char *end, struct tok *t)
{
    const char *p = *at;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (p + 1 < end && p[0] == '-' && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
        } else if (p + 1 < end && p[0] == '/' && p[1] == '*') {
            p += 2;
            while (p + 1 < end && !(p[0] == '*' && p[1] == '/'))
                p++;
            p = p + 1 < end ? p + 2 : end;
        } else {
            break;
        }
    }
    if (p >= end)
        return 0;
    t->p = p;
    t->quoted = 0;
    if (*p == '"' || *p == '`' || *p == '[') {
        char close = *p == '[' ? ']' : *p;
        p++;
        while (p < end && *p != close)
            p++;
        if (p < end)
            p++;
        t->quoted = 1;
    } else if (word_char(*p)) {
        while (p < end && word_char(*p))
            p++;
    } else {
        p++;
    }
    t->n = (size_t)(p - t->p);
    *at = p;
    return 1;
}

static int tok_is(const struct tok *t, const char *kw)
{
    return !t->quoted && strlen(kw) == t->n && strncasecmp(t->p, kw, t->n) == 0;
}

int odbctx__schema_is_ddl(const char *sql, size_t len)
{
    const char *p = sql, *end = sql + len;
    struct tok t;
    if (!next_tok(&p, end, &t))
        return 0;
    return tok_is(&t, "CREATE") || tok_is(&t, "ALTER") || tok_is(&t, "DROP") ||
           tok_is(&t, "RENAME") || tok_is(&t, "TRUNCATE");
}

/* What a CREATE statement makes that odbctx may have to drop: tables,
 * views, sequences and routines (indexes and triggers go with their table;
 * TEMPORARY objects with the connection). Returns 1 and fills obj (name
 * allocated) and *if_not_exists when it is one of those. */
static int parse_create(const char *sql, size_t len, struct odbctx_schema_object *obj,
                        int *if_not_exists)
{
    static const char *const skipped[] = {"INDEX", "UNIQUE", "TRIGGER", "TYPE", "SCHEMA",
                                          "DATABASE", "USER", "ROLE", "EXTENSION", "DOMAIN",
                                          "EVENT", "SERVER", "RULE", "POLICY", "CAST",
                                          "COLLATION", "AGGREGATE", "PACKAGE", "SYNONYM"};
    const char *p = sql, *end = sql + len;
    struct tok t;
    int materialized = 0;

    if (!next_tok(&p, end, &t) || !tok_is(&t, "CREATE"))
        return 0;
    obj->kind = NULL;
    for (int i = 0; i < 24 && !obj->kind; i++) {
        if (!next_tok(&p, end, &t) || tok_is(&t, "TEMPORARY") || tok_is(&t, "TEMP") ||
            (t.n == 1 && *t.p == '('))
            return 0;
        for (size_t k = 0; k < sizeof skipped / sizeof skipped[0]; k++)
            if (tok_is(&t, skipped[k]))
                return 0;
        if (tok_is(&t, "MATERIALIZED"))
            materialized = 1;
        else if (tok_is(&t, "TABLE"))
            obj->kind = "TABLE";
        else if (tok_is(&t, "VIEW"))
            obj->kind = materialized ? "MATERIALIZED VIEW" : "VIEW";
        else if (tok_is(&t, "SEQUENCE"))
            obj->kind = "SEQUENCE";
        else if (tok_is(&t, "PROCEDURE"))
            obj->kind = "PROCEDURE";
        else if (tok_is(&t, "FUNCTION"))
            obj->kind = "FUNCTION";
    }
    if (!obj->kind)
        return 0;

    const char *name_start;
    *if_not_exists = 0;
    if (!next_tok(&p, end, &t))
        return 0;
    if (tok_is(&t, "IF")) {
        if (!next_tok(&p, end, &t) || !tok_is(&t, "NOT") || !next_tok(&p, end, &t) ||
            !tok_is(&t, "EXISTS") || !next_tok(&p, end, &t))
            return 0;
        *if_not_exists = 1;
    }
    if (!t.quoted && !word_char(*t.p))
        return 0;
    name_start = t.p;
    const char *name_end = t.p + t.n;
    /* schema.name, `db`.`t`, "s"."t" */
    for (;;) {
        const char *save = p;
        struct tok dot, part;
        if (!next_tok(&p, end, &dot) || dot.n != 1 || *dot.p != '.' || dot.p != name_end ||
            !next_tok(&p, end, &part) || part.p != dot.p + 1) {
            p = save;
            break;
        }
        name_end = part.p + part.n;
    }
    size_t n = (size_t)(name_end - name_start);
    if (!(obj->name = malloc(n + 1)))
        return 0;
    memcpy(obj->name, name_start, n);
    obj->name[n] = '\0';
    return 1;
}

/* Was the object there before the statement that may create it ran? When
 * that cannot be told, it counts as there: odbctx must never drop what may
 * not be its own. */
static int exists(odbctx_session *s, const struct odbctx_schema_object *obj)
{
    char sql[700];
    if (s->dialect == ODBCTX_DIALECT_POSTGRESQL) {
        /* A query that cannot fail: a failed probe on PostgreSQL costs the
         * driver's statement rollback, and a name it cannot parse would cost
         * the transaction (see odbctx__script_prepared). */
        char literal[600];
        size_t used = 0;
        for (const char *p = obj->name; *p && used + 2 < sizeof literal; p++) {
            if (*p == '\'')
                literal[used++] = '\'';
            literal[used++] = *p;
        }
        literal[used] = '\0';
        if (strcmp(obj->kind, "FUNCTION") == 0 || strcmp(obj->kind, "PROCEDURE") == 0)
            odbctx__format(sql, sizeof sql, "SELECT COUNT(*) FROM pg_proc WHERE oid = to_regproc('%s')",
                           literal);
        else
            odbctx__format(sql, sizeof sql, "SELECT COUNT(*) FROM pg_class WHERE oid = to_regclass('%s')",
                           literal);
        long long n = 1;
        odbctx_error keep = s->err;
        if (odbctx__query_int_real(s, sql, "odbctx", &n) != 0)
            n = 1;
        s->err = keep;
        return n != 0;
    }
    if (strcmp(obj->kind, "PROCEDURE") == 0 || strcmp(obj->kind, "FUNCTION") == 0)
        odbctx__format(sql, sizeof sql, "SHOW CREATE %s %s", obj->kind, obj->name);
    else
        odbctx__format(sql, sizeof sql, "SELECT 1 FROM %s WHERE 1=0", obj->name);
    return odbctx__probe(s, sql, NULL, 0);
}

static int record(odbctx_session *s, struct odbctx_schema_object *obj)
{
    if (s->n_schema == s->cap_schema) {
        size_t cap = s->cap_schema ? s->cap_schema * 2 : 16;
        struct odbctx_schema_object *grown = realloc(s->schema, cap * sizeof *grown);
        if (!grown)
            return ODBCTX_ENOMEM;
        s->schema = grown;
        s->cap_schema = cap;
    }
    s->schema[s->n_schema++] = *obj;
    obj->name = NULL;
    return 0;
}

/* Runs a schema statement and records what it created. */
static int run_recorded(odbctx_session *s, const char *sql)
{
    struct odbctx_schema_object obj = {NULL, NULL};
    int if_not_exists = 0;
    int ours = parse_create(sql, strlen(sql), &obj, &if_not_exists);
    if (ours && if_not_exists && exists(s, &obj))
        ours = 0;
    if (ours) {
        int noted = odbctx__leftovers_note(s, obj.kind, obj.name);
        if (noted) {
            free(obj.name);
            return noted;
        }
    }
    int rc = odbctx__exec_opt(s, sql, "schema", odbctx__script_prepared(s));
    if (rc == 0 && ours && record(s, &obj) != 0)
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    free(obj.name);
    return rc;
}

int odbctx__schema_replay_one(odbctx_session *s, const char *sql)
{
    return run_recorded(s, sql);
}

int odbctx__schema_batchable(const char *sql, size_t len)
{
    struct odbctx_schema_object obj = {NULL, NULL};
    int if_not_exists = 0;
    int ours = parse_create(sql, len, &obj, &if_not_exists);
    free(obj.name);
    return !(ours && if_not_exists);
}

int odbctx__schema_note(odbctx_session *s, const char *sql, size_t len)
{
    struct odbctx_schema_object obj = {NULL, NULL};
    int if_not_exists = 0;
    int rc = 0;
    if (parse_create(sql, len, &obj, &if_not_exists) && (rc = record(s, &obj)) != 0)
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    free(obj.name);
    return rc;
}

static int schema_statement(odbctx_session *s, const char *sql, void *unused)
{
    (void)unused;
    int rc = odbctx__after_statement(s, sql, run_recorded(s, sql), 0);
    if (rc == 0 && odbctx__journal_add(s, ODBCTX_JOURNAL_SCHEMA, sql, strlen(sql)) != 0)
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    return rc;
}

void odbctx__schema_forget(odbctx_session *s)
{
    for (size_t i = 0; i < s->n_schema; i++)
        free(s->schema[i].name);
    s->n_schema = 0;
}

void odbctx__schema_free(odbctx_session *s)
{
    odbctx__schema_forget(s);
    free(s->schema);
    s->schema = NULL;
    s->cap_schema = 0;
}

/* SQLite's driver refuses to commit when its own flag says no transaction
 * is open: after a COMMIT sent as text the drops ran in autocommit and are
 * done, so that refusal is not a failure to report. */
static int sqlite_nothing_to_commit(odbctx_session *s)
{
    if (s->dialect != ODBCTX_DIALECT_SQLITE)
        return 0;
    SQLCHAR state[6], msg[256];
    SQLINTEGER native;
    SQLSMALLINT len;
    if (!SQL_SUCCEEDED(REAL(SQLGetDiagRec)(SQL_HANDLE_DBC, s->dbc, 1, state, &native, msg,
                                           sizeof msg, &len)))
        return 0;
    return strstr((const char *)msg, "no transaction is active") != NULL;
}

int odbctx__schema_drop(odbctx_session *s)
{
    int first = 0;
    char sql[600];

    if (s->n_schema == 0)
        return 0;
    if (s->dialect == ODBCTX_DIALECT_MARIADB)
        odbctx__exec_real(s, "SET FOREIGN_KEY_CHECKS=0", "odbctx");
    for (size_t i = s->n_schema; i-- > 0;) {
        snprintf(sql, sizeof sql, "DROP %s IF EXISTS %s", s->schema[i].kind, s->schema[i].name);
        int rc = odbctx__exec_real(s, sql, "odbctx");
        if (rc && !first)
            first = rc;
    }
    char keep[sizeof s->err.message];
    memcpy(keep, s->err.message, sizeof keep);
    if (s->dialect == ODBCTX_DIALECT_MARIADB)
        odbctx__exec_real(s, "SET FOREIGN_KEY_CHECKS=1", "odbctx");
    if (!SQL_SUCCEEDED(REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_COMMIT)) && !first &&
        !sqlite_nothing_to_commit(s))
        first = odbctx__fail_odbc(s, ODBCTX_ESQL, SQL_HANDLE_DBC, s->dbc,
                                  "committing the drop of the schema");
    else if (first)
        memcpy(s->err.message, keep, sizeof keep);
    odbctx__schema_forget(s);
    odbctx__leftovers_forget(s);
    return first;
}

/* MariaDB commits DDL implicitly, so the schema cannot live in the suite
 * transaction: that transaction is rolled back, the schema runs and is
 * committed, and the suite transaction begins again with its suite-level
 * statements replayed. A failed script leaves what ran committed; it is
 * recorded and so dropped by odbctx_close all the same. */
static int mariadb_schema(odbctx_session *s, const char *script, const char *name,
                          const char *single)
{
    odbctx__suite_end(s);
    int rc = single ? schema_statement(s, single, NULL)
                    : odbctx__run_script(s, script, name, schema_statement, NULL, -1);
    odbctx_error failure = s->err;
    int again = 0;
    if (!SQL_SUCCEEDED(REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_COMMIT)) && rc == 0)
        rc = odbctx__fail_odbc(s, ODBCTX_ESQL, SQL_HANDLE_DBC, s->dbc, "committing the schema");
    else if (rc)
        s->err = failure;
    failure = s->err;
    again = odbctx__suite_begin(s);
    if (again == 0)
        again = odbctx__suite_replay(s, 0);
    if (rc)
        s->err = failure;
    return rc ? rc : again;
}

int odbctx__schema_statement(odbctx_session *s, const char *sql)
{
    if (s->dialect == ODBCTX_DIALECT_MARIADB)
        return mariadb_schema(s, NULL, NULL, sql);
    return schema_statement(s, sql, NULL);
}

static int schema_run(odbctx_session *s, const char *script, const char *name)
{
    int broken = odbctx__refuse_broken(s, "odbctx_schema_*");
    if (broken)
        return broken;
    if (s->in_test)
        return odbctx__fail(s, ODBCTX_ESTATE,
                            "odbctx_schema_*: called inside a test; create the schema before "
                            "odbctx_begin_test (or after odbctx_end_test)");
    int refused = odbctx__guard_schema(s);
    if (refused)
        return refused;
    if (s->suite_open && (refused = odbctx__settle(s)) != 0)
        return refused;
    if (s->dialect == ODBCTX_DIALECT_MARIADB)
        return mariadb_schema(s, script, name, NULL);
    if (!s->suite_open) {
        int rc = odbctx__suite_rebuild(s, 0);
        if (rc)
            return rc;
    }
    return odbctx__run_script(s, script, name, schema_statement, NULL, ODBCTX_JOURNAL_SCHEMA);
}

int odbctx_schema_script(odbctx_session *s, const char *script, const char *name)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    if (!script || !*script)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_schema_script: script is NULL or empty");
    else
        rc = schema_run(s, script, name && *name ? name : "schema");
    odbctx__leave(s);
    return rc;
}

int odbctx_schema_file(odbctx_session *s, const char *path)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    char *text = NULL;
    if (!path || !*path)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_schema_file: path is NULL or empty");
    else if ((rc = odbctx__read_file(s, path, &text)) == 0)
        rc = schema_run(s, text, path);
    free(text);
    odbctx__leave(s);
    return rc;
}
