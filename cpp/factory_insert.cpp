// INSERT for factories: metadata checks, parameter arrays, generated keys.
//
// Keys, per dialect (odbc-notes.md, and checked by tests/factory):
//   PostgreSQL, MariaDB 10.5+  INSERT ... RETURNING key. With a parameter
//       array psqlODBC returns one result set per parameter set
//       (SQL_PARAM_ARRAY_SELECTS = SQL_PAS_BATCH) and MariaDB Connector/ODBC
//       one result set holding a row per parameter set, in order
//       (SQL_PAS_NO_BATCH); either way the keys are read in parameter order
//       and their count is checked.
//   SQLite  the driver drops RETURNING rows, so each row is executed alone
//       and followed by SELECT last_insert_rowid() on the same connection:
//       exact whatever the table's rowid history. (A parameter array plus a
//       range query would have to assume consecutive rowids; measured,
//       the per-row path costs about 30% more for 10,000 rows, ~35 ms.)
//   MySQL, MariaDB before 10.5  per row, then SELECT LAST_INSERT_ID().
// Tables without a generated key use parameter arrays everywhere the driver
// accepts SQL_ATTR_PARAMSET_SIZE.
//
// Plain ODBC names are used: libodbctx.so passes them through unchanged
// unless capture is active on the connection, which then sees factory SQL
// like any other.
#include <odbctx/detail/insert.hpp>
#include <odbctx/error.hpp>
#include <odbctx/fake.hpp>

#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace odbctx::detail {
namespace {

// Rows per SQLExecute of a parameter array: bounds driver memory and
// MariaDB's packet size; larger chunks measured no faster.
constexpr std::size_t array_chunk = 1000;

std::atomic<bool> per_row_forced{false};
std::atomic<bool> last_insert_id_forced{false};
thread_local insert_path last_path = insert_path::none;

bool ok(SQLRETURN r)
{
    return r == SQL_SUCCESS || r == SQL_SUCCESS_WITH_INFO;
}

struct diagnostics {
    std::string sqlstate;
    long native = 0;
    std::string message;
};

diagnostics read_diagnostics(SQLSMALLINT type, SQLHANDLE h)
{
    diagnostics d;
    for (SQLSMALLINT i = 1;; ++i) {
        SQLCHAR state[6] = {0};
        SQLCHAR text[1024] = {0};
        SQLINTEGER native = 0;
        SQLSMALLINT len = 0;
        const SQLRETURN r =
            SQLGetDiagRec(type, h, i, state, &native, text, sizeof text, &len);
        if (!ok(r))
            break;
        if (i == 1) {
            d.sqlstate = reinterpret_cast<const char *>(state);
            d.native = native;
        } else {
            d.message += "; ";
        }
        d.message += reinterpret_cast<const char *>(text);
    }
    while (!d.message.empty() && (d.message.back() == '\n' || d.message.back() == ' '))
        d.message.pop_back();
    if (d.message.empty())
        d.message = "no diagnostics from the driver";
    return d;
}

[[noreturn]] void raise(int code, std::string message, const char *sqlstate = "",
                        long native = 0)
{
    error e = error::make(code, std::move(message));
    e.sqlstate = sqlstate;
    e.native = native;
    throw error_exception(std::move(e));
}

[[noreturn]] void raise_driver(std::string message, const diagnostics &d)
{
    raise(ODBCTX_ESQL, std::move(message) + ": " + d.message, d.sqlstate.c_str(), d.native);
}

class statement {
public:
    explicit statement(SQLHDBC dbc)
    {
        if (!ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h_)))
            raise_driver("cannot allocate a statement", read_diagnostics(SQL_HANDLE_DBC, dbc));
    }
    ~statement() { SQLFreeHandle(SQL_HANDLE_STMT, h_); }
    statement(const statement &) = delete;
    statement &operator=(const statement &) = delete;

    SQLHSTMT get() const { return h_; }
    diagnostics diag() const { return read_diagnostics(SQL_HANDLE_STMT, h_); }
    void close() { SQLFreeStmt(h_, SQL_CLOSE); }

