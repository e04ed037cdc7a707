/*
 * MariaDB leftovers. DDL there commits implicitly, so odbctx_schema_*
 * creates the suite's tables outside any transaction and odbctx_close drops
 * them; a process killed in between leaves them behind, and the next run's
 * CREATE TABLE would fail on them.
 *
 * So every table, view or routine the schema creates is first written, and
 * committed, into odbctx_schema_registry under the session's owner token;
 * the session holds the user-level lock odbctx_own_<token> (GET_LOCK) for
 * as long as its connection lives, and the server releases it when the
 * connection dies, however the process died. odbctx_open on MariaDB drops
 * the objects of every owner whose lock is free, then forgets them. Owners
 * whose lock is held are running sessions and are left alone, so parallel
 * runs against one database do not clean each other up.
 *
 * The registry row is committed before the CREATE runs: a kill between the
 * two leaves a row for a table that does not exist, which DROP ... IF
 * EXISTS shrugs off; the other order could leave a table nobody knows.
 * The registry table itself stays in the database (empty when all is well).
 */
#include "internal.h"
#include "extras/extras.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REGISTRY "odbctx_schema_registry"
#define LOCK_PREFIX "odbctx_own_"
#define MAX_OWNERS 256
#define MAX_OBJECTS 4096

static int is_mariadb(const odbctx_session *s)
{
    return s->dialect == ODBCTX_DIALECT_MARIADB;
}

/* Runs sql outside the trace; 0 or the error on s. */
static int run(odbctx_session *s, const char *sql)
{
    return odbctx__query_text(s, s->dbc, sql, NULL, 0);
}

static int commit(odbctx_session *s)
{
    if (!SQL_SUCCEEDED(REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_COMMIT)))
        return odbctx__fail_sql(s, s->dbc, SQL_HANDLE_DBC, s->dbc,
                                 "committing odbctx_schema_registry");
    return 0;
}

static unsigned random_word(void)
{
    unsigned v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &v, sizeof v) != (ssize_t)sizeof v)
            v = 0;
        close(fd);
    }
    return v ^ (unsigned)getpid() ^ (unsigned)time(NULL);
}

static int lock_owner(odbctx_session *s)
{
    char sql[128], got[16];
    snprintf(sql, sizeof sql, "SELECT GET_LOCK('" LOCK_PREFIX "%s', 0)", s->rel.owner);
    int rc = odbctx__query_text(s, s->dbc, sql, got, sizeof got);
    if (rc == 0 && strcmp(got, "1") != 0)
        rc = odbctx__fail(s, ODBCTX_ESQL, "cannot take the user-level lock " LOCK_PREFIX "%s",
                          s->rel.owner);
    return rc;
}

/* Owner tokens are ours: digits, lowercase hex and '_'. Anything else in
 * the registry is not touched. */
static int valid_owner(const char *o)
{
    if (!*o || strlen(o) >= sizeof ((struct odbctx_rel_state *)0)->owner)
        return 0;
    for (; *o; o++)
        if (!((*o >= '0' && *o <= '9') || (*o >= 'a' && *o <= 'f') || *o == '_'))
            return 0;
    return 1;
}

static int valid_kind(const char *k)
{
    static const char *const kinds[] = {"TABLE", "VIEW", "SEQUENCE", "PROCEDURE", "FUNCTION",
                                        "TRIGGER", "EVENT"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(k, kinds[i]) == 0)
            return 1;
    return 0;
}

/* A MariaDB string literal: quotes doubled, backslashes escaped. */
static void literal(const char *text, char *out, size_t n)
{
    size_t used = 0;
    out[used++] = '\'';
    for (const char *p = text; *p && used + 4 < n; p++) {
        if (*p == '\'' || *p == '\\')
            out[used++] = *p == '\'' ? '\'' : '\\';
        out[used++] = *p;
    }
    out[used++] = '\'';
    out[used] = '\0';
}

struct row {
    char a[600], b[600];
};

/* Reads up to max rows of one or two text columns into *out (the caller
 * frees it); *count says how many. */
static int rows(odbctx_session *s, const char *sql, int two, size_t max, struct row **out,
                size_t *count)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    size_t cap = 0;
    *out = NULL;
    *count = 0;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, s->dbc, &st)))
        return odbctx__fail_sql(s, s->dbc, SQL_HANDLE_DBC, s->dbc, sql);
    if (!SQL_SUCCEEDED(REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS))) {
        int rc = odbctx__fail_sql(s, s->dbc, SQL_HANDLE_STMT, st, sql);
        REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
        return rc;
    }
    int rc = 0;
    while (*count < max && SQL_SUCCEEDED(REAL(SQLFetch)(st))) {
        if (odbctx__grow((void **)out, &cap, *count + 1, sizeof **out)) {
            rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
            break;
        }
        struct row *r = &(*out)[*count];
        SQLLEN ind = 0;
        if (!SQL_SUCCEEDED(REAL(SQLGetData)(st, 1, SQL_C_CHAR, r->a, sizeof r->a, &ind)) ||
            ind == SQL_NULL_DATA)
            r->a[0] = '\0';
        r->b[0] = '\0';
        if (two && (!SQL_SUCCEEDED(REAL(SQLGetData)(st, 2, SQL_C_CHAR, r->b, sizeof r->b, &ind)) ||
                    ind == SQL_NULL_DATA))
            r->b[0] = '\0';
        (*count)++;
    }
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return rc;
}

