// Isolation breaches: something ends the suite transaction behind odbctx's
// back. odbctx_end_test must notice it (cheaply, after every test), report
// ODBCTX_EBREACH with a message that names the statement from the trace
// where there is one, and leave the session ready for a clean next test.
//
// Each cause runs on every database where it can happen; where it cannot,
// the test shows that it does not (the DDL is rolled back, the procedure's
// COMMIT is refused).
#include <catch2/catch.hpp>

#include "rel.hpp"
#include "skip.hpp"

#include <string>

namespace {

const char *const schema = "CREATE TABLE relbreach (id INTEGER PRIMARY KEY, v VARCHAR(20))";

// A database a raw connection can look at from outside; for SQLite a file
// (the embedded default's file is private to the session).
struct fixture {
    rel::temp_dir dir;
    std::string conn;
    rel::session s;
    fixture(const std::string &extra_schema = "")
    {
        conn = rel::on_sqlite() ? rel::sqlite_file_connection(dir.path + "/breach_test.db")
                                : rel::connect_string();
        s.open(conn);
        INFO(s.message());
        REQUIRE(s.s);
        std::string script = std::string(schema) + ";\n" + extra_schema;
        INFO(s.message());
        REQUIRE(odbctx_schema_script(s, script.c_str(), "breach schema") == 0);
    }
    std::string message() const { return odbctx_last_error(s)->message; }

    // The next test sees the schema, empty, and works; the database seen
    // from outside holds nothing of the breached test.
    void check_recovered(const std::string &breached_row_note)
    {
        INFO(message());
        REQUIRE(odbctx_in_test(s) == 0);
        REQUIRE(odbctx_begin_test(s) == 0);
        CHECK(s.count("relbreach") == 0);
        REQUIRE(odbctx_exec(s, "INSERT INTO relbreach (id, v) VALUES (2, 'next')") == 0);
        CHECK(s.count("relbreach") == 1);
        REQUIRE(odbctx_commit(s) == 0);
        REQUIRE(odbctx_end_test(s) == 0);
        CHECK(s.count("relbreach") == 0);

        rel::raw_connection raw(conn);
        INFO(raw.error);
        REQUIRE(raw.ok());
        if (rel::on_mariadb()) {
            // The schema lives outside the transaction there: it was made
            // anew, without the row the breach committed.
            CHECK(raw.query_int("SELECT COUNT(*) FROM relbreach WHERE v = '" + breached_row_note +
                                "'") == 0);
        } else {
            CHECK(raw.query_int(rel::count_tables_sql("relbreach%")) == 0);
        }
    }
};

void insert_then(fixture &f, const std::string &note)
{
    INFO(f.message());
    REQUIRE(odbctx_begin_test(f.s) == 0);
    REQUIRE(odbctx_exec(f.s, ("INSERT INTO relbreach (id, v) VALUES (1, '" + note + "')").c_str()) == 0);
}

bool contains(const std::string &text, const std::string &what)
{
    return text.find(what) != std::string::npos;
}

} // namespace

TEST_CASE("breach: DDL inside a test (implicit commit on MariaDB)", "[breach]")
{
    fixture f;
    insert_then(f, "ddl");
    int rc = odbctx_exec(f.s, "CREATE TABLE relbreach_ddl (id INTEGER)");
    std::string at_exec = f.message();
    int end = odbctx_end_test(f.s);
    std::string msg = f.message();
    INFO("exec: " << odbctx_strerror(rc) << ": " << at_exec);
    INFO("end_test: " << odbctx_strerror(end) << ": " << msg);
    rel::raw_connection raw(f.conn);
    if (rel::on_mariadb()) {
        // Refused before it ran, or run and reported as the breach, at once
        // or by odbctx_end_test; either way naming the statement.
        CHECK((rc != 0 || end != 0));
        if (rc == ODBCTX_EREFUSED)
            CHECK(end == 0);
        else
            CHECK(end == ODBCTX_EBREACH);
        CHECK(contains(at_exec + msg, "CREATE TABLE relbreach_ddl"));
        raw.exec("DROP TABLE relbreach_ddl");
    } else {
        // Transactional DDL: nothing breaches, the table goes with the test.
        CHECK(rc == 0);
        CHECK(end == 0);
        CHECK(raw.query_int(rel::count_tables_sql("relbreach_ddl")) == 0);
    }
    f.check_recovered("ddl");
}

