// DDL inside a test. On MariaDB, where every CREATE, DROP or TRUNCATE of a
// table commits implicitly, a test's table DDL runs as temporary tables
// (c/extras/mariadb_ddl.c), from odbctx_exec and from captured code alike;
// what cannot be made exact is refused before it is sent. PostgreSQL and
// SQLite run DDL inside the transaction as they always did.
#include <catch2/catch.hpp>

#include <sqlext.h>

#include <string>
#include <vector>

#include "../../support/plain.hpp"
#include "../../support/skip.hpp"
#include "capture.hpp"

using namespace cap;

namespace {

// Who sends the statements: the test itself (odbctx_exec), or legacy code
// on a captured connection (SQLExecDirect, or SQLPrepare + SQLExecute).
enum class sender { test, captured, prepared };

const char *name_of(sender s)
{
    switch (s) {
    case sender::test: return "odbctx_exec";
    case sender::captured: return "captured SQLExecDirect";
    case sender::prepared: return "captured SQLPrepare + SQLExecute";
    }
    return "?";
}

struct outcome {
    bool ok = false;
    std::string state, message;
};

// Sends SQL one way and says how it went.
struct client {
    sender how;
    legacy app;
    explicit client(sender s) : how(s), app(via_dsn()) {}
    outcome run(const std::string &sql)
    {
        outcome o;
        if (how == sender::test) {
            o.ok = odbctx_exec(session(), sql.c_str()) == 0;
            if (!o.ok) {
                const odbctx_error *e = odbctx_last_error(session());
                o.state = e->sqlstate;
                o.message = e->message;
            }
            return o;
        }
        stmt st(ledger_dbc(app.l));
        SQLRETURN r;
        if (how == sender::captured) {
            r = st.exec(sql);
        } else {
            r = SQLPrepare(st.h, (SQLCHAR *)sql.c_str(), SQL_NTS);
            if (SQL_SUCCEEDED(r))
                r = SQLExecute(st.h);
        }
        o.ok = SQL_SUCCEEDED(r);
        if (!o.ok) {
            diag d = st.error();
            o.state = d.state;
            o.message = d.message;
        }
        return o;
    }
    void commit() { ok(SQLEndTran(SQL_HANDLE_DBC, ledger_dbc(app.l), SQL_COMMIT)); }
    void rollback() { ok(SQLEndTran(SQL_HANDLE_DBC, ledger_dbc(app.l), SQL_ROLLBACK)); }
};

// Rows of t as the session sees them; -1 when the table is not there.
long long rows(const std::string &t)
{
    long long n = -1;
    if (odbctx_query_int(session(), ("SELECT COUNT(*) FROM " + t).c_str(), &n) != 0)
        return -1;
    return n;
}

// Whether any client of the database finds a table of that name.
long long tables_named(const std::string &t)
{
    return support::plain_connection(conn()).query_int(
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
        "TABLE_NAME = '" + t + "'");
}

bool refused_naming(const outcome &o, const std::string &sql)
{
    return !o.ok && o.state == "25000" && o.message.find(sql.substr(0, 40)) != std::string::npos &&
           o.message.find("Nothing was run") != std::string::npos;
}

// Tables made for real around a case: the schema's, as far as a test knows.
struct real_tables {
    std::vector<std::string> names;
    void make(const std::string &name, const std::string &ddl)
    {
        support::plain_connection p(conn());
        p.exec("DROP TABLE IF EXISTS " + name);
        REQUIRE(p.exec(ddl));
        names.push_back(name);
    }
    ~real_tables()
    {
        support::plain_connection p(conn());
        for (auto it = names.rbegin(); it != names.rend(); ++it)
            p.exec("DROP TABLE IF EXISTS " + *it);
    }
};

} // namespace

