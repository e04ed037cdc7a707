// Lost connections: the server ends the session's connection in the middle
// of a test (pg_terminate_backend, MariaDB KILL). That test fails with a
// message that says so; the next test finds odbctx reconnected, with the
// schema and the suite's data back; and after ODBCTX_MAX_RECONNECTS
// failures in a row odbctx stops trying and says so, instead of failing
// every later test slowly and obscurely.
#include <catch2/catch.hpp>

#include "rel.hpp"
#include "skip.hpp"

#include <cstdlib>
#include <string>

namespace {

bool contains(const std::string &text, const std::string &what)
{
    return text.find(what) != std::string::npos;
}

std::string message(odbctx_session *s)
{
    return odbctx_last_error(s)->message;
}

long long backend_id(odbctx_session *s)
{
    long long id = -1;
    odbctx_query_int(s, rel::on_postgresql() ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()",
                     &id);
    return id;
}

// Ends the session's connection from a second connection, as an admin or
// a server restart would.
void kill_connection(odbctx_session *s)
{
    long long id = backend_id(s);
    REQUIRE(id > 0);
    rel::raw_connection admin(rel::connect_string());
    INFO(admin.error);
    REQUIRE(admin.ok());
    std::string err = rel::on_postgresql()
                          ? (admin.query_int("SELECT pg_terminate_backend(" + std::to_string(id) + ")"),
                             admin.error)
                          : admin.exec("KILL " + std::to_string(id));
    INFO(err);
    REQUIRE(err.empty());
}

struct scoped_env {
    std::string name;
    explicit scoped_env(const std::string &n, const std::string &v) : name(n) { setenv(n.c_str(), v.c_str(), 1); }
    ~scoped_env() { unsetenv(name.c_str()); }
};

const char *const schema = "CREATE TABLE rellost (id INTEGER PRIMARY KEY, v VARCHAR(20))";

void open_with_schema(rel::session &s, const std::string &conn)
{
    s.open(conn);
    INFO(s.message());
    REQUIRE(s.s);
    REQUIRE(odbctx_schema_script(s, schema, "lost schema") == 0);
    // Suite-level data: it must come back after a reconnect too.
    REQUIRE(odbctx_exec(s, "INSERT INTO rellost (id, v) VALUES (1, 'suite')") == 0);
}

// Runs a test whose connection dies in the middle; returns end_test's code.
int test_that_loses_its_connection(odbctx_session *s)
{
    INFO(message(s));
    REQUIRE(odbctx_begin_test(s) == 0);
    REQUIRE(odbctx_exec(s, "INSERT INTO rellost (id, v) VALUES (2, 'test')") == 0);
    kill_connection(s);
    int rc = odbctx_exec(s, "INSERT INTO rellost (id, v) VALUES (3, 'test')");
    std::string at_exec = message(s);
    INFO("statement after the kill: " << odbctx_strerror(rc) << ": " << at_exec);
    CHECK(rc == ODBCTX_ELOST);
    CHECK(contains(at_exec, "lost"));
    int end = odbctx_end_test(s);
    INFO("end_test: " << odbctx_strerror(end) << ": " << message(s));
    CHECK(end == ODBCTX_ELOST);
    CHECK(contains(message(s), "lost"));
    return end;
}

std::string with_database(const std::string &conn, const std::string &db)
{
    return rel::with_key(conn, {"Database", "DB"}, "Database", db);
}

} // namespace

TEST_CASE("a killed connection fails that test clearly; the next test runs reconnected", "[lost]")
{
    if (rel::on_sqlite())
        ODBCTX_SKIP("an embedded database has no connection to lose");
    rel::session s;
    open_with_schema(s, rel::connect_string());
    long long before = backend_id(s);

    test_that_loses_its_connection(s);

    INFO(s.message());
    REQUIRE(odbctx_begin_test(s) == 0);
    CHECK(backend_id(s) != before);
    CHECK(s.count("rellost") == 1); // the schema and the suite's row, not the test's
    REQUIRE(odbctx_exec(s, "INSERT INTO rellost (id, v) VALUES (2, 'again')") == 0);
    CHECK(s.count("rellost") == 2);
    REQUIRE(odbctx_end_test(s) == 0);
    CHECK(s.count("rellost") == 1);
}

TEST_CASE("after ODBCTX_MAX_RECONNECTS lost connections in a row odbctx stops", "[lost]")
{
    if (rel::on_sqlite())
        ODBCTX_SKIP("an embedded database has no connection to lose");
    scoped_env max("ODBCTX_MAX_RECONNECTS", "2");
    rel::session s;
    open_with_schema(s, rel::connect_string());

    SECTION("a clean test in between starts the count again")
    {
        for (int round = 0; round < 3; round++) {
            test_that_loses_its_connection(s);
            INFO("round " << round << ": " << s.message());
            REQUIRE(odbctx_begin_test(s) == 0);
            REQUIRE(odbctx_end_test(s) == 0);
        }
    }
    SECTION("two in a row, and the third test is refused at once")
    {
        test_that_loses_its_connection(s);
        test_that_loses_its_connection(s);
        int rc = odbctx_begin_test(s);
        std::string msg = s.message();
        INFO(odbctx_strerror(rc) << ": " << msg);
        CHECK(rc == ODBCTX_ELOST);
        CHECK(contains(msg, "ODBCTX_MAX_RECONNECTS"));
        // It stays stopped, quickly, for every later call.
        double t0 = rel::now_ms();
        for (int i = 0; i < 5; i++)
            CHECK(odbctx_begin_test(s) == ODBCTX_ELOST);
        CHECK(rel::now_ms() - t0 < 1000);
        long long n = 0;
        CHECK(odbctx_query_int(s, "SELECT 1", &n) == ODBCTX_ELOST);
    }
}

TEST_CASE("a server that refuses the reconnect: each attempt fails clearly, then odbctx stops",
          "[lost]")
{
    if (!rel::on_postgresql())
        ODBCTX_SKIP("needs a database that can refuse connections (PostgreSQL ALLOW_CONNECTIONS)");
    // A database of its own, so that refusing connections to it bothers
    // nobody else on the server.
    rel::raw_connection admin(rel::connect_string());
    REQUIRE(admin.ok());
    const std::string db = admin.query_text("SELECT current_database()") + "_rellost";
    if (admin.query_int("SELECT COUNT(*) FROM pg_database WHERE datname = '" + db + "'") == 0)
        REQUIRE(admin.exec("CREATE DATABASE " + db) == "");
    REQUIRE(admin.exec("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS true") == "");

    scoped_env max("ODBCTX_MAX_RECONNECTS", "3");
    rel::session s;
    open_with_schema(s, with_database(rel::connect_string(), db));
    test_that_loses_its_connection(s); // failure 1
    REQUIRE(admin.exec("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS false") == "");

    int rc = odbctx_begin_test(s); // failure 2: the reconnect is refused
    std::string first = s.message();
    INFO("first attempt: " << odbctx_strerror(rc) << ": " << first);
    CHECK(rc == ODBCTX_ELOST);
    CHECK(contains(first, "reconnect"));
    rc = odbctx_begin_test(s); // failure 3
    INFO("second attempt: " << s.message());
    CHECK(rc == ODBCTX_ELOST);
    rc = odbctx_begin_test(s); // stopped
    INFO("third: " << s.message());
    CHECK(rc == ODBCTX_ELOST);
    CHECK(contains(s.message(), "ODBCTX_MAX_RECONNECTS"));
    s.close();
    REQUIRE(admin.exec("ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS true") == "");
}
