/*
 * Connections, plain: opening one (the session's, set up as odbctx needs
 * it, or a plain one of odbctx's own for workers and schema reuse), running
 * SQL on one outside the trace, and reading one text value. Errors go to a
 * session, redacted with its secrets; a lost connection is noted on it.
 */
#include "internal.h"
#include "sql/utf16.h"
#include "extras/extras.h"
#include "sql/connstr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int odbctx__fail_sql(odbctx_session *s, SQLHDBC dbc, SQLSMALLINT type, SQLHANDLE h,
                     const char *what)
{
    int code = odbctx__fail_odbc(s, ODBCTX_ESQL, type, h, what);
    if (code == ODBCTX_ELOST && dbc == s->dbc)
        odbctx__lost_note(s);
    return code;
}

int odbctx__query_text(odbctx_session *s, SQLHDBC dbc, const char *sql, char *out, size_t n)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (out && n)
        out[0] = '\0';
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, dbc, &st)))
        return odbctx__fail_sql(s, dbc, SQL_HANDLE_DBC, dbc, sql);
    SQLRETURN rc = REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
        int code = odbctx__fail_sql(s, dbc, SQL_HANDLE_STMT, st, sql);
        REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
        return code;
    }
    if (out && n && rc != SQL_NO_DATA) {
        /* The value may come in a later result (SQLite's PRAGMA does not,
         * but a multi-statement string could). */
        SQLSMALLINT cols = 0;
        REAL(SQLNumResultCols)(st, &cols);
        if (cols >= 1 && SQL_SUCCEEDED(REAL(SQLFetch)(st))) {
            SQLLEN ind = 0;
            if (!SQL_SUCCEEDED(REAL(SQLGetData)(st, 1, SQL_C_CHAR, out, (SQLLEN)n, &ind)) ||
                ind == SQL_NULL_DATA)
                out[0] = '\0';
        }
    }
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return 0;
}

void odbctx__plain_close(struct odbctx_plain *c)
{
    if (c->dbc) {
        REAL(SQLDisconnect)(c->dbc);
        REAL(SQLFreeHandle)(SQL_HANDLE_DBC, c->dbc);
    }
    if (c->env)
        REAL(SQLFreeHandle)(SQL_HANDLE_ENV, c->env);
    c->dbc = c->env = NULL;
}

int odbctx__plain_open(odbctx_session *s, struct odbctx_plain *c, const char *conn,
                       const char *who, const char *doing)
{
    c->env = c->dbc = NULL;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &c->env))) {
        c->env = NULL;
        return odbctx__fail(s, ODBCTX_ECONNECT, "%s: cannot allocate an ODBC environment", who);
    }
    REAL(SQLSetEnvAttr)(c->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_DBC, c->env, &c->dbc))) {
        c->dbc = NULL;
        char what[200];
        odbctx__format(what, sizeof what, "%s: cannot allocate a connection", who);
        int rc = odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_ENV, c->env, what);
        odbctx__plain_close(c);
        return rc;
    }
    char *routed = odbctx__on_route ? odbctx__on_route(conn) : NULL;
    SQLRETURN rc = REAL(SQLDriverConnect)(c->dbc, NULL, (SQLCHAR *)(routed ? routed : conn),
                                          SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
    odbctx__wipe_free(routed);
    if (!SQL_SUCCEEDED(rc)) {
        char what[300];
        odbctx__format(what, sizeof what, "%s: %s", who, doing);
        int code = odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_DBC, c->dbc, what);
        /* Never connected: nothing to disconnect. */
        REAL(SQLFreeHandle)(SQL_HANDLE_DBC, c->dbc);
        c->dbc = NULL;
        odbctx__plain_close(c);
        return code;
    }
    return 0;
}

int odbctx__plain_exec(odbctx_session *s, SQLHDBC dbc, const char *sql, size_t len,
                       const char *what)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, dbc, &st)))
        return odbctx__fail_sql(s, dbc, SQL_HANDLE_DBC, dbc, what);
    SQLRETURN rc = REAL(SQLExecDirect)(st, (SQLCHAR *)sql, (SQLINTEGER)len);
    int out = 0;
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
        out = odbctx__fail_sql(s, dbc, SQL_HANDLE_STMT, st, what);
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return out;
}

