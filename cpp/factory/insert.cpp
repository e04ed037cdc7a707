// INSERT for factories: metadata checks, parameter arrays, generated keys.
//
// Keys, per dialect (docs/databases.md; checked by tests/cpp/factory):
//   PostgreSQL, MariaDB 10.5+  INSERT ... RETURNING key. With a parameter
//       array psqlODBC returns one result set per parameter set
//       (SQL_PARAM_ARRAY_SELECTS = SQL_PAS_BATCH) and MariaDB Connector/ODBC
//       one result set holding a row per parameter set, in order
//       (SQL_PAS_NO_BATCH); either way the keys are read in parameter order
//       and their count is checked.
//   SQLite  the driver drops RETURNING rows. Inside a test (a transaction,
//       and the batch's nested savepoint) a batch goes in as a parameter
//       array between SELECT max(key) and SELECT key ... WHERE key > that
//       ORDER BY key: the transaction keeps other connections' rows out
//       (SQLite serializes writers, and a writer that committed since our
//       read makes our INSERT fail with SQLITE_BUSY instead), so the rows
//       above the old largest key are this batch's, in insertion order.
//       That holds only where each INSERT adds exactly one row with a key
//       above every existing one: the key is the rowid alias (INTEGER
//       PRIMARY KEY, not WITHOUT ROWID), no trigger fires on the table and
//       no REPLACE conflict clause deletes rows (sqlite_rowid_key() in
//       factory/meta.cpp tells the first and the last, asked once per
//       table's metadata; sqlite_range_start() looks for
//       triggers before every batch), and a count that differs from the
//       batch's undoes the array and inserts row by row. Anywhere else
//       (outside a test, fewer than range_min_rows rows, a binary column:
//       see insert()) each row is executed alone and followed by
//       SELECT last_insert_rowid() on the same connection: exact whatever
//       the table's rowid history.
//   MySQL, MariaDB before 10.5  per row, then SELECT LAST_INSERT_ID().
// Tables without a generated key use parameter arrays everywhere the driver
// accepts SQL_ATTR_PARAMSET_SIZE.
//
// Plain ODBC names are used: libodbctx.so passes them through unchanged
// unless capture is active on the connection, which then sees factory SQL
// like any other.
#include "factory/odbc.hpp"

#include <odbctx/error.hpp>

