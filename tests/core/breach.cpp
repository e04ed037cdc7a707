// Isolation breaches: the suite transaction ended behind odbctx's back. Each
// case uses a session of its own so that the suite session is never the one
// that breaks.
#include "core.hpp"
#include "skip.hpp"

#include <sql.h>

#include <string>

using core::count;
using core::exec;

namespace {

const char *const breach_schema = R"sql(
CREATE TABLE core_breach (id INTEGER PRIMARY KEY, note VARCHAR(40));
INSERT INTO core_breach (id, note) VALUES (1, 'schema seed');
)sql";

// Gives s the breach schema and one suite-level row (id 2).
void setup_breach(odbctx_session *s)
{
    CORE_REQUIRE_OK(s, odbctx_schema_script(s, breach_schema, "breach schema"));
    exec(s, "INSERT INTO core_breach (id, note) VALUES (2, 'suite data')");
}

// After odbctx_close, a fresh session must not see the table.
void require_no_leftovers()
{
    core::own fresh;
    long long n = -1;
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_breach", &n) == ODBCTX_ESQL);
    fresh.close();
}

// The session works normally again: the schema and the suite's data are
// back, the breaching test's rows are not, and levels work.
void require_recovered(odbctx_session *s)
{
    core::test_scope t(s);
    CHECK(count(s, "core_breach") == 2);
    CHECK(count(s, "core_breach", "id = 2") == 1);
    exec(s, "INSERT INTO core_breach (id, note) VALUES (20, 'next test')");
    REQUIRE(odbctx_commit(s) == ODBCTX_OK);
    exec(s, "INSERT INTO core_breach (id, note) VALUES (21, 'next test')");
    REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
    CHECK(count(s, "core_breach") == 3);
    REQUIRE(t.end() == ODBCTX_OK);
}

} // namespace