int odbctx__plain_rows(odbctx_session *s, SQLHDBC dbc, const char *sql, odbctx__row_fn row,
                       void *ctx)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, dbc, &st)))
        return odbctx__fail_sql(s, dbc, SQL_HANDLE_DBC, dbc, sql);
    int out = 0;
    SQLSMALLINT cols = 0;
    if (!SQL_SUCCEEDED(REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS)) ||
        !SQL_SUCCEEDED(REAL(SQLNumResultCols)(st, &cols))) {
        out = odbctx__fail_sql(s, dbc, SQL_HANDLE_STMT, st, sql);
    } else {
        SQLRETURN rc;
        while (out == 0 && SQL_SUCCEEDED(rc = REAL(SQLFetch)(st))) {
            char a[512] = "", b[512] = "";
            SQLLEN ia = 0, ib = 0;
            REAL(SQLGetData)(st, 1, SQL_C_CHAR, a, sizeof a, &ia);
            if (cols > 1)
                REAL(SQLGetData)(st, 2, SQL_C_CHAR, b, sizeof b, &ib);
            if (ia == SQL_NULL_DATA)
                a[0] = '\0';
            if (ib == SQL_NULL_DATA)
                b[0] = '\0';
            out = row(ctx, a, b);
        }
        if (out == 0 && rc != SQL_NO_DATA)
            out = odbctx__fail_sql(s, dbc, SQL_HANDLE_STMT, st, sql);
    }
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return out;
}

int odbctx__probe(odbctx_session *s, const char *sql, char *msg, size_t n)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (msg && n)
        msg[0] = '\0';
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, s->dbc, &st)))
        return 0;
    SQLRETURN rc = REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS);
    int ok = SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA;
    /* MariaDB's connection stays busy until every result has been read. */
    while (ok && SQL_SUCCEEDED(rc = REAL(SQLMoreResults)(st)))
        ;
    if (ok && rc != SQL_NO_DATA)
        ok = 0;
    if (!ok && msg && n) {
        SQLCHAR state[6];
        SQLINTEGER native;
        SQLSMALLINT len;
        REAL(SQLGetDiagRec)(SQL_HANDLE_STMT, st, 1, state, &native, (SQLCHAR *)msg,
                            (SQLSMALLINT)(n > 32767 ? 32767 : n), &len);
    }
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    return ok;
}

static int collect_secret(void *ctx, const struct odbctx_connstr_pair *pair)
{
    odbctx_session *s = ctx;
    if (!odbctx_connstr_is_secret_key(pair->key, pair->key_len))
        return 0;
    char *value = malloc(pair->value_len + 1);
    if (!value)
        return ODBCTX_ENOMEM;
    odbctx_connstr_value(pair, value, pair->value_len + 1);
    int rc = odbctx__add_secret(s, value);
    /* The raw form too: a driver may echo the braces. */
    if (rc == 0 && pair->braced) {
        memcpy(value, pair->value, pair->value_len);
        value[pair->value_len] = '\0';
        rc = odbctx__add_secret(s, value);
    }
    memset(value, 0, pair->value_len);
    free(value);
    return rc;
}

int odbctx__learn_secrets(odbctx_session *s, const char *conn, size_t *bad_offset)
{
    return odbctx_connstr_walk(conn, collect_secret, s, bad_offset);
}

static int get_info_string(odbctx_session *s, SQLUSMALLINT what, char *out, size_t n)
{
    SQLSMALLINT len = 0;
    out[0] = '\0';
    if (!SQL_SUCCEEDED(REAL(SQLGetInfo)(s->dbc, what, out, (SQLSMALLINT)n, &len)))
        return odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_DBC, s->dbc, "SQLGetInfo");
    return 0;
}

