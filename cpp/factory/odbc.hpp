// What the parts of the factory INSERT in this folder share (meta.cpp,
// check.cpp, insert.cpp, cache.cpp); not installed. Hidden from the
// library's exported symbols.
#ifndef ODBCTX_FACTORY_ODBC_HPP
#define ODBCTX_FACTORY_ODBC_HPP

#include <odbctx/detail/insert.hpp>

#include <sql.h>
#include <sqlext.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#pragma GCC visibility push(hidden)

namespace odbctx::detail::factory_impl {

inline bool ok(SQLRETURN r)
{
    return r == SQL_SUCCESS || r == SQL_SUCCESS_WITH_INFO;
}

struct diagnostics {
    std::string sqlstate;
    long native = 0;
    std::string message;
};

// Every diagnostic record of a handle: the first one's SQLSTATE and native
// code, all messages joined.
diagnostics read_diagnostics(SQLSMALLINT type, SQLHANDLE h);

// Throw odbctx::error_exception.
[[noreturn]] void raise(int code, std::string message, const char *sqlstate = "",
                        long native = 0);
// ODBCTX_ESQL with the driver's SQLSTATE, native code and message after ours.
[[noreturn]] void raise_driver(std::string message, const diagnostics &d);

// One row of parameters in buffers of a statement's own, for a statement
// executed row by row: its parameters are bound once, not once per row, and
// stay bound while the statement waits in the cache (SQLBindParameter and
// SQL_RESET_PARAMS were a visible part of every create() on SQLite).
struct row_buffers {
    struct bound {
        SQLSMALLINT ctype = 0;
        SQLSMALLINT sqltype = 0;
        SQLULEN size = 0;
        SQLSMALLINT digits = 0;
        SQLLEN width = -1; // -1: not bound
        const unsigned char *data = nullptr;
    };
    std::vector<bound> params;
    std::vector<std::vector<unsigned char>> data;
    std::vector<SQLLEN> ind; // sized once per statement: bound by address
};

class statement {
public:
    explicit statement(SQLHDBC dbc)
    {
        if (!ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h_)))
            raise_driver("cannot allocate a statement", read_diagnostics(SQL_HANDLE_DBC, dbc));
    }
    // Takes over a handle allocated earlier (one from the statement cache),
    // with the row buffers its parameters may be bound to.
    struct adopt_t {};
    statement(adopt_t, SQLHSTMT h, std::unique_ptr<row_buffers> rows) noexcept
        : h_(h), rows_(std::move(rows))
    {
    }
    ~statement()
    {
        if (h_ != nullptr)
            SQLFreeHandle(SQL_HANDLE_STMT, h_);
    }
    statement(const statement &) = delete;
    statement &operator=(const statement &) = delete;

    SQLHSTMT get() const { return h_; }
    diagnostics diag() const { return read_diagnostics(SQL_HANDLE_STMT, h_); }
    SQLRETURN execute()
    {
        open_ = true;
        return SQLExecute(h_);
    }
    // For a statement that never has a result set (an INSERT without
    // RETURNING): nothing to close afterwards, which spares close() its
    // SQLFreeStmt when the statement goes back to the cache.
    SQLRETURN execute_without_results() { return SQLExecute(h_); }
    void close()
    {
        SQLFreeStmt(h_, SQL_CLOSE);
        open_ = false;
    }
    // Whether it may have a cursor open: executed through execute() since
    // the last close().
    bool open() const { return open_; }
    row_buffers &rows()
    {
        if (!rows_)
            rows_ = std::make_unique<row_buffers>();
        return *rows_;
    }
    // Gives up the handle without freeing it; the row buffers go with it.
    SQLHSTMT release(std::unique_ptr<row_buffers> &rows) noexcept
    {
        rows = std::move(rows_);
        return std::exchange(h_, nullptr);
    }
    SQLHSTMT release() noexcept { return std::exchange(h_, nullptr); }

private:
    SQLHSTMT h_ = nullptr;
    bool open_ = false;
    // Freed after the handle (~statement frees it before the members go).
    std::unique_ptr<row_buffers> rows_;
};

enum class dialect { sqlite, postgresql, mariadb, mysql, other };

struct connection_info {
    dialect d = dialect::other;
    bool returning = false;     // INSERT ... RETURNING gives the key
    bool array_selects = false; // parameter arrays may return result sets
};

// The dialect and how keys come back, from SQLGetInfo.
connection_info describe_connection(SQLHDBC dbc);

