/*
 * odbctx-doctor "<connection string>": checks whether a database and its
 * ODBC driver can run odbctx tests, and says why not when they cannot.
 *
 * It probes on a connection of its own, always with autocommit off and
 * inside transactions that it rolls back, on TEMPORARY tables with unique
 * names. The one exception is the transactional-DDL probe, which has to
 * create a real table; it is uniquely named and dropped again whether or
 * not the DDL survived the rollback. Then it opens a real odbctx session
 * to measure what one test costs. Passwords never reach the output.
 *
 * Exit status: 0 odbctx works here (warnings may be printed), 1 it cannot
 * (the reason is the last line, or "reason" with --json), 2 bad usage.
 */
#include "odbctx.h"

#include <sql.h>
#include <sqlext.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum dbms_kind { KIND_OTHER, KIND_SQLITE, KIND_POSTGRESQL, KIND_MARIADB };

struct doctor {
    const char *conn;     /* as given; "" = embedded default */
    char *probe_conn;     /* what the probe connection uses */
    char tmpdir[64];      /* embedded default only */
    char secrets[4][128]; /* password values to blank out of messages */
    int n_secrets;

    SQLHENV env;
    SQLHDBC dbc;
    enum dbms_kind kind;
    char dbms[64];
    unsigned serial;
    char diag[1024]; /* "SQLSTATE message" of the last failure */
    char state[6];

    int fatal;
    int warnings;
    char reason[1024];
};

static void blank_secrets(const struct doctor *d, char *text)
{
    for (int i = 0; i < d->n_secrets; i++) {
        size_t n = strlen(d->secrets[i]);
        if (n == 0)
            continue;
        /* Whole words only, so that a password "x" leaves "unixODBC" alone. */
        for (char *p = strstr(text, d->secrets[i]); p; p = strstr(p, d->secrets[i])) {
            int starts = p == text || !isalnum((unsigned char)p[-1]);
            int ends = !isalnum((unsigned char)p[n]);
            if (!starts || !ends) {
                p++;
                continue;
            }
            memmove(p + 3, p + n, strlen(p + n) + 1);
            memcpy(p, "***", 3);
            p += 3;
        }
    }
}

/* Remembers PWD=/Password= values so that a driver message that echoes
 * one (some do, for a failed login) is blanked too, not only the string. */
static void collect_secrets(struct doctor *d, const char *conn)
{
    const char *p = conn;
    while (*p && d->n_secrets < 4) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *eq = strchr(p, '=');
        if (!eq)
            break;
        size_t klen = (size_t)(eq - p);
        while (klen && p[klen - 1] == ' ')
            klen--;
        const char *v = eq + 1, *end;
        if (*v == '{') {
            end = strchr(v + 1, '}');
            v++;
            if (!end)
                end = v + strlen(v);
        } else {
            end = strchr(v, ';');
            if (!end)
                end = v + strlen(v);
        }
        int is_pwd = (klen == 3 && strncasecmp(p, "PWD", 3) == 0) ||
                     (klen == 8 && strncasecmp(p, "Password", 8) == 0);
        if (is_pwd && end > v && (size_t)(end - v) < sizeof d->secrets[0]) {
            memcpy(d->secrets[d->n_secrets], v, (size_t)(end - v));
            d->secrets[d->n_secrets][end - v] = '\0';
            d->n_secrets++;
        }
        p = *end ? end + 1 : end;
        if (*end == '}' && *p == ';')
            p++;
    }
}

/* What the doctor found, line by line: printed as it goes, or with --json
 * kept and written as one document at the end. */
enum finding_kind { FINDING_ROW, FINDING_WARNING, FINDING_PROBLEM };
static struct finding {
    enum finding_kind kind;
    char label[32];
    char *text;
} *findings;
static size_t n_findings, cap_findings;
static int json_output;

static void report(enum finding_kind kind, const char *label, const char *text)
{
    if (!json_output) {
        static const char *const shown[] = {NULL, "  warning:", "  PROBLEM:"};
        printf("%-22s %s\n", kind == FINDING_ROW ? label : shown[kind], text);
        return;
    }
    if (n_findings == cap_findings) {
        size_t cap = cap_findings ? 2 * cap_findings : 32;
        struct finding *grown = realloc(findings, cap * sizeof *grown);
        if (!grown)
            return; /* a line lost beats a doctor that cannot report */
        findings = grown;
        cap_findings = cap;
    }
    struct finding *f = &findings[n_findings];
    if (!(f->text = strdup(text)))
        return;
    f->kind = kind;
    snprintf(f->label, sizeof f->label, "%s", label);
    n_findings++;
}