TEST_CASE("breach: COMMIT through libodbc's own SQLExecDirect, past capture", "[breach]")
{
    // Code that resolves ODBC with dlopen/dlsym (plugin loaders, language
    // runtimes) calls libodbc directly; odbctx's interposed entry points
    // never see it.
    fixture f;
    REQUIRE(odbctx_capture_start(f.s, nullptr) == 0);
    insert_then(f, "dlsym");
    std::string err = rel::real_exec(odbctx_hdbc(f.s), "COMMIT");
    INFO("the raw COMMIT: " << (err.empty() ? "ok" : err));
    REQUIRE(err.empty());
    int end = odbctx_end_test(f.s);
    std::string msg = f.message();
    INFO("end_test: " << odbctx_strerror(end) << ": " << msg);
    CHECK(end == ODBCTX_EBREACH);
    // Nothing in the trace ended it, and the message says so.
    CHECK(contains(msg, "breach"));
    CHECK(contains(msg, "no statement in the trace"));
    REQUIRE(odbctx_capture_stop(f.s) == 0);
    f.check_recovered("dlsym");
}

TEST_CASE("breach: SQLEndTran(COMMIT) through libodbc's own entry point", "[breach]")
{
    fixture f;
    insert_then(f, "endtran");
    SQLRETURN rc = rel::real().EndTran(SQL_HANDLE_DBC, odbctx_hdbc(f.s), SQL_COMMIT);
    REQUIRE(SQL_SUCCEEDED(rc));
    int end = odbctx_end_test(f.s);
    std::string msg = f.message();
    INFO("end_test: " << odbctx_strerror(end) << ": " << msg);
    CHECK(end == ODBCTX_EBREACH);
    CHECK(contains(msg, "breach"));
    f.check_recovered("endtran");
}

TEST_CASE("breach: a stored procedure that commits (MariaDB); refused on PostgreSQL", "[breach]")
{
    if (rel::on_sqlite())
        ODBCTX_SKIP("SQLite has no stored procedures");
    const std::string procedure =
        rel::on_mariadb()
            ? "CREATE PROCEDURE relbreach_p() BEGIN UPDATE relbreach SET v = 'proc'; COMMIT; END"
            : "CREATE PROCEDURE relbreach_p() LANGUAGE plpgsql AS $$ BEGIN UPDATE relbreach SET "
              "v = 'proc'; COMMIT; END $$";
    fixture f(procedure);
    insert_then(f, "procedure");
    int rc = odbctx_exec(f.s, "CALL relbreach_p()");
    std::string at_exec = f.message();
    int end = odbctx_end_test(f.s);
    std::string msg = f.message();
    INFO("CALL: " << odbctx_strerror(rc) << ": " << at_exec);
    INFO("end_test: " << odbctx_strerror(end) << ": " << msg);
    if (rel::on_mariadb()) {
        // The procedure's body is read before the CALL runs: it commits, so
        // the breach is reported at the CALL, naming it.
        CHECK(rc == ODBCTX_EBREACH);
        CHECK(contains(at_exec, "CALL relbreach_p()"));
        CHECK(contains(at_exec, "procedure"));
        CHECK(end == ODBCTX_EBREACH);
        CHECK(contains(msg, "CALL relbreach_p()"));
        f.check_recovered("proc");
    } else {
        // PostgreSQL refuses COMMIT in a procedure called inside a
        // transaction block ("invalid transaction termination").
        CHECK(rc != 0);
        CHECK(contains(at_exec, "2D000"));
        CHECK(end == 0);
        f.check_recovered("proc");
    }
}