static int allocate_handles(odbctx_session *s)
{
    SQLRETURN rc = REAL(SQLAllocHandle)(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &s->env);
    if (!SQL_SUCCEEDED(rc)) {
        s->env = SQL_NULL_HENV;
        return odbctx__fail(s, ODBCTX_ECONNECT, "cannot allocate an ODBC environment");
    }
    rc = REAL(SQLSetEnvAttr)(s->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    if (!SQL_SUCCEEDED(rc))
        return odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_ENV, s->env, "SQLSetEnvAttr");
    /* A pooled "disconnect" would leave the transaction open in the pool. */
    REAL(SQLSetEnvAttr)(s->env, SQL_ATTR_CONNECTION_POOLING, (SQLPOINTER)SQL_CP_OFF, 0);
    rc = REAL(SQLAllocHandle)(SQL_HANDLE_DBC, s->env, &s->dbc);
    if (!SQL_SUCCEEDED(rc)) {
        s->dbc = SQL_NULL_HDBC;
        return odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_ENV, s->env, "SQLAllocHandle");
    }
    return 0;
}

/* The same through SQLDriverConnectW; the completed string comes back as
 * UTF-8 in out (the driver's own idea of the connection follows the form
 * of the call that made it). */
static SQLRETURN connect_wide(odbctx_session *s, const char *conn, SQLCHAR *out, size_t n)
{
    size_t len = strlen(conn);
    SQLWCHAR *in = malloc((len + 1) * sizeof *in), *done = calloc(n, sizeof *done);
    SQLRETURN rc = SQL_ERROR;
    out[0] = '\0';
    if (in && done) {
        odbctx_utf16_from_utf8(conn, len, in);
        SQLSMALLINT got = 0;
        /* out has n bytes: at most n / 3 units fit once converted. */
        rc = REAL(SQLDriverConnectW)(s->dbc, NULL, in, SQL_NTS, done, (SQLSMALLINT)(n / 3), &got,
                                     SQL_DRIVER_NOPROMPT);
        if (SQL_SUCCEEDED(rc)) {
            size_t units = got < 0 ? 0 : (size_t)got;
            odbctx_utf16_to_utf8(done, units < n / 3 ? units : n / 3 - 1, (char *)out);
        }
    }
    if (in)
        memset(in, 0, (len + 1) * sizeof *in);
    if (done)
        memset(done, 0, n * sizeof *done);
    free(in);
    free(done);
    return rc;
}

/* A driver or a DSN the driver manager could not find: the names it knows
 * go into the message, so that a typo or a missing package shows at once.
 * The driver manager's own SQLDrivers/SQLDataSources, as odbcinst -q -d/-s
 * lists them (without odbctx's routing entries of a child's configuration). */
static void name_what_exists(odbctx_session *s)
{
    int driver = strstr(s->err.message, "Can't open lib") != NULL ||
                 strcmp(s->err.sqlstate, "IM003") == 0;
    int dsn = !driver && strcmp(s->err.sqlstate, "IM002") == 0 &&
              strstr(s->err.message, "Data source name not found") != NULL;
    if (!driver && !dsn)
        return;
    char list[700] = "";
    size_t used = 0;
    SQLUSMALLINT dir = SQL_FETCH_FIRST;
    for (int i = 0; i < 64 && used + 8 < sizeof list; i++, dir = SQL_FETCH_NEXT) {
        SQLCHAR name[256] = "", attrs[2];
        SQLSMALLINT nl = 0, al = 0;
        SQLRETURN r = driver ? SQLDrivers(s->env, dir, name, sizeof name, &nl, attrs, sizeof attrs, &al)
                             : SQLDataSources(s->env, dir, name, sizeof name, &nl, attrs,
                                              sizeof attrs, &al);
        if (!SQL_SUCCEEDED(r))
            break;
        if (strstr((char *)name, "(odbctx target)"))
            continue;
        used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", used ? ", " : "",
                                 (char *)name);
    }
    size_t len = strlen(s->err.message);
    if (driver)
        snprintf(s->err.message + len, sizeof s->err.message - len,
                 used ? "; the drivers installed (odbcinst -q -d) are %s: name one of them in "
                        "Driver=, or give the path of its library"
                      : "; no ODBC driver is installed (odbcinst -q -d lists none): install one, "
                        "e.g. odbc-postgresql, odbc-mariadb or libsqliteodbc",
                 list);
    else
        snprintf(s->err.message + len, sizeof s->err.message - len,
                 used ? "; the data sources defined (odbcinst -q -s) are %s"
                      : "; no data source is defined (odbcinst -q -s lists none): use a "
                        "connection string with Driver=...",
                 list);
}