static void row(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void row(const char *label, const char *fmt, ...)
{
    char text[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    report(FINDING_ROW, label, text);
}

static void warn(struct doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct doctor *d, const char *fmt, ...)
{
    char text[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    report(FINDING_WARNING, "warning", text);
    d->warnings++;
}

/* Records the first reason odbctx cannot work; later ones are printed too. */
static void fatal(struct doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fatal(struct doctor *d, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    blank_secrets(d, msg);
    report(FINDING_PROBLEM, "problem", msg);
    if (!d->fatal)
        snprintf(d->reason, sizeof d->reason, "%s", msg);
    d->fatal = 1;
}

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* {"version", "findings": [{"kind", "label", "text"}...], "works",
 * "warnings", "reason"}: one object on stdout. */
static void write_json(const struct doctor *d)
{
    static const char *const kinds[] = {"finding", "warning", "problem"};
    printf("{\"version\": ");
    json_string(ODBCTX_VERSION_STRING);
    printf(", \"findings\": [");
    for (size_t i = 0; i < n_findings; i++) {
        printf("%s\n  {\"kind\": \"%s\", \"label\": ", i ? "," : "", kinds[findings[i].kind]);
        json_string(findings[i].label);
        printf(", \"text\": ");
        json_string(findings[i].text);
        putchar('}');
    }
    printf("\n], \"works\": %s, \"warnings\": %d, \"reason\": ", d->fatal ? "false" : "true",
           d->warnings);
    if (d->fatal)
        json_string(d->reason);
    else
        printf("null");
    printf("}\n");
    for (size_t i = 0; i < n_findings; i++)
        free(findings[i].text);
    free(findings);
}

static void take_diag(struct doctor *d, SQLSMALLINT type, SQLHANDLE h)
{
    SQLCHAR state[6] = "", msg[900] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    d->diag[0] = '\0';
    d->state[0] = '\0';
    if (SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len))) {
        snprintf(d->state, sizeof d->state, "%s", (char *)state);
        snprintf(d->diag, sizeof d->diag, "%s %s", (char *)state, (char *)msg);
        /* libpq's messages span lines; the report keeps one line per item. */
        size_t n = strlen(d->diag);
        while (n && (d->diag[n - 1] == '\n' || d->diag[n - 1] == ' '))
            d->diag[--n] = '\0';
        for (char *p = d->diag; *p; p++)
            if (*p == '\n' || *p == '\t')
                *p = ' ';
    } else {
        snprintf(d->diag, sizeof d->diag, "(no diagnostics)");
    }
    blank_secrets(d, d->diag);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs one statement on the probe connection and discards any result.
 * Returns 1 on success; on failure d->diag holds the driver's message. */
static int run(struct doctor *d, const char *sql)
{
    SQLHSTMT st;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, d->dbc, &st))) {
        take_diag(d, SQL_HANDLE_DBC, d->dbc);
        return 0;
    }
    SQLRETURN rc = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
    int ok = SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA;
    if (!ok)
        take_diag(d, SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return ok;
}

/* First column of the first row as an integer; 1 on success. */
static int query_ll(struct doctor *d, const char *sql, long long *out)
{
    SQLHSTMT st;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, d->dbc, &st))) {
        take_diag(d, SQL_HANDLE_DBC, d->dbc);
        return 0;
    }
    SQLBIGINT v = 0;
    SQLLEN ind = 0;
    SQLRETURN rc = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
    if (SQL_SUCCEEDED(rc))
        rc = SQLFetch(st);
    if (SQL_SUCCEEDED(rc))
        rc = SQLGetData(st, 1, SQL_C_SBIGINT, &v, 0, &ind);
    int ok = SQL_SUCCEEDED(rc);
    if (!ok) {
        if (rc == SQL_NO_DATA)
            snprintf(d->diag, sizeof d->diag, "no row");
        else
            take_diag(d, SQL_HANDLE_STMT, st);
    }
    *out = ind == SQL_NULL_DATA ? 0 : (long long)v;
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return ok;
}

static int end_tran(struct doctor *d, SQLSMALLINT how)
{
    if (SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, d->dbc, how)))
        return 1;
    take_diag(d, SQL_HANDLE_DBC, d->dbc);
    return 0;
}

static void info_str(struct doctor *d, SQLUSMALLINT what, char *out, size_t n)
{
    SQLSMALLINT len = 0;
    out[0] = '\0';
    if (!SQL_SUCCEEDED(SQLGetInfo(d->dbc, what, out, (SQLSMALLINT)n, &len)))
        snprintf(out, n, "?");
}

static SQLUINTEGER info_u32(struct doctor *d, SQLUSMALLINT what, int *ok)
{
    SQLUINTEGER v = 0;
    *ok = SQL_SUCCEEDED(SQLGetInfo(d->dbc, what, &v, sizeof v, NULL));
    return v;
}

