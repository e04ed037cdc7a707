/*
 * What the schema created in the suite transaction: each CREATE of a
 * schema script is parsed for the object it makes, recorded when it is
 * odbctx's own (not there before), replayed after a breach and dropped at
 * the end (MariaDB, where DDL commits) or after a breach committed it.
 */
#include "internal.h"
#include "extras/extras.h"
#include "sql/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What sql creates that odbctx may drop (sql/classify.h): 1 and obj filled
 * (name allocated) when it is one of those. */
static int parse_create(const odbctx_session *s, const char *sql, size_t len,
                        struct odbctx_schema_object *obj, int *if_not_exists)
{
    struct odbctx_sql_created c;
    if (!odbctx_sql_creates(sql, len, odbctx__dialect(s->dialect)->lexis, &c))
        return 0;
    if (!(obj->name = malloc(c.name_len + 1)))
        return 0;
    memcpy(obj->name, sql + c.name_off, c.name_len);
    obj->name[c.name_len] = '\0';
    obj->kind = c.kind;
    *if_not_exists = c.if_not_exists;
    return 1;
}

int odbctx__schema_is_ddl(const odbctx_session *s, const char *sql, size_t len)
{
    return odbctx_sql_is_ddl(sql, len, odbctx__dialect(s->dialect)->lexis);
}

void odbctx__schema_changed(odbctx_session *s)
{
    /* Process-wide, like connection ids: a session opened later at the
     * same address never repeats a version an earlier one had. */
    static unsigned long long last_version;
    s->schema_version = __atomic_add_fetch(&last_version, 1, __ATOMIC_RELAXED);
}

/* ROLLBACK, ROLLBACK TO ...: what a level's end or an app rollback sends. */
static int is_rollback(const char *sql)
{
    while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r')
        sql++;
    return strncasecmp(sql, "ROLLBACK", 8) == 0;
}

void odbctx__schema_seen(odbctx_session *s, const char *origin, const char *sql)
{
    if (sql == NULL)
        return;
    size_t len = strlen(sql);
    int ddl = odbctx__schema_is_ddl(s, sql, len);
    /* A later statement of a multi-statement string may be DDL too. odbctx's
     * own strings are savepoint SQL and its checks: none is. */
    if (!ddl && origin != odbctx__origin_own && memchr(sql, ';', len)) {
        struct odbctx_sql_stmt st[8];
        size_t n = odbctx_classify(sql, len, odbctx__dialect(s->dialect)->lexis, st, 8);
        for (size_t i = 0; i < n && !ddl; i++)
            ddl = i >= 8 || odbctx__schema_is_ddl(s, sql + st[i].off, st[i].len);
    }
    if (ddl) {
        s->schema_dirty = 1;
        odbctx__schema_changed(s);
    } else if (s->schema_dirty && is_rollback(sql)) {
        /* The rollback may have undone the DDL; it stays "dirty" until the
         * next test begins, since a later rollback may undo more of it. */
        odbctx__schema_changed(s);
    }
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
         * the transaction (see scripts_prepared in dialect.c). */
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
    if (odbctx__grow((void **)&s->schema, &s->cap_schema, s->n_schema + 1, sizeof *s->schema))
        return ODBCTX_ENOMEM;
    s->schema[s->n_schema++] = *obj;
    obj->name = NULL;
    return 0;
}

int odbctx__schema_run_recorded(odbctx_session *s, const char *sql)
{
    struct odbctx_schema_object obj = {NULL, NULL};
    int if_not_exists = 0;
    int ours = parse_create(s, sql, strlen(sql), &obj, &if_not_exists);
    if (ours && if_not_exists && exists(s, &obj))
        ours = 0;
    if (ours) {
        int noted = odbctx__leftovers_note(s, obj.kind, obj.name);
        if (noted) {
            free(obj.name);
            return noted;
        }
    }
    int rc = odbctx__exec_opt(s, sql, "schema", odbctx__dialect(s->dialect)->scripts_prepared);
    if (rc == 0 && ours && record(s, &obj) != 0)
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    free(obj.name);
    return rc;
}


int odbctx__schema_batchable(const odbctx_session *s, const char *sql, size_t len)
{
    struct odbctx_schema_object obj = {NULL, NULL};
    int if_not_exists = 0;
    int ours = parse_create(s, sql, len, &obj, &if_not_exists);
    free(obj.name);
    return !(ours && if_not_exists);
}

int odbctx__schema_note(odbctx_session *s, const char *sql, size_t len)
{
    struct odbctx_schema_object obj = {NULL, NULL};
    int if_not_exists = 0;
    int rc = 0;
    if (parse_create(s, sql, len, &obj, &if_not_exists) && (rc = record(s, &obj)) != 0)
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    free(obj.name);
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
        first = odbctx__fail_sql(s, s->dbc, SQL_HANDLE_DBC, s->dbc,
                                  "committing the drop of the schema");
    else if (first)
        memcpy(s->err.message, keep, sizeof keep);
    odbctx__schema_forget(s);
    odbctx__leftovers_forget(s);
    return first;
}
