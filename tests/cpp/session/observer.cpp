#include "observer.hpp"

#include <stdexcept>

namespace t {

namespace {

std::string diag(SQLSMALLINT type, SQLHANDLE h)
{
    SQLCHAR state[6] = "", text[512] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, state, &native, text, sizeof text, &len)))
        return "(no diagnostics)";
    return std::string(reinterpret_cast<char *>(state)) + ": " + reinterpret_cast<char *>(text);
}

} // namespace

observer::observer(const std::string &conn)
{
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env_);
    SQLSetEnvAttr(env_, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env_, &dbc_);
    SQLCHAR *c = reinterpret_cast<SQLCHAR *>(const_cast<char *>(conn.c_str()));
    if (!SQL_SUCCEEDED(SQLDriverConnect(dbc_, nullptr, c, SQL_NTS, nullptr, 0, nullptr,
                                        SQL_DRIVER_NOPROMPT))) {
        const std::string why = diag(SQL_HANDLE_DBC, dbc_);
        SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
        SQLFreeHandle(SQL_HANDLE_ENV, env_);
        throw std::runtime_error("observer cannot connect: " + why);
    }
}

observer::~observer()
{
    SQLDisconnect(dbc_);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
    SQLFreeHandle(SQL_HANDLE_ENV, env_);
}

bool observer::try_exec(const std::string &sql)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &st);
    SQLCHAR *q = reinterpret_cast<SQLCHAR *>(const_cast<char *>(sql.c_str()));
    const SQLRETURN rc = SQLExecDirect(st, q, SQL_NTS);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA;
}

void observer::exec(const std::string &sql)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &st);
    SQLCHAR *q = reinterpret_cast<SQLCHAR *>(const_cast<char *>(sql.c_str()));
    const SQLRETURN rc = SQLExecDirect(st, q, SQL_NTS);
    const std::string why = SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA ? "" : diag(SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    if (!why.empty())
        throw std::runtime_error(sql + ": " + why);
}

long long observer::query_int(const std::string &sql)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &st);
    SQLCHAR *q = reinterpret_cast<SQLCHAR *>(const_cast<char *>(sql.c_str()));
    SQLBIGINT v = 0;
    SQLLEN ind = 0;
    std::string why;
    if (!SQL_SUCCEEDED(SQLExecDirect(st, q, SQL_NTS)))
        why = diag(SQL_HANDLE_STMT, st);
    else if (!SQL_SUCCEEDED(SQLFetch(st)))
        why = "no row";
    else if (!SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SBIGINT, &v, 0, &ind)))
        why = diag(SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    if (!why.empty())
        throw std::runtime_error(sql + ": " + why);
    return ind == SQL_NULL_DATA ? 0 : static_cast<long long>(v);
}

} // namespace t