static SQLUSMALLINT info_u16(struct doctor *d, SQLUSMALLINT what, int *ok)
{
    SQLUSMALLINT v = 0;
    *ok = SQL_SUCCEEDED(SQLGetInfo(d->dbc, what, &v, sizeof v, NULL));
    return v;
}

/* A name no other run uses: pid, time and a counter. */
static void temp_name(struct doctor *d, char *out, size_t n, const char *what)
{
    snprintf(out, n, "odbctx_doctor_%s_%ld_%lx_%u", what, (long)getpid(),
             (unsigned long)time(NULL) & 0xffffff, ++d->serial);
}

/* A TEMPORARY table: it vanishes at disconnect at the latest, and creating
 * one does not end the transaction on MariaDB (other DDL does). */
static int create_temp(struct doctor *d, const char *name, int with_key)
{
    char sql[256];
    const char *key = "";
    if (with_key) {
        switch (d->kind) {
        case KIND_SQLITE: key = "id INTEGER PRIMARY KEY AUTOINCREMENT, "; break;
        case KIND_POSTGRESQL: key = "id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "; break;
        case KIND_MARIADB: key = "id INTEGER AUTO_INCREMENT PRIMARY KEY, "; break;
        case KIND_OTHER: break;
        }
    }
    snprintf(sql, sizeof sql, "CREATE TEMPORARY TABLE %s (%sv INTEGER)", name, key);
    return run(d, sql);
}

/* Rolled back with the transaction on SQLite and PostgreSQL; MariaDB keeps
 * temporary tables across a rollback, and a plain DROP TABLE would commit. */
static void drop_temp(struct doctor *d, const char *name)
{
    char sql[256];
    if (d->kind != KIND_MARIADB)
        return;
    snprintf(sql, sizeof sql, "DROP TEMPORARY TABLE IF EXISTS %s", name);
    run(d, sql);
}

static int count_rows(struct doctor *d, const char *table, long long *out)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    return query_ll(d, sql, out);
}

static int connect_probe(struct doctor *d)
{
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &d->env)))
        return fatal(d, "cannot allocate an ODBC environment"), 0;
    SQLSetEnvAttr(d->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, d->env, &d->dbc)))
        return fatal(d, "cannot allocate an ODBC connection"), 0;
    SQLSetConnectAttr(d->dbc, SQL_ATTR_LOGIN_TIMEOUT, (SQLPOINTER)10, 0);
    SQLRETURN rc = SQLDriverConnect(d->dbc, NULL, (SQLCHAR *)d->probe_conn, SQL_NTS, NULL, 0,
                                    NULL, SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        take_diag(d, SQL_HANDLE_DBC, d->dbc);
        SQLFreeHandle(SQL_HANDLE_DBC, d->dbc);
        d->dbc = NULL;
        fatal(d, "cannot connect: %s", d->diag);
        return 0;
    }
    return 1;
}

static void report_identity(struct doctor *d)
{
    char dbver[64], drv[128], drvver[64], drvodbc[16], dmver[16], db[128], user[128];
    info_str(d, SQL_DBMS_NAME, d->dbms, sizeof d->dbms);
    info_str(d, SQL_DBMS_VER, dbver, sizeof dbver);
    info_str(d, SQL_DRIVER_NAME, drv, sizeof drv);
    info_str(d, SQL_DRIVER_VER, drvver, sizeof drvver);
    info_str(d, SQL_DRIVER_ODBC_VER, drvodbc, sizeof drvodbc);
    info_str(d, SQL_DM_VER, dmver, sizeof dmver);
    info_str(d, SQL_DATABASE_NAME, db, sizeof db);
    info_str(d, SQL_USER_NAME, user, sizeof user);

    if (strcasecmp(d->dbms, "SQLite") == 0)
        d->kind = KIND_SQLITE;
    else if (strcasecmp(d->dbms, "PostgreSQL") == 0)
        d->kind = KIND_POSTGRESQL;
    else if (strcasecmp(d->dbms, "MariaDB") == 0 || strcasecmp(d->dbms, "MySQL") == 0)
        d->kind = KIND_MARIADB;
    /* The MariaDB connector calls itself "MySQL" for old clients; the
     * version string says which server it really is. */
    if (d->kind == KIND_MARIADB && strstr(dbver, "MariaDB"))
        snprintf(d->dbms, sizeof d->dbms, "MariaDB");

    row("DBMS", "%s %s", d->dbms, dbver);
    row("driver", "%s %s (ODBC %s)", drv, drvver, drvodbc);
    row("driver manager", "%s", dmver);
    row("database", "%s%s%s", db[0] ? db : "(none reported)", user[0] ? ", user " : "", user);

    if (d->kind == KIND_OTHER)
        fatal(d, "odbctx supports SQLite, PostgreSQL, MariaDB and MySQL, not \"%s\": "
                 "it does not know this DBMS's savepoint syntax", d->dbms);

    /* odbctx refuses to manage the schema of a database that does not look
     * like a test database unless ODBCTX_ALLOW_ANY_DATABASE=1. */
    if (d->kind != KIND_SQLITE && db[0] && !strcasestr(db, "test"))
        warn(d, "the database name has no \"test\" in it: odbctx will refuse to manage a "
                "schema here unless ODBCTX_ALLOW_ANY_DATABASE=1");
}

