// The names of the fake-data streams of one test case's runs, for the
// integrations whose tests re-run for sections (Catch2's SECTION and
// GENERATE, doctest's SUBCASE): a path's own name the first time it is
// entered in the test case, "path #k" the k-th time. The stream is
// reseeded from (seed, that name), so repeated runs of a path and sibling
// paths draw other values, and the same selection of tests with the same
// seed the same values again.
#ifndef ODBCTX_DETAIL_STREAMS_HPP
#define ODBCTX_DETAIL_STREAMS_HPP

#include <map>
#include <string>

namespace odbctx::detail {

class stream_names {
public:
    // A new test case: no path entered yet.
    void restart() { entered_.clear(); }

    std::string enter(const std::string &path)
    {
        const int k = ++entered_[path];
        return k > 1 ? path + " #" + std::to_string(k) : path;
    }

private:
    std::map<std::string, int> entered_;
};

} // namespace odbctx::detail

#endif
