// The factories' INSERTs are in the session's trace (ODBCTX_TRACE=1 and the
// failure report show it), with the values of their first row.
#include <catch2/catch.hpp>

#include <odbctx/factory.hpp>

#include "helpers.hpp"
#include "model.hpp"

using Catch::Matchers::Contains;
using fx::user;
using odbctx::set;

TEST_CASE("trace: a create() is there with its values", "[factory][trace]")
{
    fx::users.create(set(&user::name, std::string("Ada")), set(&user::age, 36), "admin");
    const std::string trace = odbctx::current().trace();
    INFO(trace);
    CHECK_THAT(trace, Contains("ok   [factory] INSERT INTO fx_users"));
    CHECK_THAT(trace, Contains("'Ada'") && Contains(", 36,") && Contains("true"));
}

TEST_CASE("trace: a batch shows its first row and its size", "[factory][trace]")
{
    fx::users.create_batch(3, set(&user::name, std::string("Bea")));
    const std::string trace = odbctx::current().trace();
    INFO(trace);
    CHECK_THAT(trace, Contains("[factory] INSERT INTO fx_users") && Contains("'Bea'") &&
                          Contains("(3 rows, the first shown)"));
}

TEST_CASE("trace: a refused INSERT is there as a failure", "[factory][trace]")
{
    fx::users.create(set(&user::login, std::string("twice")));
    REQUIRE_THROWS(fx::users.create(set(&user::login, std::string("twice"))));
    const std::string trace = odbctx::current().trace();
    INFO(trace);
    CHECK_THAT(trace, Contains("FAIL [factory] INSERT INTO fx_users") && Contains("'twice'"));
    // NULL shows as NULL, not as a value.
    fx::users.create("inactive");
    CHECK_THAT(odbctx::current().trace(), Contains("NULL"));
}

TEST_CASE("trace: a loop of the same INSERT makes one line with a count", "[factory][trace]")
{
    for (int i = 0; i < 3; i++)
        fx::users.create(set(&user::name, "Loop" + std::to_string(i)));
    odbctx::current().exec("SELECT 1").value();
    fx::users.create(set(&user::name, std::string("After")));
    const std::string trace = odbctx::current().trace();
    INFO(trace);
    // The first row's values, then the count; another statement in between
    // starts a new line.
    CHECK_THAT(trace, Contains("'Loop0'") && Contains("(and 2 more like it)") &&
                          !Contains("'Loop1'") && Contains("'After'"));
}
