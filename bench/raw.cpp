#include "raw.hpp"

#include <dlfcn.h>

#include <cctype>
#include <cstring>

namespace bench {

odbc_api raw;

void load_raw()
{
    // RTLD_NOLOAD first: the library linked into the process is the one
    // odbctx forwards to, and the baselines must use the same.
    void *lib = dlopen("libodbc.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (!lib)
        lib = dlopen("libodbc.so.2", RTLD_NOW | RTLD_GLOBAL);
    if (!lib)
        throw failure(std::string("cannot load libodbc.so.2: ") + dlerror());
#define BENCH_LOAD(ret, name, params) \
    raw.name = reinterpret_cast<ret(*) params>(dlsym(lib, #name)); \
    if (!raw.name) \
        throw failure("libodbc.so.2 has no " #name);
    BENCH_ODBC_FUNCTIONS(BENCH_LOAD)
#undef BENCH_LOAD
}

std::string diag(SQLSMALLINT type, SQLHANDLE h)
{
    SQLCHAR state[6] = {0}, msg[1024] = {0};
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (!SQL_SUCCEEDED(raw.SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len)))
        return "";
    return std::string(reinterpret_cast<char *>(state)) + " " + std::to_string(native) + " " +
           reinterpret_cast<char *>(msg);
}

void check(SQLRETURN rc, SQLSMALLINT type, SQLHANDLE h, const std::string &what)
{
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
        throw failure(what + ": " + diag(type, h));
}

dbkind kind_of(const std::string &name)
{
    if (name.find("PostgreSQL") != std::string::npos)
        return dbkind::postgresql;
    if (name.find("MariaDB") != std::string::npos || name.find("MySQL") != std::string::npos)
        return dbkind::mariadb;
    if (name.find("SQLite") != std::string::npos)
        return dbkind::sqlite;
    throw failure("the bench knows no DBMS named " + name);
}

const char *kind_name(dbkind k)
{
    switch (k) {
    case dbkind::sqlite: return "sqlite";
    case dbkind::postgresql: return "postgresql";
    case dbkind::mariadb: return "mariadb";
    }
    return "?";
}

conn conn::open(const std::string &connstr, bool autocommit)
{
    conn c;
    c.owned_ = true;
    check(raw.SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &c.env_), SQL_HANDLE_ENV, c.env_,
          "SQLAllocHandle(ENV)");
    check(raw.SQLSetEnvAttr(c.env_, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0),
          SQL_HANDLE_ENV, c.env_, "SQLSetEnvAttr(ODBC3)");
    check(raw.SQLAllocHandle(SQL_HANDLE_DBC, c.env_, &c.dbc_), SQL_HANDLE_ENV, c.env_,
          "SQLAllocHandle(DBC)");
    std::string cs = connstr;
    SQLRETURN rc = raw.SQLDriverConnect(c.dbc_, nullptr, reinterpret_cast<SQLCHAR *>(cs.data()),
                                        SQL_NTS, nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        // The message may quote the connection string: say only which driver.
        std::string d = diag(SQL_HANDLE_DBC, c.dbc_);
        throw failure("cannot connect a baseline connection: " + d.substr(0, 5));
    }
    c.init();
    c.autocommit(autocommit);
    return c;
}

conn conn::borrow(SQLHENV env, SQLHDBC dbc)
{
    conn c;
    c.env_ = env;
    c.dbc_ = dbc;
    c.init();
    return c;
}

void conn::init()
{
    char buf[256] = {0};
    SQLSMALLINT len = 0;
    check(raw.SQLGetInfo(dbc_, SQL_DBMS_NAME, buf, sizeof buf, &len), SQL_HANDLE_DBC, dbc_,
          "SQLGetInfo(DBMS_NAME)");
    dbms_ = buf;
    kind_ = kind_of(dbms_);
    buf[0] = 0;
    check(raw.SQLGetInfo(dbc_, SQL_DBMS_VER, buf, sizeof buf, &len), SQL_HANDLE_DBC, dbc_,
          "SQLGetInfo(DBMS_VER)");
    version_ = buf;
    check(raw.SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &stmt_), SQL_HANDLE_DBC, dbc_,
          "SQLAllocHandle(STMT)");
    if (kind_ == dbkind::mariadb) {
        // As odbctx probes it (c/conn.c): only with the connector's
        // multi-statement option; without it the server sees one statement
        // and refuses it. Prepared: refused by SQLExecDirect, Connector/ODBC
        // 3.1 keeps the connection's lock, and a child process's statement,
        // served on another thread, would wait for it forever.
        SQLRETURN rc = raw.SQLPrepare(stmt_, reinterpret_cast<SQLCHAR *>(const_cast<char *>("DO 1; DO 1")),
                                      SQL_NTS);
        multi_ = SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(rc = raw.SQLExecute(stmt_));
        while (multi_ && SQL_SUCCEEDED(raw.SQLMoreResults(stmt_)))
            ;
        raw.SQLFreeStmt(stmt_, SQL_CLOSE);
    }
}

conn::conn(conn &&o) noexcept
    : env_(o.env_), dbc_(o.dbc_), stmt_(o.stmt_), owned_(o.owned_), kind_(o.kind_),
      dbms_(std::move(o.dbms_)), version_(std::move(o.version_))
{
    o.env_ = SQL_NULL_HENV;
    o.dbc_ = SQL_NULL_HDBC;
    o.stmt_ = SQL_NULL_HSTMT;
    o.owned_ = false;
}

conn::~conn()
{
    if (stmt_)
        raw.SQLFreeHandle(SQL_HANDLE_STMT, stmt_);
    if (!owned_)
        return;
    raw.SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_ROLLBACK);
    raw.SQLDisconnect(dbc_);
    raw.SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
    raw.SQLFreeHandle(SQL_HANDLE_ENV, env_);
}

void conn::exec(const char *sql, bool several)
{
    SQLRETURN rc = raw.SQLExecDirect(stmt_, reinterpret_cast<SQLCHAR *>(const_cast<char *>(sql)),
                                     SQL_NTS);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
        std::string d = diag(SQL_HANDLE_STMT, stmt_);
        raw.SQLFreeStmt(stmt_, SQL_CLOSE);
        throw failure(std::string(sql) + ": " + d);
    }
    // MariaDB leaves the connection "out of sync" until every result of a
    // multi-statement string has been read; a single statement skips the
    // extra call so the floor stays the floor.
    if (several)
        while (SQL_SUCCEEDED(raw.SQLMoreResults(stmt_)))
            ;
    raw.SQLFreeStmt(stmt_, SQL_CLOSE);
}