// Prepared statements kept per session connection (factory/cache.cpp), so
// that create() prepares its INSERT once, not once per row (on PostgreSQL
// that was Parse and a DEALLOCATE per row, on MariaDB a server-side prepare).
// The same lifetime as the metadata cache: a new schema version
// (odbctx_schema_version: DDL, a rollback of DDL) frees the idle statements
// of the session's connection; they are kept across tests otherwise, where
// freeing them cost a DEALLOCATE and a new Parse per test on PostgreSQL. A
// new connection (odbctx_connection_id) forgets them, its disconnect
// having freed them.
// A bare connection (no session) has no cache: nothing tells when it goes;
// nor has a session while capture runs on it (capture sees only statements
// allocated meanwhile).
// One insert() uses one view, on its own thread.
class statement_cache {
public:
    explicit statement_cache(const insert_target &t);
    statement_cache(const statement_cache &) = delete;
    statement_cache &operator=(const statement_cache &) = delete;

    // describe_connection, once per connection.
    connection_info info();
    // An idle statement prepared with sql (prepared = true), or a new one.
    // Returned by value (no heap allocation per statement lent).
    statement take(const std::string &sql, bool &prepared);
    // Back to the idle ones, cursor closed, parameters left bound to its own
    // row buffers (nothing else binds a cached statement). When the cache
    // no longer wants it, st keeps its handle and frees it when it goes.
    void put_back(const std::string &sql, statement &st) noexcept;

    // Whether statements are cached (a session, no capture): what this
    // view was opened on then identifies the connection and the schema
    // version, as for the metadata.
    bool caching() const { return connection_ != 0; }
    unsigned long long connection() const { return connection_; }
    std::uint64_t generation() const { return generation_; }

private:
    insert_target t_;
    unsigned long long connection_ = 0; // 0: no caching
    std::uint64_t generation_ = 0;
    std::optional<connection_info> info_; // as cached when this view began
};

// A statement lent by a statement_cache for one use: give_back() after a
// use that went well; otherwise (an exception) it is freed.
class lent_statement {
public:
    // sql must outlive the lent statement (no copy: create() lends two
    // statements a row).
    lent_statement(statement_cache &c, const std::string &sql)
        : cache_(c), sql_(sql), st_(c.take(sql_, prepared_))
    {
    }
    statement &operator*() { return st_; }
    statement *operator->() { return &st_; }
    const std::string &sql() const { return sql_; }
    bool prepared() const { return prepared_; }
    void give_back() noexcept { cache_.put_back(sql_, st_); }

private:
    statement_cache &cache_;
    const std::string &sql_;
    bool prepared_ = false; // before st_: take() sets it
    statement st_;
};

struct column_meta {
    std::string name;
    SQLSMALLINT type = 0;
    SQLULEN size = 0;
    SQLSMALLINT digits = 0;
    SQLSMALLINT nullable = SQL_NULLABLE_UNKNOWN;
    bool is_unsigned = false;
    std::size_t text_limit = 0;  // characters; 0 = not checked
    std::size_t bytes_limit = 0; // bytes; 0 = not checked
    int precision = 0;           // DECIMAL/NUMERIC; 0 = not checked
    int scale = 0;
    std::string type_text; // for messages: "varchar(10)"
};

struct table_meta {
    std::vector<column_meta> columns; // in insert_job::all_columns order
    // SQLite: whether the key is the rowid alias of a plain table of main
    // or temp that no REPLACE conflict clause deletes from, so a batch's
    // keys may be read back by range (factory/insert.cpp, which also checks
    // for triggers before every batch). -1: not asked yet; asked by the
    // first batch that could use it (sqlite_rowid_key()), not with the
    // rest of the metadata, which every test reads again. Threads sharing
    // the entry would store the same answer.
    mutable std::atomic<int> sqlite_rowid_key{-1};
};

// The answer for table_meta::sqlite_rowid_key.
bool sqlite_rowid_key(SQLHDBC dbc, const insert_job &job);

// A SQL string literal: 'it''s'.
std::string sql_literal(const std::string &s);

// The table's columns as mapped, read once per mapping, connection and run
// of a test. Throws when the table or a mapped column does not exist.
std::shared_ptr<const table_meta> metadata(const insert_target &t, const connection_info &ci,
                                           const insert_job &job);

// Checks every row against the columns before anything is sent; throws at
// the first value that cannot go in (NULL into NOT NULL, too long, out of
// range).
void check_values(const insert_job &job, const table_meta &meta, dialect d);

// A batch row that could not be told.
constexpr std::size_t unknown_row = static_cast<std::size_t>(-1);

std::string upper(std::string s);
// A column name without quotes, upper case: how names are compared.
std::string bare_name(const char *name);
// "factory<user>"
std::string prefix(const insert_job &job);
// " (row 3 of 10)", or "" for a single row.
std::string where(const insert_job &job, std::size_t row);
// "factory<user>: field \"name\" (users.name)"
std::string field(const insert_job &job, const char *column);

} // namespace odbctx::detail::factory_impl

#pragma GCC visibility pop

#endif