/* Drops what one dead owner left and forgets it. */
static int clean_owner(odbctx_session *s, const char *owner)
{
    char sql[900];
    struct row *objs = NULL;
    size_t n = 0;

    snprintf(sql, sizeof sql,
             "SELECT kind, name FROM " REGISTRY " WHERE owner = '%s' ORDER BY seq DESC", owner);
    int rc = rows(s, sql, 1, MAX_OBJECTS, &objs, &n);
    if (rc) {
        free(objs);
        return rc;
    }
    run(s, "SET FOREIGN_KEY_CHECKS=0");
    for (size_t i = 0; i < n; i++) {
        if (!valid_kind(objs[i].a) || !objs[i].b[0])
            continue;
        snprintf(sql, sizeof sql, "DROP %.16s IF EXISTS %.600s", objs[i].a, objs[i].b);
        if (run(s, sql) == 0)
            odbctx__trace_add(s, "odbctx", sql, 1, "left by a session that died");
    }
    free(objs);
    run(s, "SET FOREIGN_KEY_CHECKS=1");
    snprintf(sql, sizeof sql, "DELETE FROM " REGISTRY " WHERE owner = '%s'", owner);
    rc = run(s, sql);
    return rc ? rc : commit(s);
}

int odbctx__leftovers_open(odbctx_session *s)
{
    char id[32] = "", have[16] = "", sql[256], used[32];
    struct row *owners = NULL;
    size_t n = 0;

    if (!is_mariadb(s))
        return 0;
    /* Without a current database there is nowhere to keep the registry;
     * the guard refuses the schema there anyway (unless told otherwise). */
    char db[256] = "";
    int rc = odbctx__query_text(s, s->dbc, odbctx__dialect(s->dialect)->database_name_sql, db, sizeof db);
    if (rc == 0 && !db[0])
        return 0;
    if (rc == 0)
        rc = odbctx__query_text(s, s->dbc, "SELECT CONNECTION_ID()", id, sizeof id);
    if (rc)
        return rc;
    snprintf(s->rel.owner, sizeof s->rel.owner, "%s_%08x", id, random_word());
    if ((rc = lock_owner(s)) != 0)
        return rc;

    rc = odbctx__query_text(s, s->dbc,
                            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                            "DATABASE() AND table_name = '" REGISTRY "'",
                            have, sizeof have);
    if (rc || strcmp(have, "1") != 0)
        return rc;
    s->rel.registry_ready = 1;
    rc = rows(s, "SELECT DISTINCT owner FROM " REGISTRY, 0, MAX_OWNERS, &owners, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!valid_owner(owners[i].a) || strcmp(owners[i].a, s->rel.owner) == 0)
            continue;
        snprintf(sql, sizeof sql, "SELECT IS_USED_LOCK('" LOCK_PREFIX "%.47s')", owners[i].a);
        if ((rc = odbctx__query_text(s, s->dbc, sql, used, sizeof used)) != 0)
            break;
        if (!used[0])
            rc = clean_owner(s, owners[i].a);
    }
    free(owners);
    /* The bookkeeping statements above ran before the suite transaction. */
    REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_COMMIT);
    if (rc)
        odbctx__error_prefix(s, "cleaning up after a MariaDB session that died");
    return rc;
}

int odbctx__leftovers_note(odbctx_session *s, const char *kind, const char *name)
{
    char sql[1400], lit[1100];

    if (!is_mariadb(s) || !s->rel.owner[0])
        return 0;
    if (!s->rel.registry_ready) {
        int rc = run(s, "CREATE TABLE IF NOT EXISTS " REGISTRY " ("
                        "seq BIGINT AUTO_INCREMENT PRIMARY KEY, "
                        "owner VARCHAR(48) NOT NULL, "
                        "kind VARCHAR(16) NOT NULL, "
                        "name VARCHAR(512) NOT NULL, "
                        "created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
                        "UNIQUE KEY odbctx_registry_object (owner, kind, name(255))"
                        ") ENGINE=InnoDB");
        if (rc) {
            odbctx__error_prefix(s, "creating " REGISTRY " (it lets the next run drop what a "
                                    "killed run left)");
            return rc;
        }
        s->rel.registry_ready = 1;
    }
    literal(name, lit, sizeof lit);
    snprintf(sql, sizeof sql,
             "INSERT IGNORE INTO " REGISTRY " (owner, kind, name) VALUES ('%s', '%s', %s)",
             s->rel.owner, kind, lit);
    int rc = run(s, sql);
    if (rc == 0)
        rc = commit(s);
    if (rc)
        odbctx__error_prefix(s, "recording %s %s in " REGISTRY, kind, name);
    return rc;
}

void odbctx__leftovers_forget(odbctx_session *s)
{
    char sql[160];
    if (!is_mariadb(s) || !s->rel.registry_ready || !s->rel.owner[0])
        return;
    snprintf(sql, sizeof sql, "DELETE FROM " REGISTRY " WHERE owner = '%s'", s->rel.owner);
    odbctx_error keep = s->err;
    if (run(s, sql) == 0)
        REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_COMMIT);
    s->err = keep;
}

void odbctx__leftovers_reown(odbctx_session *s)
{
    if (!is_mariadb(s) || !s->rel.owner[0])
        return;
    odbctx_error keep = s->err;
    lock_owner(s);
    s->err = keep;
}