static int probe_transactions(struct doctor *d)
{
    int ok;
    SQLUSMALLINT txn = info_u16(d, SQL_TXN_CAPABLE, &ok);
    const char *what = !ok ? "unknown"
                     : txn == SQL_TC_NONE ? "none"
                     : txn == SQL_TC_DML ? "DML only (DDL is an error)"
                     : txn == SQL_TC_DDL_COMMIT ? "DML; DDL commits the transaction"
                     : txn == SQL_TC_DDL_IGNORE ? "DML; DDL ignored"
                     : "DML and DDL";
    row("transactions", "%s (SQL_TXN_CAPABLE)", what);
    if (ok && txn == SQL_TC_NONE) {
        fatal(d, "the driver supports no transactions: nothing could be rolled back");
        return 0;
    }
    if (!SQL_SUCCEEDED(SQLSetConnectAttr(d->dbc, SQL_ATTR_AUTOCOMMIT,
                                         (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0))) {
        take_diag(d, SQL_HANDLE_DBC, d->dbc);
        fatal(d, "autocommit cannot be switched off: %s", d->diag);
        return 0;
    }
    return 1;
}

static void probe_savepoints(struct doctor *d)
{
    char t[96];
    long long n = -1;
    temp_name(d, t, sizeof t, "sp");
    char ins1[160], ins2[160];
    snprintf(ins1, sizeof ins1, "INSERT INTO %s (v) VALUES (1)", t);
    snprintf(ins2, sizeof ins2, "INSERT INTO %s (v) VALUES (2)", t);
    int ok = create_temp(d, t, 0) && run(d, ins1) && run(d, "SAVEPOINT odbctx_doctor_sp") &&
             run(d, ins2) && run(d, "ROLLBACK TO SAVEPOINT odbctx_doctor_sp") &&
             run(d, "RELEASE SAVEPOINT odbctx_doctor_sp") && count_rows(d, t, &n);
    char diag[1024];
    snprintf(diag, sizeof diag, "%s", d->diag);
    end_tran(d, SQL_ROLLBACK);
    drop_temp(d, t);
    if (ok && n == 1)
        row("savepoints", "yes (SAVEPOINT, ROLLBACK TO SAVEPOINT, RELEASE SAVEPOINT)");
    else if (ok)
        fatal(d, "savepoints do not work: a rollback to a savepoint left %lld of 1 rows", n);
    else
        fatal(d, "savepoints do not work: %s", diag);
}

static void probe_ddl(struct doctor *d)
{
    char real[96], mark[96], sql[256];
    long long n = -1;
    temp_name(d, real, sizeof real, "ddl");
    temp_name(d, mark, sizeof mark, "mark");
    snprintf(sql, sizeof sql, "INSERT INTO %s (v) VALUES (1)", mark);
    int ok = create_temp(d, mark, 0) && run(d, sql);
    snprintf(sql, sizeof sql, "CREATE TABLE %s (v INTEGER)", real);
    if (ok)
        ok = run(d, sql);
    char diag[1024];
    snprintf(diag, sizeof diag, "%s", d->diag);
    end_tran(d, SQL_ROLLBACK);
    if (!ok) {
        row("transactional DDL", "could not test: %s", diag);
        drop_temp(d, mark);
        return;
    }
    int survived = count_rows(d, real, &n);
    long long marked = -1;
    int mark_kept = count_rows(d, mark, &marked) && marked == 1;
    end_tran(d, SQL_ROLLBACK);
    if (!survived) {
        row("transactional DDL", "yes (CREATE TABLE is rolled back: the schema lives in the "
                                 "suite transaction and never outlives the run)");
    } else {
        snprintf(sql, sizeof sql, "DROP TABLE %s", real);
        if (!run(d, sql) || !end_tran(d, SQL_COMMIT))
            fatal(d, "could not drop the probe table %s again: %s", real, d->diag);
        if (mark_kept)
            row("transactional DDL", "no: DDL commits the open transaction implicitly. odbctx "
                                     "creates the schema before the suite transaction and "
                                     "drops it at close; DDL inside a test is a breach");
        else
            row("transactional DDL", "no: DDL is not rolled back. odbctx creates the schema "
                                     "before the suite transaction and drops it at close");
    }
    drop_temp(d, mark);
}

/* What one failing statement does to the transaction around it:
 * 0 nothing, 1 aborted until rolled back (25P02), 2 rolled back whole;
 * -1 when it could not be tried (d->diag says why). */
static int failure_effect(struct doctor *d, const char *bad_sql)
{
    char t[96], sql[256];
    long long n = -1;
    temp_name(d, t, sizeof t, "err");
    snprintf(sql, sizeof sql, "INSERT INTO %s (v) VALUES (1)", t);
    /* The failure must not be the transaction's first statement: psqlODBC
     * protects every statement but the first with a savepoint of its own. */
    if (!create_temp(d, t, 0) || !run(d, sql)) {
        end_tran(d, SQL_ROLLBACK);
        drop_temp(d, t);
        return -1;
    }
    int effect;
    snprintf(sql, sizeof sql, bad_sql, t);
    if (run(d, sql)) {
        snprintf(d->diag, sizeof d->diag, "the failing statement succeeded");
        effect = -1;
    } else if (count_rows(d, t, &n) && n == 1) {
        effect = 0;
    } else if (strcmp(d->state, "25P02") == 0) {
        effect = 1;
    } else {
        effect = 2;
    }
    end_tran(d, SQL_ROLLBACK);
    drop_temp(d, t);
    return effect;
}

static void probe_failed_statement(struct doctor *d)
{
    int runtime = failure_effect(d, "SELECT no_such_column FROM %s");
    char why[1024];
    snprintf(why, sizeof why, "%s", d->diag);
    /* psqlODBC sends its statement savepoint in the same query string as
     * the statement, so a statement that does not parse takes it along. */
    int syntax = failure_effect(d, "SELEC v FROM %s");
    if (runtime < 0) {
        row("failed statement", "could not test: %s", why);
        return;
    }
    if (runtime == 2) {
        fatal(d, "a failed statement rolls back the whole transaction: the suite transaction "
                 "would be lost at the first error. With psqlODBC remove Protocol=7.4-1 from "
                 "the connection string");
        return;
    }
    if (runtime == 1) {
        fatal(d, "a failed statement leaves the transaction aborted until it is rolled back "
                 "(25P02): the first failing statement of a test would end the suite "
                 "transaction. With psqlODBC use Protocol=7.4-2 (the default)");
    } else if (syntax == 2) {
        row("failed statement", "an error does not abort the transaction, but a statement "
                                "that does not parse, sent with SQLExecDirect, rolls it back "
                                "whole (prepared statements are safe)");
        warn(d, "a syntax error in a test ends the suite transaction: odbctx reports it as an "
                "isolation breach and begins the suite again");
    } else {
        row("failed statement", "does not abort the transaction (the test goes on after an "
                                "error, a syntax error included)");
    }
}

static void probe_generated_keys(struct doctor *d)
{
    char t[96], sql[256];
    temp_name(d, t, sizeof t, "key");
    if (!create_temp(d, t, 1)) {
        row("generated keys", "could not test: %s", d->diag);
        end_tran(d, SQL_ROLLBACK);
        return;
    }
    const char *method = NULL;
    SQLHSTMT st;
    snprintf(sql, sizeof sql, "INSERT INTO %s (v) VALUES (7) RETURNING id", t);
    if (SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, d->dbc, &st))) {
        SQLSMALLINT cols = 0;
        SQLBIGINT id = 0;
        SQLLEN ind = 0;
        if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS)) &&
            SQL_SUCCEEDED(SQLNumResultCols(st, &cols)) && cols == 1 &&
            SQL_SUCCEEDED(SQLFetch(st)) &&
            SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SBIGINT, &id, 0, &ind)) && id > 0)
            method = "INSERT ... RETURNING (one round trip)";
        SQLFreeHandle(SQL_HANDLE_STMT, st);
    }
    if (!method) {
        /* The insert may have run without returning its row (the SQLite
         * driver drops RETURNING rows), so start over on a clean table. */
        end_tran(d, SQL_ROLLBACK);
        drop_temp(d, t);
        temp_name(d, t, sizeof t, "key");
        create_temp(d, t, 1);
        snprintf(sql, sizeof sql, "INSERT INTO %s (v) VALUES (7)", t);
        const char *last = d->kind == KIND_SQLITE    ? "SELECT last_insert_rowid()"
                         : d->kind == KIND_MARIADB   ? "SELECT LAST_INSERT_ID()"
                         : d->kind == KIND_POSTGRESQL ? "SELECT lastval()"
                                                      : NULL;
        long long id = 0;
        if (last && run(d, sql) && query_ll(d, last, &id) && id > 0) {
            method = d->kind == KIND_SQLITE    ? "SELECT last_insert_rowid() after the insert "
                                                 "(the driver drops RETURNING rows)"
                   : d->kind == KIND_MARIADB   ? "SELECT LAST_INSERT_ID() after the insert"
                                               : "SELECT lastval() after the insert";
        }
    }
    if (method)
        row("generated keys", "%s", method);
    else
        row("generated keys", "none found: factories cannot fill in generated keys (%s)",
            d->diag);
    end_tran(d, SQL_ROLLBACK);
    drop_temp(d, t);
}

