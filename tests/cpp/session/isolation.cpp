// Every run of a test case (each SECTION path, each GENERATE value) gets its
// own test transaction from the Catch2 integration. Each test here checks
// the state it starts from, so the file proves isolation in any order
// (--order rand) and with any subset of tests selected.
// In every test file, not only in main.cpp: it brings Catch2 and makes
// REQUIRE print odbctx errors, and must not register a second listener
// (each run would then begin its test twice and every test fail).
#include <odbctx/catch2.hpp>

#include "helpers.hpp"

TEST_CASE("isolation: a test's rows are gone in every other test, first of two", "[isolation]")
{
    REQUIRE(t::count("cpp_item") == 0);
    t::add_item("bolt", 3);
    t::add_item("nut", 5);
    REQUIRE(t::count("cpp_item") == 2);
}

TEST_CASE("isolation: a test's rows are gone in every other test, second of two", "[isolation]")
{
    REQUIRE(t::count("cpp_item") == 0);
    t::add_item("washer", 7);
    REQUIRE(t::count("cpp_item") == 1);
}

TEST_CASE("isolation: app commits are visible in the test and gone after it", "[isolation]")
{
    auto &s = odbctx::current();
    REQUIRE(t::count("cpp_item") == 0);
    t::add_item("gear", 1);
    REQUIRE(s.commit());
    t::add_item("axle", 2);
    REQUIRE(s.commit());
    REQUIRE(t::count("cpp_item") == 2);
}

TEST_CASE("isolation: each SECTION path runs in a transaction of its own", "[isolation][sections]")
{
    // Runs once per leaf section; the row added here must be there exactly
    // once in every run, never accumulated from the runs before.
    REQUIRE(t::count("cpp_item") == 0);
    t::add_item("shared", 1);
    REQUIRE(t::count("cpp_item", "name = 'shared'") == 1);

    SECTION("a inserts its row and sees only its own")
    {
        t::add_item("a", 1);
        REQUIRE(t::count("cpp_item", "name = 'a'") == 1);
        REQUIRE(t::count("cpp_item", "name = 'b'") == 0);
        REQUIRE(t::count("cpp_item") == 2);
    }
    SECTION("b inserts its row and sees only its own")
    {
        t::add_item("b", 1);
        REQUIRE(t::count("cpp_item", "name = 'a'") == 0);
        REQUIRE(t::count("cpp_item", "name = 'b'") == 1);
        REQUIRE(t::count("cpp_item") == 2);
    }
    SECTION("c nests sections")
    {
        t::add_item("c", 1);
        SECTION("c1")
        {
            t::add_item("c1", 1);
            REQUIRE(t::count("cpp_item", "name LIKE 'c%'") == 2);
            REQUIRE(t::count("cpp_item") == 3);
        }
        SECTION("c2 does not see c1")
        {
            REQUIRE(t::count("cpp_item", "name = 'c1'") == 0);
            t::add_item("c2", 1);
            REQUIRE(t::count("cpp_item") == 3);
        }
    }
}

TEST_CASE("isolation: each GENERATE value is a run of its own", "[isolation][generate]")
{
    const int qty = GENERATE(1, 2, 3);
    REQUIRE(t::count("cpp_item") == 0);
    t::add_item("generated", qty);
    REQUIRE(t::count("cpp_item", "qty = " + std::to_string(qty)) == 1);
    REQUIRE(t::count("cpp_item") == 1);
}

TEST_CASE("isolation: suite-wide rows from the setup survive any test's changes", "[isolation][suite]")
{
    REQUIRE(t::count("cpp_currency") == 3);
    SECTION("deleting them")
    {
        t::exec("DELETE FROM cpp_currency");
        REQUIRE(odbctx::current().commit());
        REQUIRE(t::count("cpp_currency") == 0);
    }
    SECTION("changing one")
    {
        t::exec("UPDATE cpp_currency SET code = 'XXX' WHERE code = 'NOK'");
        REQUIRE(t::count("cpp_currency", "code = 'NOK'") == 0);
    }
    SECTION("still all there in a later run")
    {
        REQUIRE(t::count("cpp_currency", "code IN ('EUR', 'NOK', 'USD')") == 3);
    }
}

TEST_CASE("isolation: every run of the suite uses the one suite session", "[isolation]")
{
    static const odbctx::session *first = nullptr;
    SECTION("one run") {}
    SECTION("another run") {}
    if (!first)
        first = &odbctx::current();
    REQUIRE(&odbctx::current() == first);
    REQUIRE(odbctx::current().in_test());
}
