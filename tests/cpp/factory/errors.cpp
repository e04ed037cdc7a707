// Bad input fails at the first point that can tell, with a message naming
// the type and the field (and the row of a batch), and nothing inserted.
// A type without table<T> fails to compile: tests/cpp/factory/compile.test.sh.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "model.hpp"

#include <optional>
#include <string>

using Catch::Contains;
using fx::user;
using odbctx::set;

namespace bad {

// Mapped to the right table with a misspelt column.
struct misspelt {
    long long id = 0;
    std::string name;
};
// Mapped to a table that does not exist.
struct ghost {
    long long id = 0;
    std::string name;
};
// fx_strict.name is NOT NULL; secret (NOT NULL, no default) is not mapped.
struct strict {
    long long id = 0;
    std::optional<std::string> name;
};
struct price {
    long long id = 0;
    double price = 0;
    long long tiny = 0;
};

} // namespace bad

template <>
struct odbctx::table<bad::misspelt> : odbctx::mapping<bad::misspelt> {
    static constexpr auto name = "fx_users";
    static constexpr auto columns = std::tuple{key(&bad::misspelt::id, "id"), col(&bad::misspelt::name, "nmae")};
};
template <>
struct odbctx::table<bad::ghost> : odbctx::mapping<bad::ghost> {
    static constexpr auto name = "fx_no_such_table";
    static constexpr auto columns = std::tuple{key(&bad::ghost::id, "id"), col(&bad::ghost::name, "name")};
};
template <>
struct odbctx::table<bad::strict> : odbctx::mapping<bad::strict> {
    static constexpr auto name = "fx_strict";
    static constexpr auto columns = std::tuple{key(&bad::strict::id, "id"), col(&bad::strict::name, "name")};
};
template <>
struct odbctx::table<bad::price> : odbctx::mapping<bad::price> {
    static constexpr auto name = "fx_prices";
    static constexpr auto columns =
        std::tuple{key(&bad::price::id, "id"), col(&bad::price::price, "price"), col(&bad::price::tiny, "tiny")};
};

namespace {

// The error create throws, checked to be an odbctx::error_exception.
template <class F>
odbctx::error failure(F &&f)
{
    try {
        f();
    } catch (const odbctx::error_exception &e) {
        return e.error();
    }
    FAIL("no odbctx::error_exception");
    return {};
}

} // namespace

TEST_CASE("errors: a column the table does not have", "[factory][errors]")
{
    const auto e = failure([] { odbctx::factory<bad::misspelt>{}.with(&bad::misspelt::name, "x").create(); });
    INFO(e.to_string());
    CHECK(e.code == ODBCTX_EARG);
    CHECK(e.sqlstate == "42S22");
    CHECK_THAT(e.message, Contains("factory<bad::misspelt>") && Contains("field \"nmae\"") &&
                              Contains("\"fx_users\" has no column \"nmae\"") && Contains("login"));
    REQUIRE(fx::count("fx_users") == 0);
}

TEST_CASE("errors: a table that does not exist", "[factory][errors]")
{
    const auto e = failure([] { odbctx::factory<bad::ghost>{}.create(); });
    INFO(e.to_string());
    CHECK(e.code == ODBCTX_EARG);
    CHECK(e.sqlstate == "42S02");
    CHECK_THAT(e.message, Contains("factory<bad::ghost>") && Contains("\"fx_no_such_table\""));
}

TEST_CASE("errors: a string longer than its column", "[factory][errors]")
{
    const auto e = failure([] { fx::users.create(set(&user::name, std::string(41, 'x'))); });
    INFO(e.to_string());
    CHECK(e.code == ODBCTX_EARG);
    CHECK(e.sqlstate == "22001");
    CHECK_THAT(e.message, Contains("factory<fx::user>") && Contains("field \"name\" (fx_users.name)") &&
                              Contains("41 characters") && Contains("(40)"));
    // Characters, not bytes: 40 two-byte characters fit.
    std::string wide;
    for (int i = 0; i < 40; ++i)
        wide += "é";
    CHECK_NOTHROW(fx::users.create(set(&user::name, wide)));
    REQUIRE(fx::count("fx_users") == 1);
}

