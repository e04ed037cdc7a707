#include "internal.h"
#include "reliability.h"

#include <string.h>

int odbctx__query_text(odbctx_session *s, SQLHDBC dbc, const char *sql, char *out, size_t n)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    if (out && n)
        out[0] = '\0';
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, dbc, &st)))
        return odbctx__fail_odbc(s, ODBCTX_ESQL, SQL_HANDLE_DBC, dbc, sql);
    SQLRETURN rc = REAL(SQLExecDirect)(st, (SQLCHAR *)sql, SQL_NTS);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
        int code = odbctx__fail_odbc(s, ODBCTX_ESQL, SQL_HANDLE_STMT, st, sql);
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
