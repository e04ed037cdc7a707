// Schemas and scripts: lifetime, replay, error reports, the splitter.
#include "core.hpp"
#include "plain.hpp"
#include "skip.hpp"

#include <unistd.h>

#include <fstream>
#include <string>

using core::count;
using core::exec;

TEST_CASE("the schema never outlives the session", "[schema]")
{
    core::own s;
    CORE_REQUIRE_OK(s, odbctx_schema_script(s,
                                 "CREATE TABLE core_gone (id INTEGER PRIMARY KEY);\n"
                                 "CREATE VIEW core_gone_view AS SELECT id FROM core_gone;\n"
                                 "INSERT INTO core_gone (id) VALUES (1);",
                                 "gone.sql"));
    {
        core::test_scope t(s);
        CHECK(count(s, "core_gone") == 1);
        CHECK(count(s, "core_gone_view") == 1);
    }
    std::string dir;
    if (core::connect_string().empty()) {
        // The embedded default lives in a directory of its own.
        std::string file = core::sqlite_file(s);
        REQUIRE(!file.empty());
        dir = file.substr(0, file.rfind('/'));
        CHECK(core::dir_exists(dir));
        CHECK(core::message(s).empty());
    }
    s.close();

    if (!dir.empty())
        CHECK_FALSE(core::dir_exists(dir));
    core::own fresh;
    long long n = -1;
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_gone", &n) == ODBCTX_ESQL);
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_gone_view", &n) == ODBCTX_ESQL);
    fresh.close();
}

TEST_CASE("a schema after suite-level data keeps that data", "[schema]")
{
    // On MariaDB the second schema commits around the suite transaction;
    // odbctx replays the suite-level statements into the new one.
    core::own s;
    REQUIRE(odbctx_schema_script(s, "CREATE TABLE core_first (id INTEGER PRIMARY KEY)", "one") ==
            ODBCTX_OK);
    exec(s, "INSERT INTO core_first (id) VALUES (1)");
    exec(s, "INSERT INTO core_first (id) VALUES (2)");
    CORE_REQUIRE_OK(s, odbctx_schema_script(s, "CREATE TABLE core_second (id INTEGER PRIMARY KEY)", "two"));
    {
        core::test_scope t(s);
        CHECK(count(s, "core_first") == 2);
        CHECK(count(s, "core_second") == 0);
    }
    s.close();
    core::own fresh;
    long long n = -1;
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_first", &n) == ODBCTX_ESQL);
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_second", &n) == ODBCTX_ESQL);
    fresh.close();
}

TEST_CASE("a script error names the file, the line and the statement", "[script]")
{
    odbctx_session *s = core::suite();
    core::temp_file f("broken.sql",
                      "-- a comment on line 1\n"
                      "INSERT INTO core_item (id, name) VALUES (200, 'ran');\n"
                      "\n"
                      "INSERT INTO core_item (id, name)\n"
                      "  VALUES (201, 'also ran');\n"
                      "INSRT INTO core_item VALUES (202);\n"
                      "INSERT INTO core_item (id, name) VALUES (203, 'never ran');\n");
    core::test_scope t;
    CHECK(odbctx_exec_file(s, f.path.c_str()) == ODBCTX_ESQL);
    std::string msg = core::message(s);
    INFO(msg);
    CHECK(msg.find(f.path + ":6: INSRT INTO core_item VALUES (202): ") == 0);
    CHECK(odbctx_last_error(s)->sqlstate[0] != '\0');
    // Statements before the error ran, and are rolled back with the test.
    CHECK(count(s, "core_item", "id IN (200, 201)") == 2);
    CHECK(count(s, "core_item", "id = 203") == 0);
}

TEST_CASE("a schema file with an error names it too", "[script][schema]")
{
    core::temp_file f("schema.sql",
                      "CREATE TABLE core_bad_schema (id INTEGER PRIMARY KEY);\n"
                      "CREATE TABLE core_bad_schema2 (id INTEGER PRIMARY KEY,);\n");
    core::own s;
    CHECK(odbctx_schema_file(s, f.path.c_str()) == ODBCTX_ESQL);
    INFO(core::message(s));
    CHECK(core::message(s).find(f.path + ":2: CREATE TABLE core_bad_schema2") == 0);
    // The session is still usable.
    {
        core::test_scope t(s);
        CHECK(count(s, "core_bad_schema") == 0);
    }
    s.close();
    core::own fresh;
    long long n = -1;
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_bad_schema", &n) == ODBCTX_ESQL);
    fresh.close();
}

