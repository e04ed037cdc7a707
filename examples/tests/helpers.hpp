// Small reads the example's tests share.
#ifndef INVENTORY_HELPERS_HPP
#define INVENTORY_HELPERS_HPP

#include <catch2/catch.hpp>

#include <odbctx.hpp>

#include <string>

// REQUIRE for an odbctx::expected: on failure the report shows odbctx's
// error (code, SQLSTATE, message).
#define REQUIRE_OK(expr)                                                          \
    do {                                                                          \
        auto odbctx_r_ = (expr);                                                  \
        INFO((odbctx_r_ ? std::string("ok") : odbctx_r_.error().to_string()));    \
        REQUIRE(odbctx_r_.has_value());                                           \
    } while (0)

namespace inventory::test {

inline long long count(const std::string &table, const std::string &where = "")
{
    return odbctx::current()
        .query_int("SELECT COUNT(*) FROM " + table + (where.empty() ? "" : " WHERE " + where))
        .value();
}

inline long long stock_of(const std::string &sku)
{
    return odbctx::current().query_int("SELECT stock FROM products WHERE sku = '" + sku + "'").value();
}

} // namespace inventory::test

#endif
