// Shared fixture of the capture suite. main.cpp sets it up before Catch2
// runs: the ledger tables, created for real (committed) so that a fresh
// connection can look at them; a temporary odbc.ini (ODBCINI) with a DSN
// for the same database; and one session that captures the connections
// opened through that DSN.
#ifndef ODBCTX_TESTS_CAPTURE_HPP
#define ODBCTX_TESTS_CAPTURE_HPP

#include <odbctx.h>

#include <catch2/catch.hpp>

#include <string>

#include "ledger.h"

namespace cap {

odbctx_session *session();
// The database: ODBCTX_CONNECT, or an SQLite file of the suite's own (the
// embedded default has no file another connection could open).
const std::string &conn();
// A DSN for the same database; the session captures connections to it.
const std::string &dsn();
// Prefix of the ledger's tables (unique per run: servers are shared).
const std::string &prefix();
bool is_sqlite();
bool is_postgresql();
bool is_mariadb();

// "CODE: message" of the session's last error.
std::string why();
void exec(const std::string &sql);
// COUNT(*) of a ledger table ("account", "entry") through the session.
long long count(const std::string &table, const std::string &where = "");
// The same through a brand-new connection that is not captured: what
// another client of the database sees.
long long fresh_count(const std::string &table);

// One test: begun on construction; finish() ends it and checks that neither
// the session nor a fresh connection sees anything of it. The destructor
// ends a test that a failed REQUIRE left running.
struct test_run {
    test_run();
    ~test_run();
    test_run(const test_run &) = delete;
    test_run &operator=(const test_run &) = delete;
    void finish();
};

// The legacy module on a connection of its own (captured when conn names
// the DSN), closed by the destructor.
struct legacy {
    struct ledger *l = nullptr;
    explicit legacy(const std::string &conn_or_dsn);
    explicit legacy(SQLHDBC dbc);
    ~legacy();
    legacy(const legacy &) = delete;
    legacy &operator=(const legacy &) = delete;
    long balance(int account);
    std::string error() const { return ledger_error(l); }
};

} // namespace cap

#endif
