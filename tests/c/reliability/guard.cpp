// The schema lifecycle creates and drops tables: odbctx refuses it on a
// database whose name does not say it is for tests, unless the user sets
// ODBCTX_ALLOW_ANY_DATABASE=1 (as Django refuses to use a database not
// named test_*). Tests without a schema are not affected: they only ever
// roll back.
#include <catch2/catch.hpp>

#include "rel.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

const char *const schema = "CREATE TABLE relguard (id INTEGER PRIMARY KEY)";

bool contains(const std::string &text, const std::string &what)
{
    return text.find(what) != std::string::npos;
}

struct scoped_env {
    std::string name;
    scoped_env(const std::string &n, const char *v) : name(n)
    {
        if (v)
            setenv(n.c_str(), v, 1);
        else
            unsetenv(n.c_str());
    }
    ~scoped_env() { unsetenv(name.c_str()); }
};

// Opens conn and tries the schema; returns its code, message in *msg.
int try_schema(const std::string &conn, std::string *msg)
{
    rel::session s(conn);
    INFO(s.message());
    REQUIRE(s.s);
    int rc = odbctx_schema_script(s, schema, "guard schema");
    *msg = s.message();
    if (rc == ODBCTX_EREFUSED) {
        // Refusing the schema refuses nothing else.
        CHECK(odbctx_begin_test(s) == 0);
        CHECK(odbctx_end_test(s) == 0);
    }
    return rc;
}

std::string with_database(const std::string &conn, const std::string &db)
{
    return rel::with_key(conn, {"Database", "DB"}, "Database", db);
}

} // namespace

TEST_CASE("the schema is refused on a database whose name lacks \"test\"", "[guard]")
{
    scoped_env unset("ODBCTX_ALLOW_ANY_DATABASE", nullptr);
    std::string msg;

    if (rel::on_sqlite()) {
        rel::temp_dir dir;
        // The file's name counts, not the directories around it.
        std::filesystem::create_directory(dir.path + "/test");
        const std::string prod = dir.path + "/test/production.db";
        CHECK(try_schema(rel::sqlite_file_connection(prod), &msg) == ODBCTX_EREFUSED);
        INFO(msg);
        CHECK(contains(msg, "production.db"));
        CHECK(contains(msg, "ODBCTX_ALLOW_ANY_DATABASE=1"));

        CHECK(try_schema(rel::sqlite_file_connection(dir.path + "/app_test.db"), &msg) == 0);
        CHECK(try_schema(rel::sqlite_file_connection(dir.path + "/TESTING.sqlite"), &msg) == 0);
        CHECK(try_schema(rel::sqlite_file_connection(":memory:"), &msg) == 0);
        CHECK(try_schema("", &msg) == 0); // the embedded default
        {
            scoped_env allow("ODBCTX_ALLOW_ANY_DATABASE", "1");
            CHECK(try_schema(rel::sqlite_file_connection(prod), &msg) == 0);
        }
        {
            scoped_env not_quite("ODBCTX_ALLOW_ANY_DATABASE", "yes please");
            CHECK(try_schema(rel::sqlite_file_connection(prod), &msg) == ODBCTX_EREFUSED);
        }
        return;
    }

    // A database of its own without "test" in its name.
    rel::raw_connection admin(rel::connect_string());
    REQUIRE(admin.ok());
    const std::string prod = "odbctx_relguard_prod";
    if (rel::on_postgresql()) {
        if (admin.query_int("SELECT COUNT(*) FROM pg_database WHERE datname = '" + prod + "'") == 0)
            REQUIRE(admin.exec("CREATE DATABASE " + prod) == "");
    } else {
        REQUIRE(admin.exec("CREATE DATABASE IF NOT EXISTS " + prod) == "");
    }
    const std::string prod_conn = with_database(rel::connect_string(), prod);
    CHECK(try_schema(prod_conn, &msg) == ODBCTX_EREFUSED);
    INFO(msg);
    CHECK(contains(msg, prod));
    CHECK(contains(msg, "ODBCTX_ALLOW_ANY_DATABASE=1"));
    {
        scoped_env allow("ODBCTX_ALLOW_ANY_DATABASE", "1");
        CHECK(try_schema(prod_conn, &msg) == 0);
    }
    CHECK(try_schema(rel::connect_string(), &msg) == 0);

    if (rel::on_mariadb()) {
        // No current database at all: nothing to judge, so refused.
        std::string none = rel::with_key(rel::connect_string(), {"Database", "DB"}, "Database", "");
        rel::session s(none);
        INFO(s.message());
        REQUIRE(s.s);
        CHECK(odbctx_schema_script(s, schema, "guard schema") == ODBCTX_EREFUSED);
    }
    admin.exec(rel::on_postgresql() ? "DROP DATABASE IF EXISTS " + prod + " WITH (FORCE)"
                                    : "DROP DATABASE IF EXISTS " + prod);
}
