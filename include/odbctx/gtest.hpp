// GoogleTest integration: include this header in one source file of a test
// binary (including it in more is harmless) and every TEST, TEST_F, TEST_P
// and typed test gets its own test transaction on the suite's session,
// reachable through odbctx::current(), exactly as with <odbctx/catch2.hpp>.
// A failing or throwing test is discarded in the same way.
//
//   #include <gtest/gtest.h>
//   #include <odbctx/gtest.hpp>
//   TEST(orders, start_empty) { EXPECT_EQ(*odbctx::current().query_int(...), 0); }
//
// Link with gtest_main or write your own main(): the header registers itself
// while the program starts, before main() runs. To register by hand instead
// (say, only for some runs), define ODBCTX_GTEST_MANUAL before including it
// and call odbctx::gtest::install() before RUN_ALL_TESTS().
//
// Configuration: ODBCTX_CONNECT, ODBCTX_SCHEMA, ODBCTX_SCHEMA_REUSE or the
// odbctx::suite functions and macros (suite.hpp), as for Catch2.
//
// How GoogleTest's events map onto odbctx::suite: a global Environment owns
// the suite for the whole program and closes it in TearDown (rolling back
// the suite transaction); a TestEventListener begins a run in OnTestStart and
// ends it in OnTestEnd. When a test fails, the database, the redacted
// connection and the SQL the test ran are printed next to GoogleTest's own
// report, and recorded as the test's property "odbctx" (in the XML and JSON
// of --gtest_output). GoogleTest has no hook after a test body in which a failure could
// still be added to that test, so an isolation breach found when a test ends
// is printed at once and fails the whole program from the Environment's
// TearDown.
//
// Death tests fork: the child shares the parent's connection, so a death
// test must not touch the database.
#ifndef ODBCTX_GTEST_HPP
#define ODBCTX_GTEST_HPP

#include <gtest/gtest.h>

#include <odbctx.hpp>

#include <cstdio>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

namespace odbctx::gtest {

class environment : public ::testing::Environment {
public:
    // Fail closed: a fatal failure here makes GoogleTest run no test, so
    // without a session no test body runs (its writes would be real).
    void SetUp() override
    {
        if (auto e = suite_.ensure_open())
            GTEST_FAIL() << "odbctx: the suite's session could not be opened, so no test is run: "
                         << e->to_string();
    }

    void TearDown() override
    {
        suite_.close();
        for (const auto &b : breaches_)
            ADD_FAILURE() << b;
        breaches_.clear();
    }

    odbctx::suite &suite() noexcept { return suite_; }

    // A test left the session in a state odbctx had to repair, or broke
    // isolation; the program must not pass.
    void add_breach(std::string report) { breaches_.push_back(std::move(report)); }

private:
    odbctx::suite suite_;
    std::vector<std::string> breaches_;
};

class listener : public ::testing::EmptyTestEventListener {
public:
    explicit listener(environment &env) noexcept : env_(env) {}

    // The full name seeds fake data, so a test's data does not depend on
    // which tests ran before it.
    void OnTestStart(const ::testing::TestInfo &info) override
    {
        env_.suite().begin_run(std::string(info.test_suite_name()) + "." + info.name());
    }

    void OnTestEnd(const ::testing::TestInfo &info) override
    {
        const bool failed = info.result() && info.result()->Failed();
        const std::string name = std::string(info.test_suite_name()) + "." + info.name();
        const std::string report = env_.suite().end_run(failed, name);
        const std::string said = report + env_.suite().notes();
        if (said.empty())
            return;
        // GoogleTest's own printer writes to stdout with printf; so does this,
        // so the two reports cannot interleave.
        std::fputs(said.c_str(), stdout);
        if (said.back() != '\n')
            std::fputc('\n', stdout);
        std::fflush(stdout);
        // Into the test's element of --gtest_output=xml/json as well, where CI
        // shows a failed test: OnTestEnd still runs while the test is the
        // current one, so its result takes the property.
        ::testing::Test::RecordProperty("odbctx", said);
        if (!failed && !report.empty())
            env_.add_breach(name + ": " + report);
    }

private:
    environment &env_;
};

// Registers the environment and the listener; a second call does nothing.
// Call it before RUN_ALL_TESTS(); GoogleTest owns both objects.
inline void install()
{
    static const bool installed = [] {
        auto *env = static_cast<environment *>(
            ::testing::AddGlobalTestEnvironment(new environment));
        ::testing::UnitTest::GetInstance()->listeners().Append(new listener(*env));
        return true;
    }();
    (void)installed;
}

#ifndef ODBCTX_GTEST_MANUAL
namespace detail {
// One registration however many sources include this header: an inline
// variable is one object, initialised once, across translation units.
inline const bool registered = (install(), true);
} // namespace detail
#endif

} // namespace odbctx::gtest

namespace odbctx::gtest {

// EXPECT_TRUE(odbctx::gtest::ok(s.exec("..."))) prints odbctx's error when
// the call failed.
template <class T>
::testing::AssertionResult ok(const odbctx::expected<T> &r)
{
    if (r.has_value())
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << r.error().to_string();
}

} // namespace odbctx::gtest

// GoogleTest finds these by argument-dependent lookup when it prints values.
namespace odbctx {
inline void PrintTo(const error &e, std::ostream *os) { *os << e.to_string(); }
// The value when there is one ("Which is: 1"), "ok" for expected<void>.
template <class T>
void PrintTo(const expected<T> &r, std::ostream *os)
{
    if (!r.has_value())
        *os << "error: " << r.error().to_string();
    else if constexpr (std::is_void_v<T>)
        *os << "ok";
    else
        *os << ::testing::PrintToString(*r);
}
} // namespace odbctx

#endif