void conn::exec(const std::string &sql, bool several)
{
    exec(sql.c_str(), several);
}

long long conn::query_int(const std::string &sql)
{
    check(raw.SQLExecDirect(stmt_, reinterpret_cast<SQLCHAR *>(const_cast<char *>(sql.c_str())),
                            SQL_NTS),
          SQL_HANDLE_STMT, stmt_, sql);
    long long v = 0;
    SQLLEN ind = 0;
    SQLRETURN rc = raw.SQLFetch(stmt_);
    if (SQL_SUCCEEDED(rc))
        rc = raw.SQLGetData(stmt_, 1, SQL_C_SBIGINT, &v, sizeof v, &ind);
    std::string d = SQL_SUCCEEDED(rc) ? "" : diag(SQL_HANDLE_STMT, stmt_);
    raw.SQLFreeStmt(stmt_, SQL_CLOSE);
    if (!d.empty() || rc == SQL_NO_DATA)
        throw failure(sql + ": no value " + d);
    return ind == SQL_NULL_DATA ? 0 : v;
}

void conn::commit()
{
    check(raw.SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_COMMIT), SQL_HANDLE_DBC, dbc_, "commit");
}

void conn::rollback()
{
    check(raw.SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_ROLLBACK), SQL_HANDLE_DBC, dbc_, "rollback");
}

void conn::autocommit(bool on)
{
    check(raw.SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT,
                                reinterpret_cast<SQLPOINTER>(on ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF),
                                SQL_IS_UINTEGER),
          SQL_HANDLE_DBC, dbc_, "SQLSetConnectAttr(AUTOCOMMIT)");
}

static bool starts_with_word(const std::string &s, const char *word)
{
    size_t n = std::strlen(word);
    if (s.size() < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (std::toupper(static_cast<unsigned char>(s[i])) != word[i])
            return false;
    return s.size() == n || !std::isalnum(static_cast<unsigned char>(s[n]));
}

bool conn::packable(const std::string &stmt) const
{
    switch (kind_) {
    case dbkind::postgresql:
        return true;
    case dbkind::sqlite:
        return starts_with_word(stmt, "SAVEPOINT") || starts_with_word(stmt, "RELEASE") ||
               starts_with_word(stmt, "ROLLBACK");
    case dbkind::mariadb:
        return multi_;
    }
    return false;
}

void conn::exec_packed(const std::vector<std::string> &stmts)
{
    std::vector<std::string> run;
    auto flush = [&] {
        if (!run.empty())
            exec(join(run), run.size() > 1);
        run.clear();
    };
    for (const std::string &st : stmts) {
        if (packable(st)) {
            run.push_back(st);
        } else {
            flush();
            exec(st);
        }
    }
    flush();
}

std::string join(const std::vector<std::string> &stmts)
{
    std::string out;
    for (const std::string &s : stmts) {
        if (!out.empty())
            out += "; ";
        out += s;
    }
    return out;
}

prepared::prepared(SQLHDBC dbc, const std::string &sql) : sql_(sql)
{
    check(raw.SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt_), SQL_HANDLE_DBC, dbc, "SQLAllocHandle(STMT)");
    check(raw.SQLPrepare(stmt_, reinterpret_cast<SQLCHAR *>(sql_.data()), SQL_NTS), SQL_HANDLE_STMT,
          stmt_, "prepare " + sql);
}

prepared::~prepared()
{
    if (stmt_)
        raw.SQLFreeHandle(SQL_HANDLE_STMT, stmt_);
}

void prepared::execute()
{
    SQLRETURN rc = raw.SQLExecute(stmt_);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
        throw failure("execute " + sql_ + ": " + diag(SQL_HANDLE_STMT, stmt_));
    raw.SQLFreeStmt(stmt_, SQL_CLOSE);
}

} // namespace bench
