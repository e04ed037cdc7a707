// Mapped rows read back into T (odbctx/rows.hpp): find, rows, one_or_none,
// count, through odbctx::current(), on every database.
#include <catch2/catch.hpp>

#include <odbctx/rows.hpp>

#include "helpers.hpp"
#include "model.hpp"

#include <string>

using Catch::Matchers::Contains;
using fx::user;
using odbctx::set;

namespace fxr {
// fx_users with email as a plain string: a NULL email cannot go in it.
struct strict_user {
    long long id = 0;
    std::string email;
};
} // namespace fxr

template <> struct odbctx::table<fxr::strict_user> : odbctx::mapping<fxr::strict_user> {
    static constexpr auto name = "fx_users";
    static constexpr auto columns =
        std::tuple{key(&fxr::strict_user::id, "id"), col(&fxr::strict_user::email, "email")};
};

TEST_CASE("rows: find<T> by key gives the row as created", "[factory][rows]")
{
    const user u = fx::users.create(set(&user::name, std::string("Ada")), set(&user::age, 36), "admin");
    const auto back = odbctx::find<user>(u.id);
    REQUIRE(back.has_value());
    CHECK(back->id == u.id);
    CHECK(back->name == "Ada");
    CHECK(back->login == u.login);
    CHECK(back->email == u.email);
    CHECK(back->age == 36);
    CHECK(back->admin);
    CHECK(back->active);
    CHECK_FALSE(odbctx::find<user>(u.id + 1000).has_value());
}

TEST_CASE("rows: a condition with values, in the order asked", "[factory][rows]")
{
    fx::users.create(set(&user::name, std::string("Bo")), set(&user::age, 20));
    fx::users.create(set(&user::name, std::string("Cy")), set(&user::age, 40));
    fx::users.create(set(&user::name, std::string("Di")), set(&user::age, 60), "inactive");
    const auto older = odbctx::rows<user>("age > ? ORDER BY age DESC", 30);
    REQUIRE(older.size() == 2);
    CHECK(older[0].name == "Di");
    CHECK_FALSE(older[0].active);
    CHECK_FALSE(older[0].email.has_value()); // NULL comes back as an empty optional
    CHECK(older[1].name == "Cy");
    CHECK(odbctx::rows<user>().size() == 3);
    CHECK(odbctx::count<user>() == 3);
    CHECK(odbctx::count<user>("age < ? OR name = ?", 30, "Cy") == 2);
    // A value is never read as SQL.
    CHECK(odbctx::rows<user>("name = ?", "x' OR '1' = '1").empty());
}

TEST_CASE("rows: one_or_none, the seed recipe's lookup", "[factory][rows]")
{
    fx::users.create(set(&user::name, std::string("foobar")));
    const auto one = odbctx::one_or_none<user>("name = ?", "foobar");
    REQUIRE(one.has_value());
    CHECK(one->name == "foobar");
    CHECK_FALSE(odbctx::one_or_none<user>("name = ?", "nobody").has_value());
    fx::users.create(set(&user::name, std::string("foobar")));
    REQUIRE_THROWS_WITH(odbctx::one_or_none<user>("name = ?", "foobar"),
                        Contains("2 rows of fx_users") && Contains("not one or none"));
}

TEST_CASE("rows: what does not fit its member is an error naming the column", "[factory][rows]")
{
    fx::users.create("inactive"); // email NULL
    REQUIRE_THROWS_WITH(odbctx::rows<fxr::strict_user>(),
                        Contains("fx_users.email") &&
                            Contains("NULL into a member that is not std::optional"));
    // A statement the database refuses.
    REQUIRE_THROWS_WITH(odbctx::rows<user>("no_such_column = ?", 1), Contains("no_such_column"));
    // The session works on, and the reads are in the trace with their values.
    CHECK(odbctx::count<user>() == 1);
    CHECK_THAT(odbctx::current().trace(), Contains("FROM fx_users WHERE no_such_column = ? [1]"));
}
