// A test binary whose only odbctx setup is the #include of
// <odbctx/catch2.hpp>: no fixture, no main, no session passed around. Every
// test checks the state it starts from, so the binary proves isolation in
// any order (--order decl, lex and rand reverse each other's pairs below).
//
// Tables: the visible tests make a TEMPORARY table on first use, which
// needs no schema and, on MariaDB, does not commit. The hidden [.schema]
// tests use the table of schema.sql, given as ODBCTX_SCHEMA by run.test.sh;
// the hidden [.deliberate] tests fail on purpose, for run.test.sh to check
// the failure report and the cleanup after it.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <odbctx/catch2.hpp>

#include <cstdio>
#include <cstdlib>

#include <set>
#include <stdexcept>
#include <string>

namespace {

void run(const std::string &sql)
{
    if (auto r = odbctx::current().exec(sql); !r)
        throw odbctx::error_exception(r.error());
}

long long count(const std::string &table, const std::string &where = "")
{
    auto r = odbctx::current().query_int("SELECT COUNT(*) FROM " + table +
                                         (where.empty() ? "" : " WHERE " + where));
    if (!r)
        throw odbctx::error_exception(r.error());
    return *r;
}

// The visible tests' table; rolled back with the test on SQLite and
// PostgreSQL, kept (empty) for the connection on MariaDB.
void temp_table()
{
    run("CREATE TEMPORARY TABLE IF NOT EXISTS c2o_temp (name VARCHAR(40) NOT NULL)");
}

void add(const std::string &table, const std::string &name)
{
    run("INSERT INTO " + table + " (name) VALUES ('" + name + "')");
}

} // namespace

TEST_CASE("z: a test writes and commits rows", "[isolation]")
{
    temp_table();
    REQUIRE(count("c2o_temp") == 0);
    add("c2o_temp", "z1");
    add("c2o_temp", "z2");
    REQUIRE(odbctx::current().commit());
    REQUIRE(count("c2o_temp") == 2);
}

TEST_CASE("a: another test sees none of them", "[isolation]")
{
    temp_table();
    REQUIRE(count("c2o_temp") == 0);
    add("c2o_temp", "a1");
    REQUIRE(count("c2o_temp") == 1);
}

TEST_CASE("m: sections of one test case do not see each other", "[isolation]")
{
    temp_table();
    REQUIRE(count("c2o_temp") == 0);
    SECTION("first")
    {
        add("c2o_temp", "first");
        REQUIRE(count("c2o_temp") == 1);
    }
    SECTION("second")
    {
        add("c2o_temp", "second");
        REQUIRE(count("c2o_temp", "name = 'first'") == 0);
        REQUIRE(count("c2o_temp") == 1);
    }
}

TEST_CASE("schema z: writes rows to the schema's table", "[.schema]")
{
    REQUIRE(count("c2o_item") == 0);
    add("c2o_item", "z");
    REQUIRE(odbctx::current().commit());
    add("c2o_item", "zz");
    REQUIRE(count("c2o_item") == 2);
}

TEST_CASE("schema a: sees none of another test's rows", "[.schema]")
{
    REQUIRE(count("c2o_item") == 0);
    add("c2o_item", "a");
    REQUIRE(count("c2o_item") == 1);
}

TEST_CASE("schema m: sections", "[.schema]")
{
    REQUIRE(count("c2o_item") == 0);
    SECTION("first") { add("c2o_item", "first"); }
    SECTION("second") { REQUIRE(count("c2o_item") == 0); }
}

// Fake data: every run of a GENERATE and every section path has its own
// stream. Three 64-bit draws per run stand for the names and titles a
// factory would make.
std::string draws()
{
    return std::to_string(odbctx::fake::next_u64()) + "-" + std::to_string(odbctx::fake::next_u64()) + "-" +
           std::to_string(odbctx::fake::next_u64());
}

TEST_CASE("fake data: each run of a GENERATE draws other values", "[fake]")
{
    static std::set<std::string> seen;
    const int run = GENERATE(1, 2, 3, 4, 5);
    INFO("run " << run);
    CHECK(seen.insert(draws()).second);
}

TEST_CASE("fake data: each section draws other values, the part before them too", "[fake]")
{
    static std::set<std::string> before, inside;
    CHECK(before.insert(draws()).second);
    SECTION("one") { CHECK(inside.insert(draws()).second); }
    SECTION("two") { CHECK(inside.insert(draws()).second); }
    SECTION("three")
    {
        SECTION("a") { CHECK(inside.insert(draws()).second); }
        SECTION("b") { CHECK(inside.insert(draws()).second); }
    }
}

// Run by run.test.sh twice with the same ODBCTX_SEED: the same lines.
TEST_CASE("fake data: print the draws of each run", "[.fake_print]")
{
    const int run = GENERATE(1, 2, 3);
    std::printf("draw: run %d before %s\n", run, draws().c_str());
    SECTION("x") { std::printf("draw: run %d x %s\n", run, draws().c_str()); }
    SECTION("y") { std::printf("draw: run %d y %s\n", run, draws().c_str()); }
}

TEST_CASE("deliberate 1: fails after writing and committing", "[.deliberate]")
{
    temp_table();
    add("c2o_temp", "leak-1");
    REQUIRE(odbctx::current().commit());
    CHECK(count("c2o_temp") == 0); // fails on purpose
    // Fails on purpose too: the report must show the value, not "ok".
    CHECK(odbctx::current().query_int("SELECT COUNT(*) FROM c2o_temp") == 42);
}

TEST_CASE("deliberate 2: throws after writing", "[.deliberate]")
{
    temp_table();
    add("c2o_temp", "leak-2");
    throw std::runtime_error("thrown on purpose");
}

TEST_CASE("deliberate 3: fails in a section with a nested level open", "[.deliberate]")
{
    temp_table();
    SECTION("inner")
    {
        odbctx::nested n;
        add("c2o_temp", "leak-3");
        REQUIRE(odbctx::current().exec("SELECT no_such_column FROM c2o_temp")); // fails on purpose
    }
}

TEST_CASE("deliberate 4: sees nothing the failed tests wrote", "[.deliberate]")
{
    temp_table();
    REQUIRE(count("c2o_temp") == 0);
    REQUIRE(odbctx::current().nested_depth() == 0);
}

// Passes, but writes once more after its code's last commit: production
// would have rolled that row back (run.test.sh: a note by default, a
// failed program with ODBCTX_UNCOMMITTED=fail).
TEST_CASE("uncommitted: the code commits, then writes once more", "[.uncommitted]")
{
    temp_table();
    add("c2o_temp", "kept-1");
    REQUIRE(odbctx::current().commit());
    add("c2o_temp", "lost-1");
    REQUIRE(count("c2o_temp") == 2);
}

// Run by run.test.sh with a connection that cannot open: the body must
// never run (it would write uncaptured), which the marker file shows.
TEST_CASE("fail closed: this body never runs without a session", "[.fail_closed]")
{
    if (const char *marker = std::getenv("ODBCTX_TEST_MARKER"))
        std::fclose(std::fopen(marker, "w"));
}
