// The doctest integration (include/odbctx/doctest.hpp): every test case, and
// every SUBCASE path, runs in its own odbctx test transaction. doctest runs
// test cases in file order by default, which the "next test sees nothing"
// checks rely on. The test suite "deliberate" is skipped unless run.test.sh
// asks for it: its tests fail on purpose.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <odbctx/doctest.hpp>

#include <dlfcn.h>
#include <sql.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <string>

namespace {

const bool schema = [] {
    odbctx::suite::add_schema_script("CREATE TABLE dt_item (name VARCHAR(40) NOT NULL);\n"
                                     "CREATE TABLE dt_note (text VARCHAR(80) NOT NULL);\n",
                                     "doctest schema");
    odbctx::suite::add_setup([](odbctx::session &s) {
        s.exec("INSERT INTO dt_note (text) VALUES ('suite row')").value();
    });
    return true;
}();

long long count(const char *table)
{
    return odbctx::current().query_int(std::string("SELECT COUNT(*) FROM ") + table).value();
}

void add(const std::string &name)
{
    odbctx::current().exec("INSERT INTO dt_item (name) VALUES ('" + name + "')").value();
}

} // namespace

TEST_CASE("a test writes and commits rows")
{
    CHECK(count("dt_item") == 0);
    add("one");
    REQUIRE(odbctx::current().commit());
    add("two");
    CHECK(count("dt_item") == 2);
}

TEST_CASE("the next test sees none of them, and the suite's row")
{
    CHECK(count("dt_item") == 0);
    CHECK(count("dt_note") == 1);
}

TEST_CASE("every subcase path runs in a transaction of its own")
{
    // The part before the subcases runs once per path, each time anew.
    CHECK(count("dt_item") == 0);
    add("before");
    SUBCASE("first")
    {
        add("first");
        CHECK(count("dt_item") == 2);
    }
    SUBCASE("second")
    {
        CHECK(count("dt_item") == 1); // nothing of "first"
        SUBCASE("a") { add("a"); CHECK(count("dt_item") == 2); }
        SUBCASE("b") { CHECK(count("dt_item") == 1); }
    }
}

TEST_CASE("each subcase path draws its own fake data")
{
    static std::set<unsigned long long> before, inside;
    CHECK(before.insert(odbctx::fake::next_u64()).second);
    SUBCASE("x") { CHECK(inside.insert(odbctx::fake::next_u64()).second); }
    SUBCASE("y") { CHECK(inside.insert(odbctx::fake::next_u64()).second); }
}

TEST_CASE("a failed comparison shows the value (checked on the deliberate run)" * doctest::test_suite("deliberate") *
          doctest::skip())
{
    add("leak-cmp");
    CHECK(odbctx::current().query_int("SELECT COUNT(*) FROM dt_item") == 42);
}

TEST_CASE("deliberate: fails after writing and committing" * doctest::test_suite("deliberate") * doctest::skip())
{
    add("leak-1");
    REQUIRE(odbctx::current().commit());
    FAIL_CHECK("fails on purpose");
}

TEST_CASE("deliberate: throws after writing" * doctest::test_suite("deliberate") * doctest::skip())
{
    add("leak-2");
    throw std::runtime_error("thrown on purpose");
}

TEST_CASE("deliberate: fails in one subcase" * doctest::test_suite("deliberate") * doctest::skip())
{
    SUBCASE("passes") { add("fine"); }
    SUBCASE("fails")
    {
        add("leak-3");
        CHECK(count("dt_item") == 0); // fails on purpose
    }
}

TEST_CASE("deliberate: then all is clean" * doctest::test_suite("deliberate") * doctest::skip())
{
    CHECK(count("dt_item") == 0);
    CHECK(count("dt_note") == 1);
}

// Commits the suite transaction through libodbc's own SQLEndTran, past
// odbctx: the run passes, odbctx finds the breach when it ends, and the
// program must fail.
TEST_CASE("breach: a commit past odbctx" * doctest::test_suite("breach") * doctest::skip())
{
    add("breach");
    void *odbc = dlopen("libodbc.so.2", RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(bool(odbc));
    auto end_tran = reinterpret_cast<SQLRETURN (*)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT)>(dlsym(odbc, "SQLEndTran"));
    REQUIRE(bool(end_tran));
    CHECK(SQL_SUCCEEDED(end_tran(SQL_HANDLE_DBC, odbctx::current().hdbc(), SQL_COMMIT)));
    dlclose(odbc);
}

// Passes, but writes after its commit: a note by default, a failed program
// with ODBCTX_UNCOMMITTED=fail.
TEST_CASE("uncommitted: writes after its commit" * doctest::test_suite("uncommitted") * doctest::skip())
{
    add("committed");
    REQUIRE(odbctx::current().commit());
    add("never-committed");
}

// Run by run.test.sh with a connection that cannot open: the body must
// never run (it would write uncaptured), which the marker file shows.
TEST_CASE("fail closed: this body never runs without a session" * doctest::test_suite("fail_closed") *
          doctest::skip())
{
    if (const char *marker = std::getenv("ODBCTX_TEST_MARKER"))
        std::fclose(std::fopen(marker, "w"));
}