TEST_CASE("an unterminated quote or comment runs nothing of the script", "[script]")
{
    odbctx_session *s = core::suite();
    core::test_scope t;
    CHECK(odbctx_exec_script(s,
                             "INSERT INTO core_item (id, name) VALUES (210, 'fine');\n"
                             "INSERT INTO core_item (id, name) VALUES (211, 'broken);\n",
                             "quotes.sql") == ODBCTX_ESQL);
    INFO(core::message(s));
    CHECK(core::message(s).find("quotes.sql:2: unterminated string") == 0);
    CHECK(count(s, "core_item", "id = 210") == 0);

    CHECK(odbctx_exec_script(s, "SELECT 1;\n/* open", "comment.sql") == ODBCTX_ESQL);
    CHECK(core::message(s).find("comment.sql:2: unterminated") == 0);
}

TEST_CASE("a missing file is an I/O error that names it", "[script]")
{
    odbctx_session *s = core::suite();
    CHECK(odbctx_exec_file(s, "/nonexistent/odbctx/core.sql") == ODBCTX_EIO);
    CHECK(core::message(s).find("/nonexistent/odbctx/core.sql") != std::string::npos);
    CHECK(odbctx_schema_file(s, "/nonexistent/odbctx/schema.sql") == ODBCTX_EIO);
    // A relative one names the directory it was looked for in.
    char cwd[1024];
    REQUIRE(getcwd(cwd, sizeof cwd));
    CHECK(odbctx_schema_file(s, "odbctx_no_such_dir/schema.sql") == ODBCTX_EIO);
    INFO(core::message(s));
    CHECK(core::message(s).find("odbctx_no_such_dir/schema.sql (relative to the working directory " +
                                std::string(cwd) + ")") != std::string::npos);
}

TEST_CASE("the splitter keeps ';' inside quotes and comments together", "[script]")
{
    odbctx_session *s = core::suite();
    core::test_scope t;
    std::string script =
        "-- a ; in a comment\n"
        "INSERT INTO core_item (id, name) VALUES (220, 'semi;colon');  /* ; */\n"
        "INSERT INTO core_item (id, name) VALUES (221, 'it''s -- not a comment');\n"
        "INSERT INTO core_item (id, name) VALUES (222, '/* nor this */');\n";
    CORE_REQUIRE_OK(s, odbctx_exec_script(s, script.c_str(), "quotes.sql"));
    CHECK(count(s, "core_item", "name = 'semi;colon'") == 1);
    CHECK(count(s, "core_item", "name = 'it''s -- not a comment'") == 1);
    CHECK(count(s, "core_item", "name = '/* nor this */'") == 1);
    // Three statements, one trace line each, comments around them dropped.
    std::string trace = odbctx_trace(s);
    CHECK(trace.find("[test] INSERT INTO core_item (id, name) VALUES (220, 'semi;colon')\n") !=
          std::string::npos);
}

TEST_CASE("the splitter knows each dialect's quoting and bodies", "[script]")
{
    odbctx_session *s = core::suite();
    core::test_scope t;
    if (core::is_postgresql()) {
        CORE_REQUIRE_OK(s, odbctx_exec_script(s,
                                   "CREATE FUNCTION core_double(x integer) RETURNS integer AS $body$\n"
                                   "BEGIN\n  RETURN x * 2; -- a ; inside\nEND;\n$body$ LANGUAGE plpgsql;\n"
                                   "INSERT INTO core_item (id, name, qty) VALUES (230, $$dollar;quoted$$, core_double(21));\n"
                                   "INSERT INTO core_item (id, name) VALUES (231, E'back\\'slash;');\n"
                                   "/* nested /* comment; */ still comment; */ SELECT 1;",
                                   "pg.sql"));
        CHECK(count(s, "core_item", "id = 230 AND qty = 42 AND name = 'dollar;quoted'") == 1);
        CHECK(count(s, "core_item", "id = 231") == 1);
    } else if (core::is_sqlite()) {
        CHECK(odbctx_exec_script(s,
                                   "CREATE TRIGGER core_trigger AFTER INSERT ON core_item\n"
                                   "WHEN new.id = 240 BEGIN\n"
                                   "  INSERT INTO core_tag (id, item_id, label)\n"
                                   "    VALUES (1, new.id, CASE WHEN new.qty > 1 THEN 'many;' ELSE 'one;' END);\n"
                                   "  UPDATE core_item SET qty = qty + 10 WHERE id = new.id;\n"
                                   "END;\n"
                                   "INSERT INTO core_item (id, name, qty) VALUES (240, [x;y], 1);",
                                   "sqlite.sql") == ODBCTX_ESQL);
        // [x;y] is an identifier in SQLite, not a value: the statement fails,
        // but as one statement, after the trigger was created.
        CHECK(core::message(s).find("sqlite.sql:7: INSERT INTO core_item") == 0);
        exec(s, "INSERT INTO core_item (id, name, qty) VALUES (240, 'x;y', 1)");
        CHECK(count(s, "core_tag", "item_id = 240 AND label = 'one;'") == 1);
        CHECK(count(s, "core_item", "id = 240 AND qty = 11") == 1);
    } else {
        CORE_REQUIRE_OK(s, odbctx_exec_script(s,
                                   "# a hash comment; with a semicolon\n"
                                   "INSERT INTO core_item (id, name) VALUES (250, 'back\\'slash;');\n"
                                   "INSERT INTO core_item (id, name) VALUES (251, \"double;quoted\");\n"
                                   "SELECT 1 --1;\n",
                                   "mariadb.sql"));
        CHECK(count(s, "core_item", "id = 250 AND name = 'back''slash;'") == 1);
        CHECK(count(s, "core_item", "id = 251 AND name = 'double;quoted'") == 1);
    }
}