static int connect_driver(odbctx_session *s)
{
    SQLRETURN rc;
    if (!s->dbc && allocate_handles(s) != 0)
        return s->err.code;

    /* The completed string may carry a password from odbc.ini: learn it so
     * that it is redacted too, then wipe it. */
    SQLCHAR completed[2048];
    SQLSMALLINT len = 0;
    char *routed = odbctx__on_route ? odbctx__on_route(s->connect_string) : NULL;
    const char *conn = routed ? routed : s->connect_string;
    if (s->connect_wide)
        rc = connect_wide(s, conn, completed, sizeof completed);
    else
        rc = REAL(SQLDriverConnect)(s->dbc, NULL, (SQLCHAR *)conn, SQL_NTS, completed,
                                    sizeof completed, &len, SQL_DRIVER_NOPROMPT);
    odbctx__wipe_free(routed);
    if (!SQL_SUCCEEDED(rc)) {
        char what[600];
        snprintf(what, sizeof what, "cannot connect with \"%s\"",
                 s->tmpdir ? "the embedded SQLite default" : s->connection);
        int code = odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_DBC, s->dbc, what);
        name_what_exists(s);
        return code;
    }
    s->connected = 1;
    /* Process-wide, so that no later connection, of this session or another
     * opened at the same address, repeats it. */
    static unsigned long long last_connection_id;
    s->connection_id = __atomic_add_fetch(&last_connection_id, 1, __ATOMIC_RELAXED);
    odbctx__schema_changed(s);
    completed[sizeof completed - 1] = '\0';
    odbctx_connstr_walk((char *)completed, collect_secret, s, NULL);
    memset(completed, 0, sizeof completed);
    return 0;
}

static int check_dbms(odbctx_session *s)
{
    char name[128];
    int rc = get_info_string(s, SQL_DBMS_NAME, name, sizeof name);
    if (rc == 0)
        rc = get_info_string(s, SQL_DBMS_VER, s->dbms_ver, sizeof s->dbms_ver);
    if (rc)
        return rc;
    if (odbctx__dialect_lookup(name, s->dbms_ver, &s->dialect, s->dbms, sizeof s->dbms))
        return odbctx__fail(s, ODBCTX_EDBMS,
                            "the DBMS \"%s\" (version %s) is not supported: odbctx knows how to "
                            "isolate tests with savepoints on SQLite, PostgreSQL, MariaDB and "
                            "MySQL only",
                            name, s->dbms_ver);
    SQLUSMALLINT txn = SQL_TC_NONE;
    if (!SQL_SUCCEEDED(REAL(SQLGetInfo)(s->dbc, SQL_TXN_CAPABLE, &txn, sizeof txn, NULL)))
        return odbctx__fail_odbc(s, ODBCTX_EDBMS, SQL_HANDLE_DBC, s->dbc,
                                 "SQLGetInfo(SQL_TXN_CAPABLE)");
    if (txn == SQL_TC_NONE)
        return odbctx__fail(s, ODBCTX_EDBMS,
                            "%s: the driver reports no transaction support (SQL_TXN_CAPABLE is "
                            "SQL_TC_NONE); odbctx cannot isolate tests without transactions",
                            s->dbms);
    return 0;
}

static int autocommit_off(odbctx_session *s)
{
    SQLRETURN rc = REAL(SQLSetConnectAttr)(s->dbc, SQL_ATTR_AUTOCOMMIT,
                                           (SQLPOINTER)SQL_AUTOCOMMIT_OFF, SQL_IS_UINTEGER);
    if (!SQL_SUCCEEDED(rc))
        return odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_DBC, s->dbc,
                                 "switching autocommit off");
    return 0;
}

/* MariaDB runs "A; B" only with the connector's multi-statement option.
 * Prepared, not run directly: when Connector/ODBC 3.1 refuses such a string
 * in SQLExecDirect it leaves the connection's lock held, and the next call
 * from another thread then waits forever (seen); SQLPrepare refuses cleanly. */