private:
    SQLHSTMT h_ = nullptr;
};

enum class dialect { sqlite, postgresql, mariadb, mysql, other };

struct connection_info {
    dialect d = dialect::other;
    bool returning = false;     // INSERT ... RETURNING gives the key
    bool array_selects = false; // parameter arrays may return result sets
};

std::string info_string(SQLHDBC dbc, SQLUSMALLINT what)
{
    char buf[128] = {0};
    SQLSMALLINT len = 0;
    if (!ok(SQLGetInfo(dbc, what, buf, sizeof buf, &len)))
        return {};
    return buf;
}

connection_info describe_connection(SQLHDBC dbc)
{
    connection_info ci;
    const std::string name = info_string(dbc, SQL_DBMS_NAME);
    if (name == "SQLite")
        ci.d = dialect::sqlite;
    else if (name == "PostgreSQL")
        ci.d = dialect::postgresql;
    else if (name == "MariaDB")
        ci.d = dialect::mariadb;
    else if (name == "MySQL")
        ci.d = dialect::mysql;

    if (ci.d == dialect::postgresql) {
        ci.returning = true;
    } else if (ci.d == dialect::mariadb) {
        // SQL_DBMS_VER reads "10.11.000019": RETURNING exists from 10.5.
        const std::string v = info_string(dbc, SQL_DBMS_VER);
        int major = 0, minor = 0;
        if (std::sscanf(v.c_str(), "%d.%d", &major, &minor) == 2)
            ci.returning = major > 10 || (major == 10 && minor >= 5);
        if (last_insert_id_forced.load(std::memory_order_relaxed))
            ci.returning = false;
    }
    SQLUINTEGER selects = 0;
    if (ok(SQLGetInfo(dbc, SQL_PARAM_ARRAY_SELECTS, &selects, sizeof selects, nullptr)))
        ci.array_selects = selects == SQL_PAS_BATCH || selects == SQL_PAS_NO_BATCH;
    return ci;
}

// ---- table metadata ----

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
};

std::string upper(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// Column names as the database reports them may differ in case (PostgreSQL
// folds unquoted names to lower case) and lose the quotes given in the
// mapping.
std::string bare_name(const char *name)
{
    std::string s = name;
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '`' || s.front() == '[') &&
        (s.back() == '"' || s.back() == '`' || s.back() == ']'))
        s = s.substr(1, s.size() - 2);
    return upper(s);
}

std::string join_names(const std::vector<std::string> &names)
{
    std::string s;
    for (const auto &n : names) {
        if (!s.empty())
            s += ", ";
        s += n;
    }
    return s;
}

bool is_text_type(SQLSMALLINT t)
{
    return t == SQL_CHAR || t == SQL_VARCHAR || t == SQL_LONGVARCHAR || t == SQL_WCHAR ||
           t == SQL_WVARCHAR || t == SQL_WLONGVARCHAR;
}

std::string prefix(const insert_job &job)
{
    return "factory<" + std::string(job.type) + ">";
}

// The names of every column of the table, or the driver's error when the
// table cannot be read.
std::vector<std::string> actual_columns(SQLHDBC dbc, const insert_job &job)
{
    statement st(dbc);
    const std::string sql = std::string("SELECT * FROM ") + job.table + " WHERE 1=0";
    if (!ok(SQLExecDirect(st.get(), (SQLCHAR *)sql.c_str(), SQL_NTS))) {
        const diagnostics d = st.diag();
        raise(ODBCTX_EARG,
              prefix(job) + ": table \"" + job.table + "\" of table<" + std::string(job.type) +
                  "> cannot be read (does it exist?): " + d.message,
              "42S02", d.native);
    }
    SQLSMALLINT n = 0;
    SQLNumResultCols(st.get(), &n);
    std::vector<std::string> names;
    for (SQLSMALLINT i = 1; i <= n; ++i) {
        SQLCHAR name[256] = {0};
        SQLSMALLINT len = 0, type = 0, digits = 0, nullable = 0;
        SQLULEN size = 0;
        SQLDescribeCol(st.get(), static_cast<SQLUSMALLINT>(i), name, sizeof name, &len, &type,
                       &size, &digits, &nullable);
        names.emplace_back(reinterpret_cast<const char *>(name));
    }
    return names;
}