TEST_CASE("MariaDB: a routine's BEGIN ... END body is one statement", "[script][schema]")
{
    if (!core::is_mariadb())
        ODBCTX_SKIP("MariaDB routines");
    core::own s;
    CORE_REQUIRE_OK(s, odbctx_schema_script(s,
                                 "CREATE TABLE core_routine_t (id INTEGER PRIMARY KEY);\n"
                                 "CREATE PROCEDURE core_fill(n INT)\nBEGIN\n"
                                 "  DECLARE i INT DEFAULT 0;\n"
                                 "  WHILE i < n DO\n    INSERT INTO core_routine_t VALUES (i);\n"
                                 "    SET i = i + 1;\n  END WHILE;\n"
                                 "  IF n > 2 THEN SELECT 'big;'; END IF;\nEND;\n",
                                 "routine.sql"));
    {
        core::test_scope t(s);
        exec(s, "CALL core_fill(3)");
        CHECK(count(s, "core_routine_t") == 3);
    }
    s.close();
    core::own fresh;
    CHECK(odbctx_exec(fresh, "CALL core_fill(1)") == ODBCTX_ESQL);
    fresh.close();
}

TEST_CASE("MariaDB: CREATE TABLE IF NOT EXISTS on a table odbctx did not create leaves it",
          "[schema]")
{
    if (!core::is_mariadb())
        ODBCTX_SKIP("on PostgreSQL the second CREATE would wait for the first session");
    core::own owner;
    REQUIRE(odbctx_schema_script(owner, "CREATE TABLE core_owned (id INTEGER PRIMARY KEY)",
                                 "owner") == ODBCTX_OK);
    core::own other;
    REQUIRE(odbctx_schema_script(other, "CREATE TABLE IF NOT EXISTS core_owned (id INTEGER PRIMARY KEY)",
                                 "other") == ODBCTX_OK);
    other.close();
    long long n = -1;
    // Still there: the other session must not drop what it did not create.
    CHECK(odbctx_query_int(owner, "SELECT COUNT(*) FROM core_owned", &n) == ODBCTX_OK);
    owner.close();
    core::own fresh;
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_owned", &n) == ODBCTX_ESQL);
    fresh.close();
}

TEST_CASE("closing in the middle of a test rolls back everything", "[schema]")
{
    core::own s;
    REQUIRE(odbctx_schema_script(s, "CREATE TABLE core_closed (id INTEGER PRIMARY KEY)", "x") ==
            ODBCTX_OK);
    exec(s, "INSERT INTO core_closed (id) VALUES (1)");
    REQUIRE(odbctx_begin_test(s) == ODBCTX_OK);
    exec(s, "INSERT INTO core_closed (id) VALUES (2)");
    REQUIRE(odbctx_commit(s) == ODBCTX_OK);
    REQUIRE(odbctx_nested_begin(s) == ODBCTX_OK);
    exec(s, "INSERT INTO core_closed (id) VALUES (3)");
    s.close();

    core::own fresh;
    long long n = -1;
    CHECK(odbctx_query_int(fresh, "SELECT COUNT(*) FROM core_closed", &n) == ODBCTX_ESQL);
    fresh.close();
}

