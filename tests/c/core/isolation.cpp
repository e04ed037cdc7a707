// The transaction stack: tests, app commits and rollbacks, nested levels.
#include "core.hpp"
#include "skip.hpp"

#include <sql.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using core::count;
using core::exec;
using core::suite;

namespace {

void add_item(odbctx_session *s, int id, const std::string &name)
{
    exec(s, "INSERT INTO core_item (id, name, qty) VALUES (" + std::to_string(id) + ", '" + name +
                "', 1)");
}

} // namespace

TEST_CASE("a test's writes are gone when the next test starts", "[isolation]")
{
    odbctx_session *s = suite();
    {
        core::test_scope t;
        add_item(s, 100, "first test");
        exec(s, "UPDATE core_item SET qty = 42 WHERE id = 1");
        exec(s, "INSERT INTO core_tag (id, item_id, label) VALUES (1, 100, 'x')");
        CHECK(count(s, "core_item") == 2);
        REQUIRE(t.end() == ODBCTX_OK);
    }
    core::test_scope t;
    CHECK(count(s, "core_item", "id = 100") == 0);
    CHECK(count(s, "core_tag") == 0);
    CHECK(count(s, "core_item", "id = 1 AND qty = 1") == 1);
}

static bool wrote_in_earlier_case = false;

TEST_CASE("isolation holds across test cases: part 1 writes", "[isolation]")
{
    core::test_scope t;
    add_item(suite(), 101, "across cases");
    REQUIRE(odbctx_commit(suite()) == ODBCTX_OK);
    CHECK(count(suite(), "core_item", "id = 101") == 1);
    wrote_in_earlier_case = true;
}

TEST_CASE("isolation holds across test cases: part 2 sees nothing", "[isolation]")
{
    core::test_scope t;
    CHECK(count(suite(), "core_item", "id = 101") == 0);
    // Run alone or first, the case still checks the suite's seed row.
    INFO("part 1 ran before: " << wrote_in_earlier_case);
    CHECK(count(suite(), "core_item") == 1);
}

TEST_CASE("the suite's own data is visible in every test", "[isolation]")
{
    core::test_scope t;
    CHECK(count(suite(), "core_item", "name = 'seed'") == 1);
}

TEST_CASE("work the app committed stays visible in the test and is gone after it", "[commit]")
{
    odbctx_session *s = suite();
    {
        core::test_scope t;
        add_item(s, 110, "committed once");
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        add_item(s, 111, "committed twice");
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id IN (110, 111)") == 2);
        // A rollback after the commits keeps them.
        REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id IN (110, 111)") == 2);
        REQUIRE(t.end() == ODBCTX_OK);
    }
    core::test_scope t;
    CHECK(count(s, "core_item", "id IN (110, 111)") == 0);
}

TEST_CASE("an app rollback returns to the last app commit and no further", "[rollback]")
{
    odbctx_session *s = suite();
    core::test_scope t;

    SECTION("before any commit it returns to the start of the test")
    {
        add_item(s, 120, "never committed");
        REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id = 120") == 0);
        CHECK(count(s, "core_item", "id = 1") == 1);
    }
    SECTION("after a commit it keeps the committed work")
    {
        add_item(s, 121, "committed");
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        add_item(s, 122, "rolled back");
        exec(s, "UPDATE core_item SET qty = 7 WHERE id = 121");
        REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id = 121 AND qty = 1") == 1);
        CHECK(count(s, "core_item", "id = 122") == 0);

        // And again: the app level is restarted after every rollback.
        add_item(s, 123, "rolled back too");
        REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id IN (121, 123)") == 1);

        add_item(s, 124, "committed after a rollback");
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id IN (121, 124)") == 2);
    }
}