TEST_CASE("errors: a number out of its column's range", "[factory][errors]")
{
    auto e = failure([] { fx::users.create(set(&user::age, 40000)); });
    INFO(e.to_string());
    CHECK(e.code == ODBCTX_EARG);
    CHECK(e.sqlstate == "22003");
    CHECK_THAT(e.message, Contains("factory<fx::user>") && Contains("field \"age\"") && Contains("40000"));
    CHECK_NOTHROW(fx::users.create(set(&user::age, -32768)));

    const auto prices = odbctx::factory<bad::price>{}.with(&bad::price::price, 999.99);
    CHECK_NOTHROW(prices.create());
    e = failure([&] { prices.create(set(&bad::price::price, 1000.0)); });
    INFO(e.to_string());
    CHECK(e.sqlstate == "22003");
    CHECK_THAT(e.message, Contains("factory<bad::price>") && Contains("field \"price\""));
    // 999.995 rounds to 1000.00 at scale 2.
    CHECK_THROWS_WITH(prices.create(set(&bad::price::price, 999.996)), Contains("out of range"));
    CHECK_THROWS_WITH(prices.create(set(&bad::price::tiny, 1LL << 40)), Contains("field \"tiny\""));
    REQUIRE(fx::count("fx_prices") == 1);
}

TEST_CASE("errors: NULL into a NOT NULL column, before anything is sent", "[factory][errors]")
{
    const auto e = failure([] { odbctx::factory<bad::strict>{}.create(); });
    INFO(e.to_string());
    CHECK(e.code == ODBCTX_EARG);
    CHECK(e.sqlstate == "23000");
    CHECK_THAT(e.message, Contains("factory<bad::strict>") && Contains("field \"name\"") && Contains("NOT NULL"));
}

TEST_CASE("errors: a NOT NULL column the mapping leaves out", "[factory][errors]")
{
    const auto e = failure([] { odbctx::factory<bad::strict>{}.with(&bad::strict::name, "n").create(); });
    INFO(e.to_string());
    CHECK(e.code == ODBCTX_ESQL);
    CHECK_THAT(e.message, Contains("factory<bad::strict>") && Contains("fx_strict.secret") &&
                              Contains("does not map it"));
    REQUIRE(fx::count("fx_strict") == 0);
}

TEST_CASE("errors: the bad row of a batch is named and nothing is inserted", "[factory][errors][batch]")
{
    const auto f = fx::users.with(&user::name, odbctx::sequence([](long long n) {
        return n == 2 ? std::string(50, 'y') : std::string("ok");
    }));
    const auto e = failure([&] { f.create_batch(5); });
    INFO(e.to_string());
    CHECK(e.sqlstate == "22001");
    CHECK_THAT(e.message, Contains("field \"name\"") && Contains("row 3 of 5"));
    REQUIRE(fx::count("fx_users") == 0);
}

TEST_CASE("errors: an unknown trait names the traits there are", "[factory][errors]")
{
    const auto e = failure([] { fx::users.create("admn"); });
    CHECK(e.code == ODBCTX_EARG);
    CHECK_THAT(e.message, Contains("factory<fx::user>") && Contains("no trait \"admn\"") &&
                              Contains("admin, inactive"));
    REQUIRE(fx::count("fx_users") == 0);
}

TEST_CASE("errors: create without a session says so", "[factory][errors]")
{
    odbctx::scoped_session none(odbctx::no_session);
    const auto e = failure([] { fx::users.create(); });
    CHECK(e.code == ODBCTX_ESTATE);
    // build needs no session.
    CHECK_NOTHROW(fx::users.build());
}

TEST_CASE("errors: a refusal only the database can see is renamed with the field", "[factory][errors]")
{
    // TEXT holds 65,535 bytes on MariaDB, which odbctx does not check before
    // sending (byte limits of long types); PostgreSQL and SQLite take it.
    const std::string big(70000, 'b');
    if (fx::configured_dialect() == fx::dialect::mariadb) {
        const auto e = failure([&] { fx::posts.create(set(&fx::post::body, big)); });
        INFO(e.to_string());
        CHECK(e.code == ODBCTX_ESQL);
        CHECK(e.sqlstate == "22001");
        CHECK_THAT(e.message, Contains("factory<fx::post>") && Contains("field \"body\" (fx_posts.body)"));
        REQUIRE(fx::count("fx_posts") == 0);
    } else {
        const auto p = fx::posts.create(set(&fx::post::body, big));
        REQUIRE(fx::count("fx_posts", "id = " + std::to_string(p.id)) == 1);
    }
}