namespace {

// One schema file per DBMS in a directory of its own, each recording which
// file it was; removed with the directory.
struct per_dbms_schema {
    core::temp_file marker{"readme", "one schema per DBMS"};
    std::string dir = marker.dir;
    per_dbms_schema()
    {
        for (const char *key : {"sqlite", "postgresql", "mariadb"})
            std::ofstream(dir + "/" + key + ".sql")
                << "CREATE TABLE core_per_dbms (which VARCHAR(20));\n"
                << "INSERT INTO core_per_dbms (which) VALUES ('" << key << "');\n";
    }
    ~per_dbms_schema()
    {
        for (const char *key : {"sqlite", "postgresql", "mariadb"})
            unlink((dir + "/" + key + ".sql").c_str());
    }
};

std::string expected_key(odbctx_session *s)
{
    const std::string dbms = odbctx_dbms(s);
    return dbms == "SQLite" ? "sqlite" : dbms == "PostgreSQL" ? "postgresql" : "mariadb";
}

} // namespace

TEST_CASE("one schema per DBMS: {dbms} and a directory name the database's own file", "[schema]")
{
    per_dbms_schema files;
    const std::string form = GENERATE(as<std::string>{}, "/{dbms}.sql", "/", "");
    core::own s;
    const std::string key = expected_key(s);
    const std::string path = files.dir + form;
    INFO(path);
    char resolved[4096];
    CORE_REQUIRE_OK(s, odbctx_schema_path(s, path.c_str(), resolved, sizeof resolved));
    CHECK(std::string(resolved) == files.dir + "/" + key + ".sql");
    CORE_REQUIRE_OK(s, odbctx_schema_file(s, path.c_str()));
    {
        core::test_scope t(s);
        CHECK(count(s, "core_per_dbms", "which = '" + key + "'") == 1);
        CHECK(count(s, "core_per_dbms") == 1);
    }
    s.close();
}

TEST_CASE("one schema per DBMS: bad paths say what was wrong", "[schema]")
{
    odbctx_session *s = core::suite();
    char small[8];
    CHECK(odbctx_schema_path(s, "schema/{dbms}.sql", small, sizeof small) == ODBCTX_EARG);
    INFO(core::message(s));
    CHECK(core::message(s).find("odbctx_schema_path: the path is longer than 7 bytes") == 0);
    CHECK(core::message(s).find("schema/{dbms}.sql") != std::string::npos);
    char out[64];
    CHECK(odbctx_schema_path(s, "", out, sizeof out) == ODBCTX_EARG);
    CHECK(odbctx_schema_path(s, "x", nullptr, 0) == ODBCTX_EARG);
    // A DBMS without its file: the error names the file looked for.
    per_dbms_schema files;
    unlink((files.dir + "/" + expected_key(s) + ".sql").c_str());
    CHECK(odbctx_schema_file(s, (files.dir + "/{dbms}.sql").c_str()) == ODBCTX_EIO);
    CHECK(core::message(s).find(files.dir + "/" + expected_key(s) + ".sql") != std::string::npos);
}

// Another test process creating the same schema in the same database at
// that moment: MariaDB's committed CREATE TABLE is there already,
// PostgreSQL's uncommitted one holds its lock. The error says what fixes it.
TEST_CASE("a schema that clashes with another process's names ODBCTX_WORKER", "[schema][workers]")
{
    const std::string conn = core::connect_string();
    if (conn.empty())
        ODBCTX_SKIP("the embedded default is private to its session");
    // The database the session uses: the worker's, when this runs as one
    // (workers.test.sh).
    char database[2048];
    odbctx_error err;
    REQUIRE(odbctx_worker_connection(conn.c_str(), database, sizeof database, &err) > 0);
    support::plain_connection other(database);
    const std::string table = "core_clash_" + std::to_string(getpid());
    core::own s;
    if (std::string(odbctx_dbms(s)) == "PostgreSQL") {
        // The other process's schema transaction, still open.
        REQUIRE(other.exec("SET lock_timeout = 0"));
        REQUIRE(other.exec("BEGIN"));
        REQUIRE(other.exec("CREATE TABLE " + table + " (id INTEGER)"));
        REQUIRE(odbctx_exec(s, "SET lock_timeout = 300") == ODBCTX_OK);
    } else {
        REQUIRE(other.exec("CREATE TABLE " + table + " (id INTEGER)"));
    }
    const int rc = odbctx_schema_script(s, ("CREATE TABLE " + table + " (id INTEGER)").c_str(), "clash.sql");
    const std::string msg = core::message(s);
    if (std::string(odbctx_dbms(s)) == "PostgreSQL")
        other.exec("ROLLBACK");
    else
        other.exec("DROP TABLE " + table);
    CHECK(rc == ODBCTX_ESQL);
    CHECK_THAT(msg, Catch::Matchers::Contains("clash.sql") &&
                        Catch::Matchers::Contains("another test process uses this database") &&
                        Catch::Matchers::Contains("ODBCTX_WORKER=N"));
}
