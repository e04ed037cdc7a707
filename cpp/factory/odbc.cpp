// Diagnostics, errors and message pieces shared by the factory INSERT.
#include "factory/odbc.hpp"

#include <odbctx/error.hpp>

#include <cctype>
#include <string>
#include <utility>

namespace odbctx::detail::factory_impl {

diagnostics read_diagnostics(SQLSMALLINT type, SQLHANDLE h)
{
    diagnostics d;
    for (SQLSMALLINT i = 1;; ++i) {
        SQLCHAR state[6] = {0};
        SQLCHAR text[1024] = {0};
        SQLINTEGER native = 0;
        SQLSMALLINT len = 0;
        const SQLRETURN r =
            SQLGetDiagRec(type, h, i, state, &native, text, sizeof text, &len);
        if (!ok(r))
            break;
        if (i == 1) {
            d.sqlstate = reinterpret_cast<const char *>(state);
            d.native = native;
        } else {
            d.message += "; ";
        }
        d.message += reinterpret_cast<const char *>(text);
    }
    while (!d.message.empty() && (d.message.back() == '\n' || d.message.back() == ' '))
        d.message.pop_back();
    if (d.message.empty())
        d.message = "no diagnostics from the driver";
    return d;
}

[[noreturn]] void raise(int code, std::string message, const char *sqlstate, long native)
{
    error e = error::make(code, std::move(message));
    e.sqlstate = sqlstate;
    e.native = native;
    throw error_exception(std::move(e));
}

[[noreturn]] void raise_driver(std::string message, const diagnostics &d)
{
    raise(ODBCTX_ESQL, std::move(message) + ": " + d.message, d.sqlstate.c_str(), d.native);
}

std::string upper(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string sql_literal(const std::string &s)
{
    std::string out = "'";
    for (const char c : s) {
        out += c;
        if (c == '\'')
            out += '\'';
    }
    return out + "'";
}

std::string bare_name(const char *name)
{
    std::string s = name;
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '`' || s.front() == '[') &&
        (s.back() == '"' || s.back() == '`' || s.back() == ']'))
        s = s.substr(1, s.size() - 2);
    return upper(s);
}

std::string prefix(const insert_job &job)
{
    return "factory<" + std::string(job.type) + ">";
}

std::string where(const insert_job &job, std::size_t row)
{
    if (job.rows <= 1)
        return {};
    if (row == unknown_row)
        return " (in a batch of " + std::to_string(job.rows) + " rows)";
    return " (row " + std::to_string(row + 1) + " of " + std::to_string(job.rows) + ")";
}

std::string field(const insert_job &job, const char *column)
{
    return prefix(job) + ": field \"" + column + "\" (" + job.table + "." + column + ")";
}

} // namespace odbctx::detail::factory_impl
