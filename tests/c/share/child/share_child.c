/*
 * A program that a test starts as a child process: plain ODBC, linked with
 * libodbc only, as any program a test runs would be. It knows nothing of
 * odbctx; whether its connection joins the test is the whole question.
 *
 *   share-child SCENARIO CONNECTION TABLE
 *
 * It reports what it saw as "key=value" lines on stdout, written with
 * write(2) so that nothing waits in a buffer when it is killed, and a
 * failed call as "error WHAT: STATE message" (exit status 3).
 */
#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static SQLHENV env;
static SQLHDBC dbc;
static const char *table;

static void say(const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    for (const char *p = line; n > 0;) {
        ssize_t w = write(1, p, (size_t)n);
        if (w <= 0)
            return;
        p += w;
        n -= (int)w;
    }
}

/* The first diagnostic of handle h as "STATE message" (newlines flattened). */
static const char *diag(SQLSMALLINT type, SQLHANDLE h)
{
    static char out[1200];
    SQLCHAR state[6] = "", msg[1024] = "";
    SQLINTEGER native;
    SQLSMALLINT len;
    if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len)))
        return "(no diagnostic)";
    snprintf(out, sizeof out, "%s %s", (char *)state, (char *)msg);
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return out;
}

static void check(SQLRETURN r, const char *what, SQLSMALLINT type, SQLHANDLE h)
{
    if (SQL_SUCCEEDED(r))
        return;
    say("error %s: %s", what, diag(type, h));
    exit(3);
}

static void connect_to(const char *conn)
{
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    SQLCHAR out[1024];
    SQLSMALLINT outlen;
    check(SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, out, sizeof out, &outlen,
                           SQL_DRIVER_NOPROMPT),
          "connect", SQL_HANDLE_DBC, dbc);
}

static void disconnect(void)
{
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
}

static void autocommit(int on)
{
    check(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT,
                            (SQLPOINTER)(on ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF), 0),
          "autocommit", SQL_HANDLE_DBC, dbc);
}

static SQLHSTMT stmt(void)
{
    SQLHSTMT st;
    check(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st), "statement", SQL_HANDLE_DBC, dbc);
    return st;
}

static void exec(const char *what, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    SQLHSTMT st = stmt();
    check(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS), what, SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* One row (id, name) through a prepared statement with bound parameters. */
static void insert(int id, const char *name)
{
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO %s (id, name) VALUES (?, ?)", table);
    SQLHSTMT st = stmt();
    SQLINTEGER v = id;
    SQLLEN vi = 0, ni = SQL_NTS;
    check(SQLPrepare(st, (SQLCHAR *)sql, SQL_NTS), "prepare", SQL_HANDLE_STMT, st);
    SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &v, 0, &vi);
    SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 60, 0, (SQLPOINTER)name,
                     0, &ni);
    check(SQLExecute(st), "insert", SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

static long count(const char *where)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s%s%s", table, where ? " WHERE " : "",
             where ? where : "");
    SQLHSTMT st = stmt();
    SQLINTEGER n = -1;
    SQLLEN ni;
    check(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS), "count", SQL_HANDLE_STMT, st);
    SQLBindCol(st, 1, SQL_C_SLONG, &n, 0, &ni);
    check(SQLFetch(st), "fetch", SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return n;
}

/* Commits and rolls back as an application does; reports what it sees. */
static int rows(void)
{
    say("seen_at_start=%ld", count(NULL));
    autocommit(0);
    insert(101, "child-commit");
    check(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), "commit", SQL_HANDLE_DBC, dbc);
    insert(102, "child-rollback");
    check(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK), "rollback", SQL_HANDLE_DBC, dbc);
    autocommit(1);
    insert(103, "child-autocommit");
    exec("commit as text", "COMMIT");
    say("seen_at_end=%ld", count(NULL));
    return 0;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Text of a column read with SQLGetData in pieces of `piece` bytes. */
static void pieces(SQLHSTMT st, SQLUSMALLINT col, size_t piece, size_t *len, int *n,
                   char *truncated_state)
{
    char buf[4096];
    SQLLEN ind;
    SQLRETURN r;
    *len = 0;
    *n = 0;
    truncated_state[0] = 0;
    while ((r = SQLGetData(st, col, SQL_C_CHAR, buf, (SQLLEN)piece, &ind)) != SQL_NO_DATA) {
        check(r, "getdata", SQL_HANDLE_STMT, st);
        if (ind == SQL_NULL_DATA) {
            *n = -1;
            return;
        }
        if (r == SQL_SUCCESS_WITH_INFO && !truncated_state[0]) {
            SQLCHAR state[6];
            SQLINTEGER native;
            SQLCHAR msg[256];
            SQLSMALLINT ml;
            SQLGetDiagRec(SQL_HANDLE_STMT, st, 1, state, &native, msg, sizeof msg, &ml);
            strcpy(truncated_state, (char *)state);
        }
        *len += strlen(buf);
        (*n)++;
    }
}

