// A test process killed with SIGKILL at a random moment leaves nothing
// behind. A child (this binary, "--child crash SCENARIO CONN") works in a
// loop until it is killed; the parent then looks at the database from a
// connection of libodbc's own.
//
// SQLite and PostgreSQL: no table of the schema and no row of any test may
// be there, ever: both live only in the never-committed suite transaction.
// MariaDB: the schema was created outside any transaction (DDL commits
// implicitly), so a killed run does leave its tables; the next run must
// recognise them as a dead session's (odbctx_schema_registry) and drop them
// before it creates its own. Rows of tests are never there.
#include <algorithm>
#include <catch2/catch.hpp>

#include "children.hpp"
#include "rel.hpp"
#include "skip.hpp"

#include <odbctx.hpp>
#include <odbctx/factory.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

namespace {

// The table the parent creates and commits before the kills: rows that
// children write into it must never stay.
const char *const keep_table = "relkeep";
// Everything the children's schema creates starts with this.
const char *const crash_prefix = "relcrash";

// A schema with some body, so that a kill often lands inside it.
std::string crash_schema()
{
    std::string s =
        "CREATE TABLE relcrash_a (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INTEGER);\n"
        "CREATE TABLE relcrash_b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL, note VARCHAR(40),\n"
        "    FOREIGN KEY (a_id) REFERENCES relcrash_a (id));\n"
        "CREATE INDEX relcrash_b_a ON relcrash_b (a_id);\n"
        "CREATE VIEW relcrash_v AS SELECT a.id, b.note FROM relcrash_a a JOIN relcrash_b b ON b.a_id = a.id;\n";
    for (int t = 0; t < 8; t++)
        s += "CREATE TABLE relcrash_t" + std::to_string(t) +
             " (id INTEGER PRIMARY KEY, v VARCHAR(40));\n";
    for (int r = 1; r <= 20; r++)
        s += "INSERT INTO relcrash_a (id, name, qty) VALUES (" + std::to_string(r) + ", 'seed', 1);\n";
    return s;
}

struct item {
    long long id = 0;
    std::string name;
    long long qty = 0;
};

struct kept {
    long long id = 0;
    std::string note;
};

} // namespace

template <>
struct odbctx::table<item> : odbctx::mapping<item> {
    static constexpr auto name = "relcrash_a";
    static constexpr auto columns =
        std::tuple{col(&item::id, "id"), col(&item::name, "name"), col(&item::qty, "qty")};
};

template <>
struct odbctx::table<kept> : odbctx::mapping<kept> {
    static constexpr auto name = "relkeep";
    static constexpr auto columns = std::tuple{col(&kept::id, "id"), col(&kept::note, "note")};
};