#include <algorithm>
#include <cstdio>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace odbctx::detail {
namespace {

using namespace factory_impl;

// Rows per SQLExecute of a parameter array: bounds driver memory and
// MariaDB's packet size; larger chunks measured no faster.
constexpr std::size_t array_chunk = 1000;

// SQLite: fewer rows go row by row. The range read costs two statements
// more than the array; measured (create_batch into fx_users), it pays from
// about 20 rows and cost 4 us of 17 on a batch of 2.
constexpr std::size_t range_min_rows = 16;

std::atomic<bool> per_row_forced{false};
std::atomic<bool> last_insert_id_forced{false};
thread_local insert_path last_path = insert_path::none;

// The column a driver message names, or "".
std::string column_in_message(const std::string &msg)
{
    struct pattern {
        const char *start;
        char end;
    };
    static const pattern patterns[] = {
        {"column \"", '"'}, {"Column '", '\''}, {"column '", '\''}, {"Field '", '\''}};
    for (const auto &p : patterns) {
        const auto at = msg.find(p.start);
        if (at == std::string::npos)
            continue;
        const auto from = at + std::strlen(p.start);
        const auto to = msg.find(p.end, from);
        if (to != std::string::npos)
            return msg.substr(from, to - from);
    }
    // SQLite: "NOT NULL constraint failed: users.name"
    if (const auto at = msg.find("constraint failed: "); at != std::string::npos) {
        std::string rest = msg.substr(at + std::strlen("constraint failed: "));
        rest = rest.substr(0, rest.find_first_of(" ,("));
        if (const auto dot = rest.rfind('.'); dot != std::string::npos)
            rest = rest.substr(dot + 1);
        return rest;
    }
    return {};
}

bool is_not_null_violation(const diagnostics &d)
{
    return d.sqlstate == "23502" || (d.sqlstate == "23000" && d.native == 1048) ||
           d.native == 1364 || d.message.find("NOT NULL constraint failed") != std::string::npos;
}

// rows_stay: the rows before row went in and nothing will take them back
// (no savepoint around the batch): the message says so.
[[noreturn]] void raise_insert_failure(const insert_job &job, const diagnostics &d,
                                       std::size_t row, bool rows_stay = false)
{
    std::string at = where(job, row);
    if (rows_stay && row != unknown_row && row > 0)
        at.insert(at.size() - 1, row == 1 ? "; row 1 stays in the test"
                                          : "; rows 1-" + std::to_string(row) + " stay in the test");
    const std::string named = column_in_message(d.message);
    const char *mapped = nullptr;
    for (const char *c : job.all_columns)
        if (!named.empty() && bare_name(c) == upper(named))
            mapped = c;
    std::string what;
    if (is_not_null_violation(d)) {
        if (mapped != nullptr)
            what = field(job, mapped) + ": NULL into a NOT NULL column";
        else if (!named.empty())
            what = prefix(job) + ": column " + job.table + "." + named +
                   " is NOT NULL without a default and table<" + std::string(job.type) +
                   "> does not map it";
        else
            what = prefix(job) + ": NULL into a NOT NULL column";
    } else if (d.sqlstate == "22001") {
        what = (mapped ? field(job, mapped) : prefix(job)) + ": a value does not fit its column";
    } else if (d.sqlstate == "22003") {
        what = (mapped ? field(job, mapped) : prefix(job)) + ": a number is out of range";
    } else {
        what = prefix(job) + ": INSERT INTO " + job.table + " failed";
    }
    raise_driver(what + at, d);
}

std::string insert_sql(const insert_job &job, const connection_info &ci)
{
    std::string sql;
    sql.reserve(128);
    sql += "INSERT INTO ";
    sql += job.table;
    if (job.columns.empty()) {
        sql += ci.d == dialect::mariadb || ci.d == dialect::mysql ? " () VALUES ()"
                                                                  : " DEFAULT VALUES";
    } else {
        sql += " (";
        for (std::size_t i = 0; i < job.columns.size(); ++i) {
            if (i > 0)
                sql += ", ";
            sql += job.columns[i].column;
        }
        sql += ") VALUES (";
        for (std::size_t i = 0; i < job.columns.size(); ++i)
            sql += i > 0 ? ", ?" : "?";
        sql += ")";
    }
    if (job.key != nullptr && ci.returning)
        sql += std::string(" RETURNING ") + job.key;
    return sql;
}

void bind_rows(statement &st, const insert_job &job, std::size_t first)
{
    for (std::size_t i = 0; i < job.columns.size(); ++i) {
        const param_column &c = job.columns[i];
        auto *data = const_cast<unsigned char *>(c.data.data()) +
                     first * static_cast<std::size_t>(c.width);
        auto *ind = const_cast<SQLLEN *>(c.ind.data()) + first;
        const SQLRETURN r =
            SQLBindParameter(st.get(), static_cast<SQLUSMALLINT>(i + 1), SQL_PARAM_INPUT,
                             c.ctype, c.sqltype, c.size, c.digits, data, c.width, ind);
        if (!ok(r))
            raise_driver(field(job, c.column) + ": cannot bind the parameter", st.diag());
    }
}

// Appends every row of every result set (the first column as an integer).
void read_keys(statement &st, const insert_job &job, std::vector<long long> &out)
{
    for (;;) {
        SQLSMALLINT cols = 0;
        SQLNumResultCols(st.get(), &cols);
        if (cols > 0) {
            for (;;) {
                const SQLRETURN f = SQLFetch(st.get());
                if (f == SQL_NO_DATA)
                    break;
                if (!ok(f))
                    raise_driver(prefix(job) + ": reading the generated key failed", st.diag());
                long long key = 0;
                SQLLEN ind = 0;
                if (!ok(SQLGetData(st.get(), 1, SQL_C_SBIGINT, &key, 0, &ind)) ||
                    ind == SQL_NULL_DATA)
                    raise_driver(prefix(job) + ": reading the generated key " + job.key +
                                     " failed",
                                 st.diag());
                out.push_back(key);
            }
        }
        const SQLRETURN m = SQLMoreResults(st.get());
        if (m == SQL_NO_DATA)
            break;
        if (!ok(m))
            raise_insert_failure(job, st.diag(), unknown_row);
    }
}

// One SQLExecute per chunk of rows. Returns false, having sent nothing, when
// the driver refuses parameter arrays.
bool insert_arrays(SQLHDBC dbc, const std::string &sql, insert_job &job, bool want_keys)
{
    statement st(dbc);
    if (!ok(SQLPrepare(st.get(), (SQLCHAR *)sql.c_str(), SQL_NTS)))
        raise_insert_failure(job, st.diag(), unknown_row);
    std::vector<SQLUSMALLINT> status(std::min(job.rows, array_chunk));
    SQLULEN processed = 0;
    for (std::size_t first = 0; first < job.rows; first += array_chunk) {
        const std::size_t n = std::min(array_chunk, job.rows - first);
        const SQLRETURN a =
            SQLSetStmtAttr(st.get(), SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)(SQLULEN)n, 0);
        SQLULEN actual = 0;
        if (!ok(a) ||
            !ok(SQLGetStmtAttr(st.get(), SQL_ATTR_PARAMSET_SIZE, &actual, 0, nullptr)) ||
            actual != n) {
            if (first == 0)
                return false;
            raise_driver(prefix(job) + ": the driver stopped accepting parameter arrays",
                         st.diag());
        }
        SQLSetStmtAttr(st.get(), SQL_ATTR_PARAM_STATUS_PTR, status.data(), 0);
        SQLSetStmtAttr(st.get(), SQL_ATTR_PARAMS_PROCESSED_PTR, &processed, 0);
        bind_rows(st, job, first);
        std::fill(status.begin(), status.end(), SQL_PARAM_UNUSED);
        processed = 0;
        const SQLRETURN r = SQLExecute(st.get());
        // Which row failed is not reported reliably: psqlODBC marks every
        // row as failed, MariaDB none, SQLite leaves the array alone.
        // insert() finds the row by running the batch again row by row.
        const bool row_failed = std::any_of(status.begin(), status.begin() + static_cast<std::ptrdiff_t>(n),
                                            [](SQLUSMALLINT v) { return v == SQL_PARAM_ERROR; });
        if ((!ok(r) && r != SQL_NO_DATA) || row_failed)
            raise_insert_failure(job, st.diag(), unknown_row);
        const std::size_t before = job.keys.size();
        if (want_keys) {
            read_keys(st, job, job.keys);
            if (job.keys.size() - before != n)
                raise(ODBCTX_ESQL,
                      prefix(job) + ": the driver returned " +
                          std::to_string(job.keys.size() - before) + " keys for " +
                          std::to_string(n) + " rows of a parameter array");
        } else {
            while (ok(SQLMoreResults(st.get()))) {
            }
        }
        st.close();
    }
    SQLSetStmtAttr(st.get(), SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)(SQLULEN)1, 0);
    return true;
}