/* Every forwarded call a program is likely to make, reported one by one. */
static int surface(void)
{
    char sql[512];
    SQLHSTMT st = stmt();
    SQLSMALLINT len;

    /* What the connection says it is. */
    char dbms[64] = "";
    check(SQLGetInfo(dbc, SQL_DBMS_NAME, dbms, sizeof dbms, &len), "getinfo", SQL_HANDLE_DBC,
          dbc);
    say("dbms=%s", dbms);
    SQLUSMALLINT txn = 0;
    check(SQLGetInfo(dbc, SQL_TXN_CAPABLE, &txn, sizeof txn, NULL), "getinfo txn",
          SQL_HANDLE_DBC, dbc);
    say("txn_capable=%d", (int)txn);
    SQLUINTEGER ac = 99;
    check(SQLGetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, &ac, 0, NULL), "get autocommit",
          SQL_HANDLE_DBC, dbc);
    say("autocommit=%u", (unsigned)ac);
    autocommit(0);
    ac = 99;
    SQLGetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, &ac, 0, NULL);
    say("autocommit_after=%u", (unsigned)ac);

    /* Parameters: an integer, a text, a NULL, a wide text, and a long
     * text sent in pieces at execution time. */
    snprintf(sql, sizeof sql, "INSERT INTO %s (id, name, note) VALUES (?, ?, ?)", table);
    check(SQLPrepare(st, (SQLCHAR *)sql, SQL_NTS), "prepare", SQL_HANDLE_STMT, st);
    SQLSMALLINT np = 0;
    check(SQLNumParams(st, &np), "numparams", SQL_HANDLE_STMT, st);
    say("params=%d", (int)np);
    SQLINTEGER id = 1;
    SQLLEN idi = 0, namei = SQL_NTS, notei = SQL_NULL_DATA;
    char name[64] = "plain";
    char note[8] = "";
    SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &id, 0, &idi);
    SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 60, 0, name, sizeof name,
                     &namei);
    SQLBindParameter(st, 3, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_LONGVARCHAR, 100000, 0, note,
                     sizeof note, &notei);
    check(SQLExecute(st), "insert null", SQL_HANDLE_STMT, st);

    /* "Zoë" as UTF-16 into the same statement. */
    SQLWCHAR wname[] = {'Z', 'o', 0xEB, 0};
    SQLLEN wi = SQL_NTS;
    id = 2;
    notei = SQL_NULL_DATA;
    SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR, 60, 0, wname,
                     sizeof wname, &wi);
    check(SQLExecute(st), "insert wide", SQL_HANDLE_STMT, st);

    enum { LONG_LEN = 30000 };
    static char longtext[LONG_LEN + 1];
    for (size_t i = 0; i < LONG_LEN; i++)
        longtext[i] = (char)('a' + i % 26);
    id = 3;
    namei = SQL_NTS;
    notei = SQL_LEN_DATA_AT_EXEC(LONG_LEN);
    SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 60, 0, name, sizeof name,
                     &namei);
    SQLBindParameter(st, 3, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_LONGVARCHAR, LONG_LEN, 0,
                     (SQLPOINTER)3, 0, &notei);
    SQLRETURN r = SQLExecute(st);
    if (r != SQL_NEED_DATA)
        check(SQL_ERROR, "execute at exec", SQL_HANDLE_STMT, st);
    SQLPOINTER token = NULL;
    int putdata = 0;
    while ((r = SQLParamData(st, &token)) == SQL_NEED_DATA) {
        for (size_t at = 0; at < LONG_LEN; at += 7000) {
            size_t n = LONG_LEN - at < 7000 ? LONG_LEN - at : 7000;
            check(SQLPutData(st, longtext + at, (SQLLEN)n), "putdata", SQL_HANDLE_STMT, st);
            putdata++;
        }
    }
    check(r, "paramdata", SQL_HANDLE_STMT, st);
    say("putdata_token=%ld pieces=%d", (long)(intptr_t)token, putdata);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    check(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), "commit", SQL_HANDLE_DBC, dbc);

    /* A row count. */
    st = stmt();
    snprintf(sql, sizeof sql, "UPDATE %s SET name = 'updated' WHERE id IN (1, 3)", table);
    check(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS), "update", SQL_HANDLE_STMT, st);
    SQLLEN rc = -1;
    check(SQLRowCount(st, &rc), "rowcount", SQL_HANDLE_STMT, st);
    say("updated=%ld", (long)rc);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* Rows back: metadata, a bound column, a long value in pieces. */
    st = stmt();
    snprintf(sql, sizeof sql, "SELECT id, name, note FROM %s WHERE id IN (1, 2, 3) ORDER BY id",
             table);
    check(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS), "select", SQL_HANDLE_STMT, st);
    SQLSMALLINT cols = 0;
    check(SQLNumResultCols(st, &cols), "numresultcols", SQL_HANDLE_STMT, st);
    say("cols=%d", (int)cols);
    SQLCHAR colname[64];
    SQLSMALLINT type, digits, nullable;
    SQLULEN size;
    check(SQLDescribeCol(st, 2, colname, sizeof colname, &len, &type, &size, &digits, &nullable),
          "describecol", SQL_HANDLE_STMT, st);
    lower((char *)colname);
    say("col2=%s", (char *)colname);
    char label[64] = "";
    check(SQLColAttribute(st, 3, SQL_DESC_NAME, label, sizeof label, &len, NULL), "colattribute",
          SQL_HANDLE_STMT, st);
    lower(label);
    say("col3=%s", label);
    SQLLEN numeric = 0;
    check(SQLColAttribute(st, 1, SQL_DESC_CONCISE_TYPE, NULL, 0, NULL, &numeric),
          "colattribute type", SQL_HANDLE_STMT, st);
    say("col1_integer=%d", numeric == SQL_INTEGER || numeric == SQL_BIGINT ||
                               numeric == SQL_SMALLINT || numeric == SQL_NUMERIC ||
                               numeric == SQL_DECIMAL);
    SQLINTEGER got_id = 0;
    SQLLEN got_idi;
    check(SQLBindCol(st, 1, SQL_C_SLONG, &got_id, 0, &got_idi), "bindcol", SQL_HANDLE_STMT, st);
    while ((r = SQLFetch(st)) != SQL_NO_DATA) {
        check(r, "fetch", SQL_HANDLE_STMT, st);
        if (got_id == 2) {
            SQLWCHAR w[16];
            SQLLEN wl;
            check(SQLGetData(st, 2, SQL_C_WCHAR, w, sizeof w, &wl), "getdata wide",
                  SQL_HANDLE_STMT, st);
            say("wide_back=%s", wl == 3 * (SQLLEN)sizeof(SQLWCHAR) && w[0] == 'Z' && w[1] == 'o' &&
                                        w[2] == 0xEB
                                    ? "same"
                                    : "different");
            continue;
        }
        size_t total;
        int n;
        char state[6];
        pieces(st, 3, got_id == 3 ? 1000 : 100, &total, &n, state);
        if (got_id == 1)
            say("row1_note=%s", n == -1 ? "null" : "not null");
        else
            say("row3_note_len=%zu pieces=%d first_state=%s", total, n, state);
    }
    check(SQLMoreResults(st) == SQL_NO_DATA ? SQL_SUCCESS : SQL_ERROR, "moreresults",
          SQL_HANDLE_STMT, st);
    say("more_results=no_data");
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* An error the database reports, and its diagnostic fields. */
    st = stmt();
    r = SQLExecDirect(st, (SQLCHAR *)"SELECT x FROM no_such_table_of_share", SQL_NTS);
    SQLCHAR dstate[6] = "";
    SQLGetDiagField(SQL_HANDLE_STMT, st, 1, SQL_DIAG_SQLSTATE, dstate, sizeof dstate, &len);
    SQLCHAR dmsg[512] = "";
    SQLGetDiagField(SQL_HANDLE_STMT, st, 1, SQL_DIAG_MESSAGE_TEXT, dmsg, sizeof dmsg, &len);
    say("bad_select=%s state=%s names_table=%d", r == SQL_ERROR ? "error" : "ok", (char *)dstate,
        strstr((char *)dmsg, "no_such_table_of_share") != NULL);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    /* The connection is still good after it (PostgreSQL: still in the
     * test's transaction, the failed statement undone alone). */
    say("after_error_count=%ld", count(NULL));

    /* Catalog functions. */
    st = stmt();
    check(SQLTables(st, NULL, 0, NULL, 0, (SQLCHAR *)table, SQL_NTS, NULL, 0), "tables",
          SQL_HANDLE_STMT, st);
    int ntab = 0;
    while (SQL_SUCCEEDED(SQLFetch(st)))
        ntab++;
    say("tables=%d", ntab);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    st = stmt();
    check(SQLColumns(st, NULL, 0, NULL, 0, (SQLCHAR *)table, SQL_NTS, NULL, 0), "columns",
          SQL_HANDLE_STMT, st);
    int ncol = 0;
    while (SQL_SUCCEEDED(SQLFetch(st)))
        ncol++;
    say("columns=%d", ncol);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    st = stmt();
    check(SQLGetTypeInfo(st, SQL_ALL_TYPES), "gettypeinfo", SQL_HANDLE_STMT, st);
    int ntypes = 0;
    while (SQL_SUCCEEDED(SQLFetch(st)))
        ntypes++;
    say("types=%d", ntypes);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* ODBC 2's calls, which older programs and PHP's odbc extension make:
     * a parameter by SQLSetParam in a set of one, rows by SQLExtendedFetch. */
    st = stmt();
    snprintf(sql, sizeof sql, "INSERT INTO %s (id, name) VALUES (?, 'odbc2')", table);
    check(SQLPrepare(st, (SQLCHAR *)sql, SQL_NTS), "prepare odbc2", SQL_HANDLE_STMT, st);
    SQLULEN sets_done = 0;
    check(SQLParamOptions(st, 1, &sets_done), "paramoptions", SQL_HANDLE_STMT, st);
    SQLINTEGER id2 = 4;
    SQLLEN id2i = 0;
    check(SQLSetParam(st, 1, SQL_C_SLONG, SQL_INTEGER, 0, 0, &id2, &id2i), "setparam",
          SQL_HANDLE_STMT, st);
    check(SQLExecute(st), "insert odbc2", SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    st = stmt();
    snprintf(sql, sizeof sql, "SELECT id, name FROM %s WHERE id IN (2, 4) ORDER BY id", table);
    check(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS), "select odbc2", SQL_HANDLE_STMT, st);
    SQLINTEGER xid = 0;
    char xname[64] = "";
    SQLLEN xidi, xnamei;
    SQLBindCol(st, 1, SQL_C_SLONG, &xid, 0, &xidi);
    SQLBindCol(st, 2, SQL_C_CHAR, xname, sizeof xname, &xnamei);
    SQLULEN fetched = 0;
    SQLUSMALLINT status[1] = {99};
    char seen[128] = "";
    while ((r = SQLExtendedFetch(st, SQL_FETCH_NEXT, 1, &fetched, status)) != SQL_NO_DATA) {
        check(r, "extendedfetch", SQL_HANDLE_STMT, st);
        size_t at = strlen(seen);
        snprintf(seen + at, sizeof seen - at, "%s%d:%s:%lu:%d", at ? "," : "", (int)xid,
                 xid == 2 ? "wide" : xname, (unsigned long)fetched, (int)status[0]);
    }
    say("extended_fetch=%s", seen);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = 4", table);
    st = stmt();
    check(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS), "delete odbc2", SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);

    /* A call that is not forwarded says so, naming itself. */
    SQLCHAR native[128];
    SQLINTEGER nl;
    r = SQLNativeSql(dbc, (SQLCHAR *)"SELECT 1", SQL_NTS, native, sizeof native, &nl);
    say("nativesql=%s %s", r == SQL_ERROR ? "error" : "ok", diag(SQL_HANDLE_DBC, dbc));
    disconnect();
    return 0;
}