// "SELECT mapped columns FROM table WHERE 1=0" failed: say which mapped
// column the table lacks, or that the table itself is missing.
[[noreturn]] void explain_describe_failure(SQLHDBC dbc, const insert_job &job,
                                           const diagnostics &d)
{
    const std::vector<std::string> have = actual_columns(dbc, job);
    for (const char *c : job.all_columns) {
        const std::string want = bare_name(c);
        const bool found = std::any_of(have.begin(), have.end(), [&](const std::string &h) {
            return upper(h) == want;
        });
        if (!found)
            raise(ODBCTX_EARG,
                  prefix(job) + ": field \"" + c + "\": table \"" + job.table +
                      "\" has no column \"" + c + "\" (its columns: " + join_names(have) + ")",
                  "42S22");
    }
    raise_driver(prefix(job) + ": cannot read the columns of table \"" + job.table + "\"", d);
}

// "VARCHAR(10)" -> 10 characters, "VARBINARY(4)" -> 4 bytes, "NUMERIC(5,2)":
// SQLite enforces none of them, but checking what the schema declares makes
// a test fail here as it would on the other databases. Its driver reports
// 255 for a bare VARCHAR or a BLOB, hence the declared type.
void apply_sqlite_declared(column_meta &m, const std::string &declared, bool notnull)
{
    const std::string t = upper(declared);
    m.type_text = declared;
    if (notnull)
        m.nullable = SQL_NO_NULLS;
    else if (m.nullable == SQL_NULLABLE_UNKNOWN || m.nullable == SQL_NO_NULLS)
        m.nullable = SQL_NULLABLE;
    m.text_limit = 0;
    m.bytes_limit = 0;
    m.precision = 0;
    const auto open = t.find('(');
    if (open == std::string::npos)
        return;
    char *end = nullptr;
    const long n = std::strtol(t.c_str() + open + 1, &end, 10);
    if (n <= 0)
        return;
    if (t.find("NUMERIC") != std::string::npos || t.find("DECIMAL") != std::string::npos) {
        m.precision = static_cast<int>(n);
        m.scale = *end == ',' ? static_cast<int>(std::strtol(end + 1, nullptr, 10)) : 0;
    } else if (t.find("BINARY") != std::string::npos)
        m.bytes_limit = static_cast<std::size_t>(n);
    else if (t.find("CHAR") != std::string::npos || t.find("TEXT") != std::string::npos ||
             t.find("CLOB") != std::string::npos)
        m.text_limit = static_cast<std::size_t>(n);
}

void sqlite_details(SQLHDBC dbc, const insert_job &job, table_meta &meta)
{
    statement st(dbc);
    const std::string sql = std::string("PRAGMA table_info(") + job.table + ")";
    if (!ok(SQLExecDirect(st.get(), (SQLCHAR *)sql.c_str(), SQL_NTS)))
        return; // the checks fall back to what the driver described
    while (ok(SQLFetch(st.get()))) {
        char name[256] = {0}, type[256] = {0};
        long notnull = 0;
        SQLLEN ind = 0;
        SQLGetData(st.get(), 2, SQL_C_CHAR, name, sizeof name, &ind);
        if (ind == SQL_NULL_DATA)
            continue;
        SQLGetData(st.get(), 3, SQL_C_CHAR, type, sizeof type, &ind);
        if (ind == SQL_NULL_DATA)
            type[0] = '\0';
        SQLGetData(st.get(), 4, SQL_C_SLONG, &notnull, 0, &ind);
        for (auto &m : meta.columns)
            if (upper(m.name) == upper(name))
                apply_sqlite_declared(m, type, notnull != 0);
    }
}

