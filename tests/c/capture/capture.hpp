// Shared fixture of the capture suite. main.cpp sets it up before Catch2
// runs: the ledger tables, created for real (committed) so that a fresh
// connection can look at them; a temporary odbc.ini (ODBCINI) with a DSN
// for the same database; and one session that captures the connections
// opened through that DSN.
#ifndef ODBCTX_TESTS_CAPTURE_HPP
#define ODBCTX_TESTS_CAPTURE_HPP

#include <odbctx.h>

#include <catch2/catch.hpp>

#include <sql.h>
#include <sqlext.h>

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

// The DSN the session captures, as a connection string.
inline std::string via_dsn()
{
    return "DSN=" + dsn();
}

// A ledger table's name ("account", "entry") with the run's prefix.
inline std::string table(const char *name)
{
    return prefix() + name;
}

struct diag {
    std::string state, message;
};

inline diag first_diag(SQLSMALLINT type, SQLHANDLE h)
{
    SQLCHAR state[6] = "", msg[1024] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len)))
        return {};
    return {(char *)state, (char *)msg};
}

// A statement of the application's on dbc, freed by the destructor.
struct stmt {
    SQLHSTMT h = SQL_NULL_HSTMT;
    explicit stmt(SQLHDBC dbc) { REQUIRE(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h))); }
    ~stmt() { SQLFreeHandle(SQL_HANDLE_STMT, h); }
    stmt(const stmt &) = delete;
    stmt &operator=(const stmt &) = delete;
    SQLRETURN exec(const std::string &sql) { return SQLExecDirect(h, (SQLCHAR *)sql.c_str(), SQL_NTS); }
    diag error() const { return first_diag(SQL_HANDLE_STMT, h); }
};

inline void ok(SQLRETURN r, const diag &d = {})
{
    INFO(d.state << " " << d.message);
    REQUIRE(SQL_SUCCEEDED(r));
}

inline void exec_ok(SQLHDBC dbc, const std::string &sql)
{
    stmt st(dbc);
    SQLRETURN r = st.exec(sql);
    INFO(sql);
    ok(r, st.error());
}

} // namespace cap

#endif
