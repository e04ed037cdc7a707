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
    std::string describe;
};

// Learns the statements from odbctx's own trace of one test and one commit
// (outside the timed loops), renames its savepoints, and falls back to the
// statements design.md prescribes when the trace does not show them.
floor_sql floor_for(context &ctx);

} // namespace bench
