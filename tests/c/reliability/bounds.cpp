// Files and waits are bounded: a script path that names a device, a FIFO,
// a directory or a file over the size limit gets a clear error naming the
// file, without being read; a statement that waits on a lock another
// connection holds fails after ODBCTX_LOCK_TIMEOUT with an error that names
// the wait, and the session goes on.
#include <catch2/catch.hpp>

#include "rel.hpp"
#include "skip.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

namespace {

struct env_var {
    std::string name;
    explicit env_var(const char *n, const char *value) : name(n) { setenv(n, value, 1); }
    ~env_var() { unsetenv(name.c_str()); }
};

} // namespace

TEST_CASE("bounds: a script that is not a regular file, or too large, is refused unread",
          "[bounds]")
{
    rel::temp_dir dir;
    rel::session s(rel::connect_string());
    INFO(s.message());
    REQUIRE(s.s);
    const std::string fifo = dir.path + "/fifo.sql";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    const std::string big = dir.path + "/big.sql";
    {
        std::ofstream out(big);
        for (int i = 0; i < 2000; ++i)
            out << "SELECT 1;\n";
    }
    // A directory given as a schema stands for its <dbms>.sql (one schema
    // per DBMS), which is missing here; any other reader refuses it.
    struct {
        std::string path, says, schema_says;
    } cases[] = {{"/dev/zero", "a character device", "a character device"},
                 {fifo, "a FIFO", "a FIFO"},
                 {dir.path, "a directory", "cannot open"},
                 {dir.path + "/missing.sql", "cannot open", "cannot open"}};
    for (const auto &c : cases) {
        INFO(c.path);
        const auto t0 = std::chrono::steady_clock::now();
        CHECK(odbctx_schema_file(s, c.path.c_str()) == ODBCTX_EIO);
        CHECK_THAT(s.message(), Catch::Contains(c.path) && Catch::Contains(c.schema_says));
        CHECK(odbctx_exec_file(s, c.path.c_str()) == ODBCTX_EIO);
        CHECK_THAT(s.message(), Catch::Contains(c.path) && Catch::Contains(c.says));
        // Neither blocked on the FIFO nor read the device.
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    }
    {
        env_var limit("ODBCTX_SCRIPT_MAX_BYTES", "1000");
        CHECK(odbctx_schema_file(s, big.c_str()) == ODBCTX_EIO);
        CHECK_THAT(s.message(), Catch::Contains(big) && Catch::Contains("ODBCTX_SCRIPT_MAX_BYTES") &&
                                    Catch::Contains("20000 bytes"));
    }
    // Under the limit the same file runs.
    CHECK(odbctx_exec_file(s, big.c_str()) == 0);
    char *text = nullptr;
    odbctx_error err{};
    CHECK(odbctx_script_read("/dev/zero", &text, &err) == ODBCTX_EIO);
    CHECK(text == nullptr);
    CHECK_THAT(std::string(err.message), Catch::Contains("/dev/zero"));
}

