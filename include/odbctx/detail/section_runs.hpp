// The runs of a test framework whose test cases re-run once per section
// path (Catch2's SECTION and GENERATE), mapped onto odbctx::suite: a run
// begins when the outermost section is entered and ends when it is left.
// Compiled once in libodbctx++ (cpp/section_runs.cpp) rather than in every
// test file that includes an integration header: the listener there only
// forwards the framework's events.
#ifndef ODBCTX_DETAIL_SECTION_RUNS_HPP
#define ODBCTX_DETAIL_SECTION_RUNS_HPP

#include <odbctx/suite.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace odbctx::detail {

class ODBCTX_API section_runs {
public:
    section_runs();
    ~section_runs();
    section_runs(const section_runs &) = delete;
    section_runs &operator=(const section_runs &) = delete;

    // A new test case: its runs' fake-data streams start over.
    void test_case_starting();
    // Section name entered at depth (1: the test case's own, which begins a
    // run). At depth 1 it throws std::runtime_error when the suite's session
    // cannot open: no test body may run then, its writes would reach the
    // database for real. Deeper sections reseed the fake data.
    void section_starting(std::size_t depth, std::string_view name);
    // The section at depth ended; at depth 1 the run ends (rolled back) and
    // the report to print is returned ("" when there is none).
    std::string section_ended(std::size_t depth, bool failed);
    // A fatal signal: the session is never touched again. Async-signal-safe.
    void fatal() noexcept;
    // The whole run ended: the suite closes.
    void run_ended() noexcept;

private:
    struct state;
    std::unique_ptr<state> st_;
};

} // namespace odbctx::detail

#endif
