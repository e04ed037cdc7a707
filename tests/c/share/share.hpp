// Shared fixture of the share suite (child processes joining the test).
// main.cpp creates the suite's table for real, opens one session on the
// database under test (which makes this process the owner of the share),
// runs the Catch2 tests, and checks after closing it that nothing
// survived. Run with "--owner MODE ..." the binary is instead a test
// process of its own that a test starts and kills (owner.cpp).
#ifndef ODBCTX_TESTS_SHARE_HPP
#define ODBCTX_TESTS_SHARE_HPP

#include <odbctx.h>

#include <map>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace shr {

odbctx_session *session();
// The database: ODBCTX_CONNECT, or an SQLite file of the suite's own.
const std::string &conn();
// The suite's table (id INTEGER, name VARCHAR(60), note TEXT), committed.
const std::string &table();
const std::string &tmpdir();
bool is_sqlite();
bool is_postgresql();
bool is_mariadb();
// The environment as it was before the session opened (a user's shell).
const std::vector<std::pair<std::string, std::string>> &original_env();

// "CODE: message" of the session's last error.
std::string why();
void exec(const std::string &sql);
long long count(const std::string &where = "");
// COUNT(*) of the table through a new connection of this process, which
// no test shares: what another client sees.
long long fresh_count(const std::string &conn = "");
// For a test process of its own (--owner, odbctx-run): the same database
// on a server, another SQLite file with the same table (two sessions cannot
// both write one file).
const std::string &other_conn();

// Paths of the programs the tests start.
std::string child_prog(); // share-child (tests/c/share/child), libodbc only
std::string self_prog();  // this binary, for --owner
std::string run_prog();   // odbctx-run

// A process started with pipes on its stdin and stdout.
struct proc {
    pid_t pid = -1;
    int in = -1, out = -1;
    std::string buf;
    // env: variables to set; unset: to remove (both after fork).
    explicit proc(const std::vector<std::string> &argv,
                  const std::vector<std::pair<std::string, std::string>> &env = {},
                  const std::vector<std::string> &unset = {}, bool clear_env = false);
    ~proc();
    proc(const proc &) = delete;
    proc &operator=(const proc &) = delete;
    // The next line of its output, false at end of file or after timeout_ms.
    bool line(std::string &out, int timeout_ms = 30000);
    // Reads lines until one starts with prefix; returns it ("" if none).
    std::string until(const std::string &prefix, int timeout_ms = 30000);
    void send(const std::string &line);
    // Waits for the exit status (-1 if it did not exit in time: then killed).
    int wait(int timeout_ms = 30000);
    void kill(int sig);
};

// Every "key=value" line a program printed until it exited, and its
// status; lines that are not key=value go under "" (errors among them).
struct report {
    int status = -1;
    std::map<std::string, std::string> values;
    std::string text;
    const std::string &operator[](const std::string &k) const;
};
report run(const std::vector<std::string> &argv,
           const std::vector<std::pair<std::string, std::string>> &env = {},
           const std::vector<std::string> &unset = {});
// run() from a user's shell rather than from this test process: with the
// environment as it was before the session opened (original_env) and env.
report run_outside(const std::vector<std::string> &argv,
                   const std::vector<std::pair<std::string, std::string>> &env = {});

int owner_main(int argc, char **argv);

} // namespace shr

#endif
