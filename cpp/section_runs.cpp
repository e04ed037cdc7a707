// odbctx::detail::section_runs: what the Catch2 listener does with each
// event, out of line (see the header).
#include <odbctx/detail/section_runs.hpp>
#include <odbctx/detail/streams.hpp>
#include <odbctx/fake.hpp>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <vector>

namespace odbctx::detail {

struct section_runs::state {
    odbctx::suite suite;
    stream_names streams;
    std::vector<std::string> path; // the sections entered last, outermost first
    std::atomic<bool> fatal{false};
    int reported_passing = 0; // passing runs whose end had something wrong to say

    // "test case / section / subsection"
    std::string run_name() const
    {
        std::string name;
        for (const auto &section : path) {
            if (!name.empty())
                name += " / ";
            name += section;
        }
        return name;
    }
};

section_runs::section_runs() : st_(std::make_unique<state>()) {}
section_runs::~section_runs() = default;

void section_runs::test_case_starting()
{
    st_->streams.restart();
}

void section_runs::section_starting(std::size_t depth, std::string_view name)
{
    // The path of the section entered last is the run's leaf path.
    st_->path.resize(depth > 0 ? depth - 1 : 0);
    st_->path.emplace_back(name);
    const std::string stream = st_->streams.enter(st_->run_name());
    if (depth == 1) {
        if (auto e = st_->suite.ensure_open())
            throw std::runtime_error("odbctx: the suite's session could not be opened, so no "
                                     "test is run: " + e->to_string());
        st_->suite.begin_run(stream);
    } else {
        ::odbctx::fake::reseed(stream);
    }
}

std::string section_runs::section_ended(std::size_t depth, bool failed)
{
    if (depth != 1)
        return {};
    if (st_->fatal.load())
        return "odbctx: test \"" + st_->run_name() +
               "\" ended by a fatal signal; the database discards the suite transaction when "
               "the process ends\n";
    std::string report = st_->suite.end_run(failed, st_->run_name());
    if (!report.empty() && !failed)
        st_->reported_passing++;
    return report + st_->suite.notes();
}

void section_runs::fatal() noexcept
{
    st_->fatal.store(true);
    st_->suite.abandon();
}

// A listener cannot fail a test case that has ended: a passing run that
// broke isolation, or left writes uncommitted with ODBCTX_UNCOMMITTED=fail,
// fails the program once Catch2's main has printed its summary.
void section_runs::run_ended() noexcept
{
    st_->suite.close();
    if (st_->reported_passing > 0) {
        std::cerr << "odbctx: " << st_->reported_passing
                  << " passing test run(s) reported a problem above (an isolation breach, a "
                     "failed cleanup, writes never committed); the program fails"
                  << std::endl;
        std::atexit([] { std::_Exit(1); });
    }
}

} // namespace odbctx::detail
