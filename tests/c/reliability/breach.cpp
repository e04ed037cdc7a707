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

TEST_CASE("breach: DDL inside a test stays inside it (on MariaDB as a temporary table)",
          "[breach]")
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
    // Transactional DDL, or MariaDB's contained as a temporary table of the
    // test: nothing breaches, the table goes with the test.
    CHECK(rc == 0);
    CHECK(end == 0);
    CHECK(raw.query_int(rel::count_tables_sql("relbreach_ddl")) == 0);
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

// ---- breaches of a suite session's own transaction ----

namespace {

// The cases below break the suite transaction of a session opened the way
// a suite opens one (ODBCTX_CONNECT, the embedded default when unset) and
// look at it through the C API alone.

#define REQUIRE_OK(s, expr) \
    do { \
        int rc_ = (expr); \
        INFO(#expr << " -> " << odbctx_strerror(rc_) << ": " << message(s)); \
        REQUIRE(rc_ == ODBCTX_OK); \
    } while (0)

std::string message(odbctx_session *s)
{
    return odbctx_last_error(s)->message;
}

// A session of the case's own, closed at the end of the scope even when a
// REQUIRE fails on the way.
struct own : rel::session {
    own()
    {
        open(rel::connect_string());
        INFO(rel::session::message());
        REQUIRE(s);
    }
};

void exec(odbctx_session *s, const std::string &sql)
{
    REQUIRE_OK(s, odbctx_exec(s, sql.c_str()));
}

long long count(odbctx_session *s, const std::string &table, const std::string &where = "")
{
    std::string sql = "SELECT COUNT(*) FROM " + table + (where.empty() ? "" : " WHERE " + where);
    long long n = -1;
    REQUIRE_OK(s, odbctx_query_int(s, sql.c_str(), &n));
    return n;
}

// Begins a test and ends it when the scope ends.
struct test_scope {
    odbctx_session *s;
    bool ended = false;
    explicit test_scope(odbctx_session *session) : s(session) { REQUIRE_OK(s, odbctx_begin_test(s)); }
    ~test_scope()
    {
        if (!ended)
            odbctx_end_test(s);
    }
    test_scope(const test_scope &) = delete;
    test_scope &operator=(const test_scope &) = delete;
    int end()
    {
        ended = true;
        return odbctx_end_test(s);
    }
};

// sql on the session's connection through libodbc's own SQLExecDirect,
// past anything odbctx intercepts; true when the driver ran it.
bool raw_exec(odbctx_session *s, const char *sql)
{
    std::string err = rel::real_exec(odbctx_hdbc(s), sql);
    UNSCOPED_INFO(sql << ": " << (err.empty() ? "ok" : err));
    return err.empty();
}

const char *const breach_schema = R"sql(
CREATE TABLE core_breach (id INTEGER PRIMARY KEY, note VARCHAR(40));
INSERT INTO core_breach (id, note) VALUES (1, 'schema seed');
)sql";

// Gives s the breach schema and one suite-level row (id 2).
void setup_breach(odbctx_session *s)
{
    REQUIRE_OK(s, odbctx_schema_script(s, breach_schema, "breach schema"));
    exec(s, "INSERT INTO core_breach (id, note) VALUES (2, 'suite data')");
}

// After odbctx_close, a fresh session must not see the table.
void require_no_leftovers()
{
    own fresh;
    long long n = -1;
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_breach", &n) == ODBCTX_ESQL);
    fresh.close();
}

// The session works normally again: the schema and the suite's data are
// back, the breaching test's rows are not, and levels work.
void require_recovered(odbctx_session *s)
{
    test_scope t(s);
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
    own s;
    setup_breach(s);
    {
        test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'before the commit')");
        REQUIRE(raw_exec(s, "COMMIT"));
        exec(s, "INSERT INTO core_breach (id, note) VALUES (11, 'after the commit')");
        int rc = t.end();
        CHECK(rc == ODBCTX_EBREACH);
        std::string msg = message(s);
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
    own s;
    setup_breach(s);
    {
        test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'before the commit')");
        CHECK(odbctx_exec(s, "COMMIT") == ODBCTX_EBREACH);
        std::string msg = message(s);
        INFO(msg);
        CHECK(msg.find("isolation breach: \"COMMIT\" ended the suite transaction") == 0);
        // Everything but odbctx_end_test now says the test is lost.
        CHECK(odbctx_exec(s, "INSERT INTO core_breach (id, note) VALUES (11, 'x')") ==
              ODBCTX_EBREACH);
        CHECK(message(s).find("lost earlier in this test") != std::string::npos);
        CHECK(odbctx_commit(s) == ODBCTX_EBREACH);
        CHECK(t.end() == ODBCTX_EBREACH);
        CHECK(message(s).find("\"COMMIT\" ended the suite transaction") != std::string::npos);
    }
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("a ROLLBACK that slips past odbctx is a breach and the suite setup comes back",
          "[breach]")
{
    own s;
    setup_breach(s);
    {
        test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'rolled back')");
        REQUIRE(raw_exec(s, "ROLLBACK"));
        CHECK(t.end() == ODBCTX_EBREACH);
    }
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("after a breach every level operation says so until end_test recovers", "[breach]")
{
    own s;
    setup_breach(s);
    {
        test_scope t(s);
        REQUIRE(odbctx_commit(s) == ODBCTX_OK);
        REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
        REQUIRE(raw_exec(s, "COMMIT"));
        // Releasing or rolling back to a savepoint that the COMMIT took away
        // shows the breach at once.
        int rc = odbctx_nested_rollback(s);
        CHECK(rc == ODBCTX_EBREACH);
        CHECK(message(s).find("isolation breach") != std::string::npos);
        CHECK(odbctx_rollback(s) == ODBCTX_EBREACH);
        CHECK(message(s).find("odbctx_end_test") != std::string::npos);
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
    own s;
    setup_breach(s);
    {
        test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'before')");
        int rc = odbctx_exec(s, "INSRT INTO core_breach VALUES (11)");
        if (rel::on_postgresql()) {
            CHECK(rc == ODBCTX_EBREACH);
            INFO(message(s));
            CHECK(message(s).find("psqlODBC rolls back the whole transaction") !=
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
        test_scope t(s);
        CHECK(odbctx_exec_script(s,
                                 "INSERT INTO core_breach (id, note) VALUES (12, 'script');\n"
                                 "INSRT INTO core_breach VALUES (13);\n",
                                 "syntax.sql") == ODBCTX_ESQL);
        CHECK(message(s).find("syntax.sql:2: INSRT INTO core_breach VALUES (13): ") == 0);
        CHECK(count(s, "core_breach", "id = 12") == 1);
        REQUIRE(t.end() == ODBCTX_OK);
    }
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("a COMMIT at suite level is reported at once and the suite is rebuilt", "[breach]")
{
    own s;
    setup_breach(s);
    CHECK(odbctx_exec(s, "COMMIT") == ODBCTX_EBREACH);
    INFO(message(s));
    CHECK(message(s).find("\"COMMIT\" ended the suite transaction") != std::string::npos);
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("MariaDB: DDL in a test that odbctx cannot contain is refused; DDL it does not see "
          "is a breach",
          "[breach]")
{
    if (!rel::on_mariadb())
        ODBCTX_SKIP("implicit commits are MariaDB/MySQL behaviour");
    own s;
    setup_breach(s);
    {
        test_scope t(s);
        exec(s, "INSERT INTO core_breach (id, note) VALUES (10, 'would be committed by the DDL')");
        CHECK(odbctx_exec(s, "ALTER TABLE core_breach ADD COLUMN x INT") == ODBCTX_EREFUSED);
        INFO(message(s));
        CHECK(message(s).find("ALTER TABLE core_breach ADD COLUMN x INT: on MariaDB") !=
              std::string::npos);
        CHECK(message(s).find("Nothing was run") != std::string::npos);
        CHECK(count(s, "core_breach", "id = 10") == 1);
        CHECK(t.end() == ODBCTX_OK);
    }
    {
        // Through a path odbctx does not see, end_test still finds it.
        test_scope t(s);
        REQUIRE(raw_exec(s, "CREATE TABLE core_breach_ddl (id INTEGER)"));
        REQUIRE(raw_exec(s, "DROP TABLE core_breach_ddl"));
        CHECK(t.end() == ODBCTX_EBREACH);
    }
    require_recovered(s);
    s.close();
    require_no_leftovers();
}

TEST_CASE("MariaDB: DDL outside a test takes the schema path, not a breach", "[breach][schema]")
{
    if (!rel::on_mariadb())
        ODBCTX_SKIP("transactional DDL elsewhere");
    own s;
    setup_breach(s);
    exec(s, "CREATE TABLE core_breach_extra (id INTEGER PRIMARY KEY)");
    {
        test_scope t(s);
        // The suite-level row inserted before the DDL is still there.
        CHECK(count(s, "core_breach", "id = 2") == 1);
        exec(s, "INSERT INTO core_breach_extra (id) VALUES (1)");
        REQUIRE(t.end() == ODBCTX_OK);
    }
    s.close();
    own fresh;
    long long n = -1;
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_breach_extra", &n) == ODBCTX_ESQL);
    fresh.close();
}
