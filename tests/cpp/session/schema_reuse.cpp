// Reuse mode (odbctx_schema_reuse): the schema is committed once and kept
// between runs, rebuilt when its scripts or its objects changed, and rows a
// test writes are never kept. An observer connection outside odbctx checks
// what really is in the database. On SQLite the database is a file of the
// test's own; on a server it is ODBCTX_CONNECT's database, and the test
// removes what it made.
#include <odbctx/catch2.hpp>

#include "helpers.hpp"
#include "observer.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using Catch::Matchers::Contains;

namespace {

struct reuse_result {
    int rc;
    int rebuilt;
    odbctx::error err;
};

reuse_result reuse(const std::string &conn, const std::vector<std::string> &scripts)
{
    std::vector<const char *> texts, names;
    for (size_t i = 0; i < scripts.size(); ++i) {
        texts.push_back(scripts[i].c_str());
        names.push_back(i == 0 ? "first.sql" : "second.sql");
    }
    odbctx_error err{};
    int rebuilt = -1;
    const int rc = odbctx_schema_reuse(conn.c_str(), texts.data(), names.data(), texts.size(),
                                       &rebuilt, &err);
    return {rc, rebuilt, odbctx::error::from(err)};
}

// A run killed half-way may have left its objects on the server: drop
// them, marker included, if the database exists at all.
void clean_slate(const std::string &conn)
{
    try {
        t::observer o(conn);
        o.try_exec("DROP VIEW cpp_reuse_v");
        for (const char *table : {"cpp_reuse_a", "cpp_reuse_b", "cpp_reuse_c", "cpp_reuse_d"})
            o.try_exec(std::string("DROP TABLE ") + table);
        o.try_exec("DROP TABLE odbctx_schema_marker");
    } catch (const std::exception &) {
    }
}

// A database for the test: a fresh SQLite file, or the server under test.
struct database {
    std::string conn;
    std::optional<std::filesystem::path> dir;

    database()
    {
        conn = t::connect_string();
        if (conn.empty()) {
            char tmpl[] = "/tmp/odbctx-reuse-XXXXXX";
            dir = mkdtemp(tmpl);
            conn = "Driver=SQLite3;Database=" + (*dir / "reuse_test.db").string() + ";";
            return;
        }
        clean_slate(conn);
    }
    ~database()
    {
        try {
            // Drop what the builds recorded, then the marker itself (only
            // then: without it the objects would no longer be known).
            if (reuse(conn, {}).rc == ODBCTX_OK)
                t::observer(conn).try_exec("DROP TABLE odbctx_schema_marker");
        } catch (...) {
        }
        if (dir)
            std::filesystem::remove_all(*dir);
    }
};

bool exists(t::observer &o, const std::string &table)
{
    return o.try_exec("SELECT COUNT(*) FROM " + table);
}

const std::string v1 = "CREATE TABLE cpp_reuse_a (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL);\n"
                       "CREATE VIEW cpp_reuse_v AS SELECT name FROM cpp_reuse_a;\n";
const std::string v1_more = "INSERT INTO cpp_reuse_a (id, name) VALUES (1, 'reference row');\n";
const std::string v2 = "CREATE TABLE cpp_reuse_b (id INTEGER PRIMARY KEY);\n";

} // namespace

TEST_CASE("schema reuse: built once, kept, rebuilt when the scripts change", "[reuse]")
{
    database db;
    reuse(db.conn, {}); // start from no recorded schema

    auto first = reuse(db.conn, {v1, v1_more});
    INFO(first.err);
    REQUIRE(first.rc == ODBCTX_OK);
    REQUIRE(first.rebuilt == 1);
    {
        t::observer o(db.conn);
        REQUIRE(o.query_int("SELECT COUNT(*) FROM cpp_reuse_a") == 1);
        REQUIRE(o.query_int("SELECT COUNT(*) FROM cpp_reuse_v") == 1);
        REQUIRE(o.query_int("SELECT COUNT(*) FROM odbctx_schema_marker WHERE kind = 'hash'") == 1);
        REQUIRE(o.query_int("SELECT COUNT(*) FROM odbctx_schema_marker WHERE kind <> 'hash'") == 2);
    }

    auto again = reuse(db.conn, {v1, v1_more});
    INFO(again.err);
    REQUIRE(again.rc == ODBCTX_OK);
    REQUIRE(again.rebuilt == 0);

    // A session on the kept schema: a test's rows, commits included, go.
    {
        auto s = odbctx::session::open(db.conn);
        REQUIRE(s);
        REQUIRE(s->begin_test());
        REQUIRE(s->exec("INSERT INTO cpp_reuse_a (id, name) VALUES (2, 'test row')"));
        REQUIRE(s->commit());
        REQUIRE(t::count(*s, "cpp_reuse_a") == 2);
        REQUIRE(s->end_test());
        REQUIRE(t::count(*s, "cpp_reuse_a") == 1);
    }
    {
        t::observer o(db.conn);
        REQUIRE(o.query_int("SELECT COUNT(*) FROM cpp_reuse_a") == 1);
    }

    // Other scripts: the old objects go, the new ones come.
    auto changed = reuse(db.conn, {v2});
    INFO(changed.err);
    REQUIRE(changed.rc == ODBCTX_OK);
    REQUIRE(changed.rebuilt == 1);
    {
        t::observer o(db.conn);
        REQUIRE_FALSE(exists(o, "cpp_reuse_a"));
        REQUIRE_FALSE(exists(o, "cpp_reuse_v"));
        REQUIRE(exists(o, "cpp_reuse_b"));

        // An object of the schema dropped by hand: rebuilt though the hash matches.
        o.exec("DROP TABLE cpp_reuse_b");
    }
    auto repaired = reuse(db.conn, {v2});
    INFO(repaired.err);
    REQUIRE(repaired.rc == ODBCTX_OK);
    REQUIRE(repaired.rebuilt == 1);
    t::observer o(db.conn);
    REQUIRE(exists(o, "cpp_reuse_b"));
}

