// Every public C function, given NULLs, empty strings, a session that is
// gone, or called in the wrong order, returns a clear error and does not
// crash; and the session is still usable afterwards.
//
// "A session that is gone" is tested only in the forms the API can honestly
// support: the NULL a failed odbctx_open leaves, and a pointer to a session
// that odbctx_close already freed, which odbctx recognises by comparing it
// with its list of open sessions without reading through it. (A freed
// pointer whose address a newer session happens to reuse is that newer
// session; no C library can tell the two apart.)
#include <catch2/catch.hpp>

#include "rel.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace {

const char *schema = "CREATE TABLE relbad (id INTEGER PRIMARY KEY, v VARCHAR(20))";

bool has_message(odbctx_session *s)
{
    return std::strlen(odbctx_last_error(s)->message) > 0;
}

// A failed call: the code, and a message that says something.
#define CHECK_FAILS_WITH(call, code)                                                        \
    do {                                                                                    \
        int rc_ = (call);                                                                   \
        INFO(#call << " -> " << odbctx_strerror(rc_) << ": " << odbctx_last_error(s)->message); \
        CHECK(rc_ == (code));                                                               \
        CHECK(has_message(s));                                                              \
    } while (0)

void check_usable(odbctx_session *s)
{
    INFO(odbctx_last_error(s)->message);
    REQUIRE(odbctx_begin_test(s) == 0);
    REQUIRE(odbctx_exec(s, "INSERT INTO relbad (id, v) VALUES (1, 'ok')") == 0);
    long long n = -1;
    REQUIRE(odbctx_query_int(s, "SELECT COUNT(*) FROM relbad", &n) == 0);
    CHECK(n == 1);
    REQUIRE(odbctx_end_test(s) == 0);
    REQUIRE(odbctx_query_int(s, "SELECT COUNT(*) FROM relbad", &n) == 0);
    CHECK(n == 0);
}

void every_call_refuses(odbctx_session *s)
{
    long long v = 7;
    CHECK(odbctx_exec(s, "SELECT 1") == ODBCTX_EARG);
    CHECK(odbctx_query_int(s, "SELECT 1", &v) == ODBCTX_EARG);
    CHECK(odbctx_exec_file(s, "/dev/null") == ODBCTX_EARG);
    CHECK(odbctx_exec_script(s, "SELECT 1", "x") == ODBCTX_EARG);
    CHECK(odbctx_schema_file(s, "/dev/null") == ODBCTX_EARG);
    CHECK(odbctx_schema_script(s, "SELECT 1", "x") == ODBCTX_EARG);
    CHECK(odbctx_begin_test(s) == ODBCTX_EARG);
    CHECK(odbctx_end_test(s) == ODBCTX_EARG);
    CHECK(odbctx_commit(s) == ODBCTX_EARG);
    CHECK(odbctx_rollback(s) == ODBCTX_EARG);
    CHECK(odbctx_nested_begin(s) == ODBCTX_EARG);
    CHECK(odbctx_nested_commit(s) == ODBCTX_EARG);
    CHECK(odbctx_nested_rollback(s) == ODBCTX_EARG);
    CHECK(odbctx_capture_start(s, nullptr) == ODBCTX_EARG);
    CHECK(odbctx_capture_stop(s) == ODBCTX_EARG);
    CHECK(odbctx_in_test(s) == 0);
    CHECK(odbctx_nested_depth(s) == -1);
    CHECK(odbctx_hdbc(s) == SQL_NULL_HDBC);
    CHECK(odbctx_henv(s) == SQL_NULL_HENV);
    CHECK(odbctx_dbms(s) == nullptr);
    CHECK(odbctx_connection(s) == nullptr);
    const char *trace = odbctx_trace(s);
    CHECK((trace == nullptr || *trace == '\0'));
    const odbctx_error *e = odbctx_last_error(s);
    REQUIRE(e != nullptr);
    CHECK(e->code == ODBCTX_EARG);
    CHECK(std::strlen(e->message) > 0);
    odbctx_close(s);
}

} // namespace

TEST_CASE("every function refuses a NULL session with ODBCTX_EARG", "[bad-input]")
{
    every_call_refuses(nullptr);
    CHECK(std::string(odbctx_last_error(nullptr)->message).find("session") != std::string::npos);
}

TEST_CASE("a failed open leaves NULL, and every call on it is refused", "[bad-input]")
{
    odbctx_session *s = reinterpret_cast<odbctx_session *>(0x1);
    odbctx_error err{};
    int rc = odbctx_open(&s, "Driver=/nonexistent/libnothing.so;Database=x", &err);
    CHECK(rc == ODBCTX_ECONNECT);
    CHECK(s == nullptr);
    CHECK(err.code == rc);
    CHECK(std::strlen(err.message) > 0);
    every_call_refuses(s);
}

