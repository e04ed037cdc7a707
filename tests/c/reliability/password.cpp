// No password appears in any message, trace or log (ODBCTX_TRACE output),
// and hiding it does not mangle the rest of the text.
//
// Two kinds of password, on purpose:
// - a unique nonsense word: if it shows up anywhere, some path leaked it;
// - common words ("test", "select") that also occur in the database name,
//   in SQL and in messages: those occurrences must survive unchanged, or
//   the redaction is replacing words instead of hiding the password.
// The same code paths run for both, so together they show "no leak" and
// "no mangling".
#include <catch2/catch.hpp>

#include "rel.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

bool contains(const std::string &text, const std::string &what)
{
    return text.find(what) != std::string::npos;
}

// A login whose password is the given word (SQLite has no passwords: the
// driver ignores PWD=, but odbctx must still hide it).
struct login {
    rel::temp_dir dir;
    std::string conn;
    std::string drop;
    explicit login(const std::string &password)
    {
        if (rel::on_sqlite()) {
            conn = rel::sqlite_file_connection(dir.path + "/pw_test.db") + "PWD=" + password + ";";
            return;
        }
        rel::raw_connection admin(rel::connect_string());
        REQUIRE(admin.ok());
        if (rel::on_postgresql()) {
            admin.exec("DROP ROLE IF EXISTS relpw");
            REQUIRE(admin.exec("CREATE ROLE relpw LOGIN SUPERUSER PASSWORD '" + password + "'") == "");
            drop = "DROP ROLE IF EXISTS relpw";
        } else {
            admin.exec("DROP USER IF EXISTS 'relpw'@'%'");
            REQUIRE(admin.exec("CREATE USER 'relpw'@'%' IDENTIFIED BY '" + password + "'") == "");
            REQUIRE(admin.exec("GRANT ALL PRIVILEGES ON *.* TO 'relpw'@'%'") == "");
            drop = "DROP USER IF EXISTS 'relpw'@'%'";
        }
        conn = rel::with_key(rel::connect_string(), {"UID", "USER"}, "UID", "relpw");
        conn = rel::with_key(conn, {"PWD", "PASSWORD"}, "PWD", password);
    }
    ~login()
    {
        if (!drop.empty()) {
            rel::raw_connection admin(rel::connect_string());
            admin.exec(drop);
        }
    }
};

// Everything written to stderr (where ODBCTX_TRACE=1 prints) while alive.
struct stderr_capture {
    std::string path;
    int saved = -1;
    explicit stderr_capture(const std::string &file) : path(file)
    {
        std::fflush(stderr);
        saved = dup(2);
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 2);
        close(fd);
    }
    std::string stop()
    {
        if (saved >= 0) {
            std::fflush(stderr);
            dup2(saved, 2);
            close(saved);
            saved = -1;
        }
        std::ifstream f(path);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }
    ~stderr_capture() { stop(); }
};

// Runs a session the way a suite does, with tracing on, and returns every
// text odbctx produced: connection, messages, the trace and its log.
std::string everything_said(const std::string &conn, const std::string &logfile)
{
    setenv("ODBCTX_TRACE", "1", 1);
    stderr_capture log(logfile);
    std::string said;
    {
        rel::session s(conn);
        unsetenv("ODBCTX_TRACE");
        said += "connection: " + std::string(s.s ? odbctx_connection(s) : "") + "\n";
        said += "open: " + s.message() + "\n";
        REQUIRE(s.s);
        REQUIRE(odbctx_schema_script(s, "CREATE TABLE relpw (id INTEGER PRIMARY KEY, note VARCHAR(40))",
                                     "pw schema") == 0);
        REQUIRE(odbctx_capture_start(s, "*") == 0);
        REQUIRE(odbctx_begin_test(s) == 0);
        REQUIRE(odbctx_exec(s, "insert into relpw (id, note) values (1, 'select test secret')") == 0);
        long long n = 0;
        REQUIRE(odbctx_query_int(s, "select count(*) from relpw", &n) == 0);
        CHECK(odbctx_exec(s, "select * from relpw_missing_select_test") == ODBCTX_ESQL);
        said += "error: " + s.message() + "\n";

        // Legacy code opening its own connection with the same string: the
        // connection is captured, and its connection string is traced.
        SQLHENV env = nullptr;
        SQLHDBC dbc = nullptr;
        SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
        SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
        SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
        SQLRETURN rc = SQLDriverConnect(dbc, nullptr, (SQLCHAR *)conn.c_str(), SQL_NTS, nullptr, 0,
                                        nullptr, SQL_DRIVER_NOPROMPT);
        CHECK(SQL_SUCCEEDED(rc));
        SQLDisconnect(dbc);
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        SQLFreeHandle(SQL_HANDLE_ENV, env);

        said += "trace: " + std::string(odbctx_trace(s)) + "\n";
        CHECK(odbctx_end_test(s) == 0);
        odbctx_capture_stop(s);
    }
    said += "log: " + log.stop() + "\n";
    return said;
}