/* Connects, writes, then waits for a line on stdin before writing again:
 * the test ends its test (or kills its owner) meanwhile. */
static int hold(void)
{
    insert(201, "early");
    say("ready");
    char line[64];
    if (!fgets(line, sizeof line, stdin))
        return 4;
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO %s (id, name) VALUES (202, 'late')", table);
    SQLHSTMT st;
    SQLRETURN r = SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    if (!SQL_SUCCEEDED(r)) {
        say("late=refused %s", diag(SQL_HANDLE_DBC, dbc));
        return 0;
    }
    r = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
    say("late=%s %s", SQL_SUCCEEDED(r) ? "written" : "refused",
        SQL_SUCCEEDED(r) ? "" : diag(SQL_HANDLE_STMT, st));
    r = SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT);
    say("late_commit=%s", SQL_SUCCEEDED(r) ? "ok" : "refused");
    disconnect();
    return 0;
}

/* Writes and reads in a loop until killed. */
static _Noreturn void loop(void)
{
    say("ready");
    for (int i = 0;; i++) {
        insert(1000 + i % 1000, "loop");
        count(NULL);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: share-child rows|surface|hold|loop|connect CONNECTION TABLE\n");
        return 2;
    }
    table = argv[3];
    connect_to(argv[2]);
    say("connected");
    const char *what = argv[1];
    if (strcmp(what, "rows") == 0)
        return rows();
    if (strcmp(what, "surface") == 0)
        return surface();
    if (strcmp(what, "hold") == 0)
        return hold();
    if (strcmp(what, "loop") == 0)
        loop();
    if (strcmp(what, "connect") == 0) {
        disconnect();
        return 0;
    }
    fprintf(stderr, "share-child: no scenario %s\n", what);
    return 2;
}