TEST_CASE("calls on a closed session are refused, and closing twice is harmless", "[bad-input]")
{
    rel::session owner(rel::connect_string());
    INFO(owner.message());
    REQUIRE(owner.s);
    odbctx_session *s = owner.s;
    owner.s = nullptr;
    odbctx_close(s);
    every_call_refuses(s); // closes it once more
    odbctx_close(s);
}

TEST_CASE("odbctx_open refuses bad arguments and bad connection strings clearly", "[bad-input]")
{
    odbctx_error err{};
    CHECK(odbctx_open(nullptr, "", &err) == ODBCTX_EARG);
    CHECK(std::strlen(err.message) > 0);
    CHECK(odbctx_open(nullptr, "", nullptr) == ODBCTX_EARG);

    odbctx_session *s = nullptr;
    const std::string huge(200000, 'x');
    const char *bad[] = {"garbage without equals sign", "=", ";;;", "Driver=", "Driver={",
                         "DSN=odbctx_no_such_dsn", "Driver=libsqlite3odbc.so;Database=/nonexistent/dir/x.db",
                         "Driver={SQLite3};Database={unterminated", huge.c_str()};
    for (const char *conn : bad) {
        INFO("connection string: " << std::string(conn).substr(0, 60));
        err = {};
        int rc = odbctx_open(&s, conn, &err);
        INFO(odbctx_strerror(rc) << ": " << err.message);
        CHECK(rc != 0);
        CHECK(s == nullptr);
        CHECK(err.code == rc);
        CHECK(std::strlen(err.message) > 0);
        odbctx_close(s);
        s = nullptr;
    }
    // Without err the failure is still only a return code.
    CHECK(odbctx_open(&s, "garbage", nullptr) != 0);
    CHECK(s == nullptr);
}

TEST_CASE("NULL and empty arguments on an open session give clear errors", "[bad-input]")
{
    rel::session owner(rel::connect_string());
    INFO(owner.message());
    REQUIRE(owner.s);
    odbctx_session *s = owner.s;
    REQUIRE(odbctx_schema_script(s, schema, "bad-input schema") == 0);

    long long v = 0;
    CHECK_FAILS_WITH(odbctx_exec(s, nullptr), ODBCTX_EARG);
    CHECK_FAILS_WITH(odbctx_query_int(s, nullptr, &v), ODBCTX_EARG);
    CHECK_FAILS_WITH(odbctx_query_int(s, "SELECT 1", nullptr), ODBCTX_EARG);
    CHECK_FAILS_WITH(odbctx_exec_file(s, nullptr), ODBCTX_EARG);
    CHECK_FAILS_WITH(odbctx_exec_script(s, nullptr, "x"), ODBCTX_EARG);
    CHECK_FAILS_WITH(odbctx_schema_file(s, nullptr), ODBCTX_EARG);
    CHECK_FAILS_WITH(odbctx_schema_script(s, nullptr, "x"), ODBCTX_EARG);

    // Empty things: an error that says so, or nothing to do; never a crash.
    for (const char *sql : {"", "   ", ";", "-- only a comment", "/* only a comment */"}) {
        INFO("sql: \"" << sql << "\"");
        int rc = odbctx_exec(s, sql);
        INFO(odbctx_strerror(rc) << ": " << odbctx_last_error(s)->message);
        CHECK((rc == 0 || rc == ODBCTX_EARG || rc == ODBCTX_ESQL));
        if (rc)
            CHECK(has_message(s));
        rc = odbctx_query_int(s, sql, &v);
        CHECK(rc != 0);
        CHECK(has_message(s));
    }
    for (int rc : {odbctx_exec_script(s, "", "empty"), odbctx_schema_script(s, "", "empty"),
                   odbctx_exec_file(s, ""), odbctx_schema_file(s, "")}) {
        INFO(odbctx_strerror(rc) << ": " << odbctx_last_error(s)->message);
        CHECK((rc == 0 || rc == ODBCTX_EARG || rc == ODBCTX_EIO));
        if (rc)
            CHECK(has_message(s));
    }
    CHECK(odbctx_exec_script(s, "SELECT 1", nullptr) == 0);
    CHECK_FAILS_WITH(odbctx_exec_file(s, "/nonexistent/odbctx/script.sql"), ODBCTX_EIO);
    CHECK(std::string(odbctx_last_error(s)->message).find("/nonexistent/odbctx/script.sql") !=
          std::string::npos);
    CHECK_FAILS_WITH(odbctx_exec_file(s, "/tmp"), ODBCTX_EIO);

    // Broken SQL and broken scripts.
    // A statement PostgreSQL cannot parse takes the whole transaction with
    // it under psqlODBC (its statement savepoint travels in the same query
    // string): odbctx reports that as a breach and begins the suite anew.
    for (const char *sql : {"SELEC 1", "SELECT '\xff\xfe invalid utf-8'  FROM relbad WHERE"}) {
        int rc = odbctx_exec(s, sql);
        INFO(sql << " -> " << odbctx_strerror(rc) << ": " << odbctx_last_error(s)->message);
        CHECK((rc == ODBCTX_ESQL || (rel::on_postgresql() && rc == ODBCTX_EBREACH)));
        CHECK(has_message(s));
    }
    CHECK_FAILS_WITH(odbctx_exec_script(s, "SELECT 1;\nSELECT 'unterminated", "broken.sql"), ODBCTX_ESQL);
    CHECK(std::string(odbctx_last_error(s)->message).find("broken.sql") != std::string::npos);

    char out[8];
    CHECK(odbctx_redact(nullptr, nullptr, 0) == 0);
    CHECK(odbctx_redact("", out, sizeof out) == 0);
    CHECK(odbctx_redact("PWD=x", nullptr, 0) == std::strlen("PWD=***"));
    CHECK(odbctx_redact("PWD=secret;UID=u", out, 1) == std::strlen("PWD=***;UID=u"));
    CHECK(out[0] == '\0');
    CHECK(std::string(odbctx_strerror(-12345)).size() > 0);
    CHECK(std::string(odbctx_strerror(ODBCTX_ESTATE)) == "ODBCTX_ESTATE");

    check_usable(s);
}

