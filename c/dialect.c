#include "internal.h"
#include "classify.h"
#include "reliability.h"
#include "script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int odbctx__dialect_lookup(const char *dbms_name, const char *dbms_ver,
                           enum odbctx_dialect *dialect, char *display, size_t n)
{
    const char *name = dbms_name ? dbms_name : "";
    const char *ver = dbms_ver ? dbms_ver : "";

    if (strcasecmp(name, "SQLite") == 0) {
        *dialect = ODBCTX_DIALECT_SQLITE;
        snprintf(display, n, "SQLite");
    } else if (strcasecmp(name, "PostgreSQL") == 0) {
        *dialect = ODBCTX_DIALECT_POSTGRESQL;
        snprintf(display, n, "PostgreSQL");
    } else if (strcasecmp(name, "MariaDB") == 0 ||
               (strcasecmp(name, "MySQL") == 0 && strcasestr(ver, "MariaDB"))) {
        /* Connector/ODBC reports "MySQL" or "MariaDB" depending on its
         * version and the server; the version string tells them apart. */
        *dialect = ODBCTX_DIALECT_MARIADB;
        snprintf(display, n, "MariaDB");
    } else if (strcasecmp(name, "MySQL") == 0) {
        *dialect = ODBCTX_DIALECT_MARIADB;
        snprintf(display, n, "MySQL");
    } else {
        return ODBCTX_EDBMS;
    }
    return 0;
}

unsigned odbctx__dialect_script_flags(enum odbctx_dialect d)
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

int odbctx__dialect_lost_savepoint(const odbctx_session *s)
{
    switch (s->dialect) {
    case ODBCTX_DIALECT_SQLITE:
        return strstr(s->err.message, "no such savepoint") != NULL ||
               strstr(s->err.message, "no transaction is active") != NULL;
    case ODBCTX_DIALECT_POSTGRESQL:
        /* 3B001: savepoint does not exist; 25P02: the transaction around it
         * is aborted, which odbctx never lets happen inside the suite. */
        return strcmp(s->err.sqlstate, "3B001") == 0 || strcmp(s->err.sqlstate, "25P02") == 0;
    case ODBCTX_DIALECT_MARIADB:
        return s->err.native == 1305; /* SAVEPOINT ... does not exist */
    }
    return 0;
}

unsigned odbctx__dialect_sql_flags(enum odbctx_dialect d)
{
    switch (d) {
    case ODBCTX_DIALECT_SQLITE: return ODBCTX_SQL_SQLITE;
    case ODBCTX_DIALECT_POSTGRESQL: return ODBCTX_SQL_POSTGRESQL;
    case ODBCTX_DIALECT_MARIADB: return ODBCTX_SQL_MYSQL;
    }
    return 0;
}

/* One judge for every path (odbctx_exec, scripts, capture, the breach
 * report): the statement classifier of classify.c. Savepoint statements
 * end nothing unless they touch odbctx's own levels. */
static int ends(const struct odbctx_sql_stmt *st)
{
    switch (st->kind) {
    case ODBCTX_SQL_OTHER:
        return 0;
    case ODBCTX_SQL_SAVEPOINT:
    case ODBCTX_SQL_RELEASE:
    case ODBCTX_SQL_ROLLBACK_TO:
        return st->clash;
    default:
        return 1;
    }
}

static int implicit(const struct odbctx_sql_stmt *st)
{
    return st->kind == ODBCTX_SQL_IMPLICIT_COMMIT;
}

/* 1 when any statement of sql satisfies pred; 1 also when that cannot be
 * told (out of memory), so that callers check rather than trust. */
static int any_statement(enum odbctx_dialect d, const char *sql, size_t len,
                         int (*pred)(const struct odbctx_sql_stmt *))
{
    struct odbctx_sql_stmt small[16];
    unsigned flags = odbctx__dialect_sql_flags(d);
    size_t n = odbctx_classify(sql, len, flags, small, 16);
    if (n <= 16) {
        for (size_t i = 0; i < n; i++)
            if (pred(&small[i]))
                return 1;
        return 0;
    }
    struct odbctx_sql_stmt *all = malloc(n * sizeof *all);
    if (!all)
        return 1;
    odbctx_classify(sql, len, flags, all, n);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++)
        found = pred(&all[i]);
    free(all);
    return found;
}

int odbctx__dialect_ends_transaction(enum odbctx_dialect d, const char *sql, size_t len)
{
    return any_statement(d, sql, len, ends);
}

int odbctx__dialect_commits_implicitly(enum odbctx_dialect d, const char *sql, size_t len)
{
    return d == ODBCTX_DIALECT_MARIADB && any_statement(d, sql, len, implicit);
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *odbctx__dialect_call(const char *sql, size_t len)
{
    const char *p = sql, *end = sql + len;
    while (p < end && (blank(*p) || *p == '('))
        p++;
    if (end - p < 5 || strncasecmp(p, "CALL", 4) != 0 || !blank(p[4]))
        return NULL;
    p += 4;
    while (p < end && blank(*p))
        p++;
    return p;
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

int odbctx__dialect_procedure_commits(odbctx_session *s, const char *sql, size_t len)
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