TEST_CASE("nested levels commit into and roll back to their parent", "[nested]")
{
    odbctx_session *s = suite();
    core::test_scope t;
    CHECK(odbctx_nested_depth(s) == 0);

    add_item(s, 130, "app level");
    REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
    add_item(s, 131, "nested 1");
    REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
    CHECK(odbctx_nested_depth(s) == 2);
    add_item(s, 132, "nested 2");

    REQUIRE(odbctx_nested_rollback(s) == ODBCTX_OK);
    CHECK(odbctx_nested_depth(s) == 1);
    CHECK(count(s, "core_item", "id IN (130, 131, 132)") == 2);

    REQUIRE(odbctx_nested_commit(s) == ODBCTX_OK);
    CHECK(odbctx_nested_depth(s) == 0);
    CHECK(count(s, "core_item", "id IN (130, 131)") == 2);

    SECTION("an app rollback undoes committed nested work and closes open levels")
    {
        REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
        add_item(s, 133, "nested, open");
        REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
        CHECK(odbctx_nested_depth(s) == 0);
        CHECK(count(s, "core_item", "id BETWEEN 130 AND 133") == 0);
    }
    SECTION("an app commit commits the open nested levels into the app level")
    {
        REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
        add_item(s, 134, "nested, open");
        REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
        add_item(s, 135, "nested deeper, open");
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        CHECK(odbctx_nested_depth(s) == 0);
        REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id BETWEEN 130 AND 135") == 4);

        // Levels still work after the commit.
        REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
        add_item(s, 136, "nested after commit");
        REQUIRE(odbctx_nested_rollback(s) == ODBCTX_OK);
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        add_item(s, 137, "after second commit");
        REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id BETWEEN 130 AND 137") == 4);
    }
    SECTION("a nested rollback keeps work done before it")
    {
        REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
        exec(s, "UPDATE core_item SET qty = 99 WHERE id = 130");
        REQUIRE(odbctx_nested_rollback(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id = 130 AND qty = 1") == 1);
    }
}

TEST_CASE("nested levels left open are discarded by end_test", "[nested]")
{
    odbctx_session *s = suite();
    {
        core::test_scope t;
        add_item(s, 140, "app");
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        for (int i = 0; i < 3; i++) {
            REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
            add_item(s, 141 + i, "nested");
        }
        CHECK(odbctx_nested_depth(s) == 3);
        REQUIRE(t.end() == ODBCTX_OK);
    }
    CHECK(odbctx_nested_depth(s) == 0);
    core::test_scope t;
    CHECK(odbctx_nested_depth(s) == 0);
    CHECK(count(s, "core_item", "id BETWEEN 140 AND 143") == 0);
    // The next test's levels work from a clean start.
    REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
    add_item(s, 144, "nested in the next test");
    REQUIRE(odbctx_nested_commit(s) == ODBCTX_OK);
    CHECK(count(s, "core_item", "id = 144") == 1);
}

TEST_CASE("a failing statement does not poison the rest of the test", "[errors]")
{
    // On PostgreSQL a failed statement aborts the transaction unless the
    // driver undoes it with a savepoint of its own (psqlODBC Protocol=7.4-2).
    odbctx_session *s = suite();
    {
        core::test_scope t;
        add_item(s, 150, "before the error");
        CHECK(odbctx_exec(s, "INSERT INTO core_no_such_table VALUES (1)") == ODBCTX_ESQL);
        CHECK(odbctx_last_error(s)->sqlstate[0] != '\0');
        CHECK(core::message(s).find("core_no_such_table") != std::string::npos);
        // A constraint violation too.
        CHECK(odbctx_exec(s, "INSERT INTO core_item (id, name) VALUES (150, 'duplicate')") ==
              ODBCTX_ESQL);
        add_item(s, 151, "after the errors");
        CHECK(count(s, "core_item", "id IN (150, 151)") == 2);

        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        CHECK(odbctx_exec(s, "SELECT * FROM core_no_such_table") == ODBCTX_ESQL);
        REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
        CHECK(odbctx_exec(s, "UPDATE core_no_such_table SET x = 1") == ODBCTX_ESQL);
        REQUIRE(odbctx_nested_rollback(s) == ODBCTX_OK);
        add_item(s, 152, "still fine");
        REQUIRE(odbctx_rollback(s) == ODBCTX_OK);
        CHECK(count(s, "core_item", "id BETWEEN 150 AND 152") == 2);
        // The test ends cleanly after errors.
        REQUIRE(t.end() == ODBCTX_OK);
    }
    core::test_scope t;
    CHECK(count(s, "core_item", "id BETWEEN 150 AND 152") == 0);
}

TEST_CASE("a test that fails on its first statement still ends cleanly", "[errors]")
{
    odbctx_session *s = suite();
    {
        core::test_scope t;
        CHECK(odbctx_exec(s, "SELECT * FROM core_no_such_table") == ODBCTX_ESQL);
        add_item(s, 160, "after");
        REQUIRE(t.end() == ODBCTX_OK);
    }
    core::test_scope t;
    CHECK(count(s, "core_item", "id = 160") == 0);
}

TEST_CASE("query_int reads the first column of the first row", "[query]")
{
    odbctx_session *s = suite();
    core::test_scope t;
    long long v = -1;
    REQUIRE(odbctx_query_int(s, "SELECT qty FROM core_item WHERE id = 1", &v) == ODBCTX_OK);
    CHECK(v == 1);
    REQUIRE(odbctx_query_int(s, "SELECT NULL", &v) == ODBCTX_OK);
    CHECK(v == 0);
    REQUIRE(odbctx_query_int(s, "SELECT 9000000000", &v) == ODBCTX_OK);
    CHECK(v == 9000000000LL);
    CHECK(odbctx_query_int(s, "SELECT qty FROM core_item WHERE id = -5", &v) == ODBCTX_ESQL);
    CHECK(core::message(s).find("no row") != std::string::npos);
    CHECK(odbctx_query_int(s, "SELECT broken FROM core_no_such_table", &v) == ODBCTX_ESQL);
}

TEST_CASE("the trace lists the current test's statements with their outcome", "[trace]")
{
    odbctx_session *s = suite();
    {
        core::test_scope t;
        add_item(s, 170, "traced");
        CHECK(odbctx_exec(s, "SELECT * FROM core_trace_missing") == ODBCTX_ESQL);
        std::string trace = odbctx_trace(s);
        CHECK(trace.find("ok   [test] INSERT INTO core_item (id, name, qty) VALUES (170, 'traced', 1)") !=
              std::string::npos);
        CHECK(trace.find("FAIL [test] SELECT * FROM core_trace_missing -> ") != std::string::npos);
        REQUIRE(t.end() == ODBCTX_OK);
        // How the test ended: back to its savepoint, by odbctx.
        CHECK(std::string(odbctx_trace(s)).find("[odbctx] ROLLBACK TO SAVEPOINT odbctx_") != std::string::npos);
    }
    core::test_scope t;
    std::string trace = odbctx_trace(s);
    CHECK(trace.find("core_trace_missing") == std::string::npos);
}

namespace {

// Runs sql on the session's connection the way legacy code does: through
// the ODBC API, with a statement handle of its own, capture off.
void exec_direct(odbctx_session *s, const std::string &sql)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    REQUIRE(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, odbctx_hdbc(s), &st)));
    SQLRETURN rc = SQLExecDirect(st, reinterpret_cast<SQLCHAR *>(const_cast<char *>(sql.c_str())), SQL_NTS);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    REQUIRE(SQL_SUCCEEDED(rc));
}