// SQLite: the key column's largest value before a batch (LLONG_MIN for an
// empty table: a generated key is then 1 or more), or nullopt when a
// trigger on the table (main or temp) could add, move or remove rows: the
// batch then goes row by row. Asked before every batch (a test may add a
// trigger after the table's metadata was read) with a statement from the
// connection's cache, as is the read of the keys.
std::optional<long long> sqlite_range_start(statement_cache &cache, const insert_job &job)
{
    const std::string t = sql_literal(bare_name(job.table));
    std::string sql;
    sql.reserve(256);
    sql += std::string("SELECT (SELECT max(") + job.key + ") FROM " + job.table + ")";
    for (const char *master : {"sqlite_master", "sqlite_temp_master"})
        sql += std::string(", EXISTS (SELECT 1 FROM ") + master +
               " WHERE type = 'trigger' AND tbl_name = " + t + " COLLATE NOCASE)";
    lent_statement lent(cache, sql);
    statement &st = *lent;
    if ((!lent.prepared() && !ok(SQLPrepare(st.get(), (SQLCHAR *)sql.c_str(), SQL_NTS))) ||
        !ok(st.execute()) || !ok(SQLFetch(st.get())))
        return std::nullopt;
    long long max = 0;
    SQLINTEGER trigger = 1, temp_trigger = 1;
    SQLLEN max_ind = 0, ind = 0;
    if (!ok(SQLGetData(st.get(), 1, SQL_C_SBIGINT, &max, 0, &max_ind)) ||
        !ok(SQLGetData(st.get(), 2, SQL_C_SLONG, &trigger, 0, &ind)) ||
        !ok(SQLGetData(st.get(), 3, SQL_C_SLONG, &temp_trigger, 0, &ind)))
        return std::nullopt;
    st.close();
    lent.give_back();
    if (trigger != 0 || temp_trigger != 0)
        return std::nullopt;
    return max_ind == SQL_NULL_DATA ? std::numeric_limits<long long>::min() : max;
}

