// doctest integration: include this header after <doctest/doctest.h> in any
// source file of a test binary (in more than one is harmless), and every
// TEST_CASE, and every SUBCASE path of it, runs in its own test transaction
// on the suite's session, reachable through odbctx::current(), as with
// <odbctx/catch2.hpp>. A failed or throwing run is rolled back the same way
// and reported with the database, the redacted connection, the SQL it ran
// and the fake-data seed.
//
//   #define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
//   #include <doctest/doctest.h>
//   #include <odbctx/doctest.hpp>
//   TEST_CASE("orders start empty") { CHECK(odbctx::current().query_int("...") == 0); }
//
// Configuration: ODBCTX_CONNECT, ODBCTX_SCHEMA, ODBCTX_SCHEMA_REUSE or the
// odbctx::suite functions and macros (suite.hpp), as for Catch2.
//
// How doctest's events map onto odbctx::suite: doctest runs a test case
// once per SUBCASE path; test_case_start and each test_case_reenter begin
// a run, the next reenter or test_case_end ends it. The listener learns of
// failed assertions from log_assert and log_message, of exceptions from
// test_case_exception. Its report goes to stderr, whatever doctest's
// reporter writes to stdout (console, xml, junit), so no document of
// doctest's is broken by it. Fake data: each SUBCASE path draws from its
// own stream, as in Catch2 (see catch2.hpp). CHECK(s.query_int(...) == 42)
// prints the value, CHECK(s.exec(...)) the error (detail/print.hpp).
//
// Fail closed: when the suite's session cannot be opened, the listener
// prints why and ends the program (exit status 1) before the first test
// body, whose writes would otherwise reach the database for real. A
// passing run that broke isolation is reported when it ends and makes the
// program exit with status 1 after doctest's summary (a listener cannot
// fail a test that has ended).
#ifndef ODBCTX_DOCTEST_HPP
#define ODBCTX_DOCTEST_HPP

#if !defined(DOCTEST_VERSION_MAJOR)
#error "include <doctest/doctest.h> before <odbctx/doctest.hpp>"
#endif

#include <odbctx.hpp>
#include <odbctx/detail/print.hpp>
#include <odbctx/detail/streams.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace odbctx::doctest {

class listener : public ::doctest::IReporter {
public:
    explicit listener(const ::doctest::ContextOptions &) {}

    void report_query(const ::doctest::QueryData &) override {}
    void test_run_start() override {}
    // A run that passed but broke isolation (its report is not empty)
    // cannot be failed any more: the program is, once doctest has printed
    // its summary.
    void test_run_end(const ::doctest::TestRunStats &) override
    {
        suite_.close();
        if (breaches_ > 0) {
            std::cerr << "odbctx: " << breaches_
                      << " passing test run(s) reported a problem above (an isolation breach, a failed "
                         "cleanup, writes never committed); the program fails"
                      << std::endl;
            std::atexit([] { std::_Exit(1); });
        }
    }

    void test_case_start(const ::doctest::TestCaseData &tc) override
    {
        if (auto e = suite_.ensure_open()) {
            std::cerr << "odbctx: the suite's session could not be opened, so no test is run: "
                      << e->to_string() << std::endl;
            std::exit(1);
        }
        test_ = tc.m_name;
        streams_.restart();
        begin();
    }

    void test_case_reenter(const ::doctest::TestCaseData &) override
    {
        end();
        begin();
    }

    void test_case_end(const ::doctest::CurrentTestCaseStats &) override { end(); }

    void test_case_exception(const ::doctest::TestCaseException &e) override
    {
        failed_ = true;
        // A crash (a signal): the connection may be in the middle of a
        // call, so the session is left alone from here on.
        if (e.is_crash) {
            fatal_ = true;
            suite_.abandon();
        }
    }

    void subcase_start(const ::doctest::SubcaseSignature &sig) override
    {
        stack_.push_back(sig.m_name.c_str());
        leaf_ = stack_;
        ::odbctx::fake::reseed(streams_.enter(path(stack_)));
    }

    void subcase_end() override
    {
        if (!stack_.empty())
            stack_.pop_back();
    }

    void log_assert(const ::doctest::AssertData &a) override
    {
        if (a.m_failed)
            failed_ = true;
    }

    // FAIL, FAIL_CHECK (and MESSAGE, WARN): only the failing ones count.
    void log_message(const ::doctest::MessageData &m) override
    {
        if (m.m_severity & (::doctest::assertType::is_check | ::doctest::assertType::is_require))
            failed_ = true;
    }

    void test_case_skipped(const ::doctest::TestCaseData &) override {}

private:
    // "test case / subcase / ..."
    std::string path(const std::vector<std::string> &subcases) const
    {
        std::string name = test_;
        for (const auto &s : subcases)
            name += " / " + s;
        return name;
    }

    void begin()
    {
        stack_.clear();
        leaf_.clear();
        failed_ = false;
        suite_.begin_run(streams_.enter(test_));
    }

    void end()
    {
        const std::string name = path(leaf_);
        std::string report;
        if (fatal_)
            report = "odbctx: test \"" + name +
                     "\" ended by a fatal signal; the database discards the suite transaction "
                     "when the process ends\n";
        else
            report = suite_.end_run(failed_, name);
        std::cerr << report << suite_.notes() << std::flush;
        if (report.empty())
            return;
        if (!failed_ && !fatal_)
            breaches_++;
    }

    odbctx::suite suite_;
    std::string test_;
    std::vector<std::string> stack_, leaf_;
    detail::stream_names streams_;
    bool failed_ = false;
    bool fatal_ = false;
    int breaches_ = 0;
};

} // namespace odbctx::doctest

// Listeners are kept by (priority, name): registering from every source
// that includes this header leaves one.
DOCTEST_REGISTER_LISTENER("odbctx", 1, ::odbctx::doctest::listener);

#endif
