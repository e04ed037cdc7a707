// "Would production have lost this?": the writes a test's code never
// committed, which production would have rolled back when its connection
// closed (odbctx_uncommitted, ODBCTX_UNCOMMITTED). Legacy code on captured
// connections, the session's own calls, and the setup commit, on every
// database.
#include <catch2/catch.hpp>

#include <sqlext.h>

#include <cstdlib>
#include <string>

#include "capture.hpp"

using namespace cap;
using Catch::Matchers::Contains;

namespace {

std::string uncommitted()
{
    return odbctx_uncommitted(session());
}

struct env_var {
    env_var(const char *name, const char *value) : name_(name) { setenv(name, value, 1); }
    ~env_var() { unsetenv(name_); }
    const char *name_;
};

std::string insert_entry(int account, int amount)
{
    return "INSERT INTO " + table("entry") + " (account, amount) VALUES (" +
           std::to_string(account) + ", " + std::to_string(amount) + ")";
}

} // namespace

TEST_CASE("uncommitted: legacy code that commits each way leaves nothing to report")
{
    test_run run;
    legacy app(via_dsn());
    REQUIRE(ledger_add_account(app.l, 1, "ann") == LEDGER_OK);    // SQLEndTran
    REQUIRE(ledger_post(app.l, 1, 10) == LEDGER_OK);              // prepared, SQLEndTran
    REQUIRE(ledger_post_autocommit(app.l, 1, 20) == LEDGER_OK);   // autocommit on
    const int amounts[] = {1, 2, 3};
    REQUIRE(ledger_post_batch(app.l, 1, amounts, 3) == LEDGER_OK); // "COMMIT" as text
    REQUIRE(ledger_post_explicit(app.l, 1, 5, "BEGIN") == LEDGER_OK);
    run.finish();
    CHECK(uncommitted() == "");
}

TEST_CASE("uncommitted: a write legacy code never committed is reported with its statement")
{
    test_run run;
    legacy app(via_dsn());
    REQUIRE(ledger_add_account(app.l, 1, "ann") == LEDGER_OK);
    REQUIRE(ledger_exec(app.l, insert_entry(1, 77).c_str()) == LEDGER_OK);
    // Inside the test it looks committed: the test sees the row.
    CHECK(count("entry") == 1);
    run.finish();
    const std::string u = uncommitted();
    CHECK_THAT(u, Contains("[captured] " + insert_entry(1, 77)));
    // The account was committed by the module: not listed.
    CHECK_THAT(u, !Contains("'ann'"));
}

TEST_CASE("uncommitted: code that never commits in the test is taken as the test's setup")
{
    // odbctx cannot tell setup from the code under test on one connection:
    // without any commit or rollback in the test, nothing is listed.
    test_run run;
    legacy app(via_dsn());
    REQUIRE(ledger_exec(app.l, ("INSERT INTO " + table("account") + " (id, owner) VALUES (1, 'ann')")
                                   .c_str()) == LEDGER_OK);
    REQUIRE(ledger_exec(app.l, insert_entry(1, 5).c_str()) == LEDGER_OK);
    run.finish();
    CHECK(uncommitted() == "");
}

TEST_CASE("uncommitted: UPDATE, DELETE and prepared statements count; reads do not")
{
    test_run run;
    legacy app(via_dsn());
    REQUIRE(ledger_add_account(app.l, 1, "ann") == LEDGER_OK);
    REQUIRE(ledger_add_account(app.l, 2, "bob") == LEDGER_OK);
    const std::string update = "UPDATE " + table("account") + " SET owner = 'anna' WHERE id = 1";
    const std::string del = "DELETE FROM " + table("account") + " WHERE id = 2";
    REQUIRE(ledger_exec(app.l, update.c_str()) == LEDGER_OK);
    REQUIRE(ledger_exec(app.l, del.c_str()) == LEDGER_OK);
    {
        stmt st(ledger_dbc(app.l));
        const std::string sql = "INSERT INTO " + table("entry") + " (account, amount) VALUES (?, ?)";
        SQLINTEGER a = 1, m = 5;
        ok(SQLPrepare(st.h, (SQLCHAR *)sql.c_str(), SQL_NTS), st.error());
        ok(SQLBindParameter(st.h, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &a, 0, NULL));
        ok(SQLBindParameter(st.h, 2, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &m, 0, NULL));
        ok(SQLExecute(st.h), st.error());
    }
    exec_ok(ledger_dbc(app.l), "SELECT COUNT(*) FROM " + table("account"));
    run.finish();
    const std::string u = uncommitted();
    CHECK_THAT(u, Contains(update));
    CHECK_THAT(u, Contains(del));
    CHECK_THAT(u, Contains("INSERT INTO " + table("entry") + " (account, amount) VALUES (?, ?)"));
    CHECK_THAT(u, !Contains("SELECT"));
}

TEST_CASE("uncommitted: work the code rolled back is not reported, work after it is")
{
    test_run run;
    legacy app(via_dsn());
    REQUIRE(ledger_add_account(app.l, 1, "ann") == LEDGER_OK);
    REQUIRE(ledger_exec(app.l, insert_entry(1, 11).c_str()) == LEDGER_OK);
    ok(SQLEndTran(SQL_HANDLE_DBC, ledger_dbc(app.l), SQL_ROLLBACK));
    CHECK(count("entry") == 0);
    REQUIRE(ledger_exec(app.l, insert_entry(1, 12).c_str()) == LEDGER_OK);
    run.finish();
    const std::string u = uncommitted();
    CHECK_THAT(u, !Contains(insert_entry(1, 11)));
    CHECK_THAT(u, Contains(insert_entry(1, 12)));
}

