// The raw floors: the SQL odbctx itself sends for a test and for an app
// commit, issued by hand through the raw table with as few round trips as
// the connection allows, under savepoint names of the bench's own.
#pragma once

#include "bench.hpp"

#include <string>
#include <vector>

namespace bench {

struct floor_sql {
    std::vector<std::string> begin_test, end_test;
    // Commit: the restart of a savepoint that commit_setup creates above the
    // app level and commit_teardown removes.
    std::vector<std::string> commit, commit_setup, commit_teardown;
    // When odbctx keeps its test savepoint between tests (begin_test is
    // empty): the floor's own, set once before its first test.
    std::vector<std::string> keep_setup;
    std::string describe;
};

// The floor's tests, as a hand-written suite would run them. Its kept
// savepoint is newer than odbctx's, so an odbctx test's end removes it:
// odbctx_ran() says so, and the next begin() sets it again.
class floor_tests {
public:
    floor_tests(conn &c, const floor_sql &f) : c_(c), f_(f) {}
    void prepare(); // untimed: sets the kept savepoint again if needed
    void begin();
    void end();
    void odbctx_ran() { ready_ = false; }

private:
    conn &c_;
    const floor_sql &f_;
    bool ready_ = false;
};

// Learns the statements from odbctx's own trace of one test and one commit
// (outside the timed loops), renames its savepoints, and falls back to the
// statements design.md prescribes when the trace does not show them.
floor_sql floor_for(context &ctx);

} // namespace bench
