// Helpers of the reliability suite: the database under test, sessions that
// close themselves, a raw ODBC connection that bypasses odbctx entirely, and
// child processes of this binary (main.cpp runs them).
#ifndef ODBCTX_TESTS_RELIABILITY_REL_HPP
#define ODBCTX_TESTS_RELIABILITY_REL_HPP

#include <odbctx.h>

#include <sql.h>
#include <sqlext.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace rel {

// ODBCTX_CONNECT ("" = the embedded SQLite default) and ODBCTX_DB.
std::string connect_string();
std::string db();
bool on_sqlite();
bool on_postgresql();
bool on_mariadb();

// A connection string for an SQLite file the tests name themselves: the
// embedded default's file vanishes with its process, so a crash test needs
// a file that outlives the child it kills.
std::string sqlite_file_connection(const std::string &path);

// ODBCTX_WORKER=N: replaces ODBCTX_CONNECT by the worker's own database
// (created by opening a session once) and unsets ODBCTX_WORKER, so that
// sessions, raw connections and child processes all use that database.
// false, with the reason on stderr, when that fails.
bool resolve_worker();

// A fresh temporary directory, removed with its files by the destructor.
struct temp_dir {
    std::string path;
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir &) = delete;
    temp_dir &operator=(const temp_dir &) = delete;
};

// A session that closes itself; open() reports failure through the result.
struct session {
    odbctx_session *s = nullptr;
    odbctx_error err{};
    session() = default;
    explicit session(const std::string &conn) { open(conn); }
    ~session() { odbctx_close(s); }
    session(const session &) = delete;
    session &operator=(const session &) = delete;
    int open(const std::string &conn);
    void close() { odbctx_close(s); s = nullptr; }
    operator odbctx_session *() const { return s; }
    std::string message() const;
    long long count(const std::string &table, const std::string &where = "");
};

// The ODBC entry points of libodbc itself, looked up with dlsym: calls
// through them never reach odbctx's interposed functions. This is how the
// tests check a database "from outside", and how they play code that
// resolves ODBC at run time and so slips past capture.
struct real_odbc {
    SQLRETURN (*AllocHandle)(SQLSMALLINT, SQLHANDLE, SQLHANDLE *);
    SQLRETURN (*FreeHandle)(SQLSMALLINT, SQLHANDLE);
    SQLRETURN (*SetEnvAttr)(SQLHENV, SQLINTEGER, SQLPOINTER, SQLINTEGER);
    SQLRETURN (*SetConnectAttr)(SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER);
    SQLRETURN (*DriverConnect)(SQLHDBC, SQLHWND, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT,
                               SQLSMALLINT *, SQLUSMALLINT);
    SQLRETURN (*Disconnect)(SQLHDBC);
    SQLRETURN (*ExecDirect)(SQLHSTMT, SQLCHAR *, SQLINTEGER);
    SQLRETURN (*Fetch)(SQLHSTMT);
    SQLRETURN (*GetData)(SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLPOINTER, SQLLEN, SQLLEN *);
    SQLRETURN (*GetDiagRec)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLCHAR *, SQLINTEGER *,
                            SQLCHAR *, SQLSMALLINT, SQLSMALLINT *);
    SQLRETURN (*EndTran)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT);
};
const real_odbc &real();

// Runs sql on dbc through libodbc itself; "" on success, else the
// driver's message.
std::string real_exec(SQLHDBC dbc, const std::string &sql);

// A plain autocommit connection of libodbc's own: what "a fresh connection"
// sees is what was committed.
struct raw_connection {
    SQLHENV env = nullptr;
    SQLHDBC dbc = nullptr;
    std::string error;
    explicit raw_connection(const std::string &conn);
    ~raw_connection();
    raw_connection(const raw_connection &) = delete;
    raw_connection &operator=(const raw_connection &) = delete;
    bool ok() const { return dbc != nullptr; }
    std::string exec(const std::string &sql) { return real_exec(dbc, sql); }
    // First column of the first row; -1 on error (error holds why).
    long long query_int(const std::string &sql);
    std::string query_text(const std::string &sql);
};

// conn with the value of the first of keys (any case) set to value, every
// other of keys removed, and key appended when none is there; value ""
// removes them all. Test connection strings only: no braces.
std::string with_key(const std::string &conn, const std::vector<std::string> &keys,
                     const std::string &key, const std::string &value);

// SQL for "how many tables named like pattern exist" on the current DBMS.
std::string count_tables_sql(const std::string &like);

// Child processes: this binary run with "--child NAME ARGS..." (main.cpp),
// stdout to a pipe read here, stderr shared.
struct child {
    int pid = -1;
    int out = -1; // read end of the child's stdout
    std::string received;
    child(const std::vector<std::string> &args, const std::vector<std::string> &env = {});
    ~child();
    child(const child &) = delete;
    child &operator=(const child &) = delete;
    // Reads what the child wrote until a line equal to line arrives;
    // false on timeout or end of output.
    bool wait_line(const std::string &line, std::chrono::milliseconds timeout);
    // The same for a whole line that starts with prefix.
    bool wait_prefix(const std::string &prefix, std::chrono::milliseconds timeout);
    // Reads whatever is there now, without waiting.
    void drain();
    void kill9();
    // Waits for the child; its exit status as waitpid reports it.
    int wait();
    bool has_line(const std::string &prefix) const;
    std::string last_line_with(const std::string &prefix) const;
};

// A reproducible random source: ODBCTX_SEED when set, else the clock.
std::uint64_t seed();

// Milliseconds since some fixed point.
double now_ms();

} // namespace rel

#endif