// psqlODBC reports an unlimited varchar, text-like types (json, ...) and an
// unconstrained numeric with made-up sizes (255; 28,6): the catalog has the
// real limits.
void postgresql_details(SQLHDBC dbc, const insert_job &job, table_meta &meta)
{
    statement st(dbc);
    const char *sql =
        "SELECT a.attname,"
        " CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4"
        " THEN a.atttypmod - 4 ELSE 0 END,"
        " CASE WHEN a.atttypid = 'numeric'::regtype AND a.atttypmod > 4"
        " THEN ((a.atttypmod - 4) >> 16) & 65535 ELSE 0 END,"
        " CASE WHEN a.atttypid = 'numeric'::regtype AND a.atttypmod > 4"
        " THEN (a.atttypmod - 4) & 65535 ELSE 0 END,"
        " format_type(a.atttypid, a.atttypmod)"
        " FROM pg_catalog.pg_attribute a"
        " WHERE a.attrelid = CAST(CAST(? AS text) AS regclass) AND a.attnum > 0"
        " AND NOT a.attisdropped";
    SQLLEN ind = SQL_NTS;
    SQLBindParameter(st.get(), 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR,
                     std::strlen(job.table), 0, (SQLPOINTER)job.table, 0, &ind);
    if (!ok(SQLExecDirect(st.get(), (SQLCHAR *)sql, SQL_NTS))) {
        // Leave the limits unchecked rather than trust made-up sizes.
        for (auto &m : meta.columns) {
            m.text_limit = 0;
            m.precision = 0;
        }
        return;
    }
    while (ok(SQLFetch(st.get()))) {
        char name[256] = {0}, type[256] = {0};
        long text = 0, precision = 0, scale = 0;
        SQLLEN i = 0;
        SQLGetData(st.get(), 1, SQL_C_CHAR, name, sizeof name, &i);
        SQLGetData(st.get(), 2, SQL_C_SLONG, &text, 0, &i);
        SQLGetData(st.get(), 3, SQL_C_SLONG, &precision, 0, &i);
        SQLGetData(st.get(), 4, SQL_C_SLONG, &scale, 0, &i);
        SQLGetData(st.get(), 5, SQL_C_CHAR, type, sizeof type, &i);
        for (auto &m : meta.columns) {
            if (upper(m.name) != upper(name))
                continue;
            m.type_text = type;
            m.text_limit = static_cast<std::size_t>(text);
            m.precision = static_cast<int>(precision);
            m.scale = static_cast<int>(scale);
        }
    }
}

std::shared_ptr<const table_meta> describe_table(SQLHDBC dbc, const connection_info &ci,
                                                 const insert_job &job)
{
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < job.all_columns.size(); ++i) {
        if (i > 0)
            sql += ", ";
        sql += job.all_columns[i];
    }
    if (job.all_columns.empty())
        sql += "*";
    sql += std::string(" FROM ") + job.table + " WHERE 1=0";

    auto meta = std::make_shared<table_meta>();
    {
        statement st(dbc);
        if (!ok(SQLExecDirect(st.get(), (SQLCHAR *)sql.c_str(), SQL_NTS)))
            explain_describe_failure(dbc, job, st.diag());
        for (std::size_t i = 0; i < job.all_columns.size(); ++i) {
            const auto col = static_cast<SQLUSMALLINT>(i + 1);
            column_meta m;
            SQLCHAR name[256] = {0};
            SQLSMALLINT len = 0;
            SQLDescribeCol(st.get(), col, name, sizeof name, &len, &m.type, &m.size, &m.digits,
                           &m.nullable);
            m.name = reinterpret_cast<const char *>(name);
            SQLLEN uns = SQL_FALSE;
            SQLColAttribute(st.get(), col, SQL_DESC_UNSIGNED, nullptr, 0, nullptr, &uns);
            // Drivers call character columns "unsigned"; it only matters for numbers.
            m.is_unsigned = uns == SQL_TRUE;
            char type_name[128] = {0};
            SQLColAttribute(st.get(), col, SQL_DESC_TYPE_NAME, type_name, sizeof type_name,
                            nullptr, nullptr);
            m.type_text = type_name;
            if (m.type == SQL_CHAR || m.type == SQL_VARCHAR || m.type == SQL_WCHAR ||
                m.type == SQL_WVARCHAR || (ci.d == dialect::postgresql && is_text_type(m.type)))
                m.text_limit = m.size;
            if (m.type == SQL_BINARY || m.type == SQL_VARBINARY)
                m.bytes_limit = m.size;
            if (m.type == SQL_DECIMAL || m.type == SQL_NUMERIC) {
                m.precision = static_cast<int>(m.size);
                m.scale = m.digits;
            }
            if (m.text_limit > 0)
                m.type_text += "(" + std::to_string(m.text_limit) + ")";
            else if (m.bytes_limit > 0)
                m.type_text += "(" + std::to_string(m.bytes_limit) + ")";
            else if (m.precision > 0)
                m.type_text += "(" + std::to_string(m.precision) + "," +
                               std::to_string(m.scale) + ")";
            meta->columns.push_back(std::move(m));
        }
    }
    if (ci.d == dialect::sqlite)
        sqlite_details(dbc, job, *meta);
    else if (ci.d == dialect::postgresql)
        postgresql_details(dbc, job, *meta);
    return meta;
}