namespace rel {

static std::string backend_id_sql(odbctx_session *s)
{
    std::string dbms = odbctx_dbms(s);
    if (dbms == "PostgreSQL")
        return "SELECT pg_backend_pid()";
    if (dbms == "MariaDB" || dbms == "MySQL")
        return "SELECT CONNECTION_ID()";
    return "";
}

static void report_backend(odbctx_session *s)
{
    std::string sql = backend_id_sql(s);
    long long id = 0;
    if (!sql.empty() && odbctx_query_int(s, sql.c_str(), &id) == 0)
        say("backend " + std::to_string(id));
}

static int child_fail(odbctx_session *s, const char *what)
{
    say(std::string("error ") + what + ": " + odbctx_last_error(s)->message);
    return 3;
}

static int open_with_schema(const std::string &conn, odbctx::session &out)
{
    auto opened = odbctx::session::open(conn);
    if (!opened) {
        say("error open: " + opened.error().message);
        return 3;
    }
    out = std::move(*opened);
    report_backend(out.handle());
    say("phase schema");
    if (odbctx_schema_script(out.handle(), crash_schema().c_str(), "crash schema") != 0)
        return child_fail(out.handle(), "schema");
    say("phase schema-done");
    return 0;
}

int crash_child(const std::vector<std::string> &args)
{
    if (args.size() != 2)
        return 2;
    const std::string scenario = args[0], conn = args[1];
    long long n = 0;

    if (scenario == "schema") {
        // Open, create the schema, run a test, close: over and over, so
        // that the kill finds it anywhere in the session's life.
        say("ready");
        for (;;) {
            say("phase open");
            odbctx::session s;
            if (int rc = open_with_schema(conn, s))
                return rc;
            if (odbctx_begin_test(s.handle()) != 0)
                return child_fail(s.handle(), "begin");
            say("phase test");
            std::string sql = "INSERT INTO relkeep (id, note) VALUES (" + std::to_string(++n) + ", 'schema')";
            if (odbctx_exec(s.handle(), sql.c_str()) != 0)
                return child_fail(s.handle(), "insert");
            odbctx_end_test(s.handle());
            say("phase close");
        }
    }

    odbctx::session s;
    if (int rc = open_with_schema(conn, s))
        return rc;
    odbctx_session *h = s.handle();
    if (scenario == "legacy" && odbctx_capture_start(h, nullptr) != 0)
        return child_fail(h, "capture");
    if (odbctx_begin_test(h) != 0)
        return child_fail(h, "begin");
    odbctx::scoped_session registered(s);
    say("ready");

    if (scenario == "batch") {
        // A factory batch: one prepared INSERT of many rows in a nested
        // savepoint, into the schema's table and into the committed one.
        const auto items = odbctx::factory<item>{}
                               .with(&item::id, odbctx::sequence([](long long k) { return 1000 + k; }))
                               .with(&item::name, std::string("batch"))
                               .with(&item::qty, 3LL);
        const auto keeps = odbctx::factory<kept>{}
                               .with(&kept::id, odbctx::sequence([](long long k) { return 1 + k; }))
                               .with(&kept::note, std::string("batch"));
        try {
            for (;;) {
                say("phase batch");
                items.create_batch(200);
                keeps.create_batch(200);
            }
        } catch (const std::exception &e) {
            say(std::string("error batch: ") + e.what());
            return 3;
        }
    }
    if (scenario == "commit") {
        // App commits and rollbacks: savepoint restarts, many per second.
        for (;;) {
            ++n;
            std::string a = "INSERT INTO relkeep (id, note) VALUES (" + std::to_string(n) + ", 'commit')";
            std::string b = "INSERT INTO relcrash_b (id, a_id, note) VALUES (" + std::to_string(n) + ", 1, 'c')";
            if (odbctx_exec(h, a.c_str()) != 0 || odbctx_exec(h, b.c_str()) != 0)
                return child_fail(h, "insert");
            say("phase commit");
            if ((n % 5 == 0 ? odbctx_rollback(h) : odbctx_commit(h)) != 0)
                return child_fail(h, "commit");
        }
    }
    if (scenario == "legacy") {
        // Legacy code on the session's connection, through the plain ODBC
        // names (odbctx's interposed entry points): it commits for real, as
        // far as it knows, after every row, and sometimes as SQL text.
        SQLHDBC dbc = odbctx_hdbc(h);
        for (;;) {
            ++n;
            SQLHSTMT st = nullptr;
            if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st)))
                return child_fail(h, "SQLAllocHandle");
            std::string sql = "INSERT INTO relkeep (id, note) VALUES (" + std::to_string(n) + ", 'legacy')";
            if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql.c_str(), SQL_NTS))) {
                say("error legacy insert failed");
                return 3;
            }
            say("phase legacy-commit");
            SQLRETURN rc = n % 4 == 0 ? SQLExecDirect(st, (SQLCHAR *)"COMMIT", SQL_NTS)
                                      : SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT);
            SQLFreeHandle(SQL_HANDLE_STMT, st);
            if (!SQL_SUCCEEDED(rc)) {
                say("error legacy commit failed");
                return 3;
            }
        }
    }
    if (scenario == "idle") {
        // In a test, waiting: for kills whose timing does not matter.
        for (;;)
            pause();
    }
    if (scenario == "leak") {
        // The control: a row committed for real, through libodbc itself,
        // must be seen by the parent's check, or the check proves nothing.
        std::string err = real_exec(odbctx_hdbc(h), "INSERT INTO relkeep (id, note) VALUES (1, 'leak')");
        if (err.empty())
            err = real_exec(odbctx_hdbc(h), "COMMIT");
        if (!err.empty()) {
            say("error leak: " + err);
            return 3;
        }
        say("phase leaked");
        for (;;)
            pause();
    }
    say("error unknown scenario " + scenario);
    return 2;
}

} // namespace rel

