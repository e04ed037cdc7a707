// Reading rows back (include/odbctx/rows.hpp): the query through the C
// core (odbctx_query_rows: traced with its values, judged like the test's
// own statements), and one reader per kind of value, compiled here once.
#include "factory/odbc.hpp"

#include <odbctx/error.hpp>
#include <odbctx/rows.hpp>

#include <sql.h>
#include <sqlext.h>

#include <cstring>
#include <exception>

namespace odbctx::detail {
namespace {

// The driver's reason, as the factories read it (factory/odbc.cpp).
std::string driver_message(SQLHSTMT st)
{
    const factory_impl::diagnostics d = factory_impl::read_diagnostics(SQL_HANDLE_STMT, st);
    if (d.sqlstate.empty() && d.message.empty())
        return "the driver gave no reason";
    return "[" + d.sqlstate + "] " + d.message;
}

struct job {
    const char *type;
    const char *table;
    void (*each_row)(void *, const row_reader &);
    void *ctx;
    std::exception_ptr thrown;
};

int fetch_all(void *vctx, SQLHSTMT st)
{
    auto &j = *static_cast<job *>(vctx);
    const row_reader r{st, j.type, j.table};
    try {
        for (;;) {
            const SQLRETURN f = SQLFetch(st);
            if (f == SQL_NO_DATA)
                return ODBCTX_OK;
            if (!SQL_SUCCEEDED(f))
                throw error_exception(error::make(ODBCTX_ESQL, std::string("rows<") + j.type +
                                                                   ">: fetching a row of " +
                                                                   j.table + " failed: " +
                                                                   driver_message(st)));
            j.each_row(j.ctx, r);
        }
    } catch (...) {
        // Not through the C frames: rethrown once odbctx_query_rows returns.
        j.thrown = std::current_exception();
        return ODBCTX_EARG;
    }
}

// SQLGetData into a fixed-size C type; false for NULL.
template <class V>
bool get_fixed(const row_reader &r, SQLUSMALLINT i, const char *column, SQLSMALLINT ctype, V &v)
{
    SQLLEN ind = 0;
    const SQLRETURN rc = SQLGetData(r.st, i, ctype, &v, sizeof v, &ind);
    if (!SQL_SUCCEEDED(rc))
        r.fail(column, "cannot be read: " + driver_message(r.st));
    return ind != SQL_NULL_DATA;
}

// SQLGetData in pieces (text and binary of any length); false for NULL.
bool get_long(const row_reader &r, SQLUSMALLINT i, const char *column, SQLSMALLINT ctype,
              std::string &out)
{
    out.clear();
    char buf[4096];
    for (;;) {
        SQLLEN ind = 0;
        const SQLRETURN rc = SQLGetData(r.st, i, ctype, buf, sizeof buf, &ind);
        if (rc == SQL_NO_DATA)
            return true;
        if (!SQL_SUCCEEDED(rc))
            r.fail(column, "cannot be read: " + driver_message(r.st));
        if (ind == SQL_NULL_DATA)
            return false;
        // Text pieces end in a terminator the next piece does not continue.
        const std::size_t room = ctype == SQL_C_CHAR ? sizeof buf - 1 : sizeof buf;
        const std::size_t got =
            ind == SQL_NO_TOTAL || static_cast<std::size_t>(ind) > room ? room
                                                                       : static_cast<std::size_t>(ind);
        out.append(buf, got);
        if (rc == SQL_SUCCESS)
            return true;
    }
}

} // namespace

void row_reader::fail(const char *column, const std::string &what) const
{
    throw error_exception(error::make(ODBCTX_EARG, std::string("rows<") + type + ">: column " +
                                                       table + "." + column + ": " + what));
}

bool row_reader::integer(SQLUSMALLINT i, const char *column, long long &v) const
{
    SQLBIGINT x = 0;
    if (!get_fixed(*this, i, column, SQL_C_SBIGINT, x))
        return false;
    v = x;
    return true;
}

bool row_reader::unsigned_integer(SQLUSMALLINT i, const char *column, unsigned long long &v) const
{
    SQLUBIGINT x = 0;
    if (!get_fixed(*this, i, column, SQL_C_UBIGINT, x))
        return false;
    v = x;
    return true;
}

bool row_reader::boolean(SQLUSMALLINT i, const char *column, bool &v) const
{
    // An integer, not SQL_C_BIT: MariaDB's BOOLEAN is TINYINT, and any
    // value but 0 is true there.
    SQLBIGINT x = 0;
    if (!get_fixed(*this, i, column, SQL_C_SBIGINT, x))
        return false;
    v = x != 0;
    return true;
}

bool row_reader::real(SQLUSMALLINT i, const char *column, double &v) const
{
    return get_fixed(*this, i, column, SQL_C_DOUBLE, v);
}

bool row_reader::text(SQLUSMALLINT i, const char *column, std::string &v) const
{
    return get_long(*this, i, column, SQL_C_CHAR, v);
}

bool row_reader::bytes(SQLUSMALLINT i, const char *column, std::vector<unsigned char> &v) const
{
    std::string raw;
    if (!get_long(*this, i, column, SQL_C_BINARY, raw))
        return false;
    v.assign(raw.begin(), raw.end());
    return true;
}

bool row_reader::date(SQLUSMALLINT i, const char *column, SQL_DATE_STRUCT &v) const
{
    return get_fixed(*this, i, column, SQL_C_TYPE_DATE, v);
}

bool row_reader::timestamp(SQLUSMALLINT i, const char *column, SQL_TIMESTAMP_STRUCT &v) const
{
    return get_fixed(*this, i, column, SQL_C_TYPE_TIMESTAMP, v);
}

void read_rows(const std::string &sql, const odbctx_param *params, std::size_t n,
               const char *type, const char *table,
               void (*each_row)(void *ctx, const row_reader &r), void *ctx)
{
    session &s = current();
    job j{type, table, each_row, ctx, nullptr};
    const int rc = odbctx_query_rows(s.handle(), sql.c_str(), params, n, fetch_all, &j);
    if (j.thrown)
        std::rethrow_exception(j.thrown);
    if (rc != ODBCTX_OK) {
        error e = error::last(s.handle());
        if (e.code == ODBCTX_OK)
            e.code = rc;
        throw error_exception(std::move(e));
    }
}

} // namespace odbctx::detail
