// ODBCTX_WORKER=N: each worker process gets a database of its own (a file
// of its own on SQLite), so that processes running at once do not wait on
// each other's rows.
#include <catch2/catch.hpp>

#include "children.hpp"
#include "rel.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

namespace rel {

// lock CONN KEY HOLD_MS: inserts KEY in a test, says how long the INSERT
// took, holds the row HOLD_MS, then ends the test and closes.
int lock_child(const std::vector<std::string> &args)
{
    if (args.size() != 3)
        return 2;
    double t0 = now_ms();
    session s(args[0]);
    if (!s.s) {
        say("error open: " + s.message());
        return 3;
    }
    if (odbctx_schema_script(s, "CREATE TABLE IF NOT EXISTS rellock (k INTEGER PRIMARY KEY)",
                             "lock schema") != 0 ||
        odbctx_begin_test(s) != 0) {
        say("error setup: " + s.message());
        return 3;
    }
    double t1 = now_ms();
    say("opened " + std::to_string((long)(t1 - t0)));
    std::string sql = "INSERT INTO rellock (k) VALUES (" + args[1] + ")";
    int rc = odbctx_exec(s, sql.c_str());
    double t2 = now_ms();
    if (rc != 0) {
        say("error insert: " + s.message());
        return 3;
    }
    say("inserted " + std::to_string((long)(t2 - t1)));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(args[2].c_str())));
    odbctx_end_test(s);
    s.close();
    say("done");
    return 0;
}

} // namespace rel

namespace {

// Sets an environment variable for the scope of a test.
struct scoped_env {
    std::string name;
    std::string old;
    bool had;
    scoped_env(const std::string &n, const char *value) : name(n)
    {
        const char *o = std::getenv(n.c_str());
        had = o != nullptr;
        if (had)
            old = o;
        if (value)
            setenv(n.c_str(), value, 1);
        else
            unsetenv(n.c_str());
    }
    ~scoped_env()
    {
        if (had)
            setenv(name.c_str(), old.c_str(), 1);
        else
            unsetenv(name.c_str());
    }
};

std::string current_db_sql(const std::string &name)
{
    if (rel::on_postgresql())
        return "SELECT CASE WHEN current_database() = '" + name + "' THEN 1 ELSE 0 END";
    return "SELECT CASE WHEN DATABASE() = '" + name + "' THEN 1 ELSE 0 END";
}

std::string base_database()
{
    rel::raw_connection raw(rel::connect_string());
    return raw.query_text(rel::on_postgresql() ? "SELECT current_database()" : "SELECT DATABASE()");
}

long field_ms(const rel::child &c, const std::string &what)
{
    std::string line = c.last_line_with(what + " ");
    return line.empty() ? -1 : std::atol(line.c_str() + what.size() + 1);
}

} // namespace

TEST_CASE("ODBCTX_WORKER=N opens the worker's own database", "[workers]")
{
    rel::temp_dir dir;
    scoped_env w("ODBCTX_WORKER", "7");

    if (rel::on_sqlite()) {
        const std::string conn = rel::sqlite_file_connection(dir.path + "/app_test.db");
        rel::session s(conn);
        INFO(s.message());
        REQUIRE(s.s);
        CHECK(std::string(odbctx_connection(s)).find(dir.path + "/app_test_w7.db") != std::string::npos);
        REQUIRE(odbctx_schema_script(s, "CREATE TABLE relw (id INTEGER)", "w") == 0);
        CHECK(std::filesystem::exists(dir.path + "/app_test_w7.db"));
        CHECK_FALSE(std::filesystem::exists(dir.path + "/app_test.db"));

        // The embedded default is private to its session anyway.
        rel::session embedded("");
        INFO(embedded.message());
        CHECK(embedded.s);
        return;
    }
    const std::string worker_db = base_database() + "_w7";
    rel::session s(rel::connect_string());
    INFO(s.message());
    REQUIRE(s.s);
    CHECK(std::string(odbctx_connection(s)).find("=" + worker_db) != std::string::npos);
    long long is_worker_db = 0;
    REQUIRE(odbctx_query_int(s, current_db_sql(worker_db).c_str(), &is_worker_db) == 0);
    CHECK(is_worker_db == 1);
    // Opening again reuses it.
    rel::session again(rel::connect_string());
    INFO(again.message());
    CHECK(again.s);
}