static void probe_param_arrays(struct doctor *d)
{
    char t[96], sql[256];
    int ok;
    SQLUINTEGER counts = info_u32(d, SQL_PARAM_ARRAY_ROW_COUNTS, &ok);
    const char *declared = !ok ? "not reported"
                         : counts == SQL_PARC_BATCH ? "row count per parameter set"
                         : counts == SQL_PARC_NO_BATCH ? "one total row count"
                                                       : "count not reported";
    temp_name(d, t, sizeof t, "arr");
    if (!create_temp(d, t, 0)) {
        row("parameter arrays", "could not test: %s", d->diag);
        end_tran(d, SQL_ROLLBACK);
        return;
    }
    snprintf(sql, sizeof sql, "INSERT INTO %s (v) VALUES (?)", t);
    SQLHSTMT st;
    SQLINTEGER vals[3] = {101, 102, 103};
    SQLLEN inds[3] = {0, 0, 0};
    SQLULEN processed = 0;
    long long n = -1;
    int worked = 0;
    char why[1024] = "";
    if (SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, d->dbc, &st))) {
        SQLRETURN rc = SQLSetStmtAttr(st, SQL_ATTR_PARAM_BIND_TYPE,
                                      (SQLPOINTER)SQL_PARAM_BIND_BY_COLUMN, 0);
        if (SQL_SUCCEEDED(rc))
            rc = SQLSetStmtAttr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)3, 0);
        if (SQL_SUCCEEDED(rc))
            rc = SQLSetStmtAttr(st, SQL_ATTR_PARAMS_PROCESSED_PTR, &processed, 0);
        if (SQL_SUCCEEDED(rc))
            rc = SQLPrepare(st, (SQLCHAR *)sql, SQL_NTS);
        if (SQL_SUCCEEDED(rc))
            rc = SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, vals,
                                  0, inds);
        if (SQL_SUCCEEDED(rc))
            rc = SQLExecute(st);
        if (!SQL_SUCCEEDED(rc)) {
            take_diag(d, SQL_HANDLE_STMT, st);
            snprintf(why, sizeof why, "%s", d->diag);
        }
        SQLFreeHandle(SQL_HANDLE_STMT, st);
        worked = SQL_SUCCEEDED(rc) && count_rows(d, t, &n) && n == 3;
    }
    if (worked)
        row("parameter arrays", "yes (3 rows in one execute; %s)", declared);
    else
        row("parameter arrays", "no (%s): create_batch falls back to a reused prepared "
                                "statement", why[0] ? why : "rows were not all inserted");
    end_tran(d, SQL_ROLLBACK);
    drop_temp(d, t);
}