TEST_CASE("uncommitted: the session's own writes count when the test's code commits")
{
    const std::string account = "INSERT INTO " + table("account") + " (id, owner) VALUES (1, 'ann')";
    SECTION("without a commit in the test they are its setup")
    {
        test_run run;
        exec(account);
        exec(insert_entry(1, 1));
        run.finish();
        CHECK(uncommitted() == "");
    }
    SECTION("after the code's last commit they are pending")
    {
        test_run run;
        exec(account);
        REQUIRE(odbctx_commit(session()) == 0);
        exec(insert_entry(1, 2));
        run.finish();
        const std::string u = uncommitted();
        CHECK_THAT(u, Contains("[test] " + insert_entry(1, 2)));
        CHECK_THAT(u, !Contains("'ann'"));
    }
    SECTION("a setup commit (the factories') does not make them the code's")
    {
        test_run run;
        exec(account);
        REQUIRE(odbctx_commit_setup(session()) == 0);
        exec(insert_entry(1, 3));
        run.finish();
        CHECK(uncommitted() == "");
    }
    SECTION("a rollback by the code makes them pending too")
    {
        test_run run;
        exec(account);
        REQUIRE(odbctx_rollback(session()) == 0);
        exec(account);
        run.finish();
        CHECK_THAT(uncommitted(), Contains("[test] " + account));
    }
}

TEST_CASE("uncommitted: ODBCTX_UNCOMMITTED=fail fails the test's end and still discards it")
{
    env_var mode("ODBCTX_UNCOMMITTED", "fail");
    {
        test_run run;
        legacy app(via_dsn());
        REQUIRE(ledger_add_account(app.l, 1, "ann") == LEDGER_OK);
        for (int i = 0; i < 3; i++)
            REQUIRE(ledger_exec(app.l, insert_entry(1, 100 + i).c_str()) == LEDGER_OK);
        const int rc = odbctx_end_test(session());
        CHECK(rc == ODBCTX_EUNCOMMITTED);
        const std::string msg = odbctx_last_error(session())->message;
        CHECK_THAT(msg, Contains("3 writes of this test were never committed"));
        CHECK_THAT(msg, Contains(insert_entry(1, 100)));
        CHECK_THAT(uncommitted(), Contains(insert_entry(1, 102)));
        // Discarded as always: nothing of it anywhere.
        CHECK(count("entry") == 0);
        CHECK(fresh_count("entry") == 0);
        CHECK(fresh_count("account") == 0);
    }
    // The next test starts clean and, committing, passes.
    test_run run;
    legacy app(via_dsn());
    REQUIRE(ledger_add_account(app.l, 1, "ann") == LEDGER_OK);
    run.finish();
    CHECK(uncommitted() == "");
}

TEST_CASE("uncommitted: ODBCTX_UNCOMMITTED=0 turns the check off; a bad value is refused by name")
{
    {
        env_var mode("ODBCTX_UNCOMMITTED", "0");
        test_run run;
        legacy app(via_dsn());
        REQUIRE(ledger_add_account(app.l, 1, "ann") == LEDGER_OK);
        REQUIRE(ledger_exec(app.l, insert_entry(1, 1).c_str()) == LEDGER_OK);
        run.finish();
        CHECK(uncommitted() == "");
    }
    env_var mode("ODBCTX_UNCOMMITTED", "maybe");
    CHECK(odbctx_begin_test(session()) == ODBCTX_EARG);
    CHECK_THAT(std::string(odbctx_last_error(session())->message),
               Contains("ODBCTX_UNCOMMITTED=maybe") && Contains("report") && Contains("fail"));
    CHECK(odbctx_in_test(session()) == 0);
}

TEST_CASE("uncommitted: what a savepoint rollback undid is not reported")
{
    SECTION("the application's own savepoint")
    {
        test_run run;
        legacy app(via_dsn());
        REQUIRE(ledger_add_account(app.l, 1, "ann") == LEDGER_OK);
        REQUIRE(ledger_exec(app.l, "SAVEPOINT app_sp") == LEDGER_OK);
        REQUIRE(ledger_exec(app.l, insert_entry(1, 21).c_str()) == LEDGER_OK);
        REQUIRE(ledger_exec(app.l, "ROLLBACK TO SAVEPOINT app_sp") == LEDGER_OK);
        CHECK(count("entry") == 0);
        REQUIRE(ledger_exec(app.l, insert_entry(1, 22).c_str()) == LEDGER_OK);
        run.finish();
        const std::string u = uncommitted();
        CHECK_THAT(u, !Contains(insert_entry(1, 21)));
        CHECK_THAT(u, Contains(insert_entry(1, 22)));
    }
    SECTION("a nested level of the session")
    {
        test_run run;
        exec("INSERT INTO " + table("account") + " (id, owner) VALUES (1, 'ann')");
        REQUIRE(odbctx_commit(session()) == 0);
        REQUIRE(odbctx_nested_begin(session()) == 0);
        exec(insert_entry(1, 31));
        REQUIRE(odbctx_nested_rollback(session()) == 0);
        REQUIRE(odbctx_nested_begin(session()) == 0);
        exec(insert_entry(1, 32));
        REQUIRE(odbctx_nested_commit(session()) == 0);
        run.finish();
        const std::string u = uncommitted();
        CHECK_THAT(u, !Contains(insert_entry(1, 31)));
        CHECK_THAT(u, Contains(insert_entry(1, 32)));
    }
}