// Metadata is read once per table mapping, connection and run of a test
// (begin_test_data): a test may change the schema, and a session freed and
// another opened at the same address must not inherit stale entries.
struct cache_entry {
    std::uint64_t generation = 0;
    std::shared_ptr<const table_meta> meta;
};

std::mutex cache_lock;
std::map<std::string, cache_entry> &cache()
{
    static std::map<std::string, cache_entry> c;
    return c;
}

std::shared_ptr<const table_meta> metadata(const insert_target &t, const connection_info &ci,
                                           const insert_job &job)
{
    std::string key = std::to_string(reinterpret_cast<std::uintptr_t>(t.session)) + "/" +
                      std::to_string(reinterpret_cast<std::uintptr_t>(t.dbc)) + "/" +
                      job.table;
    for (const char *c : job.all_columns) {
        key += '\x1f';
        key += c;
    }
    const std::uint64_t generation = data_generation();
    {
        std::lock_guard g(cache_lock);
        auto it = cache().find(key);
        if (it != cache().end() && it->second.generation == generation)
            return it->second.meta;
    }
    auto meta = describe_table(t.dbc, ci, job);
    std::lock_guard g(cache_lock);
    auto &entries = cache();
    // Entries of earlier runs are dead weight: drop them as they are noticed.
    for (auto it = entries.begin(); it != entries.end();)
        it = it->second.generation != generation ? entries.erase(it) : std::next(it);
    entries[key] = cache_entry{generation, meta};
    return meta;
}

// ---- checks before sending ----

std::size_t utf8_length(const unsigned char *p, std::size_t bytes)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < bytes; ++i)
        if ((p[i] & 0xc0) != 0x80)
            ++n;
    return n;
}

std::string preview(const unsigned char *p, std::size_t bytes)
{
    std::string s(reinterpret_cast<const char *>(p), std::min<std::size_t>(bytes, 24));
    if (bytes > 24)
        s += "...";
    return "\"" + s + "\"";
}

constexpr std::size_t unknown_row = static_cast<std::size_t>(-1);

std::string where(const insert_job &job, std::size_t row)
{
    if (job.rows <= 1)
        return {};
    if (row == unknown_row)
        return " (in a batch of " + std::to_string(job.rows) + " rows)";
    return " (row " + std::to_string(row + 1) + " of " + std::to_string(job.rows) + ")";
}

std::string field(const insert_job &job, const char *column)
{
    return prefix(job) + ": field \"" + column + "\" (" + job.table + "." + column + ")";
}

struct int_range {
    bool known = false;
    long double lo = 0, hi = 0;
};

