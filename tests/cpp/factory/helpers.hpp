// Helpers of the factory tests: the dialect the suite runs on, a schema
// with per-dialect generated keys, and reading values back with plain ODBC
// (independently of the factory code under test).
#ifndef ODBCTX_TESTS_FACTORY_HELPERS_HPP
#define ODBCTX_TESTS_FACTORY_HELPERS_HPP

#include <odbctx.hpp>

#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fx {

enum class dialect { sqlite, postgresql, mariadb };

// ODBCTX_DB when the runner sets it, else a guess from ODBCTX_CONNECT: the
// schema is registered before any connection exists.
inline dialect configured_dialect()
{
    auto lower = [](std::string s) {
        for (char &c : s)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    const char *db = std::getenv("ODBCTX_DB");
    const char *conn = std::getenv("ODBCTX_CONNECT");
    const std::string hint = lower(db && *db ? db : conn ? conn : "");
    if (hint.find("postgres") != std::string::npos || hint.find("psqlodbc") != std::string::npos)
        return dialect::postgresql;
    if (hint.find("maria") != std::string::npos || hint.find("mysql") != std::string::npos ||
        hint.find("maodbc") != std::string::npos)
        return dialect::mariadb;
    return dialect::sqlite;
}

inline std::string replace_all(std::string s, const std::string &from, const std::string &to)
{
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// {KEY} a generated key column, {TIMESTAMP} a date and time without zone,
// {BYTES} a binary string.
inline std::string for_dialect(std::string sql, dialect d = configured_dialect())
{
    switch (d) {
    case dialect::sqlite:
        sql = replace_all(sql, "{KEY}", "INTEGER PRIMARY KEY");
        sql = replace_all(sql, "{TIMESTAMP}", "TIMESTAMP");
        sql = replace_all(sql, "{BYTES}", "BLOB");
        break;
    case dialect::postgresql:
        sql = replace_all(sql, "{KEY}", "BIGSERIAL PRIMARY KEY");
        sql = replace_all(sql, "{TIMESTAMP}", "TIMESTAMP");
        sql = replace_all(sql, "{BYTES}", "BYTEA");
        break;
    case dialect::mariadb:
        sql = replace_all(sql, "{KEY}", "BIGINT AUTO_INCREMENT PRIMARY KEY");
        sql = replace_all(sql, "{TIMESTAMP}", "DATETIME");
        sql = replace_all(sql, "{BYTES}", "VARBINARY(1000)");
        break;
    }
    return sql;
}

inline void check(const odbctx::expected<void> &r)
{
    if (!r)
        throw odbctx::error_exception(r.error());
}

inline void exec(const std::string &sql)
{
    check(odbctx::current().exec(sql));
}

inline long long count(const std::string &table, const std::string &where = "")
{
    auto r = odbctx::current().query_int("SELECT COUNT(*) FROM " + table +
                                         (where.empty() ? "" : " WHERE " + where));
    if (!r)
        throw odbctx::error_exception(r.error());
    return *r;
}

// A statement on the current session's connection, freed on scope exit.
class query {
public:
    explicit query(const std::string &sql)
    {
        SQLAllocHandle(SQL_HANDLE_STMT, odbctx::current().hdbc(), &h_);
        const SQLRETURN r = SQLExecDirect(h_, (SQLCHAR *)sql.c_str(), SQL_NTS);
        if (r != SQL_SUCCESS && r != SQL_SUCCESS_WITH_INFO) {
            SQLCHAR state[6] = {0}, text[512] = {0};
            SQLINTEGER native = 0;
            SQLSMALLINT len = 0;
            SQLGetDiagRec(SQL_HANDLE_STMT, h_, 1, state, &native, text, sizeof text, &len);
            SQLFreeHandle(SQL_HANDLE_STMT, h_);
            throw std::runtime_error("query failed: " + sql + ": " +
                                     reinterpret_cast<const char *>(text));
        }
    }
    ~query() { SQLFreeHandle(SQL_HANDLE_STMT, h_); }
    query(const query &) = delete;
    query &operator=(const query &) = delete;

    bool next()
    {
        const SQLRETURN r = SQLFetch(h_);
        return r == SQL_SUCCESS || r == SQL_SUCCESS_WITH_INFO;
    }

    std::optional<long long> integer(int col)
    {
        long long v = 0;
        SQLLEN ind = 0;
        SQLGetData(h_, static_cast<SQLUSMALLINT>(col), SQL_C_SBIGINT, &v, 0, &ind);
        return ind == SQL_NULL_DATA ? std::nullopt : std::optional<long long>(v);
    }
    std::optional<double> real(int col)
    {
        double v = 0;
        SQLLEN ind = 0;
        SQLGetData(h_, static_cast<SQLUSMALLINT>(col), SQL_C_DOUBLE, &v, 0, &ind);
        return ind == SQL_NULL_DATA ? std::nullopt : std::optional<double>(v);
    }
    std::optional<std::string> text(int col)
    {
        std::vector<char> buf(4096);
        SQLLEN ind = 0;
        SQLGetData(h_, static_cast<SQLUSMALLINT>(col), SQL_C_CHAR, buf.data(),
                   static_cast<SQLLEN>(buf.size()), &ind);
        if (ind == SQL_NULL_DATA)
            return std::nullopt;
        return std::string(buf.data());
    }
    std::optional<std::vector<unsigned char>> bytes(int col)
    {
        std::vector<unsigned char> buf(4096);
        SQLLEN ind = 0;
        SQLGetData(h_, static_cast<SQLUSMALLINT>(col), SQL_C_BINARY, buf.data(),
                   static_cast<SQLLEN>(buf.size()), &ind);
        if (ind == SQL_NULL_DATA)
            return std::nullopt;
        buf.resize(static_cast<std::size_t>(std::min<SQLLEN>(ind, 4096)));
        return buf;
    }
    std::optional<SQL_TIMESTAMP_STRUCT> timestamp(int col)
    {
        SQL_TIMESTAMP_STRUCT v{};
        SQLLEN ind = 0;
        SQLGetData(h_, static_cast<SQLUSMALLINT>(col), SQL_C_TYPE_TIMESTAMP, &v, sizeof v, &ind);
        return ind == SQL_NULL_DATA ? std::nullopt : std::optional<SQL_TIMESTAMP_STRUCT>(v);
    }
    std::optional<SQL_DATE_STRUCT> date(int col)
    {
        SQL_DATE_STRUCT v{};
        SQLLEN ind = 0;
        SQLGetData(h_, static_cast<SQLUSMALLINT>(col), SQL_C_TYPE_DATE, &v, sizeof v, &ind);
        return ind == SQL_NULL_DATA ? std::nullopt : std::optional<SQL_DATE_STRUCT>(v);
    }

private:
    SQLHSTMT h_ = nullptr;
};

} // namespace fx

#endif