/* Last of the probes: on SQLite a textual COMMIT leaves the driver
 * believing a transaction is still open (docs/databases.md, "A textual
 * COMMIT"). */
static void probe_textual_commit(struct doctor *d)
{
    char t[96], sql[256];
    long long n = -1;
    temp_name(d, t, sizeof t, "commit");
    snprintf(sql, sizeof sql, "INSERT INTO %s (v) VALUES (1)", t);
    if (!create_temp(d, t, 0) || !run(d, sql)) {
        row("textual COMMIT", "could not test: %s", d->diag);
        end_tran(d, SQL_ROLLBACK);
        drop_temp(d, t);
        return;
    }
    int accepted = run(d, "COMMIT");
    char diag[1024];
    snprintf(diag, sizeof diag, "%s", d->diag);
    end_tran(d, SQL_ROLLBACK);
    int kept = count_rows(d, t, &n) && n == 1;
    end_tran(d, SQL_ROLLBACK);
    if (accepted && kept)
        row("textual COMMIT", "escapes without capture: SQLExecDirect(\"COMMIT\") really "
                              "commits. Code that sends it must run under capture "
                              "(odbctx_capture_start or odbctx-run)");
    else if (accepted)
        row("textual COMMIT", "does not escape (the rows were rolled back anyway)");
    else
        row("textual COMMIT", "refused by the driver (%s)", diag);
    drop_temp(d, t);
}