TEST_CASE("MariaDB: CREATE and DROP TABLE in a test make and drop a table of the test's own",
          "[ddl]")
{
    if (!is_mariadb())
        ODBCTX_SKIP("DDL is transactional on PostgreSQL and SQLite");
    const std::string t1 = table("ddl_t1"), t2 = table("ddl_t2"), t3 = table("ddl_t3");
    for (sender how : {sender::test, sender::captured, sender::prepared}) {
        DYNAMIC_SECTION(name_of(how))
        {
            test_run t;
            {
                client c(how);
                INFO(name_of(how));
                outcome o = c.run("CREATE TABLE " + t1 + " (id INT PRIMARY KEY, name VARCHAR(20))");
                INFO(o.state << " " << o.message);
                REQUIRE(o.ok);
                CHECK(c.run("INSERT INTO " + t1 + " VALUES (1, 'a'), (2, 'b')").ok);
                CHECK(c.run("CREATE TABLE IF NOT EXISTS " + t1 + " (id INT)").ok);
                o = c.run("CREATE TABLE " + t1 + " (id INT)");
                CHECK(!o.ok);
                CHECK(o.state == "42S01");
                CHECK(c.run("CREATE TABLE " + t2 + " LIKE " + t1).ok);
                CHECK(c.run("CREATE TABLE " + t3 + " AS SELECT * FROM " + t1).ok);
                // Every connection of the session sees them: the test's own too.
                CHECK(rows(t1) == 2);
                CHECK(rows(t2) == 0);
                CHECK(rows(t3) == 2);
                // Nobody else does, and nothing was committed.
                CHECK(tables_named(t1) == 0);
                CHECK(c.run("DROP TABLE " + t2 + ", " + t3).ok);
                CHECK(rows(t2) == -1);
                CHECK(c.run("DROP TABLE IF EXISTS " + t2).ok);
                o = c.run("DROP TABLE " + t2);
                CHECK(!o.ok);
                CHECK(o.state == "42S02");
                CHECK(c.run("CREATE OR REPLACE TABLE " + t2 + " (id INT)").ok);
                CHECK(rows(t2) == 0);
            }
            t.finish();
            // The next test starts without them.
            test_run next;
            CHECK(rows(t1) == -1);
            CHECK(rows(t2) == -1);
            next.finish();
            CHECK(tables_named(t1) == 0);
            CHECK(tables_named(t2) == 0);
        }
    }
}

TEST_CASE("MariaDB: a table the test made is the test's wherever it was made", "[ddl]")
{
    if (!is_mariadb())
        ODBCTX_SKIP("DDL is transactional on PostgreSQL and SQLite");
    const std::string t1 = table("ddl_seen");
    test_run t;
    {
        client app(sender::captured);
        exec("CREATE TABLE " + t1 + " (id INT)");
        CHECK(app.run("INSERT INTO " + t1 + " VALUES (1)").ok);
        app.commit();
        CHECK(rows(t1) == 1);
        CHECK(app.run("DROP TABLE " + t1).ok);
        CHECK(rows(t1) == -1);
    }
    t.finish();
}

TEST_CASE("MariaDB: DDL prepared in a test and executed after it is refused, not skipped",
          "[ddl]")
{
    if (!is_mariadb())
        ODBCTX_SKIP("DDL is transactional on PostgreSQL and SQLite");
    const std::string t1 = table("ddl_late");
    legacy app(via_dsn());
    stmt st(ledger_dbc(app.l));
    {
        test_run t;
        std::string sql = "CREATE TABLE " + t1 + " (id INT)";
        ok(SQLPrepare(st.h, (SQLCHAR *)sql.c_str(), SQL_NTS), st.error());
        t.finish();
    }
    // No test runs: the implicit commit cannot become an app-level one.
    CHECK(SQLExecute(st.h) == SQL_ERROR);
    diag d = st.error();
    INFO(d.state << " " << d.message);
    CHECK(d.state == "25000");
    CHECK(d.message.find("outside a test") != std::string::npos);
    CHECK(tables_named(t1) == 0);
    test_run next;
    CHECK(rows(t1) == -1);
    next.finish();
}

