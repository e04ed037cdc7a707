// A failing test's rows kept as a script that puts them back
// (odbctx_keep_rows): written by legacy code and by the test, in tables
// with a foreign key between them, read inside the test without changing
// it, and replayed into a later test, on every database.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "../../support/files.hpp"
#include "capture.hpp"

using namespace cap;
using Catch::Matchers::Contains;

namespace {

using support::read_file;

std::string kept_path()
{
    return support::tmp_sql_path("odbctx-keep-rows");
}

// Owners that SQL quoting must survive: a quote, a backslash, a non-ASCII
// letter.
const char *const owner_a = "O'Brien";
const char *const owner_b = "back\\slash and caf\xc3\xa9";

long long owners_named(const char *owner)
{
    long long n = -1;
    const std::string sql = "SELECT COUNT(*) FROM " + table("account") + " WHERE owner = ?";
    odbctx_param p = odbctx_param_text(owner, SQL_NTS);
    INFO(why());
    REQUIRE(odbctx_query_int_params(session(), sql.c_str(), &p, 1, &n) == 0);
    return n;
}

} // namespace

TEST_CASE("keep_rows: the rows a test wrote come back from the script, in foreign-key order")
{
    const std::string path = kept_path();
    {
        test_run run;
        legacy app(via_dsn());
        REQUIRE(ledger_add_account(app.l, 1, "ann") == LEDGER_OK);
        REQUIRE(ledger_post(app.l, 1, 10) == LEDGER_OK);
        REQUIRE(ledger_post(app.l, 1, -3) == LEDGER_OK);
        exec("INSERT INTO " + table("account") + " (id, owner) VALUES (2, 'x')");
        exec("INSERT INTO " + table("account") + " (id, owner) VALUES (3, 'y')");
        odbctx_param p[2];
        long long id = 2;
        p[0] = odbctx_param_text(owner_a, SQL_NTS);
        p[1] = odbctx_param_int(&id);
        const std::string upd = "UPDATE " + table("account") + " SET owner = ? WHERE id = ?";
        REQUIRE(odbctx_exec_params(session(), upd.c_str(), p, 2) == 0);
        long long id3 = 3;
        p[0] = odbctx_param_text(owner_b, SQL_NTS);
        p[1] = odbctx_param_int(&id3);
        REQUIRE(odbctx_exec_params(session(), upd.c_str(), p, 2) == 0);

        INFO(why());
        REQUIRE(odbctx_keep_rows(session(), path.c_str(), "test: keep_rows\nODBCTX_SEED=42") == 0);
        // Reading changed nothing: the test goes on with its rows.
        CHECK(count("account") == 3);
        CHECK(count("entry") == 2);
        run.finish();
    }
    const std::string kept = read_file(path);
    CHECK_THAT(kept, Contains("-- test: keep_rows\n-- ODBCTX_SEED=42\n"));
    // The entries refer to the accounts: emptied first, filled after.
    const auto del_entry = kept.find("DELETE FROM " + table("entry") + ";");
    const auto del_account = kept.find("DELETE FROM " + table("account") + ";");
    const auto ins_account = kept.find("INSERT INTO " + table("account"));
    const auto ins_entry = kept.find("INSERT INTO " + table("entry"));
    REQUIRE(del_entry != std::string::npos);
    REQUIRE(ins_entry != std::string::npos);
    CHECK(del_entry < del_account);
    CHECK(del_account < ins_account);
    CHECK(ins_account < ins_entry);

    // Replayed in a later test: the same rows, values intact.
    {
        test_run run;
        INFO(why());
        REQUIRE(odbctx_exec_file(session(), path.c_str()) == 0);
        CHECK(count("account") == 3);
        CHECK(count("entry") == 2);
        CHECK(count("entry", "amount = -3") == 1);
        CHECK(owners_named("ann") == 1);
        CHECK(owners_named(owner_a) == 1);
        CHECK(owners_named(owner_b) == 1);
        run.finish();
    }
    if (!std::getenv("KEEP_ROWS_DEBUG"))
        std::remove(path.c_str());
}

TEST_CASE("keep_rows: a test that wrote nothing keeps an empty script; wrong uses are refused")
{
    const std::string path = kept_path();
    {
        test_run run;
        CHECK(count("account") == 0);
        REQUIRE(odbctx_keep_rows(session(), path.c_str(), nullptr) == 0);
        CHECK_THAT(read_file(path), Contains("-- The test wrote to no table."));
        CHECK(odbctx_keep_rows(session(), "/nonexistent-dir/x.sql", nullptr) == ODBCTX_EIO);
        CHECK_THAT(why(), Contains("/nonexistent-dir/x.sql"));
        CHECK(odbctx_keep_rows(session(), "", nullptr) == ODBCTX_EARG);
        run.finish();
    }
    CHECK(odbctx_keep_rows(session(), path.c_str(), nullptr) == ODBCTX_ESTATE);
    CHECK_THAT(why(), Contains("before odbctx_end_test"));
    std::remove(path.c_str());
}
