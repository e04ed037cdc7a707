// Child processes of the reliability suite (see main.cpp). Each reports its
// progress as lines on stdout, written straight to the pipe with write(2)
// so that nothing is left in a buffer when the parent kills it.
#ifndef ODBCTX_TESTS_RELIABILITY_CHILDREN_HPP
#define ODBCTX_TESTS_RELIABILITY_CHILDREN_HPP

#include <string>
#include <vector>

namespace rel {

// Dispatches "--child NAME ARGS...": returns the process's exit status.
int run_child(const std::string &name, const std::vector<std::string> &args);

// One line to the parent, unbuffered.
void say(const std::string &line);

// crash.cpp: crash SCENARIO CONN — works in a loop until killed.
int crash_child(const std::vector<std::string> &args);
// workers.cpp: lock CONN KEY HOLD_MS — inserts KEY in a test and holds it.
int lock_child(const std::vector<std::string> &args);

} // namespace rel

#endif