TEST_CASE("MariaDB: table DDL in a test commits what is pending first, as in production",
          "[ddl]")
{
    if (!is_mariadb())
        ODBCTX_SKIP("DDL is transactional on PostgreSQL and SQLite");
    const std::string t1 = table("ddl_commit");
    for (sender how : {sender::captured, sender::prepared}) {
        DYNAMIC_SECTION(name_of(how))
        {
            test_run t;
            {
                client c(how);
                ok(SQLSetConnectAttr(ledger_dbc(c.app.l), SQL_ATTR_AUTOCOMMIT,
                                     (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0));
                CHECK(c.run("INSERT INTO " + table("account") + " (id, owner) VALUES (1, 'kept')").ok);
                CHECK(c.run("CREATE TABLE " + t1 + " (id INT)").ok);
                CHECK(c.run("INSERT INTO " + table("account") + " (id, owner) VALUES (2, 'undone')").ok);
                c.rollback();
                // The CREATE committed the first row; the rollback undid the second.
                CHECK(count("account") == 1);
                CHECK(count("account", "owner = 'kept'") == 1);
                CHECK(rows(t1) == 0);
            }
            t.finish();
        }
    }
}

TEST_CASE("MariaDB: TRUNCATE in a test deletes the rows inside the transaction", "[ddl]")
{
    if (!is_mariadb())
        ODBCTX_SKIP("DDL is transactional on PostgreSQL and SQLite");
    // The trigger's table is only ever read from outside the session: a
    // read in the suite's transaction would hold its metadata lock, and
    // real_tables could not drop it.
    real_tables real;
    const std::string trig = table("ddl_trig"), mine = table("ddl_mine");
    real.make(trig, "CREATE TABLE " + trig + " (id INT)");
    {
        support::plain_connection p(conn());
        REQUIRE(p.exec("INSERT INTO " + trig + " VALUES (1)"));
        REQUIRE(p.exec("CREATE TRIGGER " + trig + "_d BEFORE DELETE ON " + trig +
                       " FOR EACH ROW SET @odbctx_deleted = 1"));
    }
    for (sender how : {sender::test, sender::captured, sender::prepared}) {
        DYNAMIC_SECTION(name_of(how))
        {
            test_run t;
            {
                client c(how);
                CHECK(c.run("INSERT INTO " + table("account") + " (id, owner) VALUES (1, 'a')").ok);
                CHECK(c.run("INSERT INTO " + table("entry") + " VALUES (1, 5), (1, 7)").ok);
                outcome o = c.run("TRUNCATE TABLE " + table("entry"));
                INFO(o.state << " " << o.message);
                CHECK(o.ok);
                CHECK(count("entry") == 0);
                CHECK(count("account") == 1);
                CHECK(c.run("CREATE TABLE " + mine + " (id INT)").ok);
                CHECK(c.run("INSERT INTO " + mine + " VALUES (1)").ok);
                CHECK(c.run("TRUNCATE " + mine).ok);
                CHECK(rows(mine) == 0);
                // As MariaDB refuses it: entry's foreign key references account.
                o = c.run("TRUNCATE TABLE " + table("account"));
                CHECK(!o.ok);
                CHECK(o.state == "42000");
                CHECK(o.message.find("foreign key") != std::string::npos);
                CHECK(count("account") == 1);
                // A DELETE would fire its trigger, TRUNCATE does not: refused.
                std::string sql = "TRUNCATE TABLE " + trig;
                o = c.run(sql);
                CHECK(refused_naming(o, sql));
                CHECK(o.message.find("trigger") != std::string::npos);
            }
            t.finish();
            CHECK(support::plain_connection(conn()).count(trig) == 1);
        }
    }
}

TEST_CASE("MariaDB: DDL a test cannot contain is refused before it is sent, naming it", "[ddl]")
{
    if (!is_mariadb())
        ODBCTX_SKIP("DDL is transactional on PostgreSQL and SQLite");
    const std::string acc = table("account"), mine = table("ddl_alter");
    const std::vector<std::string> refused = {
        "DROP TABLE " + acc,
        "CREATE OR REPLACE TABLE " + acc + " (id INT)",
        "ALTER TABLE " + acc + " ADD COLUMN odbctx_x INT",
        "CREATE INDEX " + acc + "_i ON " + acc + " (owner)",
        "RENAME TABLE " + acc + " TO " + acc + "_moved",
        "CREATE TABLE " + mine + "_fk (id INT, a INT, FOREIGN KEY (a) REFERENCES " + acc + " (id))",
        "ALTER TABLE " + mine + " ADD COLUMN odbctx_x INT",
        "CREATE VIEW " + acc + "_v AS SELECT * FROM " + acc,
        "CREATE TABLE " + mine + "_two (id INT); INSERT INTO " + acc + " VALUES (9, 'x')",
        "LOCK TABLES " + acc + " WRITE",
        "SET STATEMENT max_statement_time=100 FOR CREATE TABLE " + mine + "_set (id INT)",
    };
    for (sender how : {sender::test, sender::captured, sender::prepared}) {
        DYNAMIC_SECTION(name_of(how))
        {
            test_run t;
            {
                client c(how);
                REQUIRE(c.run("CREATE TABLE " + mine + " (id INT)").ok);
                CHECK(c.run("INSERT INTO " + acc + " (id, owner) VALUES (1, 'a')").ok);
                for (const std::string &sql : refused) {
                    INFO(sql);
                    outcome o = c.run(sql);
                    INFO(o.state << " " << o.message);
                    CHECK(refused_naming(o, sql));
                }
                // Nothing was sent: the row is still pending, the table as it was.
                CHECK(count("account") == 1);
                CHECK(rows(acc + "_moved") == -1);
            }
            t.finish(); // a fresh connection finds the ledger tables empty
            CHECK(tables_named(acc) == 1);
            CHECK(tables_named(acc + "_v") == 0);
        }
    }
}

TEST_CASE("PostgreSQL and SQLite: DDL in a test stays inside its transaction", "[ddl]")
{
    if (is_mariadb())
        ODBCTX_SKIP("MariaDB's DDL commits: see the cases above");
    const std::string t1 = table("ddl_tx");
    for (sender how : {sender::test, sender::captured}) {
        DYNAMIC_SECTION(name_of(how))
        {
            test_run t;
            {
                client c(how);
                CHECK(c.run("CREATE TABLE " + t1 + " (id INTEGER)").ok);
                CHECK(c.run("INSERT INTO " + t1 + " VALUES (1)").ok);
                CHECK(rows(t1) == 1);
                if (is_postgresql()) {
                    CHECK(c.run("TRUNCATE TABLE " + t1).ok);
                    CHECK(rows(t1) == 0);
                }
                CHECK(c.run("DROP TABLE " + t1).ok);
            }
            t.finish();
            test_run next;
            CHECK(rows(t1) == -1);
            next.finish();
        }
    }
}
