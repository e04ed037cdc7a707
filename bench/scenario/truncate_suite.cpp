// The seed's scenario with the fixture odbctx replaces: one autocommit
// connection, every write real, and a DELETE of every table after each test.
// The same tests as odbctx_suite.cpp, in raw ODBC: prepared INSERTs kept for
// the whole run, keys read back (RETURNING on the servers,
// last_insert_rowid() on SQLite), and the service's commit and rollback as
// a real transaction. SCENARIO_CONNECT is the connection string (empty:
// SQLITE_FILE names a database file); SCENARIO_RUNS changes the 200.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <sql.h>
#include <sqlext.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

SQLHENV env;
SQLHDBC dbc;
std::string dbms;

void check(SQLRETURN r, SQLSMALLINT type, SQLHANDLE h, const std::string &what)
{
    if (SQL_SUCCEEDED(r) || r == SQL_NO_DATA)
        return;
    SQLCHAR state[6] = {}, msg[512] = {};
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len);
    throw std::runtime_error(what + ": " + reinterpret_cast<char *>(state) + " " +
                             reinterpret_cast<char *>(msg));
}

void exec(const std::string &sql)
{
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    SQLRETURN r = SQLExecDirect(st, (SQLCHAR *)sql.c_str(), SQL_NTS);
    std::string err;
    try {
        check(r, SQL_HANDLE_STMT, st, sql);
    } catch (const std::exception &e) {
        err = e.what();
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    if (!err.empty())
        throw std::runtime_error(err);
}

long long query_int(const std::string &sql)
{
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    long long v = -1;
    SQLLEN ind = 0;
    check(SQLExecDirect(st, (SQLCHAR *)sql.c_str(), SQL_NTS), SQL_HANDLE_STMT, st, sql);
    check(SQLFetch(st), SQL_HANDLE_STMT, st, sql);
    check(SQLGetData(st, 1, SQL_C_SBIGINT, &v, 0, &ind), SQL_HANDLE_STMT, st, sql);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return v;
}

// A prepared INSERT whose text parameters are bound once; returns the key.
class insert {
public:
    insert(const std::string &table, const std::vector<std::string> &cols)
    {
        std::string sql = "INSERT INTO " + table + " (";
        std::string marks;
        for (size_t i = 0; i < cols.size(); i++) {
            sql += (i ? ", " : "") + cols[i];
            marks += i ? ", ?" : "?";
        }
        sql += ") VALUES (" + marks + ")";
        if (dbms != "SQLite")
            sql += " RETURNING id";
        SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st_);
        check(SQLPrepare(st_, (SQLCHAR *)sql.c_str(), SQL_NTS), SQL_HANDLE_STMT, st_, sql);
        values_.resize(cols.size());
        ind_.resize(cols.size());
        for (size_t i = 0; i < cols.size(); i++)
            check(SQLBindParameter(st_, SQLUSMALLINT(i + 1), SQL_PARAM_INPUT, SQL_C_CHAR,
                                   SQL_VARCHAR, 200, 0, values_[i].data(), 201, &ind_[i]),
                  SQL_HANDLE_STMT, st_, sql);
        if (dbms == "SQLite")
            SQLAllocHandle(SQL_HANDLE_STMT, dbc, &rowid_);
    }
    long long operator()(const std::vector<std::string> &v)
    {
        for (size_t i = 0; i < v.size(); i++) {
            std::snprintf(values_[i].data(), 201, "%s", v[i].c_str());
            ind_[i] = SQL_NTS;
        }
        check(SQLExecute(st_), SQL_HANDLE_STMT, st_, "INSERT");
        long long id = 0;
        SQLLEN ind = 0;
        SQLHSTMT from = st_;
        if (rowid_ != nullptr) {
            check(SQLExecDirect(rowid_, (SQLCHAR *)"SELECT last_insert_rowid()", SQL_NTS),
                  SQL_HANDLE_STMT, rowid_, "last_insert_rowid");
            from = rowid_;
        }
        check(SQLFetch(from), SQL_HANDLE_STMT, from, "key");
        check(SQLGetData(from, 1, SQL_C_SBIGINT, &id, 0, &ind), SQL_HANDLE_STMT, from, "key");
        SQLCloseCursor(from);
        return id;
    }

private:
    SQLHSTMT st_ = nullptr, rowid_ = nullptr;
    std::vector<std::array<char, 201>> values_;
    std::vector<SQLLEN> ind_;
};

long long sequence;

struct author {
    long long id;
    std::string name, email;
};

author create_author(const std::string &name = "")
{
    static insert ins("authors", {"name", "email"});
    long long n = ++sequence;
    author a{0, name.empty() ? "Author " + std::to_string(n) : name,
             "author" + std::to_string(n) + "@example.com"};
    a.id = ins({a.name, a.email});
    return a;
}

long long create_book(long long author_id)
{
    static insert ins("books", {"author_id", "title", "isbn"});
    long long n = ++sequence;
    return ins({std::to_string(author_id), "Title number " + std::to_string(n),
                "978-" + std::to_string(1000000 + n)});
}

