// Child processes that a test starts join the test: they see what it
// wrote, it sees what they commit, and the end of the test takes all of it
// away (docs/children.md).
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "../../support/skip.hpp"
#include "share.hpp"

using namespace shr;

namespace {

// One test of the session: begun here, ended by finish() or the destructor.
struct in_test {
    bool open = false;
    in_test()
    {
        REQUIRE(odbctx_begin_test(session()) == 0);
        open = true;
    }
    void finish()
    {
        open = false;
        INFO(why());
        REQUIRE(odbctx_end_test(session()) == 0);
    }
    ~in_test()
    {
        if (open)
            odbctx_end_test(session());
    }
};

std::vector<std::string> child(const std::string &scenario, const std::string &conn_str = conn())
{
    return {child_prog(), scenario, conn_str, table()};
}

bool starts(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

long long count_name(const std::string &name) { return count("name = '" + name + "'"); }

// What the suite's process exports to its children while its session is open.
std::string share_socket()
{
    const char *s = std::getenv("ODBCTX_SHARE_SOCKET");
    return s ? s : "";
}

} // namespace

TEST_CASE("a child started with popen joins the test: it sees the test's rows and the test "
          "sees its commits")
{
    in_test t;
    exec("INSERT INTO " + table() + " (id, name) VALUES (1, 'test')");
    std::string cmd = "'" + child_prog() + "' rows '" + conn() + "' " + table();
    FILE *p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char line[512];
    while (std::fgets(line, sizeof line, p))
        out += line;
    int status = pclose(p);
    INFO(out);
    REQUIRE(status == 0);
    // The row the test wrote, uncommitted, is there for the child.
    CHECK(out.find("seen_at_start=1\n") != std::string::npos);
    // The child's commit, its autocommitted insert and its "COMMIT" stay;
    // its rollback undid only its own row.
    CHECK(out.find("seen_at_end=3\n") != std::string::npos);
    CHECK(count_name("child-commit") == 1);
    CHECK(count_name("child-autocommit") == 1);
    CHECK(count_name("child-rollback") == 0);
    CHECK(count() == 3);
    CHECK(fresh_count() == 0);
    t.finish();
    in_test next;
    CHECK(count() == 0);
    next.finish();
    CHECK(fresh_count() == 0);
}

TEST_CASE("a child sees a table the test created")
{
    // On MariaDB the test's table is a temporary one, on the session's
    // connection, which the child shares.
    std::string mine = table() + "_made";
    in_test t;
    exec("CREATE TABLE " + mine + " (id INTEGER, name VARCHAR(60), note TEXT)");
    report r = run({child_prog(), "rows", conn(), mine});
    INFO(r.text);
    REQUIRE(r.status == 0);
    CHECK(r["seen_at_end"] == "2");
    long long n = -1;
    REQUIRE(odbctx_query_int(session(), ("SELECT COUNT(*) FROM " + mine).c_str(), &n) == 0);
    CHECK(n == 2);
    t.finish();
    in_test next;
    // Gone with the test: the statement fails, and the test goes on.
    CHECK(odbctx_query_int(session(), ("SELECT COUNT(*) FROM " + mine).c_str(), &n) != 0);
    next.finish();
}

TEST_CASE("the ODBC calls programs make work from a child as on a connection of their own")
{
    in_test t;
    report r = run(child("surface"));
    INFO(r.text);
    REQUIRE(r.status == 0);
    std::string dbms = odbctx_dbms(session());
    CHECK(r["dbms"] == dbms);
    CHECK(r["txn_capable"] != "0");
    CHECK(r["autocommit"] == "1");
    CHECK(r["autocommit_after"] == "0");
    CHECK(r["params"] == "3");
    CHECK(r["putdata_token"] == "3 pieces=5");
    CHECK(r["updated"] == "2");
    CHECK(r["cols"] == "3");
    CHECK(r["col2"] == "name");
    CHECK(r["col3"] == "note");
    CHECK(r["col1_integer"] == "1");
    CHECK(r["row1_note"] == "null");
    CHECK(r["wide_back"] == "same");
    // 30000 characters read 999 at a time, each piece but the last 01004.
    CHECK(r["row3_note_len"] == "30000 pieces=31 first_state=01004");
    CHECK(r["more_results"] == "no_data");
    CHECK(starts(r["bad_select"], "error state="));
    CHECK(r["bad_select"].find("names_table=1") != std::string::npos);
    CHECK(r["bad_select"].find("state= ") == std::string::npos);
    CHECK(r["after_error_count"] == "3");
    CHECK(r["tables"] == "1");
    CHECK(r["columns"] == "3");
    CHECK(std::atoi(r["types"].c_str()) > 3);
    // Two rows, one at a time, each with its count and SQL_ROW_SUCCESS.
    CHECK(r["extended_fetch"] == "2:wide:1:0,4:odbc2:1:0");
    CHECK(starts(r["nativesql"], "error IM001"));
    CHECK(r["nativesql"].find("SQLNativeSql") != std::string::npos);
    // What the child committed is the test's: a new connection sees none.
    CHECK(count() == 3);
    CHECK(count("name = 'updated'") == 2);
    CHECK(fresh_count() == 0);
    t.finish();
}

TEST_CASE("a child still connected when its test ends cannot write into the next test")
{
    in_test t;
    proc c(child("hold"));
    REQUIRE(c.until("ready") == "ready");
    CHECK(count("id = 201") == 1);
    t.finish();
    in_test next;
    c.send("go");
    std::string late = c.until("late=");
    CHECK(starts(late, "late=refused 08S01"));
    CHECK(late.find("has ended") != std::string::npos);
    CHECK(c.until("late_commit=") == "late_commit=refused");
    CHECK(c.wait() == 0);
    CHECK(count() == 0);
    next.finish();
    CHECK(fresh_count() == 0);
}

TEST_CASE("a child killed in the middle of its calls leaves the test usable")
{
    for (int round = 0; round < 3; round++) {
        in_test t;
        exec("INSERT INTO " + table() + " (id, name) VALUES (7, 'test')");
        proc c(child("loop"));
        REQUIRE(c.until("ready") == "ready");
        usleep(30000 + 40000 * round);
        c.kill(SIGKILL);
        CHECK(c.wait() == 128 + SIGKILL);
        // The test's own row is there, the session answers, the test ends.
        CHECK(count("name = 'test'") == 1);
        exec("INSERT INTO " + table() + " (id, name) VALUES (8, 'after')");
        CHECK(count("name = 'after'") == 1);
        t.finish();
        in_test next;
        CHECK(count() == 0);
        next.finish();
    }
    CHECK(fresh_count() == 0);
}

TEST_CASE("when the test process dies, its child's next call fails and nothing is left")
{
    proc owner({self_prog(), "--owner", "killed", other_conn(), table(), child_prog()},
               original_env(), {}, true);
    std::string dir = owner.until("dir=").substr(4);
    REQUIRE(owner.until("ready") == "ready");
    owner.kill(SIGKILL);
    CHECK(owner.wait() == 128 + SIGKILL);
    // The child (now nobody's) goes on; the pipe is still its stdin.
    owner.send("go");
    std::string late = owner.until("late=", 20000);
    CHECK(starts(late, "late=refused 08S01"));
    CHECK(late.find("gone") != std::string::npos);
    CHECK(owner.until("late_commit=") == "late_commit=refused");
    CHECK(fresh_count(other_conn()) == 0);
    // The dead process's share directory goes with the next session opened.
    struct stat st;
    CHECK(stat(dir.c_str(), &st) == 0);
    report quick = run_outside({self_prog(), "--owner", "quick", other_conn(), table(), child_prog()});
    INFO(quick.text);
    CHECK(quick.status == 0);
    CHECK(stat(dir.c_str(), &st) != 0);
}

TEST_CASE("a process that does not hold the session's secret cannot join, nor connect for real")
{
    std::string key = std::getenv("ODBCTX_SHARE_KEY") ? std::getenv("ODBCTX_SHARE_KEY") : "";
    REQUIRE(key.size() == 64);
    std::string wrong = key;
    wrong[10] = wrong[10] == '0' ? '1' : '0';
    in_test t;
    SECTION("a wrong key")
    {
        report r = run(child("connect"), {{"ODBCTX_SHARE_KEY", wrong}});
        INFO(r.text);
        CHECK(r.status == 3);
        CHECK(r[""].find("error connect: 28000") != std::string::npos);
    }
    SECTION("no key")
    {
        report r = run(child("connect"), {}, {"ODBCTX_SHARE_KEY"});
        INFO(r.text);
        CHECK(r.status == 3);
        CHECK(r[""].find("ODBCTX_SHARE_KEY") != std::string::npos);
    }
    SECTION("a socket that is not there")
    {
        report r = run(child("connect"), {{"ODBCTX_SHARE_SOCKET", tmpdir() + "/no-socket"}});
        INFO(r.text);
        CHECK(r.status == 3);
        CHECK(r[""].find("error connect: 08001") != std::string::npos);
        CHECK(r[""].find("cannot reach the test's session") != std::string::npos);
    }
    t.finish();
}

TEST_CASE("the share's socket and directory are the owner's alone")
{
    std::string sock = share_socket();
    REQUIRE(!sock.empty());
    struct stat st;
    REQUIRE(lstat(sock.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_uid == getuid());
    std::string dir = sock.substr(0, sock.rfind('/'));
    REQUIRE(lstat(dir.c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(std::getenv("ODBCTX_SHARE_OWNER") == std::to_string(getpid()));
}

TEST_CASE("ODBCTX_SHARE=0 leaves a test process's environment as it was")
{
    report r = run_outside({self_prog(), "--owner", "noshare", other_conn(), table(), child_prog()},
                           {{"ODBCTX_SHARE", "0"}});
    INFO(r.text);
    CHECK(r.status == 0);
    CHECK(r["dir"] == "none");
    CHECK(r["odbcsysini"] == "unset");
}

TEST_CASE("the embedded default: a child's connection joins it whatever database it names")
{
    if (!is_sqlite())
        ODBCTX_SKIP("the embedded default is SQLite");
    std::string t = table() + "_emb";
    report r = run_outside({self_prog(), "--owner", "embedded", "Driver=SQLite3;Database=/nonexistent/x.db",
                    t, child_prog()});
    INFO(r.text);
    CHECK(r.status == 0);
    CHECK(r["seen_at_start"] == "1");
    CHECK(r["seen_at_end"] == "3");
    CHECK(r["child_status"] == "0");
    CHECK(r["owner_count"] == "3");
    CHECK(r["next_count"] == "0");
}

TEST_CASE("odbctx-run --connect: the program and its children share one test")
{
    std::string one = "'" + child_prog() + "' rows '" + other_conn() + "' " + table();
    report r = run_outside({run_prog(), "--connect", other_conn(), "/bin/sh", "-c",
                    "echo first; " + one + " && echo second && " + one});
    INFO(r.text);
    CHECK(r.status == 0);
    // The second child sees the two rows the first committed.
    size_t second = r.text.find("second");
    REQUIRE(second != std::string::npos);
    CHECK(r.text.find("seen_at_start=0") < second);
    CHECK(r.text.find("seen_at_start=2", second) != std::string::npos);
    CHECK(r.text.find("seen_at_end=4", second) != std::string::npos);
    CHECK(fresh_count(other_conn()) == 0);
}

TEST_CASE("a test process that a test starts opens a session of its own, not one inside the test")
{
    // With the suite's share in its environment, as a test binary that a
    // test runs would have it.
    in_test t;
    report r = run({self_prog(), "--owner", "quick", other_conn(), table(), child_prog()});
    INFO(r.text);
    CHECK(r.status == 0);
    CHECK(r["closed"] == "1");
    CHECK(r["own_count"] == "1");
    CHECK(count() == 0);
    std::string mine = share_socket().substr(0, share_socket().rfind('/'));
    CHECK(r["dir"] != mine);
    CHECK(r["dir"] != "none");
    // This process's share is untouched by it.
    CHECK(std::getenv("ODBCTX_SHARE_OWNER") == std::to_string(getpid()));
    report c = run(child("connect"));
    CHECK(c.status == 0);
    t.finish();
}
