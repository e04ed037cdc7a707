#define CATCH_CONFIG_MAIN
#include "core.hpp"

#include <sql.h>
#include <sqlext.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

namespace core {

const char *const schema_sql = R"sql(
-- the core suite's schema
CREATE TABLE core_item (
    id INTEGER PRIMARY KEY,
    name VARCHAR(40) NOT NULL,
    qty INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE core_tag (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL,
    label VARCHAR(40),
    FOREIGN KEY (item_id) REFERENCES core_item (id)
);
INSERT INTO core_item (id, name, qty) VALUES (1, 'seed', 1);
)sql";

std::string connect_string()
{
    const char *c = std::getenv("ODBCTX_CONNECT");
    return c ? c : "";
}

const char *connect_or_null()
{
    const char *c = std::getenv("ODBCTX_CONNECT");
    return c && *c ? c : nullptr;
}

std::string message(odbctx_session *s)
{
    return odbctx_last_error(s)->message;
}

std::string why(odbctx_session *s)
{
    const odbctx_error *e = odbctx_last_error(s);
    return std::string(odbctx_strerror(e->code)) + ": " + e->message;
}

namespace {

struct closer {
    void operator()(odbctx_session *s) const { odbctx_close(s); }
};

std::unique_ptr<odbctx_session, closer> &suite_holder()
{
    static std::unique_ptr<odbctx_session, closer> holder;
    return holder;
}

} // namespace

odbctx_session *suite()
{
    auto &holder = suite_holder();
    if (!holder) {
        odbctx_session *s = nullptr;
        odbctx_error err;
        int rc = odbctx_open(&s, connect_or_null(), &err);
        INFO("odbctx_open: " << odbctx_strerror(rc) << ": " << err.message);
        REQUIRE(rc == ODBCTX_OK);
        holder.reset(s);
        CORE_REQUIRE_OK(s, odbctx_schema_script(s, schema_sql, "core schema"));
    }
    return holder.get();
}

std::string dbms()
{
    return odbctx_dbms(suite());
}

bool is_sqlite() { return dbms() == "SQLite"; }
bool is_postgresql() { return dbms() == "PostgreSQL"; }
bool is_mariadb() { return dbms() == "MariaDB" || dbms() == "MySQL"; }

void exec(odbctx_session *s, const std::string &sql)
{
    CORE_REQUIRE_OK(s, odbctx_exec(s, sql.c_str()));
}

long long count(odbctx_session *s, const std::string &table, const std::string &where)
{
    std::string sql = "SELECT COUNT(*) FROM " + table + (where.empty() ? "" : " WHERE " + where);
    long long n = -1;
    int rc = odbctx_query_int(s, sql.c_str(), &n);
    INFO(sql << " -> " << why(s));
    REQUIRE(rc == ODBCTX_OK);
    return n;
}

test_scope::test_scope(odbctx_session *session) : s(session)
{
    int rc = odbctx_begin_test(s);
    INFO(why(s));
    REQUIRE(rc == ODBCTX_OK);
}

int test_scope::end()
{
    ended = true;
    return odbctx_end_test(s);
}

test_scope::~test_scope()
{
    if (!ended)
        odbctx_end_test(s);
}

odbctx_session *open_own()
{
    odbctx_session *s = nullptr;
    odbctx_error err;
    int rc = odbctx_open(&s, connect_or_null(), &err);
    INFO("odbctx_open: " << odbctx_strerror(rc) << ": " << err.message);
    REQUIRE(rc == ODBCTX_OK);
    return s;
}

own::own() : s(open_own()) {}

temp_file::temp_file(const std::string &name, const std::string &text)
{
    const char *base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/odbctx-core-XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
    path = dir + "/" + name;
    std::ofstream(path) << text;
}

temp_file::~temp_file()
{
    unlink(path.c_str());
    rmdir(dir.c_str());
}

bool dir_exists(const std::string &path)
{
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string sqlite_file(odbctx_session *s)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    REQUIRE(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, odbctx_hdbc(s), &st)));
    REQUIRE(SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)"PRAGMA database_list", SQL_NTS)));
    std::string file;
    while (SQL_SUCCEEDED(SQLFetch(st))) {
        char name[256] = "", path[4096] = "";
        SQLLEN ind = 0;
        SQLGetData(st, 2, SQL_C_CHAR, name, sizeof name, &ind);
        SQLGetData(st, 3, SQL_C_CHAR, path, sizeof path, &ind);
        if (std::strcmp(name, "main") == 0)
            file = path;
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return file;
}

std::string with_password(const std::string &conn, const std::string &pw)
{
    std::string out;
    size_t pos = 0;
    bool replaced = false;
    while (pos < conn.size()) {
        size_t end = conn.find(';', pos);
        if (end == std::string::npos)
            end = conn.size();
        std::string part = conn.substr(pos, end - pos);
        size_t eq = part.find('=');
        std::string key = eq == std::string::npos ? part : part.substr(0, eq);
        for (auto &c : key)
            c = (char)std::toupper((unsigned char)c);
        if (key == "PWD" || key == "PASSWORD") {
            part = part.substr(0, eq + 1) + pw;
            replaced = true;
        }
        if (!part.empty())
            out += part + ";";
        pos = end + 1;
    }
    if (!replaced)
        out += "PWD=" + pw + ";";
    return out;
}

} // namespace core
