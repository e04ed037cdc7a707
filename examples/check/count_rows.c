/*
 * leftovers "<connection string>" TABLE...: what a run left in the database,
 * seen from a fresh connection of an ordinary client (this program is not
 * linked against odbctx). A table that does not exist counts as empty: on
 * SQLite and PostgreSQL the example's schema lives in the suite transaction
 * and is gone with it; on MariaDB odbctx drops it at the end of the run.
 *
 * Prints one line per table that still exists, then
 *   "tables left: N, rows left: M"
 * and exits 0 when M is 0, 1 when rows were left, 2 when it cannot connect.
 */
#include <sql.h>
#include <sqlext.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: leftovers CONNECTION-STRING TABLE...\n");
        return 2;
    }
    SQLHENV env;
    SQLHDBC dbc;
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)argv[1], SQL_NTS, NULL, 0, NULL,
                                        SQL_DRIVER_NOPROMPT))) {
        SQLCHAR state[6] = "", msg[512] = "";
        SQLINTEGER native;
        SQLSMALLINT len;
        SQLGetDiagRec(SQL_HANDLE_DBC, dbc, 1, state, &native, msg, sizeof msg, &len);
        fprintf(stderr, "leftovers: cannot connect: [%s] %s\n", (char *)state, (char *)msg);
        return 2;
    }
    long tables = 0, rows = 0;
    for (int i = 2; i < argc; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", argv[i]);
        SQLHSTMT st;
        SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
        SQLBIGINT n = 0;
        if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS)) &&
            SQL_SUCCEEDED(SQLFetch(st)) &&
            SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SBIGINT, &n, 0, NULL))) {
            printf("  table %-12s %lld rows\n", argv[i], (long long)n);
            tables++;
            rows += (long)n;
        }
        SQLFreeHandle(SQL_HANDLE_STMT, st);
        /* PostgreSQL: a failed query aborts this client's own transaction. */
        SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
    }
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    printf("tables left: %ld, rows left: %ld\n", tables, rows);
    return rows == 0 ? 0 : 1;
}
