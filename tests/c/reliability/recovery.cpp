// Recovery after an isolation breach fails closed: either the suite is
// clean again (the next test sees nothing of the breached one, and nothing
// of it is left in the database seen from outside), or the session is
// broken and every later call says why. Never ODBCTX_OK over a dirty state.
#include <catch2/catch.hpp>

#include "rel.hpp"
#include "skip.hpp"

#include <string>
#include <vector>

namespace {

struct fixture {
    rel::temp_dir dir;
    std::string conn;
    rel::session s;
    explicit fixture(const char *file)
    {
        conn = rel::on_sqlite() ? rel::sqlite_file_connection(dir.path + "/" + file)
                                : rel::connect_string();
        s.open(conn);
        INFO(s.message());
        REQUIRE(s.s);
    }
    std::string message() const { return odbctx_last_error(s)->message; }
};

// What ends the transaction on each database while leaving a lock behind
// that outlives it (MariaDB) or would on a naive repair.
std::vector<std::string> lock_breaches()
{
    if (rel::on_mariadb())
        return {"LOCK TABLES rec_lock WRITE", "LOCK TABLES rec_lock READ",
                "LOCK TABLES rec_lock WRITE, rec_other READ"};
    if (rel::on_postgresql())
        return {"LOCK TABLE rec_lock IN ACCESS EXCLUSIVE MODE; COMMIT"};
    return {"COMMIT"};
}

} // namespace

TEST_CASE("recovery: a breach that leaves tables locked is repaired; the next test is clean",
          "[recovery]")
{
    for (const std::string &stmt : lock_breaches()) {
        DYNAMIC_SECTION(stmt)
        {
            fixture f("lock_test.db");
            REQUIRE(odbctx_schema_script(f.s,
                                         "CREATE TABLE rec_lock (id INTEGER PRIMARY KEY);\n"
                                         "CREATE TABLE rec_other (id INTEGER PRIMARY KEY);\n",
                                         "lock schema") == 0);
            REQUIRE(odbctx_begin_test(f.s) == 0);
            REQUIRE(odbctx_exec(f.s, "INSERT INTO rec_lock (id) VALUES (1)") == 0);
            // MariaDB: odbctx_exec refuses LOCK TABLES before sending it
            // (tests/c/capture/ddl.cpp), so the breach comes by a path
            // odbctx does not see.
            if (rel::on_mariadb())
                rel::real_exec(odbctx_hdbc(f.s), stmt);
            else
                odbctx_exec(f.s, stmt.c_str());
            INFO(f.message());
            REQUIRE(odbctx_end_test(f.s) == ODBCTX_EBREACH);
            // Repaired, and the message says so truthfully.
            CHECK_THAT(f.message(), Catch::Contains("replayed"));
            CHECK_THAT(f.message(), !Catch::Contains("failed too"));
            CHECK_THAT(f.message(), !Catch::Contains("cannot commit"));

            REQUIRE(odbctx_begin_test(f.s) == 0);
            CHECK(f.s.count("rec_lock") == 0);
            CHECK(f.s.count("rec_other") == 0);
            REQUIRE(odbctx_exec(f.s, "INSERT INTO rec_other (id) VALUES (5)") == 0);
            REQUIRE(odbctx_end_test(f.s) == 0);
            f.s.close();

            // Nothing of the breached test is left, seen from outside.
            rel::raw_connection raw(f.conn);
            REQUIRE(raw.ok());
            CHECK(raw.query_int(rel::count_tables_sql("rec_lock")) == 0);
            CHECK(raw.query_int(rel::count_tables_sql("rec_other")) == 0);
        }
    }
}

TEST_CASE("recovery: suite-level DDL that a breach committed is dropped and made again",
          "[recovery]")
{
    fixture f("ddl_test.db");
    // Created with odbctx_exec at suite level, not through odbctx_schema_*.
    REQUIRE(odbctx_exec(f.s, "CREATE TABLE rec_suite (id INTEGER PRIMARY KEY)") == 0);
    REQUIRE(odbctx_exec(f.s, "INSERT INTO rec_suite (id) VALUES (1)") == 0);
    REQUIRE(odbctx_begin_test(f.s) == 0);
    REQUIRE(odbctx_exec(f.s, "INSERT INTO rec_suite (id) VALUES (2)") == 0);
    odbctx_exec(f.s, "COMMIT");
    REQUIRE(odbctx_end_test(f.s) == ODBCTX_EBREACH);
    INFO(f.message());
    CHECK_THAT(f.message(), Catch::Contains("replayed"));

    REQUIRE(odbctx_begin_test(f.s) == 0);
    CHECK(f.s.count("rec_suite") == 1); // the suite's row, not the test's
    REQUIRE(odbctx_end_test(f.s) == 0);
    f.s.close();

    rel::raw_connection raw(f.conn);
    REQUIRE(raw.ok());
    CHECK(raw.query_int(rel::count_tables_sql("rec_suite")) == 0);
}