// The message of a connection refused for a wrong password.
std::string refused_message(const std::string &wrong)
{
    std::string conn = rel::with_key(rel::connect_string(), {"PWD", "PASSWORD"}, "PWD", wrong);
    rel::session s(conn);
    CHECK(s.s == nullptr);
    return s.err.message;
}

} // namespace

TEST_CASE("a unique password appears in no message, trace or log", "[password]")
{
    const std::string secret = "Qx7pwdUniq";
    login user(secret);
    std::string said = everything_said(user.conn, user.dir.path + "/log");
    INFO(said);
    CHECK_FALSE(contains(said, secret));
    CHECK(contains(said, "PWD=***"));
    if (!rel::on_sqlite()) {
        std::string refused = refused_message(secret + "Wrong");
        INFO(refused);
        CHECK_FALSE(contains(refused, secret));
        CHECK(contains(refused, "PWD=***"));
    }
}

TEST_CASE("a password under any spelling of its key appears in no message, trace or log",
          "[password]")
{
    const std::string secret = "Qx7pwdUniq";
    login user(secret);
    // Drivers ignore keys they do not know; odbctx must hide them all the same.
    const std::vector<std::string> spelled = {"{PWD}", "{Pwd}", "P{W}D", "pass word"};
    std::string conn = user.conn;
    for (size_t i = 0; i < spelled.size(); ++i)
        conn += spelled[i] + "=Zk9spelled" + std::to_string(i) + ";";
    std::string said = everything_said(conn, user.dir.path + "/log");
    INFO(said);
    CHECK_FALSE(contains(said, secret));
    CHECK_FALSE(contains(said, "Zk9spelled"));
    // A refused connection whose only password is under a braced key.
    rel::session s(rel::with_key(rel::connect_string(), {"PWD", "PASSWORD"}, "PWD", "") +
                   "Driver=odbctx_no_such_driver;{PWD}=Zk9refused;");
    CHECK(s.s == nullptr);
    INFO(s.err.message);
    CHECK_FALSE(contains(s.err.message, "Zk9refused"));
}

TEST_CASE("a password that is a common word is hidden without mangling the text", "[password]")
{
    for (const std::string word : {"test", "select"}) {
        login user(word);
        std::string said = everything_said(user.conn, user.dir.path + "/log");
        INFO("password \"" << word << "\":\n" << said);
        CHECK_FALSE(contains(said, "PWD=" + word));
        CHECK(contains(said, "PWD=***"));
        // The other occurrences of the word are the text's own.
        CHECK(contains(said, "insert into relpw (id, note) values (1, 'select test secret')"));
        CHECK(contains(said, "select count(*) from relpw"));
        CHECK(contains(said, "relpw_missing_select_test"));
        if (!rel::on_sqlite())
            CHECK(contains(said, "odbctx_test"));

        if (!rel::on_sqlite()) {
            // A refused connection says the same whatever the password was.
            std::string as_word = refused_message(word);
            std::string as_nonsense = refused_message("Zq9NotAWord");
            INFO("refused with \"" << word << "\": " << as_word);
            INFO("refused with nonsense: " << as_nonsense);
            CHECK(as_word == as_nonsense);
        }
    }
}

TEST_CASE("odbctx_redact hides every form of a password value", "[password]")
{
    struct {
        const char *conn, *secret;
    } cases[] = {
        {"PWD=test;UID=u", "test"},
        {"pwd = test ;UID=u", "test"},
        {"Password={te;st};UID=u", "te;st"},
        {"PWD={a}}b};UID=u", "a}}b"},
        {"UID=u;PASSWORD=select", "select"},
        {"DSN=x;PWD={unterminated;UID=u", "unterminated"},
        {"PWD=one;PWD=two", "two"},
        // Spellings of the key that a parser may still read as a password.
        {"{PWD}=s3cret;UID=u", "s3cret"},
        {"{Pwd}=s3cret;UID=u", "s3cret"},
        {"P{W}D=s3cret;UID=u", "s3cret"},
        {"UID=u; Pass Word = s3cret", "s3cret"},
        {"SSLPassPhrase=s3cret", "s3cret"},
        {"Api_Token={s3;cret}", "s3;cret"},
    };
    for (const auto &c : cases) {
        char out[256];
        odbctx_redact(c.conn, out, sizeof out);
        INFO(c.conn << " -> " << out);
        CHECK_FALSE(contains(out, c.secret));
        CHECK(contains(out, "***"));
    }
    char out[256];
    odbctx_redact("Driver=x;Database=odbctx_test;UID=test;PWD=test", out, sizeof out);
    CHECK(std::string(out) == "Driver=x;Database=odbctx_test;UID=test;PWD=***");
}
