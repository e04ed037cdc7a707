// The capture suite's runner: prepares the database and the session that
// capture.hpp describes, runs the Catch2 tests, and after the session is
// closed checks with a fresh connection that nothing the tests did
// survived (a non-zero exit otherwise).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <sqlext.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include "../../support/plain.hpp"
#include "capture.hpp"

namespace {

odbctx_session *g_session;
std::string g_conn, g_dsn, g_prefix, g_tmpdir, g_dbms;

std::vector<std::pair<std::string, std::string>> parse_pairs(const std::string &conn)
{
    std::vector<std::pair<std::string, std::string>> pairs;
    size_t i = 0;
    while (i < conn.size()) {
        size_t eq = conn.find('=', i);
        if (eq == std::string::npos)
            break;
        std::string key = conn.substr(i, eq - i), value;
        size_t j = eq + 1;
        if (j < conn.size() && conn[j] == '{') {
            size_t close = conn.find('}', j);
            value = conn.substr(j + 1, close == std::string::npos ? std::string::npos : close - j - 1);
            j = close == std::string::npos ? conn.size() : close + 1;
        }
        size_t semi = conn.find(';', j);
        if (value.empty())
            value = conn.substr(j, semi == std::string::npos ? std::string::npos : semi - j);
        i = semi == std::string::npos ? conn.size() : semi + 1;
        while (!key.empty() && std::isspace(static_cast<unsigned char>(key.front())))
            key.erase(0, 1);
        if (!key.empty())
            pairs.emplace_back(key, value);
    }
    return pairs;
}

bool iequals(const std::string &a, const char *b)
{
    size_t n = std::char_traits<char>::length(b);
    if (a.size() != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// A DSN is read by the driver, whose key names differ from the connection
// string's: psqlODBC wants Servername/Username/Password, MariaDB User/Password.
void write_odbc_ini(const std::string &path, const std::string &name, const std::string &conn)
{
    auto pairs = parse_pairs(conn);
    std::string driver;
    for (auto &[k, v] : pairs)
        if (iequals(k, "Driver"))
            driver = v;
    bool pg = driver.find("PostgreSQL") != std::string::npos || driver.find("psqlodbc") != std::string::npos;
    bool sqlite = driver.find("sqlite") != std::string::npos || driver.find("SQLite") != std::string::npos;
    std::ofstream out(path);
    out << "[" << name << "]\n";
    for (auto &[k, v] : pairs) {
        std::string key = k, value = v;
        if (iequals(k, "Driver") && sqlite)
            value = "SQLite3";
        else if (pg && iequals(k, "Server"))
            key = "Servername";
        else if (iequals(k, "UID"))
            key = pg ? "Username" : "User";
        else if (iequals(k, "PWD"))
            key = "Password";
        out << key << " = " << value << "\n";
    }
}

// The suite's own connection, never captured: it does not use the DSN.
struct plain : support::plain_connection {
    plain() : plain_connection(g_conn) {}
    long long count(const std::string &table) { return plain_connection::count(g_prefix + table); }
};

void remove_tmp()
{
    if (g_tmpdir.empty())
        return;
    std::string cmd = "rm -rf '" + g_tmpdir + "'";
    if (std::system(cmd.c_str()) != 0)
        std::fprintf(stderr, "capture: could not remove %s\n", g_tmpdir.c_str());
}

} // namespace

namespace cap {

odbctx_session *session() { return g_session; }
const std::string &conn() { return g_conn; }
const std::string &dsn() { return g_dsn; }
const std::string &prefix() { return g_prefix; }
bool is_sqlite() { return g_dbms == "SQLite"; }
bool is_postgresql() { return g_dbms == "PostgreSQL"; }
bool is_mariadb() { return g_dbms == "MariaDB" || g_dbms == "MySQL"; }

long long fresh_count(const std::string &table)
{
    plain p;
    return p.count(table);
}

} // namespace cap

int main(int argc, char **argv)
{
    char tmpl[] = "/tmp/odbctx-capture.XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 2;
    }
    g_tmpdir = tmpl;
    const char *env = std::getenv("ODBCTX_CONNECT");
    g_conn = env && *env ? env
                         : "Driver=libsqlite3odbc.so;Database=" + g_tmpdir +
                               "/capture.db;Timeout=10000;FKSupport=1;";
    g_prefix = "cap" + std::to_string(getpid()) + "_";
    g_dsn = "odbctx_capture_" + std::to_string(getpid());
    write_odbc_ini(g_tmpdir + "/odbc.ini", g_dsn, g_conn);
    // Before the driver manager reads any ini file.
    setenv("ODBCINI", (g_tmpdir + "/odbc.ini").c_str(), 1);

    struct ledger *setup = nullptr;
    if (ledger_open(&setup, g_conn.c_str(), g_prefix.c_str()) != LEDGER_OK ||
        ledger_create_tables(setup) != LEDGER_OK) {
        std::fprintf(stderr, "capture: cannot create the ledger tables: %s\n",
                     setup ? ledger_error(setup) : "out of memory");
        ledger_close(setup);
        remove_tmp();
        return 2;
    }
    ledger_close(setup);

    odbctx_error err{};
    int rc = odbctx_open(&g_session, g_conn.c_str(), &err);
    if (rc == 0) {
        g_dbms = odbctx_dbms(g_session);
        rc = odbctx_capture_start(g_session, g_dsn.c_str());
    }
    int result;
    if (rc != 0) {
        std::fprintf(stderr, "capture: cannot open the session: %s\n",
                     g_session ? odbctx_last_error(g_session)->message : err.message);
        result = 2;
    } else {
        result = Catch::Session().run(argc, argv);
    }
    odbctx_close(g_session);
    g_session = nullptr;

    try {
        plain p;
        long long accounts = p.count("account"), entries = p.count("entry");
        if (accounts != 0 || entries != 0) {
            std::fprintf(stderr,
                         "capture: after the session, a fresh connection sees %lld accounts and "
                         "%lld entries (want 0 and 0): something was really committed\n",
                         accounts, entries);
            result = result ? result : 1;
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "capture: %s\n", e.what());
        result = result ? result : 1;
    }
    struct ledger *teardown = nullptr;
    if (ledger_open(&teardown, g_conn.c_str(), g_prefix.c_str()) == LEDGER_OK)
        ledger_drop_tables(teardown);
    ledger_close(teardown);
    remove_tmp();
    return result;
}