TEST_CASE("schema reuse: a broken script is reported and leaves nothing half-built", "[reuse][errors]")
{
    database db;
    REQUIRE(reuse(db.conn, {v2}).rc == ODBCTX_OK);

    const std::string broken = "CREATE TABLE cpp_reuse_c (id INTEGER);\n"
                               "\n"
                               "CREATE TABLE cpp_reuse_d (id INTEGER NOT NULL,, oops);\n";
    auto bad = reuse(db.conn, {broken});
    REQUIRE(bad.rc == ODBCTX_ESQL);
    REQUIRE_THAT(bad.err.message, Contains("first.sql") && Contains("line 3"));

    // A good script afterwards builds cleanly: what the broken one created
    // (MariaDB commits DDL at once) was recorded and is dropped again.
    auto good = reuse(db.conn, {v1});
    INFO(good.err);
    REQUIRE(good.rc == ODBCTX_OK);
    REQUIRE(good.rebuilt == 1);
    t::observer o(db.conn);
    REQUIRE_FALSE(exists(o, "cpp_reuse_c"));
    REQUIRE_FALSE(exists(o, "cpp_reuse_b"));
    REQUIRE(exists(o, "cpp_reuse_a"));
}

namespace {

// Sets an environment variable for a scope.
struct scoped_env {
    std::string name;
    scoped_env(std::string n, const char *value) : name(std::move(n)) { setenv(name.c_str(), value, 1); }
    ~scoped_env() { unsetenv(name.c_str()); }
};

// The connection string of worker n's database (see c/worker.c).
std::string worker_conn(const std::string &conn, int n)
{
    const std::string suffix = "_w" + std::to_string(n);
    std::string out = conn;
    const auto at = out.find("Database=");
    if (at == std::string::npos)
        return out;
    auto end = out.find(';', at);
    if (end == std::string::npos)
        end = out.size();
    const auto dot = out.rfind('.', end);
    const bool file = dot != std::string::npos && dot > at && out.find('/', dot) == std::string::npos;
    out.insert(file ? dot : end, suffix);
    return out;
}

} // namespace

TEST_CASE("schema reuse: under ODBCTX_WORKER the schema is kept in the worker's database",
          "[reuse][worker]")
{
    database db;
    const std::string wconn = worker_conn(db.conn, 7);
    clean_slate(wconn);
    scoped_env worker("ODBCTX_WORKER", "7");
    // Whatever happens, the worker's database ends without the schema.
    struct cleanup {
        const std::string &conn, &wconn;
        ~cleanup()
        {
            try {
                reuse(conn, {});
                t::observer(wconn).try_exec("DROP TABLE odbctx_schema_marker");
            } catch (...) {
            }
        }
    } clean{db.conn, wconn};
    REQUIRE(reuse(db.conn, {}).rc == ODBCTX_OK);

    auto built = reuse(db.conn, {v2});
    INFO(built.err);
    REQUIRE(built.rc == ODBCTX_OK);
    REQUIRE(built.rebuilt == 1);
    t::observer in_worker(wconn);
    REQUIRE(exists(in_worker, "cpp_reuse_b"));
    t::observer plain(db.conn);
    REQUIRE_FALSE(exists(plain, "cpp_reuse_b"));

    REQUIRE(reuse(db.conn, {}).rc == ODBCTX_OK);
    REQUIRE_FALSE(exists(in_worker, "cpp_reuse_b"));
}

TEST_CASE("schema reuse: refuses a database whose name does not say it is for tests",
          "[reuse][errors]")
{
    char tmpl[] = "/tmp/odbctx-reuse-XXXXXX";
    const std::filesystem::path dir = mkdtemp(tmpl);
    const std::string conn = "Driver=SQLite3;Database=" + (dir / "production.db").string() + ";";
    auto r = reuse(conn, {v2});
    std::filesystem::remove_all(dir);
    REQUIRE(r.rc == ODBCTX_EREFUSED);
    REQUIRE_THAT(r.err.message, Contains("test"));
}

TEST_CASE("schema reuse: refuses the embedded default and bad arguments", "[reuse][errors]")
{
    odbctx_error err{};
    const char *script = "CREATE TABLE x (v INTEGER)";
    REQUIRE(odbctx_schema_reuse("", &script, nullptr, 1, nullptr, &err) == ODBCTX_EARG);
    REQUIRE_THAT(std::string(err.message), Contains("embedded default"));
    REQUIRE(odbctx_schema_reuse(nullptr, &script, nullptr, 1, nullptr, nullptr) == ODBCTX_EARG);
    const char *none = nullptr;
    REQUIRE(odbctx_schema_reuse("Driver=SQLite3;Database=/nonexistent/x.db", &none, nullptr, 1,
                                nullptr, &err) == ODBCTX_EARG);
}