int_range integer_range(SQLSMALLINT type, bool is_unsigned, dialect d)
{
    auto r = [](long double lo, long double hi) { return int_range{true, lo, hi}; };
    switch (type) {
    case SQL_TINYINT:
        return is_unsigned ? r(0, 255) : r(-128, 127);
    case SQL_SMALLINT:
        return is_unsigned ? r(0, 65535) : r(-32768, 32767);
    case SQL_INTEGER:
        // SQLite's INTEGER holds 64 bits whatever the declaration says.
        if (d == dialect::sqlite)
            return r(static_cast<long double>(INT64_MIN), static_cast<long double>(INT64_MAX));
        return is_unsigned ? r(0, 4294967295.0L) : r(-2147483648.0L, 2147483647.0L);
    case SQL_BIGINT:
        return is_unsigned ? r(0, 18446744073709551615.0L)
                           : r(static_cast<long double>(INT64_MIN),
                               static_cast<long double>(INT64_MAX));
    default:
        return {};
    }
}

[[noreturn]] void out_of_range(const insert_job &job, const param_column &c,
                               const column_meta &m, std::size_t row, const std::string &value)
{
    raise(ODBCTX_EARG,
          field(job, c.column) + ": value " + value + " is out of range for " + m.type_text +
              where(job, row),
          "22003");
}

void check_number(const insert_job &job, const param_column &c, const column_meta &m,
                  dialect d, std::size_t row, long double v, const std::string &shown)
{
    if (const int_range r = integer_range(m.type, m.is_unsigned, d); r.known) {
        const long double rounded = std::nearbyint(v);
        if (rounded < r.lo || rounded > r.hi)
            out_of_range(job, c, m, row, shown);
        return;
    }
    if (m.precision > 0) {
        // The value rounded to the column's scale needs at most
        // precision - scale digits before the point.
        const long double scaled = std::nearbyint(std::fabs(v) * std::pow(10.0L, m.scale));
        if (scaled >= std::pow(10.0L, m.precision))
            out_of_range(job, c, m, row, shown);
        return;
    }
    if (m.type == SQL_REAL && std::isfinite(v) && std::fabs(v) > FLT_MAX)
        out_of_range(job, c, m, row, shown);
}

void check_values(const insert_job &job, const table_meta &meta, dialect d)
{
    for (const param_column &c : job.columns) {
        const column_meta *m = nullptr;
        for (std::size_t i = 0; i < job.all_columns.size(); ++i)
            if (job.all_columns[i] == c.column)
                m = &meta.columns[i];
        if (m == nullptr)
            continue;
        for (std::size_t row = 0; row < job.rows; ++row) {
            const SQLLEN ind = c.ind[row];
            const unsigned char *p = c.data.data() + row * static_cast<std::size_t>(c.width);
            if (ind == SQL_NULL_DATA) {
                if (m->nullable == SQL_NO_NULLS)
                    raise(ODBCTX_EARG,
                          field(job, c.column) +
                              ": NULL (an empty std::optional) into a NOT NULL column" +
                              where(job, row),
                          "23000");
                continue;
            }
            switch (c.kind) {
            case value_kind::text: {
                const auto bytes = static_cast<std::size_t>(ind);
                if (m->text_limit > 0) {
                    const std::size_t chars = utf8_length(p, bytes);
                    if (chars > m->text_limit)
                        raise(ODBCTX_EARG,
                              field(job, c.column) + ": a string of " + std::to_string(chars) +
                                  " characters does not fit " + m->type_text + ": " +
                                  preview(p, bytes) + where(job, row),
                              "22001");
                }
                break;
            }
            case value_kind::bytes:
                if (m->bytes_limit > 0 && static_cast<std::size_t>(ind) > m->bytes_limit)
                    raise(ODBCTX_EARG,
                          field(job, c.column) + ": " + std::to_string(ind) +
                              " bytes do not fit " + m->type_text + where(job, row),
                          "22001");
                break;
            case value_kind::integer: {
                std::int64_t v;
                std::memcpy(&v, p, 8);
                check_number(job, c, *m, d, row, static_cast<long double>(v),
                             std::to_string(v));
                break;
            }
            case value_kind::uinteger: {
                std::uint64_t v;
                std::memcpy(&v, p, 8);
                check_number(job, c, *m, d, row, static_cast<long double>(v),
                             std::to_string(v));
                break;
            }
            case value_kind::real: {
                double v;
                std::memcpy(&v, p, 8);
                char shown[64];
                std::snprintf(shown, sizeof shown, "%.17g", v);
                check_number(job, c, *m, d, row, static_cast<long double>(v), shown);
                break;
            }
            case value_kind::boolean:
            case value_kind::date:
            case value_kind::timestamp:
                break;
            }
        }
    }
}

