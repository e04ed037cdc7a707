#include "internal.h"
#include "script.h"

#include <stdio.h>
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

/* Reads the next word of sql (skipping blanks, comments and punctuation
 * other than ';'); returns its length, 0 at the end. */
static size_t next_word(const char **p, const char *end)
{
    const char *q = *p;
    for (;;) {
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' || *q == '(' || *q == '@'))
            q++;
        if (q + 1 < end && q[0] == '-' && q[1] == '-') {
            while (q < end && *q != '\n')
                q++;
            continue;
        }
        if (q + 1 < end && q[0] == '/' && q[1] == '*') {
            const char *close = q + 2;
            while (close + 1 < end && !(close[0] == '*' && close[1] == '/'))
                close++;
            q = close + 1 < end ? close + 2 : end;
            continue;
        }
        break;
    }
    const char *w = q;
    while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_'))
        q++;
    *p = q;
    return (size_t)(q - w);
}

static int is(const char *w, size_t n, const char *kw)
{
    return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

/* Statements after which MariaDB has committed implicitly. */
static int mariadb_implicit_commit(const char *w, size_t n, const char *p, const char *end)
{
    static const char *const always[] = {"ALTER", "RENAME", "TRUNCATE", "LOCK", "UNLOCK",
                                         "GRANT", "REVOKE", "ANALYZE", "OPTIMIZE", "REPAIR",
                                         "FLUSH", "INSTALL", "UNINSTALL", "CACHE"};
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        if (is(w, n, always[i]))
            return 1;
    if (is(w, n, "CREATE") || is(w, n, "DROP")) {
        /* TEMPORARY tables are exempt. */
        const char *q = p;
        size_t m = next_word(&q, end);
        if (is(q - m, m, "OR")) {
            m = next_word(&q, end);
            m = next_word(&q, end);
        }
        return !is(q - m, m, "TEMPORARY");
    }
    return 0;
}

static int mentions_odbctx(const char *text, size_t len)
{
    for (size_t i = 0; i + 7 <= len; i++)
        if (strncasecmp(text + i, "odbctx_", 7) == 0)
            return 1;
    return 0;
}

struct ends_ctx {
    enum odbctx_dialect d;
    int found;
};

static int statement_ends_transaction(void *vctx, const struct odbctx_script_stmt *st)
{
    struct ends_ctx *c = vctx;
    const char *p = st->text, *end = st->text + st->len;
    size_t n = next_word(&p, end);
    const char *w = p - n;

    if (is(w, n, "COMMIT") || is(w, n, "BEGIN") || is(w, n, "START") || is(w, n, "END") ||
        is(w, n, "ABORT") || (is(w, n, "PREPARE") && c->d == ODBCTX_DIALECT_POSTGRESQL)) {
        c->found = 1;
    } else if (is(w, n, "ROLLBACK")) {
        /* ROLLBACK [WORK|TRANSACTION] TO ... only undoes a savepoint. */
        size_t m = next_word(&p, end);
        if (is(p - m, m, "WORK") || is(p - m, m, "TRANSACTION"))
            m = next_word(&p, end);
        c->found = !is(p - m, m, "TO");
    } else if (is(w, n, "RELEASE") || (is(w, n, "SAVEPOINT") && c->d == ODBCTX_DIALECT_MARIADB)) {
        /* Releasing odbctx's own savepoints (or, on MariaDB, re-creating
         * one, which moves it) breaks the levels. */
        c->found = mentions_odbctx(st->text, st->len);
    } else if (is(w, n, "SET") && c->d == ODBCTX_DIALECT_MARIADB) {
        size_t m = next_word(&p, end);
        if (is(p - m, m, "SESSION") || is(p - m, m, "LOCAL"))
            m = next_word(&p, end);
        c->found = is(p - m, m, "autocommit");
    } else if (c->d == ODBCTX_DIALECT_MARIADB) {
        c->found = mariadb_implicit_commit(w, n, p, end);
    }
    return c->found;
}

int odbctx__dialect_ends_transaction(enum odbctx_dialect d, const char *sql, size_t len)
{
    struct ends_ctx c = {d, 0};
    odbctx_script_split(sql, len, odbctx__dialect_script_flags(d), statement_ends_transaction, &c,
                        NULL);
    return c.found;
}
