// Refusals and error reports: bad connections, unknown DBMS, passwords,
// NULL arguments and calls out of order.
#include "core.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct open_result {
    int rc;
    odbctx_error err;
    odbctx_session *s;
};

open_result try_open(const std::string &conn)
{
    open_result r{};
    r.rc = odbctx_open(&r.s, conn.c_str(), &r.err);
    return r;
}

// Where the fake driver of tests/c/core/fakedb was built: next to the tests
// (the Makefile puts it in $(BUILD)/fakedb), or where ODBCTX_FAKEDB says.
std::string fakedb_path()
{
    if (const char *p = std::getenv("ODBCTX_FAKEDB"))
        return p;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    REQUIRE(n > 0);
    exe[n] = '\0';
    std::string dir(exe);
    for (int up = 0; up < 3; up++)              // .../build/tests/c/core
        dir = dir.substr(0, dir.rfind('/'));    // -> .../build
    return dir + "/fakedb/libodbctx_fakedb.so";
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a bad connection string is refused with the driver manager's reason", "[connect]")
{
    open_result r = try_open("this is not a connection string");
    CHECK(r.rc == ODBCTX_ECONNECT);
    CHECK(r.s == nullptr);
    CHECK(r.err.code == ODBCTX_ECONNECT);
    CHECK(std::string(r.err.sqlstate) == "IM002");
    CHECK(contains(r.err.message, "this is not a connection string"));

    r = try_open("Driver=libsqlite3odbc.so;Database={unterminated;PWD=hunter2-secret");
    CHECK(r.rc == ODBCTX_ECONNECT);
    INFO(r.err.message);
    CHECK(contains(r.err.message, "bad connection string"));
    CHECK_FALSE(contains(r.err.message, "hunter2"));
}

TEST_CASE("a missing driver is refused and named", "[connect]")
{
    open_result r = try_open("Driver=/nonexistent/libodbctx_no_such_driver.so;Database=x");
    CHECK(r.rc == ODBCTX_ECONNECT);
    INFO(r.err.message);
    CHECK(contains(r.err.message, "libodbctx_no_such_driver.so"));
    CHECK(r.err.sqlstate[0] != '\0');

    r = try_open("Driver={No Such ODBC Driver};Server=localhost");
    CHECK(r.rc == ODBCTX_ECONNECT);
    INFO(r.err.message);
    CHECK(contains(r.err.message, "No Such ODBC Driver"));
    // The names that would have worked: the drivers make deps installs.
    CHECK(contains(r.err.message, "the drivers installed (odbcinst -q -d) are "));
    CHECK(contains(r.err.message, "\"SQLite3\""));
    CHECK(contains(r.err.message, "\"PostgreSQL Unicode\""));
    CHECK(contains(r.err.message, "\"MariaDB Unicode\""));

    r = try_open("DSN=odbctx_no_such_dsn");
    CHECK(r.rc == ODBCTX_ECONNECT);
    INFO(r.err.message);
    CHECK(contains(r.err.message, "odbctx_no_such_dsn"));
    CHECK(contains(r.err.message, "data source"));
}

TEST_CASE("an unknown DBMS is refused and named", "[connect]")
{
    // A real connection through the driver manager to a driver (built from
    // tests/c/core/fakedb/fakedb.c) whose SQL_DBMS_NAME odbctx does not know.
    std::string driver = fakedb_path();
    INFO("fake driver: " << driver);
    REQUIRE(access(driver.c_str(), R_OK) == 0);

    open_result r = try_open("Driver=" + driver + ";");
    CHECK(r.rc == ODBCTX_EDBMS);
    CHECK(r.s == nullptr);
    INFO(r.err.message);
    CHECK(contains(r.err.message, "\"FakeDB\""));
    CHECK(contains(r.err.message, "not supported"));

    r = try_open("Driver=" + driver + ";FAKEDB_NAME=Informix;PWD=Informix-pw-123");
    CHECK(r.rc == ODBCTX_EDBMS);
    CHECK(contains(r.err.message, "\"Informix\""));
    CHECK_FALSE(contains(r.err.message, "Informix-pw-123"));
}

TEST_CASE("a wrong password never appears in the message", "[connect][password]")
{
    std::string conn = core::connect_string();
    if (conn.empty() || core::is_sqlite()) {
        // SQLite has no passwords to check, but a connection string with one
        // can still fail, for another reason, with the string in the report.
        for (const std::string &pw : {std::string("hunter2-secret"), std::string("{se;cr}}et}"),
                                      std::string("database")}) {
            open_result r = try_open("Driver=libsqlite3odbc.so;Database=/nonexistent/dir/x.db;PWD=" + pw);
            CHECK(r.rc == ODBCTX_ECONNECT);
            INFO(r.err.message);
            CHECK(contains(r.err.message, "PWD=***"));
            CHECK_FALSE(contains(r.err.message, "hunter2"));
            CHECK_FALSE(contains(r.err.message, "se;cr"));
            CHECK_FALSE(contains(r.err.message, "cr}}et"));
        }
        return;
    }
    // A password that is also a common word: hidden where it is the
    // password, while the driver's own use of the word stays readable.
    std::string pw = "connection";
    open_result r = try_open(core::with_password(conn, pw));
    CHECK(r.rc == ODBCTX_ECONNECT);
    INFO(r.err.message);
    CHECK(r.err.sqlstate[0] != '\0');
    CHECK(contains(r.err.message, "PWD=***"));
    CHECK_FALSE(contains(r.err.message, "PWD=" + pw));
    if (core::is_postgresql())
        CHECK(contains(r.err.message, "connection to server"));

    // One that is not a word is hidden wherever it stands.
    pw = "s3cr3t-42";
    r = try_open(core::with_password(conn, pw));
    CHECK(r.rc == ODBCTX_ECONNECT);
    CHECK_FALSE(contains(r.err.message, pw));

    pw = "Wr0ng-p4ss{word}";
    r = try_open(core::with_password(conn, "{" + pw + "}}"));
    CHECK(r.rc == ODBCTX_ECONNECT);
    CHECK_FALSE(contains(r.err.message, "Wr0ng-p4ss"));
}

TEST_CASE("the session's password is redacted everywhere it could show", "[password]")
{
    std::string conn = core::connect_string();
    core::temp_file db("pw.db", "");
    std::string pw = "hunter2-secret";
    if (conn.empty() || core::is_sqlite()) {
        unlink(db.path.c_str());
        conn = "Driver=libsqlite3odbc.so;Database=" + db.path + ";PWD=" + pw + ";";
    } else {
        pw = conn.substr(conn.find("PWD=") + 4);
        pw = pw.substr(0, pw.find(';'));
    }
    REQUIRE(pw.size() >= 3);

    // Print the trace to a file instead of stderr for a moment.
    core::temp_file log("trace.log", "");
    setenv("ODBCTX_TRACE", "1", 1);
    int saved = dup(2);
    int fd = open(log.path.c_str(), O_WRONLY | O_TRUNC);
    dup2(fd, 2);
    close(fd);

    odbctx_session *s = nullptr;
    odbctx_error err;
    int rc = odbctx_open(&s, conn.c_str(), &err);
    std::string connection, message, trace;
    if (rc == ODBCTX_OK) {
        connection = odbctx_connection(s);
        odbctx_begin_test(s);
        odbctx_exec(s, ("SELECT x FROM core_no_table WHERE y = '" + pw + "'").c_str());
        message = core::message(s);
        trace = odbctx_trace(s);
        odbctx_end_test(s);
        odbctx_close(s);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    unsetenv("ODBCTX_TRACE");

    INFO(err.message);
    REQUIRE(rc == ODBCTX_OK);
    std::ifstream in(log.path);
    std::stringstream printed;
    printed << in.rdbuf();

    CHECK(contains(connection, "PWD=***"));
    CHECK_FALSE(contains(connection, pw));
    CHECK(contains(message, "core_no_table"));
    CHECK_FALSE(contains(message, pw));
    CHECK(contains(trace, "core_no_table"));
    CHECK_FALSE(contains(trace, pw));
    CHECK(contains(printed.str(), "odbctx: FAIL [test] SELECT x FROM core_no_table"));
    CHECK_FALSE(contains(printed.str(), pw));
}

TEST_CASE("odbctx_redact hides every PWD and Password value", "[password]")
{
    char out[256];
    CHECK(odbctx_redact("Driver=x;PWD=abc;UID=u", out, sizeof out) == 22);
    CHECK(std::string(out) == "Driver=x;PWD=***;UID=u");
    odbctx_redact("password = secret ; pwd={a;b}}c};Pwd=z", out, sizeof out);
    CHECK(std::string(out) == "password = *** ; pwd=***;Pwd=***");
    odbctx_redact("DSN=x;TLSKEYPWD=k", out, sizeof out);
    CHECK(std::string(out) == "DSN=x;TLSKEYPWD=***");
    // An unterminated brace could swallow a password: everything from it goes.
    odbctx_redact("DSN=x;Database={oops;PWD=secret", out, sizeof out);
    CHECK(std::string(out) == "DSN=x;Database=***");
    // Like snprintf: the length it needs, the output cut to fit.
    CHECK(odbctx_redact("PWD=abcdef", nullptr, 0) == 7);
    CHECK(odbctx_redact("PWD=abcdef", out, 5) == 7);
    CHECK(std::string(out) == "PWD=");
    CHECK(odbctx_redact(nullptr, out, sizeof out) == 0);
    CHECK(std::string(out).empty());
}

TEST_CASE("unsafe connection options are refused", "[connect]")
{
    open_result r = try_open("Driver=libsqlite3odbc.so;Database=:memory:;AUTO_RECONNECT=1");
    CHECK(r.rc == ODBCTX_EREFUSED);
    CHECK(contains(r.err.message, "AUTO_RECONNECT"));
    r = try_open("Driver=libsqlite3odbc.so;Database=:memory:;OPTION=4194306");
    CHECK(r.rc == ODBCTX_EREFUSED);

    if (core::is_postgresql()) {
        for (const char *p : {"7.4-1", "7.4-0"}) {
            r = try_open(core::connect_string() + ";Protocol=" + p);
            CHECK(r.rc == ODBCTX_EREFUSED);
            INFO(r.err.message);
            CHECK(contains(r.err.message, std::string("Protocol=") + p));
        }
        r = try_open(core::connect_string() + ";Protocol=7.4-2");
        CHECK(r.rc == ODBCTX_OK);
        odbctx_close(r.s);
    }
}

TEST_CASE("NULL and closed sessions give ODBCTX_EARG, never a crash", "[args]")
{
    CHECK(odbctx_open(nullptr, nullptr, nullptr) == ODBCTX_EARG);
    odbctx_error err;
    CHECK(odbctx_open(nullptr, "", &err) == ODBCTX_EARG);
    CHECK(err.code == ODBCTX_EARG);

    odbctx_session *null = nullptr;
    odbctx_close(null);
    CHECK(odbctx_hdbc(null) == SQL_NULL_HDBC);
    CHECK(odbctx_henv(null) == SQL_NULL_HENV);
    CHECK(odbctx_dbms(null) == nullptr);
    CHECK(odbctx_connection(null) == nullptr);
    CHECK(odbctx_exec(null, "SELECT 1") == ODBCTX_EARG);
    long long v;
    CHECK(odbctx_query_int(null, "SELECT 1", &v) == ODBCTX_EARG);
    CHECK(odbctx_exec_file(null, "x.sql") == ODBCTX_EARG);
    CHECK(odbctx_exec_script(null, "SELECT 1", "x") == ODBCTX_EARG);
    CHECK(odbctx_schema_file(null, "x.sql") == ODBCTX_EARG);
    CHECK(odbctx_schema_script(null, "SELECT 1", "x") == ODBCTX_EARG);
    CHECK(odbctx_begin_test(null) == ODBCTX_EARG);
    CHECK(odbctx_end_test(null) == ODBCTX_EARG);
    CHECK(odbctx_in_test(null) == 0);
    CHECK(odbctx_commit(null) == ODBCTX_EARG);
    CHECK(odbctx_rollback(null) == ODBCTX_EARG);
    CHECK(odbctx_nested_begin(null) == ODBCTX_EARG);
    CHECK(odbctx_nested_commit(null) == ODBCTX_EARG);
    CHECK(odbctx_nested_rollback(null) == ODBCTX_EARG);
    CHECK(odbctx_nested_depth(null) == -1);
    CHECK(std::string(odbctx_trace(null)).empty());
    REQUIRE(odbctx_last_error(null) != nullptr);
    CHECK(odbctx_last_error(null)->code == ODBCTX_EARG);
    CHECK(contains(odbctx_last_error(null)->message, "not an open odbctx session"));

    // A closed session is refused the same way, and closing twice is harmless.
    odbctx_session *s = core::open_own();
    odbctx_close(s);
    CHECK(odbctx_exec(s, "SELECT 1") == ODBCTX_EARG);
    CHECK(odbctx_begin_test(s) == ODBCTX_EARG);
    CHECK(odbctx_last_error(s)->code == ODBCTX_EARG);
    odbctx_close(s);
}

TEST_CASE("NULL and empty arguments give ODBCTX_EARG with a message", "[args]")
{
    odbctx_session *s = core::suite();
    long long v;
    CHECK(odbctx_exec(s, nullptr) == ODBCTX_EARG);
    CHECK(contains(core::message(s), "odbctx_exec"));
    CHECK(odbctx_exec(s, "") == ODBCTX_EARG);
    CHECK(odbctx_query_int(s, nullptr, &v) == ODBCTX_EARG);
    CHECK(odbctx_query_int(s, "SELECT 1", nullptr) == ODBCTX_EARG);
    CHECK(odbctx_exec_file(s, nullptr) == ODBCTX_EARG);
    CHECK(odbctx_exec_file(s, "") == ODBCTX_EARG);
    CHECK(odbctx_exec_script(s, nullptr, "x") == ODBCTX_EARG);
    CHECK(odbctx_exec_script(s, "", "x") == ODBCTX_EARG);
    CHECK(odbctx_schema_file(s, nullptr) == ODBCTX_EARG);
    CHECK(odbctx_schema_script(s, nullptr, nullptr) == ODBCTX_EARG);
    CHECK(contains(core::message(s), "odbctx_schema_script"));
    // A success clears the last error.
    CHECK(odbctx_query_int(s, "SELECT 1", &v) == ODBCTX_OK);
    CHECK(odbctx_last_error(s)->code == ODBCTX_OK);
    CHECK(core::message(s).empty());
}

TEST_CASE("calls out of order give ODBCTX_ESTATE and change nothing", "[state]")
{
    odbctx_session *s = core::suite();
    CHECK(odbctx_in_test(s) == 0);
    CHECK(odbctx_end_test(s) == ODBCTX_ESTATE);
    CHECK(contains(core::message(s), "no test is running"));
    CHECK(odbctx_commit(s) == ODBCTX_ESTATE);
    CHECK(contains(core::message(s), "odbctx_commit"));
    CHECK(odbctx_rollback(s) == ODBCTX_ESTATE);
    CHECK(odbctx_nested_begin(s) == ODBCTX_ESTATE);
    CHECK(odbctx_nested_commit(s) == ODBCTX_ESTATE);
    CHECK(odbctx_nested_rollback(s) == ODBCTX_ESTATE);

    core::test_scope t;
    CHECK(odbctx_in_test(s) == 1);
    CHECK(odbctx_begin_test(s) == ODBCTX_ESTATE);
    CHECK(contains(core::message(s), "already running"));
    CHECK(odbctx_nested_commit(s) == ODBCTX_ESTATE);
    CHECK(contains(core::message(s), "no nested level"));
    CHECK(odbctx_nested_rollback(s) == ODBCTX_ESTATE);
    CHECK(odbctx_schema_script(s, "CREATE TABLE core_never (id INTEGER)", "x") == ODBCTX_ESTATE);
    CHECK(contains(core::message(s), "inside a test"));
    // Still a working test.
    CHECK(core::count(s, "core_item") == 1);
    REQUIRE(t.end() == ODBCTX_OK);
    CHECK(odbctx_end_test(s) == ODBCTX_ESTATE);
}

TEST_CASE("odbctx_strerror names every code", "[errors]")
{
    CHECK(std::string(odbctx_strerror(ODBCTX_OK)) == "ODBCTX_OK");
    CHECK(std::string(odbctx_strerror(ODBCTX_EARG)) == "ODBCTX_EARG");
    CHECK(std::string(odbctx_strerror(ODBCTX_ECONNECT)) == "ODBCTX_ECONNECT");
    CHECK(std::string(odbctx_strerror(ODBCTX_EDBMS)) == "ODBCTX_EDBMS");
    CHECK(std::string(odbctx_strerror(ODBCTX_ESQL)) == "ODBCTX_ESQL");
    CHECK(std::string(odbctx_strerror(ODBCTX_ESTATE)) == "ODBCTX_ESTATE");
    CHECK(std::string(odbctx_strerror(ODBCTX_EIO)) == "ODBCTX_EIO");
    CHECK(std::string(odbctx_strerror(ODBCTX_EBREACH)) == "ODBCTX_EBREACH");
    CHECK(std::string(odbctx_strerror(ODBCTX_ENOMEM)) == "ODBCTX_ENOMEM");
    CHECK(std::string(odbctx_strerror(ODBCTX_ELOST)) == "ODBCTX_ELOST");
    CHECK(std::string(odbctx_strerror(ODBCTX_EREFUSED)) == "ODBCTX_EREFUSED");
    CHECK(std::string(odbctx_strerror(12345)) == "ODBCTX_E(unknown)");
}

TEST_CASE("the session reports its DBMS and connection", "[connect]")
{
    odbctx_session *s = core::suite();
    std::string d = odbctx_dbms(s);
    CHECK((d == "SQLite" || d == "PostgreSQL" || d == "MariaDB" || d == "MySQL"));
    if (core::connect_string().empty()) {
        CHECK(d == "SQLite");
        CHECK(std::string(odbctx_connection(s)).empty());
    }
    CHECK(odbctx_hdbc(s) != SQL_NULL_HDBC);
    CHECK(odbctx_henv(s) != SQL_NULL_HENV);
}
