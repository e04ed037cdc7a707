// Small helpers shared by the C++ layer's tests.
#ifndef ODBCTX_TESTS_CPP_HELPERS_HPP
#define ODBCTX_TESTS_CPP_HELPERS_HPP

#include <odbctx.hpp>

#include <cstdlib>
#include <string>

namespace t {

// ODBCTX_CONNECT as the suite reads it ("" = the embedded SQLite default).
inline std::string connect_string()
{
    const char *c = std::getenv("ODBCTX_CONNECT");
    return c ? c : "";
}

// COUNT(*) of a table on a session; throws (failing the test) on error.
inline long long count(odbctx::session &s, const std::string &table,
                       const std::string &where = "")
{
    auto r = s.query_int("SELECT COUNT(*) FROM " + table + (where.empty() ? "" : " WHERE " + where));
    if (!r)
        throw odbctx::error_exception(r.error());
    return *r;
}

inline long long count(const std::string &table, const std::string &where = "")
{
    return count(odbctx::current(), table, where);
}

inline void exec(odbctx::session &s, const std::string &sql)
{
    if (auto r = s.exec(sql); !r)
        throw odbctx::error_exception(r.error());
}

inline void exec(const std::string &sql)
{
    exec(odbctx::current(), sql);
}

inline void add_item(odbctx::session &s, const std::string &name, int qty)
{
    exec(s, "INSERT INTO cpp_item (name, qty) VALUES ('" + name + "', " + std::to_string(qty) + ")");
}

inline void add_item(const std::string &name, int qty)
{
    add_item(odbctx::current(), name, qty);
}

} // namespace t

#endif