TEST_CASE("bounds: a statement waiting on another connection's lock fails after "
          "ODBCTX_LOCK_TIMEOUT and names the wait",
          "[bounds]")
{
    rel::temp_dir dir;
    // On SQLite the driver's own Timeout= (ms) is the limit for a
    // connection string of the user's; ODBCTX_LOCK_TIMEOUT sets the rest.
    const std::string conn =
        rel::on_sqlite() ? "Driver=libsqlite3odbc.so;Database=" + dir.path + "/lock_test.db;Timeout=500;"
                         : rel::connect_string();
    rel::raw_connection setup(conn);
    REQUIRE(setup.ok());
    setup.exec("DROP TABLE IF EXISTS bounds_lock");
    REQUIRE(setup.exec("CREATE TABLE bounds_lock (id INTEGER PRIMARY KEY, v INTEGER)") == "");
    REQUIRE(setup.exec("INSERT INTO bounds_lock (id, v) VALUES (1, 0)") == "");

    env_var limit("ODBCTX_LOCK_TIMEOUT", "500");
    rel::session s(conn);
    INFO(s.message());
    REQUIRE(s.s);
    REQUIRE(odbctx_begin_test(s) == 0);
    REQUIRE(s.count("bounds_lock") == 1);

    // Another connection holds a write lock on the row (the database file
    // on SQLite) in a transaction it does not end.
    rel::raw_connection holder(conn);
    REQUIRE(holder.ok());
    REQUIRE(SQL_SUCCEEDED(rel::real().SetConnectAttr(holder.dbc, SQL_ATTR_AUTOCOMMIT,
                                                      (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0)));
    REQUIRE(holder.exec("UPDATE bounds_lock SET v = 1 WHERE id = 1") == "");

    const auto t0 = std::chrono::steady_clock::now();
    int rc = odbctx_exec(s, "UPDATE bounds_lock SET v = 2 WHERE id = 1");
    const auto waited = std::chrono::steady_clock::now() - t0;
    INFO(s.message());
    CHECK(rc != 0);
    CHECK_THAT(s.message(), Catch::Contains(rel::on_sqlite() ? "Timeout=" : "ODBCTX_LOCK_TIMEOUT") &&
                                Catch::Contains("another connection"));
    CHECK(waited >= std::chrono::milliseconds(400));
    CHECK(waited < std::chrono::seconds(5));

    // The session goes on once the other connection lets go.
    rel::real().EndTran(SQL_HANDLE_DBC, holder.dbc, SQL_ROLLBACK);
    CHECK(odbctx_exec(s, "UPDATE bounds_lock SET v = 3 WHERE id = 1") == 0);
    CHECK(odbctx_end_test(s) == 0);
    s.close();
    setup.exec("DROP TABLE bounds_lock");
}

TEST_CASE("bounds: ODBCTX_LOCK_TIMEOUT that is not a number of milliseconds is refused",
          "[bounds]")
{
    // (For the embedded default and every server; an SQLite connection
    // string of the user's names its own Timeout=.)
    env_var limit("ODBCTX_LOCK_TIMEOUT", "10s");
    rel::session s(rel::connect_string());
    CHECK(s.s == nullptr);
    CHECK_THAT(std::string(s.err.message), Catch::Contains("ODBCTX_LOCK_TIMEOUT=10s"));
}

TEST_CASE("bounds: a long script that fails stops at the failing line; what ran before it stays",
          "[bounds]")
{
    // Long enough for several of PostgreSQL's batches on either side of the
    // error; the other databases run it statement by statement.
    for (const char *how : {"schema", "exec"}) {
        DYNAMIC_SECTION(how)
        {
            rel::temp_dir dir;
            const std::string conn =
                rel::on_sqlite() ? rel::sqlite_file_connection(dir.path + "/script_test.db")
                                 : rel::connect_string();
            rel::session s(conn);
            INFO(s.message());
            REQUIRE(s.s);
            std::string script = "CREATE TABLE bounds_script (id INTEGER PRIMARY KEY);\n";
            for (int i = 0; i < 450; ++i)
                script += "INSERT INTO bounds_script (id) VALUES (" + std::to_string(i) + ");\n";
            // Line 452: asks the database first (not batched), then line 453 fails.
            script += "CREATE TABLE IF NOT EXISTS bounds_script (id INTEGER PRIMARY KEY);\n";
            script += "INSERT INTO bounds_script (id) VALUS (999);\n";
            for (int i = 450; i < 900; ++i)
                script += "INSERT INTO bounds_script (id) VALUES (" + std::to_string(i) + ");\n";
            const bool schema = std::string(how) == "schema";
            int rc = schema ? odbctx_schema_script(s, script.c_str(), "long")
                            : odbctx_exec_script(s, script.c_str(), "long");
            INFO(s.message());
            CHECK(rc == ODBCTX_ESQL);
            CHECK_THAT(s.message(), Catch::StartsWith("long:453:") && Catch::Contains("VALUS"));
            // Everything before the failing line ran, nothing after it.
            REQUIRE(odbctx_begin_test(s) == 0);
            CHECK(s.count("bounds_script") == 450);
            REQUIRE(odbctx_end_test(s) == 0);
            // And the suite is sound: a second, correct script runs.
            CHECK((schema ? odbctx_schema_script(s, "CREATE TABLE bounds_after (id INTEGER)", "after")
                          : odbctx_exec_script(s, "INSERT INTO bounds_script (id) VALUES (5000)",
                                               "after")) == 0);
            s.close();
            rel::raw_connection raw(conn);
            REQUIRE(raw.ok());
            // The schema lived in the suite transaction (MariaDB: dropped at close).
            CHECK(raw.query_int(rel::count_tables_sql("bounds_script")) == 0);
        }
    }
}