// SQLite: the keys above `after`, in order, into job.keys. False when there
// are not exactly job.rows of them (the checks missed something): the
// caller undoes the batch and inserts row by row.
bool read_range_keys(statement_cache &cache, insert_job &job, long long after)
{
    const std::string sql = std::string("SELECT ") + job.key + " FROM " + job.table +
                            " WHERE " + job.key + " > ? ORDER BY " + job.key;
    lent_statement lent(cache, sql);
    statement &st = *lent;
    // Bound to the statement's own buffer, which goes with it to the cache.
    row_buffers &rb = st.rows();
    if (rb.data.size() != 1) {
        rb.data.assign(1, std::vector<unsigned char>(sizeof after));
        rb.ind.assign(1, 0);
    }
    std::memcpy(rb.data[0].data(), &after, sizeof after);
    if ((!lent.prepared() && !ok(SQLPrepare(st.get(), (SQLCHAR *)sql.c_str(), SQL_NTS))) ||
        !ok(SQLBindParameter(st.get(), 1, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0,
                             rb.data[0].data(), 0, &rb.ind[0])) ||
        !ok(st.execute()))
        raise_driver(prefix(job) + ": reading the generated key " + job.key + " failed",
                     st.diag());
    job.keys.clear();
    read_keys(st, job, job.keys);
    st.close();
    lent.give_back();
    return job.keys.size() == job.rows;
}

// Copies row `row` of every parameter into the statement's row buffers and
// binds those that are not bound as this job needs (the first row of a
// statement, a type or size that changed, a buffer that grew): a prepared
// statement executed row by row then costs one SQLBindParameter per
// parameter at most, as the same binds per row did before.
void stage_row(statement &st, const insert_job &job, std::size_t row)
{
    row_buffers &rb = st.rows();
    const std::size_t n = job.columns.size();
    if (rb.ind.size() != n) {
        // Bound by address: never resized while bound.
        rb.ind.assign(n, 0);
        rb.data.assign(n, {});
        rb.params.assign(n, {});
    }
    for (std::size_t i = 0; i < n; ++i) {
        const param_column &c = job.columns[i];
        const auto width = static_cast<std::size_t>(c.width);
        std::vector<unsigned char> &buf = rb.data[i];
        // Text gets room to spare (bound once, see below); a buffer that
        // grows moves, and is bound again.
        if (buf.size() < width)
            buf.resize(c.kind == value_kind::text ? (width + 31) / 32 * 32 : width);
        std::memcpy(buf.data(), c.data.data() + row * width, width);
        rb.ind[i] = c.ind[row];
        row_buffers::bound &b = rb.params[i];
        // Text is bound with room for the longest value seen so far (its
        // length travels in the indicator, and the value is NUL-terminated
        // anyway): a create() loop binds its strings once, not whenever a
        // value is longer or shorter than the one before.
        const bool text = c.kind == value_kind::text;
        const bool same = b.ctype == c.ctype && b.sqltype == c.sqltype &&
                          b.digits == c.digits && b.data == buf.data() &&
                          (text ? b.size >= c.size && b.width >= c.width
                                : b.size == c.size && b.width == c.width);
        // Binary values are bound again every row: SQLite's driver keeps a
        // binary parameter's length from an earlier execute otherwise
        // (tests/cpp/factory/types.cpp saw the blob of the row before).
        if (c.kind != value_kind::bytes && same)
            continue;
        const SQLULEN size = text && b.width >= 0 ? std::max(b.size, c.size) : c.size;
        const SQLLEN room = text ? static_cast<SQLLEN>(buf.size()) : c.width;
        b = row_buffers::bound{};
        const SQLRETURN r = SQLBindParameter(st.get(), static_cast<SQLUSMALLINT>(i + 1),
                                             SQL_PARAM_INPUT, c.ctype, c.sqltype, size,
                                             c.digits, buf.data(), room, &rb.ind[i]);
        if (!ok(r))
            raise_driver(field(job, c.column) + ": cannot bind the parameter", st.diag());
        b = {c.ctype, c.sqltype, size, c.digits, room, buf.data()};
    }
}