// ---- errors reported by the database ----

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

[[noreturn]] void raise_insert_failure(const insert_job &job, const diagnostics &d,
                                       std::size_t row)
{
    const std::string at = where(job, row);
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

// ---- the INSERT ----

std::string insert_sql(const insert_job &job, const connection_info &ci)
{
    std::string sql = std::string("INSERT INTO ") + job.table;
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

void insert_per_row(SQLHDBC dbc, const std::string &sql, insert_job &job,
                    const connection_info &ci)
{
    statement st(dbc);
    if (!ok(SQLPrepare(st.get(), (SQLCHAR *)sql.c_str(), SQL_NTS)))
        raise_insert_failure(job, st.diag(), unknown_row);
    const bool keys = job.key != nullptr;
    std::unique_ptr<statement> key_query;
    if (keys && !ci.returning) {
        key_query = std::make_unique<statement>(dbc);
        const char *q = ci.d == dialect::sqlite ? "SELECT last_insert_rowid()"
                                                : "SELECT LAST_INSERT_ID()";
        if (!ok(SQLPrepare(key_query->get(), (SQLCHAR *)q, SQL_NTS)))
            raise_driver(prefix(job) + ": " + q + " failed", key_query->diag());
    }
    for (std::size_t row = 0; row < job.rows; ++row) {
        bind_rows(st, job, row);
        const SQLRETURN r = SQLExecute(st.get());
        if (!ok(r) && r != SQL_NO_DATA)
            raise_insert_failure(job, st.diag(), row);
        if (!keys) {
            st.close();
            continue;
        }
        statement &from = key_query ? *key_query : st;
        if (key_query && !ok(SQLExecute(key_query->get())))
            raise_driver(prefix(job) + ": reading the generated key failed", key_query->diag());
        const std::size_t before = job.keys.size();
        read_keys(from, job, job.keys);
        if (job.keys.size() - before != 1)
            raise(ODBCTX_ESQL, prefix(job) + ": no generated key came back for " + job.key +
                                   where(job, row));
        from.close();
        if (key_query)
            st.close();
    }
}

// A nested savepoint around a batch, when a test is running: all rows or
// none, whatever the driver does with an error in the middle of an array.
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

void insert(const insert_target &target, insert_job &job)
{
    job.keys.clear();
    last_path = insert_path::none;
    if (target.dbc == nullptr)
        raise(ODBCTX_EARG, prefix(job) + ": no connection to insert into");
    if (job.rows == 0)
        return;
    const connection_info ci = describe_connection(target.dbc);
    const auto meta = metadata(target, ci, job);
    check_values(job, *meta, ci.d);

    const std::string sql = insert_sql(job, ci);
    const bool want_keys = job.key != nullptr;
    const bool arrays_possible = job.rows > 1 && !job.columns.empty() &&
                                 !per_row_forced.load(std::memory_order_relaxed) &&
                                 (!want_keys || (ci.returning && ci.array_selects));
    job.keys.reserve(want_keys ? job.rows : 0);

    batch_scope scope(target.session, job.rows > 1);
    bool done = false;
    if (arrays_possible) {
        try {
            done = insert_arrays(target.dbc, sql, job, want_keys);
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
        insert_per_row(target.dbc, sql, job, ci);
        last_path = insert_path::per_row;
    }
    scope.commit();
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