void one_test(odbctx_session *s, int id)
{
    core::test_scope t;
    add_item(s, id, "in a test");
    REQUIRE(t.end() == ODBCTX_OK);
}

} // namespace

TEST_CASE("a test starts on the savepoint the last test left, without a round trip", "[isolation]")
{
    odbctx_session *s = suite();
    one_test(s, 180);
    {
        core::test_scope t;
        // Nothing of odbctx's own ran to start this test, except on SQLite,
        // which releases the test savepoint at each test's end.
        const std::string trace = odbctx_trace(s);
        if (core::is_sqlite())
            CHECK(trace.find("[odbctx] SAVEPOINT odbctx_t") != std::string::npos);
        else
            CHECK(trace.find("[odbctx]") == std::string::npos);
        add_item(s, 181, "second");
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
        add_item(s, 182, "nested");
        REQUIRE(t.end() == ODBCTX_OK);
        CHECK(odbctx_nested_depth(s) == 0);
    }
    core::test_scope t;
    CHECK(count(s, "core_item", "id >= 180 AND id <= 182") == 0);
    CHECK(count(s, "core_item") == 1);
}

TEST_CASE("suite-level writes between tests survive the tests after them", "[isolation]")
{
    odbctx_session *s = suite();
    one_test(s, 190);
    // Through odbctx, then through the ODBC API on the session's connection.
    REQUIRE(odbctx_exec(s, "INSERT INTO core_item (id, name, qty) VALUES (191, 'suite, odbctx_exec', 1)") ==
            ODBCTX_OK);
    one_test(s, 192);
    exec_direct(s, "INSERT INTO core_item (id, name, qty) VALUES (193, 'suite, SQLExecDirect', 1)");
    one_test(s, 194);
    one_test(s, 195);
    CHECK(count(s, "core_item", "id IN (191, 193)") == 2);
    CHECK(count(s, "core_item", "id IN (190, 192, 194, 195)") == 0);
    {
        core::test_scope t;
        CHECK(count(s, "core_item", "id IN (191, 193)") == 2);
        exec(s, "DELETE FROM core_item WHERE id IN (191, 193)");
        REQUIRE(t.end() == ODBCTX_OK);
    }
    CHECK(count(s, "core_item", "id IN (191, 193)") == 2);
    // Suite data stays for the rest of the suite: take it away again.
    REQUIRE(odbctx_exec(s, "DELETE FROM core_item WHERE id IN (191, 193)") == ODBCTX_OK);
    CHECK(count(s, "core_item") == 1);
}

TEST_CASE("foreign keys are enforced, the embedded SQLite default included", "[isolation]")
{
    odbctx_session *s = suite();
    if (core::is_sqlite() && !core::connect_string().empty())
        ODBCTX_SKIP("a user's SQLite connection string decides FKSupport itself");
    core::test_scope t;
    CHECK(odbctx_exec(s, "INSERT INTO core_tag (id, item_id, label) VALUES (1, 999, 'orphan')") ==
          ODBCTX_ESQL);
    exec(s, "INSERT INTO core_tag (id, item_id, label) VALUES (2, 1, 'fine')");
    CHECK(count(s, "core_tag") == 1);
}

TEST_CASE("threads sharing the session are serialised", "[threads]")
{
    odbctx_session *s = suite();
    core::test_scope t;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int k = 0; k < 4; k++)
        threads.emplace_back([s, k, &failures] {
            for (int i = 0; i < 25; i++) {
                std::string sql = "INSERT INTO core_item (id, name) VALUES (" +
                                  std::to_string(1000 + k * 100 + i) + ", 'thread')";
                if (odbctx_exec(s, sql.c_str()) != ODBCTX_OK)
                    failures++;
                if (i % 10 == 0 && odbctx_commit(s) != ODBCTX_OK)
                    failures++;
            }
        });
    for (auto &th : threads)
        th.join();
    CHECK(failures == 0);
    CHECK(count(s, "core_item", "name = 'thread'") == 100);
}