/* The round-trip floor, for scale: the cheapest statement there is. */
static double probe_round_trip(struct doctor *d)
{
    double samples[200];
    int n = 0;
    for (int i = 0; i < 220; i++) {
        double t0 = now_ms();
        long long one;
        if (!query_ll(d, "SELECT 1", &one))
            return -1;
        if (i >= 20)
            samples[n++] = now_ms() - t0;
    }
    end_tran(d, SQL_ROLLBACK);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && samples[j] < samples[j - 1]; j--) {
            double x = samples[j];
            samples[j] = samples[j - 1];
            samples[j - 1] = x;
        }
    return samples[n / 2];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Opens a real odbctx session and times whole tests: begin_test, one
 * INSERT, end_test; and one app commit. Medians over up to a second. */
static void measure_odbctx(struct doctor *d, double round_trip)
{
    odbctx_session *s = NULL;
    odbctx_error err;
    memset(&err, 0, sizeof err);
    int rc = odbctx_open(&s, d->conn, &err);
    if (rc != ODBCTX_OK) {
        blank_secrets(d, err.message);
        fatal(d, "odbctx_open failed (%s): %s", odbctx_strerror(rc), err.message);
        return;
    }
    row("odbctx session", "opened on %s", odbctx_dbms(s));
    char t[96], ins[160];
    temp_name(d, t, sizeof t, "cost");
    char create[200];
    snprintf(create, sizeof create, "CREATE TEMPORARY TABLE %s (v INTEGER)", t);
    snprintf(ins, sizeof ins, "INSERT INTO %s (v) VALUES (1)", t);
    if (odbctx_exec(s, create) != ODBCTX_OK) {
        fatal(d, "odbctx could not create a temporary table in the suite: %s",
              odbctx_last_error(s)->message);
        odbctx_close(s);
        return;
    }
    /* Plain tests and tests with one app commit alternate, so both see the
     * same conditions; the commit's cost is the difference of the medians,
     * which also counts work the core may defer to the next statement. */
    enum { MAX = 1000 };
    static double plain_ms[MAX], commit_ms[MAX];
    int n = 0;
    double start = now_ms();
    for (int i = 0; i < MAX + 10 && now_ms() - start < 2000; i++) {
        double t[2];
        int ok = 1;
        for (int with_commit = 0; with_commit < 2 && ok; with_commit++) {
            double t0 = now_ms();
            ok = odbctx_begin_test(s) == ODBCTX_OK && odbctx_exec(s, ins) == ODBCTX_OK &&
                 (!with_commit || odbctx_commit(s) == ODBCTX_OK);
            if (!ok) {
                fatal(d, "a test failed to run: %s", odbctx_last_error(s)->message);
                odbctx_end_test(s);
                break;
            }
            if (odbctx_end_test(s) != ODBCTX_OK) {
                fatal(d, "a test could not be ended: %s", odbctx_last_error(s)->message);
                ok = 0;
                break;
            }
            t[with_commit] = now_ms() - t0;
        }
        if (!ok)
            break;
        if (i >= 10 && n < MAX) {
            plain_ms[n] = t[0];
            commit_ms[n] = t[1];
            n++;
        }
    }
    long long left = -1;
    char count[200];
    snprintf(count, sizeof count, "SELECT COUNT(*) FROM %s", t);
    int counted = odbctx_query_int(s, count, &left) == ODBCTX_OK;
    char why[1024];
    snprintf(why, sizeof why, "%s", odbctx_last_error(s)->message);
    odbctx_close(s);
    if (n == 0)
        return;
    qsort(plain_ms, (size_t)n, sizeof plain_ms[0], cmp_double);
    qsort(commit_ms, (size_t)n, sizeof commit_ms[0], cmp_double);
    double plain = plain_ms[n / 2], with_commit = commit_ms[n / 2];
    if (round_trip > 0)
        row("per-test cost", "%.3f ms median over %d tests (begin + 1 INSERT + end; "
                             "one round trip is %.3f ms)", plain, n, round_trip);
    else
        row("per-test cost", "%.3f ms median over %d tests (begin + 1 INSERT + end)", plain, n);
    row("app commit cost", "%.3f ms (median of tests with one app commit, %.3f ms, minus "
                           "the above)", with_commit > plain ? with_commit - plain : 0.0,
        with_commit);
    if (!counted)
        fatal(d, "could not count the rows the tests left: %s", why);
    else if (left != 0)
        fatal(d, "%lld rows survived their tests: isolation does not hold here", left);
    else
        row("isolation", "ok: %d tests left 0 rows behind", 2 * n);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: odbctx-doctor [--json] [--] [CONNECTION-STRING]\n"
               "       odbctx-doctor --help | --version\n"
               "Checks whether a database and its ODBC driver work with odbctx.\n"
               "Without a connection string it checks $ODBCTX_CONNECT, or the embedded\n"
               "SQLite default when that is unset or empty.\n"
               "  --json     the findings as one JSON object on stdout\n"
               "  --         what follows is the connection string, even if it begins with -\n"
               "Exit status: 0 odbctx works here, 1 it does not (the reason is the last\n"
               "line, or \"reason\" in JSON), 2 bad usage.\n");
}