static void detect_multi_statements(odbctx_session *s)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    s->multi_statements = 1;
    if (s->dialect != ODBCTX_DIALECT_MARIADB)
        return;
    s->multi_statements = 0;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, s->dbc, &st)))
        return;
    SQLRETURN rc = REAL(SQLPrepare)(st, (SQLCHAR *)"DO 1; DO 1", SQL_NTS);
    int ok = SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(rc = REAL(SQLExecute)(st));
    while (ok && SQL_SUCCEEDED(rc = REAL(SQLMoreResults)(st)))
        ;
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    s->multi_statements = ok;
}

/* How long a statement may wait for a lock another connection holds (a
 * second connection to the SQLite file, a row lock on a server), before it
 * fails with an error that names the wait instead of hanging the suite.
 * ODBCTX_LOCK_TIMEOUT in milliseconds; 0 waits without limit. SQLite's
 * driver retries a busy database itself for its Timeout= key (ms), which
 * no PRAGMA changes: the embedded default sets it from this, a connection
 * string of the user's keeps its own. */
#define LOCK_TIMEOUT_DEFAULT_MS 10000L
#define SQLITE_DRIVER_DEFAULT_TIMEOUT_MS 100000L

int odbctx__lock_timeout_ms(odbctx_session *s, long *out)
{
    const char *v = getenv("ODBCTX_LOCK_TIMEOUT");
    long ms = LOCK_TIMEOUT_DEFAULT_MS;
    if (v && *v) {
        char *end;
        errno = 0;
        ms = strtol(v, &end, 10);
        if (*end || ms < 0 || errno || ms > 86400000L)
            return odbctx__fail(s, ODBCTX_EARG,
                                "ODBCTX_LOCK_TIMEOUT=%.40s: expected milliseconds from 0 (wait "
                                "without limit) to 86400000",
                                v);
    }
    *out = ms;
    return 0;
}

static int lock_timeout(odbctx_session *s)
{
    long ms;
    int rc = odbctx__lock_timeout_ms(s, &ms);
    if (rc)
        return rc;
    s->lock_timeout_ms = ms;
    char sql[128];
    switch (s->dialect) {
    case ODBCTX_DIALECT_SQLITE: {
        char t[32];
        size_t n = odbctx_connstr_get(s->connect_string, "Timeout", t, sizeof t);
        s->lock_timeout_ms = n == (size_t)-1 ? SQLITE_DRIVER_DEFAULT_TIMEOUT_MS : atol(t);
        return 0;
    }
    case ODBCTX_DIALECT_POSTGRESQL:
        /* Sent while autocommit is still on: a SET inside the suite
         * transaction would be undone with it. */
        snprintf(sql, sizeof sql, "SET lock_timeout = %ld", ms);
        break;
    case ODBCTX_DIALECT_MARIADB:
        /* Whole seconds; 0 would mean "at once" there, so at least 1. With
         * no limit asked for, the largest value the server takes. */
        if (ms == 0)
            snprintf(sql, sizeof sql,
                     "SET SESSION innodb_lock_wait_timeout = 1073741824, lock_wait_timeout = 31536000");
        else
            snprintf(sql, sizeof sql,
                     "SET SESSION innodb_lock_wait_timeout = %ld, lock_wait_timeout = %ld",
                     (ms + 999) / 1000, (ms + 999) / 1000);
        break;
    }
    char why[256];
    if (!odbctx__probe(s, sql, why, sizeof why))
        return odbctx__fail(s, ODBCTX_ESQL, "setting the lock wait limit (%s): %s", sql, why);
    return 0;
}

int odbctx__connect(odbctx_session *s)
{
    /* A reconnect's SQLDisconnect freed the reused statement handle. */
    s->own_stmt = SQL_NULL_HSTMT;
    int rc = connect_driver(s);
    if (rc == 0)
        rc = check_dbms(s);
    if (rc == 0)
        rc = lock_timeout(s);
    if (rc == 0)
        rc = autocommit_off(s);
    if (rc == 0)
        detect_multi_statements(s);
    return rc;
}