// The service's transaction, as production code runs it on this connection.
void begin()
{
    check(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0),
          SQL_HANDLE_DBC, dbc, "autocommit off");
}
void end(SQLSMALLINT how)
{
    check(SQLEndTran(SQL_HANDLE_DBC, dbc, how), SQL_HANDLE_DBC, dbc, "end");
    check(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0),
          SQL_HANDLE_DBC, dbc, "autocommit on");
}

void publish(long long author_id)
{
    begin();
    exec("UPDATE books SET published = 1 WHERE author_id = " + std::to_string(author_id));
    end(SQL_COMMIT);
}

bool reassign(long long book_id, long long to)
{
    begin();
    exec("UPDATE books SET published = 0 WHERE id = " + std::to_string(book_id));
    if (query_int("SELECT COUNT(*) FROM authors WHERE id = " + std::to_string(to)) == 0) {
        end(SQL_ROLLBACK);
        return false;
    }
    exec("UPDATE books SET author_id = " + std::to_string(to) + " WHERE id = " +
         std::to_string(book_id));
    end(SQL_COMMIT);
    return true;
}

int runs()
{
    const char *v = std::getenv("SCENARIO_RUNS");
    return v != nullptr ? std::atoi(v) : 200;
}

// Connects, creates the schema for real, and deletes every row after each test.
struct truncation : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    void testRunStarting(const Catch::TestRunInfo &) override
    {
        const char *c = std::getenv("SCENARIO_CONNECT");
        std::string conn = c != nullptr ? c : "";
        if (conn.empty())
            conn = std::string("Driver=SQLite3;Database=") + std::getenv("SQLITE_FILE") + ";";
        SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
        SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
        SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
        check(SQLDriverConnect(dbc, nullptr, (SQLCHAR *)conn.c_str(), SQL_NTS, nullptr, 0,
                               nullptr, SQL_DRIVER_NOPROMPT),
              SQL_HANDLE_DBC, dbc, "connect");
        char name[64] = {};
        SQLSMALLINT len = 0;
        SQLGetInfo(dbc, SQL_DBMS_NAME, name, sizeof name, &len);
        dbms = name;
        exec("DROP TABLE IF EXISTS books");
        exec("DROP TABLE IF EXISTS authors");
        std::string file = std::string(SCENARIO_SCHEMA_DIR) + "/" +
                           (dbms == "SQLite" ? "sqlite" : dbms == "PostgreSQL" ? "postgresql" : "mariadb") +
                           ".sql";
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        std::string script = text.str(), stmt;
        // The schema files hold only CREATE TABLEs: split at ';', drop comments.
        std::istringstream lines(script);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("--", 0) == 0)
                continue;
            stmt += line + "\n";
            if (line.find(';') != std::string::npos) {
                exec(stmt.substr(0, stmt.find(';')));
                stmt.clear();
            }
        }
    }
    // After each run of a test case (each GENERATE value is one): its root
    // section ends.
    void sectionEnded(const Catch::SectionStats &stats) override
    {
        if (m_sectionStack.size() == 1) {
            exec("DELETE FROM books");
            exec("DELETE FROM authors");
        }
        TestEventListenerBase::sectionEnded(stats);
    }
    void testRunEnded(const Catch::TestRunStats &) override
    {
        exec("DROP TABLE books");
        exec("DROP TABLE authors");
        SQLDisconnect(dbc);
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        SQLFreeHandle(SQL_HANDLE_ENV, env);
    }
};
CATCH_REGISTER_LISTENER(truncation)

} // namespace

TEST_CASE("a service publishes an author's books", "[scenario][generated]")
{
    GENERATE(range(0, runs()));
    std::vector<author> a;
    for (int i = 0; i < 5; i++)
        a.push_back(create_author());
    std::vector<long long> b;
    for (int i = 0; i < 5; i++)
        b.push_back(create_book(a[0].id));
    REQUIRE(b.size() == 5);
    publish(a[0].id);
    REQUIRE(query_int("SELECT COUNT(*) FROM books WHERE published = 1") == 5);
    REQUIRE(query_int("SELECT COUNT(*) FROM authors WHERE email = '" + a[1].email + "'") == 1);
}

TEST_CASE("an app rollback in an error path keeps the last commit", "[scenario]")
{
    const author a = create_author();
    const long long b = create_book(a.id);
    publish(a.id);
    REQUIRE_FALSE(reassign(b, a.id + 1000));
    REQUIRE(query_int("SELECT COUNT(*) FROM books WHERE published = 1") == 1);
}

TEST_CASE("the recipe's factory test", "[scenario]")
{
    const author a = create_author("foobar");
    REQUIRE(a.id != 0);
    REQUIRE(query_int("SELECT COUNT(*) FROM authors WHERE name = 'foobar'") == 1);
}

TEST_CASE("nothing is left behind", "[scenario]")
{
    REQUIRE(query_int("SELECT COUNT(*) FROM authors") == 0);
    REQUIRE(query_int("SELECT COUNT(*) FROM books") == 0);
}
