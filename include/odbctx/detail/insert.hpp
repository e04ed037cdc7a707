// The part of a factory's create that does not depend on T: check the rows
// against the table, INSERT them (as one parameter array where the driver
// allows it) and read back the generated keys. Internal to odbctx's
// factories; implemented in cpp/factory/insert.cpp.
#ifndef ODBCTX_DETAIL_INSERT_HPP
#define ODBCTX_DETAIL_INSERT_HPP

#include <odbctx.h>
#include <odbctx/detail/bind.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace odbctx::detail {

// Where rows go: the connection and, when there is one, the C session it
// belongs to (for its dialect, its nested savepoints and its error state).
struct insert_target {
    SQLHDBC dbc = nullptr;
    odbctx_session *session = nullptr; // may be nullptr: a bare connection
};

struct insert_job {
    std::string_view type;       // T's name, for messages
    const char *table = nullptr; // table<T>::name
    const char *key = nullptr;   // the generated key column, or nullptr
    std::size_t rows = 0;
    std::vector<param_column> columns; // every mapped column but the key
    std::vector<const char *> all_columns; // every mapped column, key included
    std::vector<long long> keys; // out: one per row when key != nullptr
    // table, key and the column names point to a table<T> mapping's own
    // strings, which live as long as the program: insert() may then know a
    // job it has seen by those addresses (its SQL, its metadata) instead of
    // building strings to look them up.
    bool static_names = false;
};

// How create_batch inserted its rows, for tests and benchmarks.
enum class insert_path {
    none,       // nothing inserted yet
    array,      // parameter arrays (SQL_ATTR_PARAMSET_SIZE)
    per_row,    // one prepared statement executed once per row
};

// Inserts job.rows rows and fills job.keys. Throws odbctx::error_exception
// whose message names the type, the field and, for a batch, the row: at the
// first bad row before anything is sent where the table's metadata tells
// (missing column, NULL into NOT NULL, value too long or out of range), else
// when the driver reports it. On SQLite a batch of more than one row runs in
// a nested savepoint when a test is running, so it inserts all its rows or
// none; on the servers an array is one statement the database undoes, and
// row by row the rows before the refused one stay (the message says so).
ODBCTX_API void insert(const insert_target &target, insert_job &job);

// The path the last insert() on this thread took.
ODBCTX_API insert_path last_insert_path() noexcept;

// Forces the per-row path (true) or lets insert() choose (false), for
// tests that compare both paths. Process-wide.
ODBCTX_API void force_per_row(bool on) noexcept;

// On MariaDB, reads keys with LAST_INSERT_ID() as for servers before 10.5
// (and MySQL), which have no RETURNING: for tests of that path.
// Process-wide.
ODBCTX_API void force_last_insert_id(bool on) noexcept;

} // namespace odbctx::detail

#endif
