// A connection of the test process that no session knows of: it is neither
// the session's nor captured (capture takes what a test says it should, not
// every connection of the process), so it reads what any other client of
// the database sees. Suites use it to check that nothing written inside a
// test reached the database for real.
#pragma once

#include <sql.h>
#include <sqlext.h>

#include <stdexcept>
#include <string>

namespace support {

class plain_connection {
public:
    explicit plain_connection(const std::string &conn)
    {
        SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env_);
        SQLSetEnvAttr(env_, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
        SQLAllocHandle(SQL_HANDLE_DBC, env_, &dbc_);
        if (!SQL_SUCCEEDED(SQLDriverConnect(dbc_, nullptr, (SQLCHAR *)conn.c_str(), SQL_NTS,
                                            nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT))) {
            close();
            throw std::runtime_error("cannot open a plain connection to the test database");
        }
    }
    ~plain_connection() { close(); }
    plain_connection(const plain_connection &) = delete;
    plain_connection &operator=(const plain_connection &) = delete;

    // Runs sql in autocommit; false when it fails.
    bool exec(const std::string &sql)
    {
        SQLHSTMT st = SQL_NULL_HSTMT;
        SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &st);
        bool ok = SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql.c_str(), SQL_NTS));
        SQLFreeHandle(SQL_HANDLE_STMT, st);
        return ok;
    }

    // The integer of the first column of the first row of sql, -1 when the
    // statement fails (a missing table, say) or returns no row.
    long long query_int(const std::string &sql)
    {
        SQLHSTMT st = SQL_NULL_HSTMT;
        SQLBIGINT n = -1;
        SQLLEN ind = 0;
        SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &st);
        if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql.c_str(), SQL_NTS)) ||
            !SQL_SUCCEEDED(SQLFetch(st)) ||
            !SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SBIGINT, &n, 0, &ind)) || ind == SQL_NULL_DATA)
            n = -1;
        SQLFreeHandle(SQL_HANDLE_STMT, st);
        return n;
    }

    long long count(const std::string &table) { return query_int("SELECT COUNT(*) FROM " + table); }

private:
    void close()
    {
        if (dbc_ != SQL_NULL_HDBC) {
            SQLDisconnect(dbc_);
            SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
            dbc_ = SQL_NULL_HDBC;
        }
        if (env_ != SQL_NULL_HENV) {
            SQLFreeHandle(SQL_HANDLE_ENV, env_);
            env_ = SQL_NULL_HENV;
        }
    }

    SQLHENV env_ = SQL_NULL_HENV;
    SQLHDBC dbc_ = SQL_NULL_HDBC;
};

} // namespace support