// The one row of SELECT last_insert_rowid() or LAST_INSERT_ID(): fetched
// as such, without read_keys' look for more rows and result sets.
long long read_last_key(statement &q, const insert_job &job, std::size_t row)
{
    const SQLRETURN f = SQLFetch(q.get());
    if (f == SQL_NO_DATA)
        raise(ODBCTX_ESQL, prefix(job) + ": no generated key came back for " + job.key +
                               where(job, row));
    if (!ok(f))
        raise_driver(prefix(job) + ": reading the generated key failed", q.diag());
    long long key = 0;
    SQLLEN ind = 0;
    if (!ok(SQLGetData(q.get(), 1, SQL_C_SBIGINT, &key, 0, &ind)) || ind == SQL_NULL_DATA)
        raise_driver(prefix(job) + ": reading the generated key " + job.key + " failed",
                     q.diag());
    return key;
}

const std::string last_rowid_sql = "SELECT last_insert_rowid()";
const std::string last_insert_id_sql = "SELECT LAST_INSERT_ID()";

// The statements come from the connection's cache and go back to it: a
// create() loop prepares once. Never one that ran a parameter array: MariaDB
// Connector/ODBC garbles strings on a statement whose PARAMSET_SIZE changed.
void insert_per_row(statement_cache &cache, const std::string &sql, insert_job &job,
                    const connection_info &ci, bool rows_stay)
{
    lent_statement lent(cache, sql);
    statement &st = *lent;
    if (!lent.prepared() && !ok(SQLPrepare(st.get(), (SQLCHAR *)sql.c_str(), SQL_NTS)))
        raise_insert_failure(job, st.diag(), unknown_row);
    const bool keys = job.key != nullptr;
    std::optional<lent_statement> lent_key;
    statement *key_query = nullptr;
    if (keys && !ci.returning) {
        const std::string &q = ci.d == dialect::sqlite ? last_rowid_sql : last_insert_id_sql;
        key_query = &*lent_key.emplace(cache, q);
        if (!lent_key->prepared() &&
            !ok(SQLPrepare(key_query->get(), (SQLCHAR *)q.c_str(), SQL_NTS)))
            raise_driver(prefix(job) + ": " + q + " failed", key_query->diag());
    }
    for (std::size_t row = 0; row < job.rows; ++row) {
        stage_row(st, job, row);
        // Without RETURNING the INSERT has no result set: nothing to close
        // before it runs again or goes back to the cache.
        const SQLRETURN r = keys && !key_query ? st.execute() : st.execute_without_results();
        if (!ok(r) && r != SQL_NO_DATA)
            raise_insert_failure(job, st.diag(), row, rows_stay);
        if (!keys)
            continue;
        if (key_query) {
            if (!ok(key_query->execute()))
                raise_driver(prefix(job) + ": reading the generated key failed",
                             key_query->diag());
            job.keys.push_back(read_last_key(*key_query, job, row));
            key_query->close();
            continue;
        }
        const std::size_t before = job.keys.size();
        read_keys(st, job, job.keys);
        if (job.keys.size() - before != 1)
            raise(ODBCTX_ESQL, prefix(job) + ": no generated key came back for " + job.key +
                                   where(job, row));
        st.close();
    }
    lent.give_back();
    if (lent_key)
        lent_key->give_back();
}

// What insert() last prepared on this thread for a job of static names:
// its SQL, metadata and connection. The next job of the same mapping,
// session, connection and run of a test (a create() loop) takes them as
// they are, where building the SQL and the metadata's key and looking it up
// were a visible part of every create(). The same keys as the metadata
// cache's (plus the connection, for the INSERT's dialect), so what comes
// from here is what the caches would give.
struct recent_job {
    insert_target target;
    unsigned long long connection = 0;
    std::uint64_t generation = 0;
    bool last_insert_id = false; // force_last_insert_id at the time
    const char *table = nullptr;
    const char *key = nullptr;
    std::vector<const char *> all_columns;
    std::vector<const char *> params; // insert_job::columns' names, in order
    connection_info ci;
    std::shared_ptr<const table_meta> meta;
    std::string sql;

