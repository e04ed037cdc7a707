// Shared fixture of the core suite: one suite-wide session on ODBCTX_CONNECT
// (unset = the embedded SQLite default), opened on first use with a small
// schema, and helpers that fail the running test with odbctx's message.
// Only the C API is used.
#ifndef ODBCTX_TESTS_CORE_HPP
#define ODBCTX_TESTS_CORE_HPP

#include <odbctx.h>

#include <catch2/catch.hpp>

#include <string>

// Requires expr (a call on session s) to succeed, reporting odbctx's message
// as it stands after the call when it does not.
#define CORE_REQUIRE_OK(s, expr) \
    do { \
        int core_rc_ = (expr); \
        INFO(#expr << " -> " << core::why(s)); \
        REQUIRE(core_rc_ == ODBCTX_OK); \
    } while (0)

namespace core {

// ODBCTX_CONNECT as the suite reads it ("" = the embedded default).
std::string connect_string();
// NULL when ODBCTX_CONNECT is unset or empty, else its value.
const char *connect_or_null();

// The suite-wide session; closed when the program exits.
odbctx_session *suite();
// "SQLite", "PostgreSQL" or "MariaDB" / "MySQL" of the suite session.
std::string dbms();
bool is_sqlite();
bool is_postgresql();
bool is_mariadb();

// The suite schema: core_item (id, name, qty) with one seed row (id 1,
// 'seed'), core_tag (id, item_id -> core_item, label).
extern const char *const schema_sql;

// The last error's message on s ("" when none).
std::string message(odbctx_session *s);
// "CODE: message" of the last error, for failure reports.
std::string why(odbctx_session *s);

// Runs sql and requires success.
void exec(odbctx_session *s, const std::string &sql);
// COUNT(*) of table (with an optional WHERE clause); requires success.
long long count(odbctx_session *s, const std::string &table, const std::string &where = "");

// Begins a test on the suite session and ends it when the scope ends, so a
// failed REQUIRE still leaves the session ready for the next test case.
struct test_scope {
    odbctx_session *s;
    explicit test_scope(odbctx_session *session = suite());
    ~test_scope();
    test_scope(const test_scope &) = delete;
    test_scope &operator=(const test_scope &) = delete;
    // Ends the test now; returns odbctx_end_test's result.
    int end();
    bool ended = false;
};

// Opens a session of its own on ODBCTX_CONNECT; requires success.
odbctx_session *open_own();

// A session of the test's own, closed when the scope ends even when a
// REQUIRE fails on the way (on MariaDB its schema is committed until then).
struct own {
    odbctx_session *s;
    own();
    ~own() { close(); }
    own(const own &) = delete;
    own &operator=(const own &) = delete;
    operator odbctx_session *() const { return s; }
    void close()
    {
        odbctx_close(s);
        s = nullptr;
    }
};

// A file with the given text in a fresh temporary directory; both are
// removed by the destructor.
struct temp_file {
    std::string dir, path;
    temp_file(const std::string &name, const std::string &text);
    ~temp_file();
};

// Whether a directory exists.
bool dir_exists(const std::string &path);

// The file of the main database of an SQLite session (PRAGMA database_list
// through the session's connection).
std::string sqlite_file(odbctx_session *s);

// The connection string with its PWD=/Password= value replaced by pw.
std::string with_password(const std::string &conn, const std::string &pw);

} // namespace core

#endif
