// odbctx::session and odbctx::error: ownership, accessors and error paths.
#include <odbctx/catch2.hpp>

#include "helpers.hpp"

#include <sstream>
#include <type_traits>

using Catch::Matchers::Contains;

static_assert(!std::is_copy_constructible_v<odbctx::session>);
static_assert(!std::is_copy_assignable_v<odbctx::session>);
static_assert(std::is_nothrow_move_constructible_v<odbctx::session>);
static_assert(std::is_nothrow_move_assignable_v<odbctx::session>);

TEST_CASE("session: open with a bad connection string fails with the driver's reason", "[session][errors]")
{
    auto s = odbctx::session::open("Driver={odbctx no such driver};Database=x;PWD=hunter2secret");
    REQUIRE_FALSE(s);
    const odbctx::error &e = s.error();
    REQUIRE(e.code == ODBCTX_ECONNECT);
    REQUIRE_FALSE(e.message.empty());
    REQUIRE_THAT(e.message, !Contains("hunter2secret"));
    REQUIRE_THAT(e.to_string(), Contains("ODBCTX_ECONNECT"));
}

TEST_CASE("session: a failed statement carries SQLSTATE and message, and the session goes on",
          "[session][errors]")
{
    auto &s = odbctx::current();
    auto r = s.exec("SELECT nothing FROM cpp_no_such_table");
    REQUIRE_FALSE(r);
    const odbctx::error &e = r.error();
    REQUIRE(e.code == ODBCTX_ESQL);
    REQUIRE(e.sqlstate.size() == 5);
    REQUIRE_THAT(e.message, Contains("cpp_no_such_table"));

    std::ostringstream printed;
    printed << e;
    REQUIRE(printed.str() == e.to_string());
    REQUIRE_THAT(printed.str(), Contains("ODBCTX_ESQL") && Contains("[" + e.sqlstate + "]"));
    REQUIRE(std::string(odbctx::error_exception(e).what()) == e.to_string());
    REQUIRE(s.last_error().code == ODBCTX_ESQL);

    // On PostgreSQL a failed statement must not poison the test's transaction.
    t::add_item("after the error", 1);
    REQUIRE(t::count("cpp_item") == 1);
    auto q = s.query_int("SELECT qty FROM cpp_item WHERE name = 'nobody'");
    REQUIRE_FALSE(q);
    REQUIRE(q.error().code == ODBCTX_ESQL);
}

TEST_CASE("session: accessors of the suite's session", "[session]")
{
    auto &s = odbctx::current();
    REQUIRE(s);
    REQUIRE(s.handle() != nullptr);
    REQUIRE(s.hdbc() != SQL_NULL_HDBC);
    const std::string dbms(s.dbms());
    REQUIRE((dbms == "SQLite" || dbms == "PostgreSQL" || dbms == "MariaDB" || dbms == "MySQL"));
    if (const char *db = std::getenv("ODBCTX_DB")) {
        const std::string want = db;
        if (want == "sqlite")
            REQUIRE(dbms == "SQLite");
        if (want == "postgresql")
            REQUIRE(dbms == "PostgreSQL");
        if (want == "mariadb")
            REQUIRE((dbms == "MariaDB" || dbms == "MySQL"));
    }
    const std::string conn(s.connection());
    if (t::connect_string().empty()) {
        REQUIRE(conn.empty());
    } else {
        REQUIRE_FALSE(conn.empty());
    }
    auto one = s.query_int("SELECT 1");
    REQUIRE(one);
    REQUIRE(*one == 1);
}

TEST_CASE("session: the connection is reported with its password redacted", "[session]")
{
    const std::string conn = t::connect_string();
    const auto at = conn.find("PWD=");
    if (at == std::string::npos)
        return; // the embedded default has no password
    auto end = conn.find(';', at);
    const std::string password = conn.substr(at + 4, end == std::string::npos ? end : end - at - 4);
    REQUIRE_FALSE(password.empty());
    const std::string shown(odbctx::current().connection());
    REQUIRE_THAT(shown, !Contains(password));
    REQUIRE_THAT(shown, Contains("***"));
}

TEST_CASE("session: moving transfers ownership; an empty session fails cleanly", "[session]")
{
    auto opened = odbctx::session::open(t::connect_string());
    REQUIRE(opened);
    odbctx_session *handle = opened->handle();
    odbctx::session a = std::move(*opened);
    REQUIRE(a.handle() == handle);
    REQUIRE_FALSE(*opened);

    odbctx::session b;
    REQUIRE_FALSE(b);
    b = std::move(a);
    REQUIRE(b.handle() == handle);
    REQUIRE_FALSE(a);
    REQUIRE(b.query_int("SELECT 2"));

    auto r = a.exec("SELECT 1");
    REQUIRE_FALSE(r);
    REQUIRE(r.error().code == ODBCTX_EARG);
    REQUIRE(a.dbms().empty());
    REQUIRE(a.hdbc() == SQL_NULL_HDBC);

    odbctx_session *raw = b.release();
    REQUIRE_FALSE(b);
    odbctx::session c(raw);
    REQUIRE(c.handle() == raw);
}

TEST_CASE("session: script errors name the script and the line", "[session][errors]")
{
    auto &s = odbctx::current();
    auto r = s.exec_script("INSERT INTO cpp_item (name, qty) VALUES ('ok', 1);\n"
                           "INSERT INTO cpp_item (nme, qty) VALUES ('bad', 2);\n",
                           "inline-script");
    REQUIRE_FALSE(r);
    REQUIRE(r.error().code == ODBCTX_ESQL);
    REQUIRE_THAT(r.error().message, Contains("inline-script") && Contains("2"));

    auto f = s.exec_file("/nonexistent/odbctx/schema.sql");
    REQUIRE_FALSE(f);
    REQUIRE(f.error().code == ODBCTX_EIO);
}

TEST_CASE("session: the schema can only be made outside a test", "[session][errors]")
{
    auto r = odbctx::current().schema_script("CREATE TABLE cpp_late (v INTEGER)", "late");
    REQUIRE_FALSE(r);
    REQUIRE(r.error().code == ODBCTX_ESTATE);
}

TEST_CASE("session: the trace holds the SQL of the current test", "[session]")
{
    auto &s = odbctx::current();
    t::add_item("traced", 11);
    const std::string trace = s.trace();
    REQUIRE_THAT(trace, Contains("INSERT INTO cpp_item (name, qty) VALUES ('traced', 11)"));
}