    bool matches(const insert_target &t, const statement_cache &c, const insert_job &job,
                 bool forced) const
    {
        if (meta == nullptr || t.dbc != target.dbc || t.session != target.session ||
            c.connection() != connection || c.generation() != generation ||
            forced != last_insert_id || job.table != table || job.key != key ||
            job.all_columns != all_columns || job.columns.size() != params.size())
            return false;
        for (std::size_t i = 0; i < params.size(); ++i)
            if (job.columns[i].column != params[i])
                return false;
        return true;
    }

    void remember(const insert_target &t, const statement_cache &c, const insert_job &job,
                  bool forced, const connection_info &i,
                  std::shared_ptr<const table_meta> m, std::string s)
    {
        meta = nullptr; // not a match while half assigned
        target = t;
        connection = c.connection();
        generation = c.generation();
        last_insert_id = forced;
        table = job.table;
        key = job.key;
        all_columns = job.all_columns;
        params.clear();
        for (const param_column &p : job.columns)
            params.push_back(p.column);
        ci = i;
        sql = std::move(s);
        meta = std::move(m);
    }
};

thread_local recent_job recent;

// A nested savepoint around a batch on SQLite, when a test is running: all
// rows or none, whatever the driver does with an error in the middle of an
// array, and a way back when the keys read by range are not the batch's.
// There it costs two statements in the process. On the servers it cost two
// round trips per batch (a third of a test that creates two batches), so
// none is set there: a failing batch is reported, and the rows before the
// failing one stay in the test (docs/factories.md).
class batch_scope {
public:
    batch_scope(odbctx_session *s, bool wanted)
    {
        if (wanted && s != nullptr && odbctx_in_test(s) == 1) {
            if (odbctx_nested_begin(s) != ODBCTX_OK)
                throw error_exception(error::last(s));
            s_ = s;
        }
    }
    bool active() const { return s_ != nullptr; }

    // Back to the start of the batch, still inside a nested level.
    void restart()
    {
        odbctx_session *s = std::exchange(s_, nullptr);
        if (odbctx_nested_rollback(s) != ODBCTX_OK || odbctx_nested_begin(s) != ODBCTX_OK)
            throw error_exception(error::last(s));
        s_ = s;
    }

    void commit()
    {
        if (s_ == nullptr)
            return;
        odbctx_session *s = std::exchange(s_, nullptr);
        if (odbctx_nested_commit(s) != ODBCTX_OK)
            throw error_exception(error::last(s));
    }
    ~batch_scope()
    {
        if (s_ != nullptr)
            odbctx_nested_rollback(s_);
    }
    batch_scope(const batch_scope &) = delete;
    batch_scope &operator=(const batch_scope &) = delete;

private:
    odbctx_session *s_ = nullptr;
};

} // namespace

