// Raw ODBC for the baselines: the driver manager's own entry points, looked
// up in libodbc.so.2 itself.
//
// The bench links libodbctx.so, which exports interposed SQLExecDirect,
// SQLEndTran, ... (capture). A baseline called by the plain names would go
// through those and measure odbctx instead of the floor, so every raw call
// goes through this table. The candidate under test (odbctx) uses whatever
// path a user's code would.
#pragma once

#include <sql.h>
#include <sqlext.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

// X(return type, name, parameter list)
#define BENCH_ODBC_FUNCTIONS(X) \
    X(SQLRETURN, SQLAllocHandle, (SQLSMALLINT, SQLHANDLE, SQLHANDLE *)) \
    X(SQLRETURN, SQLFreeHandle, (SQLSMALLINT, SQLHANDLE)) \
    X(SQLRETURN, SQLSetEnvAttr, (SQLHENV, SQLINTEGER, SQLPOINTER, SQLINTEGER)) \
    X(SQLRETURN, SQLDriverConnect, (SQLHDBC, SQLHWND, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLSMALLINT *, SQLUSMALLINT)) \
    X(SQLRETURN, SQLDisconnect, (SQLHDBC)) \
    X(SQLRETURN, SQLSetConnectAttr, (SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER)) \
    X(SQLRETURN, SQLGetConnectAttr, (SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER, SQLINTEGER *)) \
    X(SQLRETURN, SQLGetInfo, (SQLHDBC, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *)) \
    X(SQLRETURN, SQLExecDirect, (SQLHSTMT, SQLCHAR *, SQLINTEGER)) \
    X(SQLRETURN, SQLPrepare, (SQLHSTMT, SQLCHAR *, SQLINTEGER)) \
    X(SQLRETURN, SQLExecute, (SQLHSTMT)) \
    X(SQLRETURN, SQLBindParameter, (SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLSMALLINT, SQLSMALLINT, SQLULEN, SQLSMALLINT, SQLPOINTER, SQLLEN, SQLLEN *)) \
    X(SQLRETURN, SQLSetStmtAttr, (SQLHSTMT, SQLINTEGER, SQLPOINTER, SQLINTEGER)) \
    X(SQLRETURN, SQLFreeStmt, (SQLHSTMT, SQLUSMALLINT)) \
    X(SQLRETURN, SQLMoreResults, (SQLHSTMT)) \
    X(SQLRETURN, SQLNumResultCols, (SQLHSTMT, SQLSMALLINT *)) \
    X(SQLRETURN, SQLFetch, (SQLHSTMT)) \
    X(SQLRETURN, SQLGetData, (SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLPOINTER, SQLLEN, SQLLEN *)) \
    X(SQLRETURN, SQLGetDiagRec, (SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLCHAR *, SQLINTEGER *, SQLCHAR *, SQLSMALLINT, SQLSMALLINT *)) \
    X(SQLRETURN, SQLEndTran, (SQLSMALLINT, SQLHANDLE, SQLSMALLINT))

#define BENCH_ODBC_FIELD(ret, name, params) ret(*name) params;
struct odbc_api {
    BENCH_ODBC_FUNCTIONS(BENCH_ODBC_FIELD)
};
#undef BENCH_ODBC_FIELD

// Filled by load_raw(); throws when libodbc.so.2 or a function is missing.
extern odbc_api raw;
void load_raw();

struct failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// "SQLSTATE native message" of the first diagnostic record, or "".
std::string diag(SQLSMALLINT type, SQLHANDLE h);

// Throws failure with what and the diagnostics unless rc succeeded.
void check(SQLRETURN rc, SQLSMALLINT type, SQLHANDLE h, const std::string &what);

enum class dbkind { sqlite, postgresql, mariadb };
dbkind kind_of(const std::string &dbms_name);
const char *kind_name(dbkind k);

// One ODBC connection used through the raw table. Either owned (opened
// here, closed by the destructor) or borrowed (the session's, never closed).
class conn {
public:
    static conn open(const std::string &connstr, bool autocommit);
    static conn borrow(SQLHENV env, SQLHDBC dbc);
    conn(conn &&o) noexcept;
    conn &operator=(conn &&) = delete;
    ~conn();

    SQLHDBC dbc() const { return dbc_; }
    dbkind kind() const { return kind_; }
    const std::string &dbms() const { return dbms_; }
    const std::string &version() const { return version_; }

    // Runs sql (one statement or, where the driver takes them, several) on
    // a statement handle kept for the purpose; several = drain every result.
    void exec(const std::string &sql, bool several = false);
    void exec(const char *sql, bool several = false);
    long long query_int(const std::string &sql);
    void commit();
    void rollback();
    void autocommit(bool on);

    // Whether the driver takes stmt as part of a multi-statement string:
    // psqlODBC sends any such string as one query (one round trip); the
    // SQLite driver takes several statements only when none of them is
    // DML ("only one SQL statement allowed" otherwise, seen); MariaDB
    // Connector/ODBC takes them only with its multi-statement option
    // (probed when the connection is set up, as odbctx does).
    bool packable(const std::string &stmt) const;

    // Runs the statements in order in as few calls as the driver allows.
    void exec_packed(const std::vector<std::string> &stmts);

private:
    conn() = default;
    SQLHENV env_ = SQL_NULL_HENV;
    SQLHDBC dbc_ = SQL_NULL_HDBC;
    SQLHSTMT stmt_ = SQL_NULL_HSTMT;
    bool owned_ = false;
    dbkind kind_ = dbkind::sqlite;
    bool multi_ = false; // MariaDB: the multi-statement option is on
    std::string dbms_, version_;
    void init();
};

// A prepared statement on a connection, through the raw table.
class prepared {
public:
    prepared(SQLHDBC dbc, const std::string &sql);
    prepared(const prepared &) = delete;
    prepared &operator=(const prepared &) = delete;
    ~prepared();
    SQLHSTMT handle() const { return stmt_; }
    void execute();

private:
    SQLHSTMT stmt_ = SQL_NULL_HSTMT;
    std::string sql_;
};

// Joins statements with "; " for one call.
std::string join(const std::vector<std::string> &stmts);

} // namespace bench