TEST_CASE("a COMMIT that slips past odbctx is found by end_test", "[breach]")
{
    core::own s;
    setup_breach(s);
    {
        core::test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'before the commit')");
        REQUIRE(SQL_SUCCEEDED(core::raw_exec(s, "COMMIT")));
        exec(s, "INSERT INTO core_breach (id, note) VALUES (11, 'after the commit')");
        int rc = t.end();
        CHECK(rc == ODBCTX_EBREACH);
        std::string msg = core::message(s);
        INFO(msg);
        CHECK(msg.find("odbctx_end_test: isolation breach") == 0);
        // odbctx never saw the COMMIT: the report says so and lists the
        // statements it did see.
        CHECK(msg.find("no statement in the trace ends a transaction") != std::string::npos);
        CHECK(msg.find("[test] INSERT INTO core_breach (id, note) VALUES (11") != std::string::npos);
        CHECK(msg.find("new suite transaction") != std::string::npos);
        CHECK(odbctx_in_test(s) == 0);
    }
    require_recovered(s);
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("a COMMIT sent through odbctx_exec in a test is a breach at once, naming it",
          "[breach]")
{
    core::own s;
    setup_breach(s);
    {
        core::test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'before the commit')");
        CHECK(odbctx_exec(s, "COMMIT") == ODBCTX_EBREACH);
        std::string msg = core::message(s);
        INFO(msg);
        CHECK(msg.find("isolation breach: \"COMMIT\" ended the suite transaction") == 0);
        // Everything but odbctx_end_test now says the test is lost.
        CHECK(odbctx_exec(s, "INSERT INTO core_breach (id, note) VALUES (11, 'x')") ==
              ODBCTX_EBREACH);
        CHECK(core::message(s).find("lost earlier in this test") != std::string::npos);
        CHECK(odbctx_commit(s) == ODBCTX_EBREACH);
        CHECK(t.end() == ODBCTX_EBREACH);
        CHECK(core::message(s).find("\"COMMIT\" ended the suite transaction") != std::string::npos);
    }
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("a ROLLBACK that slips past odbctx is a breach and the suite setup comes back",
          "[breach]")
{
    core::own s;
    setup_breach(s);
    {
        core::test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'rolled back')");
        REQUIRE(SQL_SUCCEEDED(core::raw_exec(s, "ROLLBACK")));
        CHECK(t.end() == ODBCTX_EBREACH);
    }
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("after a breach every level operation says so until end_test recovers", "[breach]")
{
    core::own s;
    setup_breach(s);
    {
        core::test_scope t(s);
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
        REQUIRE(SQL_SUCCEEDED(core::raw_exec(s, "COMMIT")));
        // Releasing or rolling back to a savepoint that the COMMIT took away
        // shows the breach at once.
        int rc = odbctx_nested_rollback(s);
        CHECK(rc == ODBCTX_EBREACH);
        CHECK(core::message(s).find("isolation breach") != std::string::npos);
        CHECK(odbctx_rollback(s) == ODBCTX_EBREACH);
        CHECK(core::message(s).find("odbctx_end_test") != std::string::npos);
        CHECK(odbctx_nested_begin(s) == ODBCTX_EBREACH);
        long long n;
        CHECK(odbctx_query_int(s, "SELECT COUNT(*) FROM core_breach", &n) == ODBCTX_EBREACH);
        CHECK(t.end() == ODBCTX_EBREACH);
    }
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("PostgreSQL: a syntax error sent directly takes the transaction, and says why",
          "[breach]")
{
    // psqlODBC sends its statement savepoint in the same query string as a
    // statement run with SQLExecDirect; when the string does not parse,
    // nothing of it runs and the driver rolls back everything. odbctx cannot
    // prevent that for direct statements; it notices at once and says so.
    // Scripts are sent prepared, where a syntax error is undone alone.
    core::own s;
    setup_breach(s);
    {
        core::test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'before')");
        int rc = odbctx_exec(s, "INSRT INTO core_breach VALUES (11)");
        if (core::is_postgresql()) {
            CHECK(rc == ODBCTX_EBREACH);
            INFO(core::message(s));
            CHECK(core::message(s).find("psqlODBC rolls back the whole transaction") !=
                  std::string::npos);
            CHECK(std::string(odbctx_last_error(s)->sqlstate) == "42601");
            CHECK(t.end() == ODBCTX_EBREACH);
        } else {
            CHECK(rc == ODBCTX_ESQL);
            CHECK(count(s, "core_breach", "id = 10") == 1);
            CHECK(t.end() == ODBCTX_OK);
        }
    }
    {
        core::test_scope t(s);
        CHECK(odbctx_exec_script(s,
                                 "INSERT INTO core_breach (id, note) VALUES (12, 'script');\n"
                                 "INSRT INTO core_breach VALUES (13);\n",
                                 "syntax.sql") == ODBCTX_ESQL);
        CHECK(core::message(s).find("syntax.sql:2: INSRT INTO core_breach VALUES (13): ") == 0);
        CHECK(count(s, "core_breach", "id = 12") == 1);
        REQUIRE(t.end() == ODBCTX_OK);
    }
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("a COMMIT at suite level is reported at once and the suite is rebuilt", "[breach]")
{
    core::own s;
    setup_breach(s);
    CHECK(odbctx_exec(s, "COMMIT") == ODBCTX_EBREACH);
    INFO(core::message(s));
    CHECK(core::message(s).find("\"COMMIT\" ended the suite transaction") != std::string::npos);
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("MariaDB: DDL in a test commits implicitly and is reported as a breach", "[breach]")
{
    if (!core::is_mariadb())
        ODBCTX_SKIP("implicit commits are MariaDB/MySQL behaviour");
    core::own s;
    setup_breach(s);
    {
        core::test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'committed by the DDL')");
        CHECK(odbctx_exec(s, "TRUNCATE TABLE core_breach") == ODBCTX_EBREACH);
        INFO(core::message(s));
        CHECK(core::message(s).find("\"TRUNCATE TABLE core_breach\" ended the suite transaction") !=
              std::string::npos);
        CHECK(t.end() == ODBCTX_EBREACH);
    }
    {
        // Through a path odbctx does not see, end_test still finds it.
        core::test_scope t(s);
        REQUIRE(SQL_SUCCEEDED(core::raw_exec(s, "CREATE TABLE core_breach_ddl (id INTEGER)")));
        REQUIRE(SQL_SUCCEEDED(core::raw_exec(s, "DROP TABLE core_breach_ddl")));
        CHECK(t.end() == ODBCTX_EBREACH);
    }
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("MariaDB: DDL outside a test takes the schema path, not a breach", "[breach][schema]")
{
    if (!core::is_mariadb())
        ODBCTX_SKIP("transactional DDL elsewhere");
    core::own s;
    setup_breach(s);
    exec(s, "CREATE TABLE core_breach_extra (id INTEGER PRIMARY KEY)");
    {
        core::test_scope t(s);
        // The suite-level row inserted before the DDL is still there.
        CHECK(count(s, "core_breach", "id = 2") == 1);
        exec(s, "INSERT INTO core_breach_extra (id) VALUES (1)");
        REQUIRE(t.end() == ODBCTX_OK);
    }
    s.close();
    core::own fresh;
    long long n = -1;
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_breach_extra", &n) == ODBCTX_ESQL);
    fresh.close();
}