TEST_CASE("odbctx_worker_connection gives the worker's connection string", "[workers]")
{
    const std::string conn = rel::connect_string().empty()
                                 ? rel::sqlite_file_connection("/tmp/odbctx-rel-unused/app_test.db")
                                 : rel::connect_string();
    char out[2048];
    {
        scoped_env none("ODBCTX_WORKER", nullptr);
        int len = odbctx_worker_connection(conn.c_str(), out, sizeof out, nullptr);
        CHECK(len == (int)conn.size());
        CHECK(std::string(out) == conn);
        CHECK(odbctx_worker_connection(conn.c_str(), nullptr, 0, nullptr) == (int)conn.size());
        CHECK(odbctx_worker_connection(nullptr, out, sizeof out, nullptr) == 0);
    }
    {
        scoped_env w("ODBCTX_WORKER", "7");
        odbctx_error err{};
        int len = odbctx_worker_connection(conn.c_str(), out, sizeof out, &err);
        INFO(err.message);
        REQUIRE(len > 0);
        CHECK(std::string(out).find("_w7") != std::string::npos);
        // Too small a buffer: cut and terminated, the full length returned.
        char small[8];
        CHECK(odbctx_worker_connection(conn.c_str(), small, sizeof small, nullptr) == len);
        CHECK(std::strlen(small) == sizeof small - 1);
        // The embedded default stays what it is.
        CHECK(odbctx_worker_connection("", out, sizeof out, nullptr) == 0);
    }
    {
        scoped_env bad("ODBCTX_WORKER", "x");
        odbctx_error err{};
        CHECK(odbctx_worker_connection(conn.c_str(), out, sizeof out, &err) == ODBCTX_EARG);
        CHECK(std::string(err.message).find("ODBCTX_WORKER") != std::string::npos);
    }
}

TEST_CASE("a bad ODBCTX_WORKER is refused with a clear message", "[workers]")
{
    for (const char *bad : {"abc", "-1", "1x", " 1", "12345678"}) {
        scoped_env w("ODBCTX_WORKER", bad);
        rel::session s(rel::connect_string().empty() ? rel::sqlite_file_connection("/tmp/unused_test.db")
                                                     : rel::connect_string());
        INFO("ODBCTX_WORKER=\"" << bad << "\": " << s.message());
        CHECK(s.s == nullptr);
        CHECK(s.err.code == ODBCTX_EARG);
        CHECK(std::string(s.err.message).find("ODBCTX_WORKER") != std::string::npos);
    }
    scoped_env empty("ODBCTX_WORKER", "");
    rel::session s(rel::connect_string());
    INFO(s.message());
    CHECK(s.s);
}

TEST_CASE("two processes insert the same key: they wait on one database, not with workers",
          "[workers]")
{
    rel::temp_dir dir;
    const std::string conn = rel::on_sqlite() ? rel::sqlite_file_connection(dir.path + "/lock_test.db")
                                              : rel::connect_string();
    const long hold = 2000;
    rel::raw_connection raw(conn);
    INFO(raw.error);
    REQUIRE(raw.ok());

    auto race = [&](const char *worker_a, const char *worker_b, long &insert_ms, long &open_ms) {
        std::vector<std::string> env_a{std::string("ODBCTX_WORKER=") + worker_a};
        std::vector<std::string> env_b{std::string("ODBCTX_WORKER=") + worker_b};
        rel::child a({"lock", conn, "42", std::to_string(hold)}, env_a);
        bool inserted = a.wait_prefix("inserted ", std::chrono::seconds(30));
        INFO("first process: " << a.received);
        REQUIRE(inserted);
        rel::child b({"lock", conn, "42", "0"}, env_b);
        bool done = b.wait_line("done", std::chrono::seconds(60));
        INFO("second process: " << b.received);
        REQUIRE(done);
        insert_ms = field_ms(b, "inserted");
        open_ms = field_ms(b, "opened");
        REQUIRE(a.wait_line("done", std::chrono::seconds(30)));
    };

    // One shared database: the table is there, committed, for both.
    raw.exec("DROP TABLE rellock");
    REQUIRE(raw.exec("CREATE TABLE rellock (k INTEGER PRIMARY KEY)") == "");
    long shared_insert = -1, shared_open = -1;
    race("", "", shared_insert, shared_open);
    raw.exec("DROP TABLE rellock");

    long worker_insert = -1, worker_open = -1;
    race("1", "2", worker_insert, worker_open);

    std::printf("workers %-10s same key, row held %ld ms: one database: second INSERT took %ld ms "
                "(open %ld ms); workers 1 and 2: %ld ms (open %ld ms)\n",
                rel::db().c_str(), hold, shared_insert, shared_open, worker_insert, worker_open);
    CHECK(shared_insert >= hold / 2); // it had to wait for the first to end
    CHECK(worker_insert < hold / 4);  // it did not wait at all
}