TEST_CASE("recovery: a breach that cannot be repaired breaks the session; every call refuses",
          "[recovery]")
{
    fixture f("broken_test.db");
    // A table made for real by a first breach (odbctx never recorded it),
    // then suite-level data in it that a second breach commits: replaying
    // that data can only fail, so the suite cannot be restored.
    REQUIRE(odbctx_begin_test(f.s) == 0);
    rel::real_exec(odbctx_hdbc(f.s), "CREATE TABLE rec_real (id INTEGER PRIMARY KEY)");
    odbctx_exec(f.s, "COMMIT");
    odbctx_end_test(f.s);
    {
        rel::raw_connection raw(f.conn);
        REQUIRE(raw.ok());
        REQUIRE(raw.query_int(rel::count_tables_sql("rec_real")) == 1);
    }
    REQUIRE(odbctx_exec(f.s, "INSERT INTO rec_real (id) VALUES (1)") == 0);
    REQUIRE(odbctx_begin_test(f.s) == 0);
    odbctx_exec(f.s, "COMMIT");
    REQUIRE(odbctx_end_test(f.s) == ODBCTX_EBREACH);
    INFO(f.message());
    CHECK_THAT(f.message(), Catch::Contains("broken"));

    // Every call that would use the database refuses, naming the reason.
    CHECK(odbctx_begin_test(f.s) == ODBCTX_EBROKEN);
    CHECK_THAT(f.message(), Catch::Contains("odbctx_begin_test") && Catch::Contains("rec_real"));
    CHECK(odbctx_exec(f.s, "SELECT 1") == ODBCTX_EBROKEN);
    long long n = -1;
    CHECK(odbctx_query_int(f.s, "SELECT 1", &n) == ODBCTX_EBROKEN);
    CHECK(n == -1);
    CHECK(odbctx_schema_script(f.s, "CREATE TABLE rec_x (id INTEGER)", "x") == ODBCTX_EBROKEN);
    CHECK(odbctx_exec_script(f.s, "SELECT 1", "x") == ODBCTX_EBROKEN);
    CHECK(odbctx_commit(f.s) == ODBCTX_EBROKEN);
    CHECK(odbctx_nested_begin(f.s) == ODBCTX_EBROKEN);
    CHECK(std::string(odbctx_strerror(ODBCTX_EBROKEN)) == "ODBCTX_EBROKEN");
    f.s.close();

    rel::raw_connection raw(f.conn);
    REQUIRE(raw.ok());
    raw.exec("DROP TABLE rec_real");
}

TEST_CASE("recovery: a statement that ends the transaction is named at that statement",
          "[recovery]")
{
    // (MariaDB's LOCK TABLES and DDL are refused before they are sent:
    // tests/c/capture/ddl.cpp.)
    std::vector<std::string> forms;
    if (rel::on_mariadb())
        forms = {"SET STATEMENT max_statement_time=100 FOR COMMIT", "SET `autocommit`=1",
                 "SET @@SESSION . autocommit = 1", "/*!COMMIT*/"};
    else
        forms = {"/* a comment */ COMMIT", "END", rel::on_sqlite() ? "commit transaction" : "commit work"};
    for (const std::string &stmt : forms) {
        DYNAMIC_SECTION(stmt)
        {
            fixture f("named_test.db");
            REQUIRE(odbctx_schema_script(f.s, "CREATE TABLE rec_named (id INTEGER PRIMARY KEY)",
                                         "named schema") == 0);
            REQUIRE(odbctx_begin_test(f.s) == 0);
            REQUIRE(odbctx_exec(f.s, "INSERT INTO rec_named (id) VALUES (1)") == 0);
            int rc = odbctx_exec(f.s, stmt.c_str());
            INFO(f.message());
            CHECK(rc == ODBCTX_EBREACH);
            CHECK_THAT(f.message(), Catch::Contains(stmt));
            CHECK(odbctx_end_test(f.s) == ODBCTX_EBREACH);
            REQUIRE(odbctx_begin_test(f.s) == 0);
            CHECK(f.s.count("rec_named") == 0);
            REQUIRE(odbctx_end_test(f.s) == 0);
            f.s.close();
            rel::raw_connection raw(f.conn);
            REQUIRE(raw.ok());
            CHECK(raw.query_int(rel::count_tables_sql("rec_named")) == 0);
            raw.exec("DROP TABLE IF EXISTS rec_named_x");
        }
    }
}
