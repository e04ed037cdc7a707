/*
 * What odbctx knows of each DBMS, in one table (struct odbctx_dialect_facts
 * in internal.h), and the judgements that read the statement classifier
 * with a dialect's lexis. Pure: nothing here talks to a server.
 */
#include "internal.h"
#include "sql/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct odbctx_dialect_facts facts[] = {
    [ODBCTX_DIALECT_SQLITE] = {
        .key = "sqlite",
        .lexis = ODBCTX_SQL_SQLITE,
        .noop_sql = "PRAGMA odbctx_noop",
        /* The main file's path; the guard reads its base name. */
        .database_name_sql = "SELECT file FROM pragma_database_list WHERE name = 'main'",
        /* Not on SQLite: there a savepoint set inside the kept one and
         * cancelled by the ROLLBACK TO that ends the test (an app commit's,
         * a nested level's) makes every later ROLLBACK TO slower, test after
         * test (seen with SQLite 3.39: 20 us a test growing to 3 ms over
         * 2,000), where RELEASE of the test savepoint clears it; and its
         * round trips are calls within the process. */
        .keeps_test_savepoint = 0,
        .ident_quote = '"',
        .hex_open = "X'",
        /* The driver rounds a REAL to 15 digits, even as SQL_C_DOUBLE;
         * quote() gives every value as an exact literal. */
        .literal_fn = "quote",
    },
    [ODBCTX_DIALECT_POSTGRESQL] = {
        .key = "postgresql",
        .lexis = ODBCTX_SQL_POSTGRESQL,
        .noop_sql = "DO $$BEGIN END$$",
        .database_name_sql = "SELECT current_database()",
        /* psqlODBC sends its statement savepoint in the same query string
         * as a directly executed statement, so that a syntax error rolls
         * back the whole transaction; a prepared statement is parsed on its
         * own and undone alone. It costs round trips, which scripts afford. */
        .scripts_prepared = 1,
        .keeps_test_savepoint = 1,
        .ident_quote = '"',
        /* bytea's hex input; standard_conforming_strings is on since 9.1. */
        .hex_open = "'\\x",
        /* A boolean takes '1' and '0', not the numbers. */
        .bit_quoted = 1,
    },
    [ODBCTX_DIALECT_MARIADB] = {
        .key = "mariadb", /* MySQL too */
        .lexis = ODBCTX_SQL_MYSQL,
        /* The connector refuses DO. */
        .noop_sql = "SET @odbctx_noop = NULL",
        .database_name_sql = "SELECT DATABASE()",
        .ddl_commits = 1,
        /* A savepoint set again under its name replaces the old one: the
         * test and app levels keep their names, one statement a restart. */
        .reuses_savepoint_names = 1,
        .keeps_test_savepoint = 1,
        .ident_quote = '`',
        .hex_open = "X'",
        /* Unless sql_mode has NO_BACKSLASH_ESCAPES. */
        .backslash_escapes = 1,
    },
};

const struct odbctx_dialect_facts *odbctx__dialect(enum odbctx_dialect d)
{
    return &facts[d];
}

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
    unsigned flags = facts[d].lexis;
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
    return facts[d].ddl_commits && any_statement(d, sql, len, implicit);
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