namespace {

int kills_per_scenario()
{
    const char *v = std::getenv("ODBCTX_KILLS");
    int n = v && *v ? std::atoi(v) : 20;
    return n > 0 ? n : 20;
}

// Waits until the server has no session with one of the ids the child
// reported: only then is every transaction of the child surely over.
bool wait_backends_gone(rel::raw_connection &raw, const rel::child &c)
{
    if (rel::on_sqlite())
        return true;
    std::vector<std::string> ids;
    std::string all = "\n" + c.received;
    for (size_t at = all.find("\nbackend "); at != std::string::npos;
         at = all.find("\nbackend ", at + 1))
        ids.push_back(all.substr(at + 9, all.find('\n', at + 1) - at - 9));
    for (const auto &id : ids) {
        std::string sql = rel::on_postgresql()
                              ? "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + id
                              : "SELECT COUNT(*) FROM information_schema.processlist WHERE id = " + id;
        double until = rel::now_ms() + 20000;
        while (raw.query_int(sql) != 0) {
            if (rel::now_ms() > until)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    return true;
}

struct kill_stats {
    std::map<std::string, int> phases;
    int leftovers_seen = 0;
    int runs = 0;
};

void run_kills(const std::string &scenario, int max_delay_ms)
{
    rel::temp_dir dir;
    const std::string conn = rel::on_sqlite() ? rel::sqlite_file_connection(dir.path + "/crash_test.db")
                                              : rel::connect_string();
    rel::raw_connection raw(conn);
    INFO("raw connection: " << raw.error);
    REQUIRE(raw.ok());
    const std::string like = std::string(crash_prefix) + "%";

    // Leftovers of an earlier run of this test that itself was killed.
    if (rel::on_mariadb()) {
        rel::session cleaner(conn);
        REQUIRE(cleaner.s);
    }
    REQUIRE(raw.query_int(rel::count_tables_sql(like)) == 0);
    raw.exec(std::string("DROP TABLE ") + keep_table);
    REQUIRE(raw.exec(std::string("CREATE TABLE ") + keep_table +
                     " (id INTEGER PRIMARY KEY, note VARCHAR(40))") == "");

    std::mt19937_64 rng(rel::seed() + std::hash<std::string>{}(scenario));
    std::uniform_int_distribution<int> delay(0, max_delay_ms);
    kill_stats stats;
    const int kills = kills_per_scenario();

    // The schema scenario must kill some children inside the schema phase.
    // On SQLite that phase is short, and on a busy machine random delays
    // can all miss it: then up to 10 more kills follow its announcement.
    const int targeted_max = scenario == "schema" ? 10 : 0;
    int killed = 0;
    for (int k = 0; k < kills + targeted_max; k++, killed++) {
        const bool targeted = k >= kills;
        if (targeted && stats.phases["schema"] > 0)
            break;
        rel::child c({"crash", scenario, conn});
        INFO("scenario " << scenario << ", kill " << k + 1 << " of " << kills
                         << (targeted ? " (at the schema phase)" : "") << ", seed " << rel::seed());
        bool ready = c.wait_line("ready", std::chrono::seconds(30));
        INFO("child said: " << c.received);
        REQUIRE(ready);
        REQUIRE_FALSE(c.has_line("error"));
        if (targeted)
            c.wait_line("phase schema", std::chrono::seconds(30));
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(delay(rng)));
        c.kill9();
        c.wait();
        REQUIRE_FALSE(c.has_line("error"));
        std::string phase = c.last_line_with("phase ");
        stats.phases[phase.empty() ? "(before open)" : phase.substr(6)]++;

        REQUIRE(wait_backends_gone(raw, c));
        CHECK(raw.query_int(std::string("SELECT COUNT(*) FROM ") + keep_table) == 0);
        long long tables = raw.query_int(rel::count_tables_sql(like));
        INFO("tables left: " << tables << " " << raw.error);
        if (rel::on_mariadb()) {
            // The next run recognises the dead session's tables and drops
            // them before creating its own.
            if (tables > 0)
                stats.leftovers_seen++;
            rel::session next(conn);
            INFO("next run: " << next.message());
            REQUIRE(next.s);
            REQUIRE(odbctx_schema_script(next, crash_schema().c_str(), "crash schema") == 0);
            next.close();
            stats.runs++;
            CHECK(raw.query_int(rel::count_tables_sql(like)) == 0);
        } else {
            CHECK(tables == 0);
        }
    }
    raw.exec(std::string("DROP TABLE ") + keep_table);

    std::string summary;
    for (const auto &[phase, n] : stats.phases)
        summary += " " + phase + "=" + std::to_string(n);
    std::printf("crash %-7s %-10s %d kills (0..%d ms after ready), killed in:%s%s\n",
                scenario.c_str(), rel::db().c_str(), killed, max_delay_ms, summary.c_str(),
                rel::on_mariadb()
                    ? (", leftovers recognised and dropped by the next run: " +
                       std::to_string(stats.leftovers_seen))
                          .c_str()
                    : "");
    if (scenario == "schema")
        CHECK(stats.phases["schema"] > 0);
    if (rel::on_mariadb() && scenario != "schema")
        CHECK(stats.leftovers_seen == kills);
}

} // namespace

TEST_CASE("the crash check sees a row that a killed child really committed (control)", "[crash]")
{
    rel::temp_dir dir;
    const std::string conn = rel::on_sqlite() ? rel::sqlite_file_connection(dir.path + "/crash_test.db")
                                              : rel::connect_string();
    rel::raw_connection raw(conn);
    INFO(raw.error);
    REQUIRE(raw.ok());
    raw.exec(std::string("DROP TABLE ") + keep_table);
    REQUIRE(raw.exec(std::string("CREATE TABLE ") + keep_table +
                     " (id INTEGER PRIMARY KEY, note VARCHAR(40))") == "");
    {
        rel::child c({"crash", "leak", conn});
        bool ready = c.wait_line("phase leaked", std::chrono::seconds(30));
        INFO("child said: " << c.received);
        REQUIRE(ready);
        c.kill9();
        c.wait();
        REQUIRE(wait_backends_gone(raw, c));
    }
    CHECK(raw.query_int(std::string("SELECT COUNT(*) FROM ") + keep_table) == 1);
    // The COMMIT took the schema with it where it was transactional.
    raw.exec("DROP VIEW relcrash_v");
    for (const char *t : {"relcrash_b", "relcrash_a", "relcrash_t0", "relcrash_t1", "relcrash_t2",
                          "relcrash_t3", "relcrash_t4", "relcrash_t5", "relcrash_t6", "relcrash_t7"})
        raw.exec(std::string("DROP TABLE ") + t);
    raw.exec(std::string("DROP TABLE ") + keep_table);
    if (rel::on_mariadb()) {
        rel::session cleaner(conn); // forgets the registry entries of the dead child
        CHECK(cleaner.s);
    }
    CHECK(raw.query_int(rel::count_tables_sql(std::string(crash_prefix) + "%")) == 0);
}

// Two directories per session: the embedded default's database, and the
// one child processes join the session through (c/share/owner.c).
TEST_CASE("the directories left by a killed process go with the next session",
          "[crash]")
{
    rel::temp_dir tmp;
    auto ours = [&] {
        std::vector<std::string> dirs;
        for (const auto &e : std::filesystem::directory_iterator(tmp.path))
            if (e.path().filename().string().rfind("odbctx-", 0) == 0)
                dirs.push_back(e.path().string());
        return dirs;
    };
    {
        rel::child c({"crash", "idle", ""}, {"TMPDIR=" + tmp.path});
        bool ready = c.wait_line("ready", std::chrono::seconds(30));
        INFO("child said: " << c.received);
        REQUIRE(ready);
        c.kill9();
        c.wait();
    }
    const auto left = ours();
    REQUIRE(left.size() == 2); // odbctx_close never ran
    const char *old_tmpdir = std::getenv("TMPDIR");
    const std::string saved = old_tmpdir ? old_tmpdir : "";
    setenv("TMPDIR", tmp.path.c_str(), 1);
    {
        rel::session next("");
        INFO(next.message());
        REQUIRE(next.s);
        const auto now = ours();
        CHECK(now.size() == 2);
        for (const auto &d : now)
            CHECK(std::find(left.begin(), left.end(), d) == left.end());
    }
    if (old_tmpdir)
        setenv("TMPDIR", saved.c_str(), 1);
    else
        unsetenv("TMPDIR");
    CHECK(ours().empty());
}

TEST_CASE("MariaDB: a running session's schema is not taken for a dead one's leftovers", "[crash]")
{
    if (!rel::on_mariadb())
        ODBCTX_SKIP("the schema lives in the transaction: nothing is left to clean");
    const std::string like = std::string(crash_prefix) + "%";
    rel::session running(rel::connect_string());
    INFO(running.message());
    REQUIRE(running.s);
    REQUIRE(odbctx_schema_script(running, crash_schema().c_str(), "crash schema") == 0);
    rel::raw_connection raw(rel::connect_string());
    const long long tables = raw.query_int(rel::count_tables_sql(like));
    CHECK(tables > 0);
    {
        rel::session other(rel::connect_string()); // cleans dead sessions' leftovers only
        INFO(other.message());
        REQUIRE(other.s);
    }
    CHECK(raw.query_int(rel::count_tables_sql(like)) == tables);
    CHECK(raw.query_int("SELECT COUNT(*) FROM odbctx_schema_registry") >= tables);
    REQUIRE(odbctx_begin_test(running) == 0);
    CHECK(running.count("relcrash_a") == 20);
    REQUIRE(odbctx_end_test(running) == 0);
    running.close();
    CHECK(raw.query_int(rel::count_tables_sql(like)) == 0);
}

TEST_CASE("SIGKILL during factory batches leaves no row and no table", "[crash]")
{
    run_kills("batch", 300);
}

TEST_CASE("SIGKILL during app commits and rollbacks leaves no row and no table", "[crash]")
{
    run_kills("commit", 300);
}

TEST_CASE("SIGKILL during schema setup leaves no table (MariaDB: the next run drops them)",
          "[crash]")
{
    run_kills("schema", 400);
}

TEST_CASE("SIGKILL during captured legacy commits leaves no row and no table", "[crash]")
{
    run_kills("legacy", 300);
}