TEST_CASE("breach: the session's connection reconnected behind odbctx's back", "[breach]")
{
    if (rel::on_sqlite())
        ODBCTX_SKIP("the SQLite driver refuses to disconnect inside a transaction (25000)");
    fixture f;
    insert_then(f, "reconnect");
    SQLHDBC dbc = odbctx_hdbc(f.s);
    REQUIRE(SQL_SUCCEEDED(rel::real().EndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK)));
    REQUIRE(SQL_SUCCEEDED(rel::real().Disconnect(dbc)));
    REQUIRE(SQL_SUCCEEDED(rel::real().DriverConnect(dbc, nullptr, (SQLCHAR *)f.conn.c_str(), SQL_NTS,
                                                    nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT)));
    int end = odbctx_end_test(f.s);
    std::string msg = f.message();
    INFO("end_test: " << odbctx_strerror(end) << ": " << msg);
    CHECK(end == ODBCTX_EBREACH);
    f.check_recovered("reconnect");
}

TEST_CASE("breach: connection options that reconnect silently are refused at open", "[breach]")
{
    if (!rel::on_mariadb())
        ODBCTX_SKIP("auto-reconnect is a MariaDB Connector/ODBC option");
    for (const char *opt : {";AUTO_RECONNECT=1", ";OPTION=4194304"}) {
        rel::session s(rel::connect_string() + opt);
        INFO(opt << ": " << s.message());
        CHECK(s.s == nullptr);
        CHECK(s.err.code == ODBCTX_EREFUSED);
        CHECK(contains(s.err.message, "reconnect"));
    }
}

TEST_CASE("a test that ends the outer transaction through odbctx_exec fails loudly", "[breach]")
{
    fixture f;
    insert_then(f, "text");
    bool breached = false;
    for (const char *sql : {"COMMIT", "ROLLBACK", "BEGIN"}) {
        int rc = odbctx_exec(f.s, sql);
        INFO(sql << " -> " << odbctx_strerror(rc) << ": " << f.message());
        // Turned into an app-level restart (0), refused before it ran, or
        // reported at once as the breach it is; never silently passed on.
        CHECK((rc == 0 || rc == ODBCTX_EREFUSED || rc == ODBCTX_ESTATE || rc == ODBCTX_EBREACH));
        if (rc == ODBCTX_EBREACH) {
            if (!breached)
                CHECK(contains(f.message(), sql));
            breached = true;
        }
    }
    int end = odbctx_end_test(f.s);
    INFO("end_test: " << f.message());
    CHECK(end == (breached ? ODBCTX_EBREACH : 0));
    f.check_recovered("text");
}

TEST_CASE("breach: the suite transaction ended between tests, past odbctx", "[breach]")
{
    if (rel::on_sqlite())
        ODBCTX_SKIP("SQLite releases the test savepoint at each test's end: nothing is kept between tests");
    fixture f;
    REQUIRE(odbctx_exec(f.s, "INSERT INTO relbreach (id, v) VALUES (5, 'suite row')") == 0);
    insert_then(f, "between");
    REQUIRE(odbctx_end_test(f.s) == 0);
    // Between tests the emptied test savepoint is kept for the next test;
    // a COMMIT sent through libodbc itself takes it and the suite
    // transaction with it, and commits the suite's row.
    std::string err = rel::real_exec(odbctx_hdbc(f.s), "COMMIT");
    INFO(err);
    REQUIRE(err.empty());
    int rc = odbctx_exec(f.s, "INSERT INTO relbreach (id, v) VALUES (6, 'after')");
    std::string msg = f.message();
    INFO(odbctx_strerror(rc) << ": " << msg);
    CHECK(rc == ODBCTX_EBREACH);
    CHECK(contains(msg, "RELEASE SAVEPOINT odbctx_t"));
    CHECK(contains(msg, "began it anew"));
    // The next test runs on a new suite transaction.
    REQUIRE(odbctx_begin_test(f.s) == 0);
    REQUIRE(odbctx_exec(f.s, "INSERT INTO relbreach (id, v) VALUES (7, 'next')") == 0);
    REQUIRE(odbctx_end_test(f.s) == 0);
    CHECK(f.s.count("relbreach", "id = 7") == 0);
    // What the COMMIT made permanent is cleaned up with the rest.
    REQUIRE(odbctx_exec(f.s, "DELETE FROM relbreach") == 0);
}
