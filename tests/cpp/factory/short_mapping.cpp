// The short mapping (ODBCTX_TABLE): declared in the struct's own namespace,
// each column spelled once, and used by factories and reads like a
// table<T> specialisation.
#include <catch2/catch.hpp>

#include <odbctx/factory.hpp>
#include <odbctx/rows.hpp>

#include "helpers.hpp"

#include <optional>
#include <string>

namespace fx_short {

// fx_users under other member types, mapped the short way.
struct account {
    long long id = 0;
    std::string name, login;
    std::optional<std::string> email;
    int age = 0;
    bool admin = false, active = true;
};
ODBCTX_TABLE(account, "fx_users", ODBCTX_KEY(id), ODBCTX_COL(name), ODBCTX_COL(login),
             ODBCTX_COL(email), ODBCTX_COL(age), ODBCTX_COL(admin), ODBCTX_COL(active));

} // namespace fx_short

using fx_short::account;

TEST_CASE("short mapping: names spelled once, the rows go in and come back", "[factory][short]")
{
    STATIC_REQUIRE(std::string_view(odbctx::table<account>::name) == "fx_users");
    STATIC_REQUIRE(std::string_view(std::get<2>(odbctx::table<account>::columns).name) == "login");
    const auto accounts = odbctx::factory<account>{}
                              .with(&account::name, std::string("Short"))
                              .with(&account::login, odbctx::sequence([](long long n) {
                                  return "short" + std::to_string(n);
                              }))
                              .with(&account::age, 41);
    const auto made = accounts.create_batch(3);
    REQUIRE(made.size() == 3);
    REQUIRE(made[0].id != 0);
    const auto back = odbctx::find<account>(made[1].id);
    REQUIRE(back.has_value());
    CHECK(back->login == made[1].login);
    CHECK(back->age == 41);
    CHECK_FALSE(back->email.has_value());
    CHECK(odbctx::count<account>("name = ?", "Short") == 3);
}
