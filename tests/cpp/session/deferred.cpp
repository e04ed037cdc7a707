// PostgreSQL's deferred constraints are checked at each app-level commit,
// as production's COMMIT checks them (extras/deferred.c); elsewhere an app
// commit checks nothing more than before.
#include <odbctx/catch2.hpp>

#include "helpers.hpp"
#include "skip.hpp"

#include <cstdlib>
#include <string>

using Catch::Matchers::Contains;

namespace {

bool on_postgresql()
{
    return odbctx::current().dbms() == "PostgreSQL";
}

// A parent and a child whose foreign key is checked at commit. Created in
// the test: PostgreSQL's DDL is rolled back with it.
void deferred_tables()
{
    t::exec("CREATE TABLE cpp_def_parent (id INTEGER PRIMARY KEY)");
    t::exec("CREATE TABLE cpp_def_child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
            "REFERENCES cpp_def_parent (id) DEFERRABLE INITIALLY DEFERRED)");
}

struct env_var {
    env_var(const char *name, const char *value) : name_(name) { setenv(name, value, 1); }
    ~env_var() { unsetenv(name_); }
    const char *name_;
};

} // namespace

TEST_CASE("deferred: a violation fails the app commit and rolls back to the last one", "[deferred]")
{
    if (!on_postgresql())
        ODBCTX_SKIP("deferred constraints are PostgreSQL's");
    deferred_tables();
    auto &s = odbctx::current();
    t::exec("INSERT INTO cpp_def_parent (id) VALUES (1)");
    REQUIRE(s.commit());
    // The insert passes: the check waits for the commit.
    REQUIRE(s.exec("INSERT INTO cpp_def_child (id, parent_id) VALUES (10, 99)"));
    auto r = s.commit();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ODBCTX_ESQL);
    CHECK(std::string(r.error().sqlstate) == "23503");
    CHECK_THAT(r.error().message, Contains("deferred constraint") && Contains("rolled back"));
    // What was committed before stays; what the failed commit would have kept is gone.
    CHECK(t::count("cpp_def_parent") == 1);
    CHECK(t::count("cpp_def_child") == 0);
}

TEST_CASE("deferred: rows that satisfy the constraint by commit time commit, the mode stays deferred",
          "[deferred]")
{
    if (!on_postgresql())
        ODBCTX_SKIP("deferred constraints are PostgreSQL's");
    deferred_tables();
    auto &s = odbctx::current();
    // Child first, parent later: fine at commit time.
    REQUIRE(s.exec("INSERT INTO cpp_def_child (id, parent_id) VALUES (10, 1)"));
    REQUIRE(s.exec("INSERT INTO cpp_def_parent (id) VALUES (1)"));
    REQUIRE(s.commit());
    // Still deferred after the check: an orphan goes in, the next commit fails.
    REQUIRE(s.exec("INSERT INTO cpp_def_child (id, parent_id) VALUES (11, 2)"));
    REQUIRE_FALSE(s.commit());
    CHECK(t::count("cpp_def_child") == 1);
    // A rollback and a new commit work on.
    REQUIRE(s.rollback());
    REQUIRE(s.exec("INSERT INTO cpp_def_parent (id) VALUES (2)"));
    REQUIRE(s.commit());
    CHECK(t::count("cpp_def_parent") == 2);
}

TEST_CASE("deferred: ODBCTX_CHECK_DEFERRED=0 leaves the check to the suite's end", "[deferred]")
{
    if (!on_postgresql())
        ODBCTX_SKIP("deferred constraints are PostgreSQL's");
    deferred_tables();
    env_var off("ODBCTX_CHECK_DEFERRED", "0");
    auto &s = odbctx::current();
    REQUIRE(s.exec("INSERT INTO cpp_def_child (id, parent_id) VALUES (10, 99)"));
    REQUIRE(s.commit());
    CHECK(t::count("cpp_def_child") == 1);
}

TEST_CASE("deferred: app commits elsewhere, and without deferrable constraints, as before",
          "[deferred]")
{
    auto &s = odbctx::current();
    t::exec("INSERT INTO cpp_item (name, qty) VALUES ('x', 1)");
    REQUIRE(s.commit());
    REQUIRE(s.rollback());
    CHECK(t::count("cpp_item", "name = 'x'") == 1);
    // No check is sent where there is nothing to check.
    CHECK_THAT(s.trace(), !Contains("SET CONSTRAINTS"));
}
