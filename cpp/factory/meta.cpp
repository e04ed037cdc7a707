// What a factory knows about its table: the columns' types, sizes and
// nullability, from the driver's description of "SELECT cols FROM t WHERE
// 1=0" and, where the driver's sizes are made up, from the database's own
// catalog (PRAGMA table_info on SQLite, pg_attribute on PostgreSQL).
#include "factory/odbc.hpp"

#include <odbctx/error.hpp>
#include <odbctx/fake.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace odbctx::detail::factory_impl {
namespace {

std::string info_string(SQLHDBC dbc, SQLUSMALLINT what)
{
    char buf[128] = {0};
    SQLSMALLINT len = 0;
    if (!ok(SQLGetInfo(dbc, what, buf, sizeof buf, &len)))
        return {};
    return buf;
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
    // The driver describes every column as nullable.
    m.nullable = notnull ? SQL_NO_NULLS : SQL_NULLABLE;
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
        return; // limits and NOT NULL stay unchecked
    while (ok(SQLFetch(st.get()))) {
        char name[256] = {0}, type[256] = {0};
        SQLINTEGER notnull = 0;
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
    if (!ok(SQLExecDirect(st.get(), (SQLCHAR *)sql, SQL_NTS)))
        return; // limits stay unchecked rather than trust made-up sizes
    while (ok(SQLFetch(st.get()))) {
        char name[256] = {0}, type[256] = {0};
        SQLINTEGER text = 0, precision = 0, scale = 0;
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
            // Sizes as described hold for MariaDB and MySQL; SQLite and
            // PostgreSQL get theirs below. Long types (TEXT, BLOB) count
            // bytes there, which odbctx does not check.
            if (ci.d != dialect::sqlite && ci.d != dialect::postgresql) {
                if (m.type == SQL_CHAR || m.type == SQL_VARCHAR || m.type == SQL_WCHAR ||
                    m.type == SQL_WVARCHAR)
                    m.text_limit = m.size;
                if (m.type == SQL_BINARY || m.type == SQL_VARBINARY)
                    m.bytes_limit = m.size;
                if (m.type == SQL_DECIMAL || m.type == SQL_NUMERIC) {
                    m.precision = static_cast<int>(m.size);
                    m.scale = m.digits;
                }
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

// Metadata is read once per table mapping and schema version of the
// session (odbctx_schema_version, new after a reconnect, DDL and a rollback
// of DDL), and kept across tests: reading it again was a third of the round
// trips of a test that creates rows of two tables (SELECT ... WHERE 1=0 and
// pg_attribute on PostgreSQL). Versions are unique in the process, so a
// session opened at the address of a freed one inherits nothing. A bare
// connection (no session) has nothing that tells when its schema changes:
// its entries last for a run of a test (begin_test_data).
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

} // namespace

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
    }
    SQLUINTEGER selects = 0;
    if (ok(SQLGetInfo(dbc, SQL_PARAM_ARRAY_SELECTS, &selects, sizeof selects, nullptr)))
        ci.array_selects = selects == SQL_PAS_BATCH || selects == SQL_PAS_NO_BATCH;
    return ci;
}

// Whether job.key is the rowid alias of a table whose rows only this
// batch's INSERTs add (see table_meta::sqlite_rowid_key). Any doubt, a
// failing query included, answers no: the batch then goes row by row.
bool sqlite_rowid_key(SQLHDBC dbc, const insert_job &job)
{
    // A schema-qualified name would need the schema's own sqlite_master.
    if (job.key == nullptr || std::strchr(job.table, '.') != nullptr ||
        std::strchr(job.key, '.') != nullptr)
        return false;
    const std::string t = sql_literal(bare_name(job.table));
    const std::string k = sql_literal(bare_name(job.key));
    std::string sql;
    sql.reserve(1024);
    // The one primary key column, declared INTEGER, with no index behind
    // it (INTEGER PRIMARY KEY DESC and WITHOUT ROWID tables have one, and
    // their key is not the rowid).
    sql += "SELECT (SELECT count(*) FROM pragma_table_info(" + t + ") WHERE pk > 0) = 1";
    sql += " AND (SELECT count(*) FROM pragma_table_info(" + t + ") WHERE pk = 1 AND name = " +
           k + " COLLATE NOCASE AND upper(type) = 'INTEGER') = 1";
    sql += " AND NOT EXISTS (SELECT 1 FROM pragma_index_list(" + t + ") WHERE origin = 'pk')";
    // The name is a table of main or temp (whose triggers insert() checks),
    // not an attached database's; a REPLACE conflict clause deletes rows
    // (LIKE '%REPLACE%' is coarse: a column named so costs only the faster
    // path); a virtual table allocates its rowids its own way.
    sql += " AND EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = " + t +
           " COLLATE NOCASE UNION ALL SELECT 1 FROM sqlite_temp_master WHERE type = 'table'"
           " AND name = " + t + " COLLATE NOCASE)";
    for (const char *master : {"sqlite_master", "sqlite_temp_master"})
        sql += std::string(" AND NOT EXISTS (SELECT 1 FROM ") + master + " WHERE type = 'table'" +
               " AND name = " + t +
               " COLLATE NOCASE AND (upper(sql) LIKE '%REPLACE%' OR upper(sql) LIKE 'CREATE VIRTUAL%'))";
    statement st(dbc);
    if (!ok(SQLExecDirect(st.get(), (SQLCHAR *)sql.c_str(), SQL_NTS)) || !ok(SQLFetch(st.get())))
        return false;
    SQLINTEGER yes = 0;
    SQLLEN ind = 0;
    return ok(SQLGetData(st.get(), 1, SQL_C_SLONG, &yes, 0, &ind)) && ind != SQL_NULL_DATA &&
           yes == 1;
}

std::shared_ptr<const table_meta> metadata(const insert_target &t, const connection_info &ci,
                                           const insert_job &job)
{
    // The two handles as raw bytes (fixed width, so no separator needed):
    // formatting them as numbers was a visible part of every create().
    std::string key;
    key.reserve(2 * sizeof(void *) + 64);
    key.append(reinterpret_cast<const char *>(&t.session), sizeof t.session);
    key.append(reinterpret_cast<const char *>(&t.dbc), sizeof t.dbc);
    key += job.table;
    for (const char *c : job.all_columns) {
        key += '\x1f';
        key += c;
    }
    const std::uint64_t generation =
        t.session != nullptr ? odbctx_schema_version(t.session) : data_generation();
    {
        std::lock_guard g(cache_lock);
        auto it = cache().find(key);
        if (it != cache().end() && it->second.generation == generation)
            return it->second.meta;
    }
    auto meta = describe_table(t.dbc, ci, job);
    std::lock_guard g(cache_lock);
    auto &entries = cache();
    // Entries of the same session and connection for an earlier schema are
    // dead weight: drop them as they are noticed (other sessions' stay).
    const std::size_t handles = 2 * sizeof(void *);
    for (auto it = entries.begin(); it != entries.end();)
        it = it->second.generation != generation && it->first.compare(0, handles, key, 0, handles) == 0
                 ? entries.erase(it)
                 : std::next(it);
    entries[key] = cache_entry{generation, meta};
    return meta;
}

} // namespace odbctx::detail::factory_impl