namespace {

// The INSERT of a job, where insert() traces it; sql_out is the text sent.
void insert_now(const insert_target &target, insert_job &job, std::string &sql_out)
{
    job.keys.clear();
    last_path = insert_path::none;
    if (target.dbc == nullptr)
        raise(ODBCTX_EARG, prefix(job) + ": no connection to insert into");
    if (job.rows == 0)
        return;
    statement_cache cache(target);
    const bool forced = last_insert_id_forced.load(std::memory_order_relaxed);
    connection_info ci;
    std::shared_ptr<const table_meta> meta;
    std::string built_sql;
    const std::string *sql_p = nullptr;
    if (job.static_names && cache.caching() && recent.matches(target, cache, job, forced)) {
        ci = recent.ci;
        meta = recent.meta;
        sql_p = &recent.sql;
    } else {
        ci = cache.info();
        if (ci.d == dialect::mariadb && forced)
            ci.returning = false;
        meta = metadata(target, ci, job);
        built_sql = insert_sql(job, ci);
        sql_p = &built_sql;
        if (job.static_names && cache.caching()) {
            try {
                recent.remember(target, cache, job, forced, ci, meta, built_sql);
            } catch (const std::bad_alloc &) {
                recent.meta = nullptr; // not remembered: the next job looks up again
            }
        }
    }
    // Nothing below changes `recent` (no insert() runs inside this one).
    const std::string &sql = *sql_p;
    sql_out = sql;
    check_values(job, *meta, ci.d);
    const bool want_keys = job.key != nullptr;
    // SQLite: keys read back by range after the array, inside a test only.
    bool range_keys = want_keys && ci.d == dialect::sqlite && job.rows >= range_min_rows;
    if (range_keys) {
        int known = meta->sqlite_rowid_key.load(std::memory_order_relaxed);
        if (known < 0) {
            known = sqlite_rowid_key(target.dbc, job) ? 1 : 0;
            meta->sqlite_rowid_key.store(known, std::memory_order_relaxed);
        }
        range_keys = known == 1;
    }
    // SQLite's driver gives every row of an array the length of one binary
    // value (tests/cpp/factory/types.cpp saw blobs cut short): per row there.
    // (Asked last: a create() of one row does not look.)
    auto array_bytes_ok = [&] {
        return ci.d != dialect::sqlite ||
               std::none_of(job.columns.begin(), job.columns.end(),
                            [](const param_column &c) { return c.kind == value_kind::bytes; });
    };
    const bool arrays_possible = job.rows > 1 && !job.columns.empty() &&
                                 !per_row_forced.load(std::memory_order_relaxed) &&
                                 (!want_keys || (ci.returning && ci.array_selects) || range_keys) &&
                                 array_bytes_ok();
    job.keys.reserve(want_keys ? job.rows : 0);

    batch_scope scope(target.session, job.rows > 1 && ci.d == dialect::sqlite);
    bool done = false;
    // Outside a test nothing keeps other connections' rows out of the range.
    const std::optional<long long> range_from =
        arrays_possible && range_keys && scope.active() ? sqlite_range_start(cache, job)
                                                        : std::nullopt;
    if (arrays_possible && (!range_keys || range_from)) {
        try {
            done = insert_arrays(target.dbc, sql, job, want_keys && !range_keys);
            if (done && range_keys && !read_range_keys(cache, job, *range_from)) {
                // Rows came and went that the checks did not foresee: the
                // keys are not known to be this batch's. Row by row instead.
                scope.restart();
                done = false;
            }
            last_path = insert_path::array;
        } catch (const error_exception &) {
            // Undo the array and run the rows one by one: the same error
            // comes back naming its row (or, if the error was transient,
            // the rows go in).
            if (!scope.active())
                throw;
            scope.restart();
        }
    }
    if (!done) {
        job.keys.clear();
        insert_per_row(cache, sql, job, ci, !scope.active());
        last_path = insert_path::per_row;
    }
    scope.commit();
}

// The trace line of a job: its INSERT with the values of its first row
// (every statement of a test is in the session's trace, the factories' too).
void trace(const insert_target &target, const insert_job &job, const std::string &sql, bool ok,
           const char *message) noexcept
{
    if (target.session == nullptr || sql.empty())
        return;
    // On the stack for the usual row (create() of a few columns runs this
    // for every object).
    constexpr std::size_t small = 16;
    odbctx_param on_stack[small];
    std::vector<odbctx_param> on_heap;
    odbctx_param *first = on_stack;
    try {
        if (job.columns.size() > small) {
            on_heap.resize(job.columns.size());
            first = on_heap.data();
        }
    } catch (const std::bad_alloc &) {
        return; // the trace is a diagnostic aid: losing a line beats failing
    }
    std::size_t n = 0;
    for (const param_column &c : job.columns) {
        odbctx_param p{c.ctype, c.sqltype, c.size, c.digits, nullptr, 0};
        if (!c.ind.empty() && c.ind[0] != SQL_NULL_DATA && !c.data.empty()) {
            p.data = c.data.data();
            p.len = c.ind[0];
        }
        first[n++] = p;
    }
    char note[48] = "";
    if (job.rows != 1)
        std::snprintf(note, sizeof note, "%zu rows, the first shown", job.rows);
    odbctx_trace_statement(target.session, "factory", sql.c_str(), first, n, note, ok ? 1 : 0,
                           message);
}

} // namespace

void insert(const insert_target &target, insert_job &job)
{
    std::string sql;
    try {
        insert_now(target, job, sql);
    } catch (const error_exception &e) {
        trace(target, job, sql, false, e.what());
        throw;
    }
    trace(target, job, sql, true, nullptr);
}

insert_path last_insert_path() noexcept
{
    return last_path;
}

void force_per_row(bool on) noexcept
{
    per_row_forced.store(on, std::memory_order_relaxed);
}

void force_last_insert_id(bool on) noexcept
{
    last_insert_id_forced.store(on, std::memory_order_relaxed);
}

} // namespace odbctx::detail