TEST_CASE("calls in the wrong order give ODBCTX_ESTATE and change nothing", "[bad-input]")
{
    rel::session owner(rel::connect_string());
    INFO(owner.message());
    REQUIRE(owner.s);
    odbctx_session *s = owner.s;
    REQUIRE(odbctx_schema_script(s, schema, "bad-input schema") == 0);

    SECTION("outside a test")
    {
        CHECK_FAILS_WITH(odbctx_end_test(s), ODBCTX_ESTATE);
        CHECK_FAILS_WITH(odbctx_commit(s), ODBCTX_ESTATE);
        CHECK_FAILS_WITH(odbctx_rollback(s), ODBCTX_ESTATE);
        CHECK_FAILS_WITH(odbctx_nested_begin(s), ODBCTX_ESTATE);
        CHECK_FAILS_WITH(odbctx_nested_commit(s), ODBCTX_ESTATE);
        CHECK_FAILS_WITH(odbctx_nested_rollback(s), ODBCTX_ESTATE);
        CHECK(odbctx_in_test(s) == 0);
        CHECK(odbctx_nested_depth(s) == 0);
    }
    SECTION("inside a test")
    {
        REQUIRE(odbctx_begin_test(s) == 0);
        REQUIRE(odbctx_exec(s, "INSERT INTO relbad (id, v) VALUES (10, 'a')") == 0);
        CHECK_FAILS_WITH(odbctx_begin_test(s), ODBCTX_ESTATE);
        CHECK_FAILS_WITH(odbctx_nested_commit(s), ODBCTX_ESTATE);
        CHECK_FAILS_WITH(odbctx_nested_rollback(s), ODBCTX_ESTATE);
        CHECK_FAILS_WITH(odbctx_schema_script(s, "CREATE TABLE relbad2 (id INTEGER)", "late"), ODBCTX_ESTATE);
        // The test that was running is still running, with its row.
        CHECK(odbctx_in_test(s) == 1);
        CHECK(owner.count("relbad") == 1);
        REQUIRE(odbctx_nested_begin(s) == 0);
        REQUIRE(odbctx_nested_commit(s) == 0);
        CHECK_FAILS_WITH(odbctx_nested_commit(s), ODBCTX_ESTATE);
        REQUIRE(odbctx_end_test(s) == 0);
        CHECK_FAILS_WITH(odbctx_end_test(s), ODBCTX_ESTATE);
        CHECK(owner.count("relbad") == 0);
    }
    SECTION("capture stopped twice, started twice")
    {
        REQUIRE(odbctx_capture_start(s, nullptr) == 0);
        int again = odbctx_capture_start(s, nullptr);
        CHECK((again == 0 || again == ODBCTX_ESTATE));
        REQUIRE(odbctx_capture_stop(s) == 0);
        int rc = odbctx_capture_stop(s);
        CHECK((rc == 0 || rc == ODBCTX_ESTATE));
    }
    check_usable(s);
}

TEST_CASE("a script file that is not text does not crash the splitter", "[bad-input]")
{
    rel::temp_dir dir;
    std::string path = dir.path + "/binary.sql";
    {
        std::ofstream f(path, std::ios::binary);
        std::string junk;
        for (int i = 0; i < 4096; i++)
            junk += static_cast<char>((i * 7919) & 0xff);
        f << junk;
    }
    rel::session owner(rel::connect_string());
    REQUIRE(owner.s);
    odbctx_session *s = owner.s;
    REQUIRE(odbctx_schema_script(s, schema, "bad-input schema") == 0);
    int rc = odbctx_exec_file(s, path.c_str());
    INFO(odbctx_strerror(rc) << ": " << odbctx_last_error(s)->message);
    CHECK(rc != 0);
    CHECK(has_message(s));
    check_usable(s);
}