int main(int argc, char **argv)
{
    struct doctor d;
    memset(&d, 0, sizeof d);
    const char *given = NULL;
    int options = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0) {
            options = 0;
        } else if (options && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            usage(stdout);
            return 0;
        } else if (options && strcmp(a, "--version") == 0) {
            printf("odbctx-doctor %s\n", ODBCTX_VERSION_STRING);
            return 0;
        } else if (options && strcmp(a, "--json") == 0) {
            json_output = 1;
        } else if (options && a[0] == '-' && a[1]) {
            /* Up to the first '=' or ';' only: it may be a connection
             * string with a password. */
            int shown = (int)strcspn(a, "=;");
            fprintf(stderr, "odbctx-doctor: unknown option %.*s (a connection string that "
                            "begins with '-' goes after --)\n", shown > 40 ? 40 : shown, a);
            usage(stderr);
            return 2;
        } else if (given) {
            fprintf(stderr, "odbctx-doctor: more than one connection string\n");
            usage(stderr);
            return 2;
        } else {
            given = a;
        }
    }
    if (given)
        d.conn = given;
    else
        d.conn = getenv("ODBCTX_CONNECT") ? getenv("ODBCTX_CONNECT") : "";
    collect_secrets(&d, d.conn);
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (!json_output)
        printf("odbctx-doctor %s\n", ODBCTX_VERSION_STRING);
    if (d.conn[0]) {
        size_t need = odbctx_redact(d.conn, NULL, 0) + 1;
        char *shown = malloc(need);
        if (shown) {
            odbctx_redact(d.conn, shown, need);
            blank_secrets(&d, shown);
            row("connection", "%s", shown);
            free(shown);
        }
        d.probe_conn = strdup(d.conn);
    } else {
        /* Mirrors the embedded default: an SQLite file in a fresh directory. */
        snprintf(d.tmpdir, sizeof d.tmpdir, "/tmp/odbctx-doctor-XXXXXX");
        if (!mkdtemp(d.tmpdir)) {
            perror("odbctx-doctor: mkdtemp");
            return 1;
        }
        size_t n = strlen(d.tmpdir) + 64;
        d.probe_conn = malloc(n);
        if (d.probe_conn)
            snprintf(d.probe_conn, n, "Driver=libsqlite3odbc.so;Database=%s/doctor.db",
                     d.tmpdir);
        row("connection", "(embedded SQLite default)");
    }
    if (!d.probe_conn)
        return 1;

    double round_trip = -1;
    if (connect_probe(&d)) {
        report_identity(&d);
        if (d.kind != KIND_OTHER && probe_transactions(&d)) {
            probe_savepoints(&d);
            probe_ddl(&d);
            probe_failed_statement(&d);
            probe_generated_keys(&d);
            probe_param_arrays(&d);
            probe_textual_commit(&d);
            round_trip = probe_round_trip(&d);
        }
        end_tran(&d, SQL_ROLLBACK);
        if (!SQL_SUCCEEDED(SQLDisconnect(d.dbc))) {
            /* SQLite refuses to disconnect while its driver believes a
             * transaction is open; nothing of ours is left to keep. */
            SQLSetConnectAttr(d.dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0);
            SQLDisconnect(d.dbc);
        }
        SQLFreeHandle(SQL_HANDLE_DBC, d.dbc);
    }
    if (d.env)
        SQLFreeHandle(SQL_HANDLE_ENV, d.env);
    if (d.tmpdir[0]) {
        char path[128];
        snprintf(path, sizeof path, "%s/doctor.db", d.tmpdir);
        unlink(path);
        rmdir(d.tmpdir);
    }

    if (!d.fatal)
        measure_odbctx(&d, round_trip);

    free(d.probe_conn);
    if (json_output) {
        write_json(&d);
        return d.fatal ? 1 : 0;
    }
    if (d.fatal) {
        printf("\nverdict: odbctx cannot work here: %s\n", d.reason);
        return 1;
    }
    printf("\nverdict: odbctx works here%s\n",
           d.warnings ? " (see the warnings above)" : "");
    return 0;
}
