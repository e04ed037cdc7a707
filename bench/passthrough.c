/*
 * bench-passthrough [MODE] CONNSTR: the median time, in ns, of one call on
 * a connection of its own. MODE:
 *   attr     SQLGetConnectAttr(SQL_ATTR_AUTOCOMMIT) (the default)
 *   numcols  SQLNumResultCols on a prepared SELECT: a call capture leaves
 *            alone, so through odbctx's driver it is pure pass-through
 *   exec     SQLExecDirect("SELECT 1") and SQLFreeStmt(SQL_CLOSE) with
 *            autocommit off: through odbctx's driver, a captured statement
 *   insert:TABLE:ID  SQLExecDirect of the bench's INSERT (bench/common.cpp
 *            insert_sql) into TABLE, ids from ID up, autocommit off: as a
 *            child process that joins the test, a forwarded statement
 *
 * Linked against libodbc only. odbctx-bench runs it with and without
 * LD_PRELOAD=libodbctx.so (interposition), and on a connection string
 * straight to the driver and through odbctx's driver, to measure what a
 * program that meets odbctx each way pays.
 */
#include <sql.h>
#include <sqlext.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BATCH = 1000, ROUNDS = 301, WARMUP = 20 };

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail(const char *what, SQLSMALLINT type, SQLHANDLE h)
{
    SQLCHAR state[6] = "", msg[512] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len);
    fprintf(stderr, "bench-passthrough: %s: %s %s\n", what, state, msg);
    return 1;
}

int main(int argc, char **argv)
{
    SQLHENV env;
    SQLHDBC dbc;
    SQLHSTMT st = SQL_NULL_HSTMT;
    static double samples[ROUNDS];
    SQLUINTEGER ac = 0;
    SQLSMALLINT cols = 0;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: bench-passthrough [attr|numcols|exec|insert:TABLE:ID] CONNSTR\n");
        return 2;
    }
    const char *mode = argc == 3 ? argv[1] : "attr", *conn = argv[argc - 1];
    int m = strcmp(mode, "attr") == 0      ? 0
            : strcmp(mode, "numcols") == 0 ? 1
            : strcmp(mode, "exec") == 0    ? 2
            : strncmp(mode, "insert:", 7) == 0 ? 3
                                               : -1;
    char table[128] = "";
    long long id = 0;
    if (m == 3 && sscanf(mode + 7, "%127[^:]:%lld", table, &id) != 2)
        m = -1;
    if (m < 0) {
        fprintf(stderr, "bench-passthrough: unknown mode %s\n", mode);
        return 2;
    }
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)) ||
        !SQL_SUCCEEDED(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0)) ||
        !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc)))
        return fail("allocating handles", SQL_HANDLE_ENV, env);
    if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
                                        SQL_DRIVER_NOPROMPT)))
        return fail("connecting", SQL_HANDLE_DBC, dbc);
    if (m >= 2 && !SQL_SUCCEEDED(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT,
                                                   (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0)))
        return fail("autocommit off", SQL_HANDLE_DBC, dbc);
    if (m > 0 && !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st)))
        return fail("allocating a statement", SQL_HANDLE_DBC, dbc);
    if (m == 1 && !SQL_SUCCEEDED(SQLPrepare(st, (SQLCHAR *)"SELECT 1", SQL_NTS)))
        return fail("SQLPrepare", SQL_HANDLE_STMT, st);
    int batch = m >= 2 ? 20 : BATCH;
    char sql[512];
    for (int r = 0; r < WARMUP + ROUNDS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < batch; i++) {
            if (m == 0)
                SQLGetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, &ac, 0, NULL);
            else if (m == 1)
                SQLNumResultCols(st, &cols);
            else if (m == 2 && (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)"SELECT 1", SQL_NTS)) ||
                                !SQL_SUCCEEDED(SQLFreeStmt(st, SQL_CLOSE))))
                return fail("SELECT 1", SQL_HANDLE_STMT, st);
            else if (m == 3) {
                snprintf(sql, sizeof sql,
                         "INSERT INTO %s (id, name, qty, note) VALUES (%lld, 'name %lld', %lld, "
                         "'bench row')",
                         table, id, id, id % 1000);
                id++;
                if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS)))
                    return fail("INSERT", SQL_HANDLE_STMT, st);
            }
        }
        double t1 = now_ns();
        if (r >= WARMUP)
            samples[r - WARMUP] = (t1 - t0) / batch;
    }
    qsort(samples, ROUNDS, sizeof samples[0], by_value);
    printf("%.2f\n", samples[ROUNDS / 2]);
    if (st)
        SQLFreeHandle(SQL_HANDLE_STMT, st);
    if (m == 2)
        SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
    if (m == 3)
        SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return 0;
}
