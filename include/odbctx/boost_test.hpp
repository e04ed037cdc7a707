// Boost.Test integration: include this header after <boost/test/unit_test.hpp>
// in one source file of a test module (in more is harmless), and every test
// case (BOOST_AUTO_TEST_CASE, BOOST_FIXTURE_TEST_CASE, each sample of a
// BOOST_DATA_TEST_CASE) runs in its own test transaction on the suite's
// session, reachable through odbctx::current(), as with <odbctx/catch2.hpp>.
// A fixture's constructor and destructor run inside the test's transaction.
//
//   #define BOOST_TEST_MODULE shop
//   #include <boost/test/unit_test.hpp>
//   #include <odbctx/boost_test.hpp>
//   BOOST_AUTO_TEST_CASE(orders_start_empty) { BOOST_TEST(*odbctx::current().query_int("...") == 0); }
//
// Configuration: ODBCTX_CONNECT, ODBCTX_SCHEMA, ODBCTX_SCHEMA_REUSE or the
// odbctx::suite functions and macros (suite.hpp), as for Catch2.
//
// How Boost.Test's events map onto odbctx::suite: a global fixture owns
// the suite and registers a test_observer; test_unit_start of a test
// case begins a run, test_unit_finish ends it. Failed assertions and
// exceptions are counted from the observer's own events. The failure report
// (database, redacted connection, SQL, fake-data seed) goes to stderr, so
// that Boost's log and report formats (HRF, XML, JUNIT) stay whole.
// BOOST_CHECK_EQUAL(s.query_int(...), 42) prints the value, a failed
// expected its error (detail/print.hpp).
//
// Fail closed: when the suite's session cannot be opened, the global
// fixture's setup throws: Boost.Test then runs no test case, and the
// program fails with the reason. A passing test case that broke isolation
// is reported when it ends and fails the program at the end of the run.
#ifndef ODBCTX_BOOST_TEST_HPP
#define ODBCTX_BOOST_TEST_HPP

#if !defined(BOOST_TEST_TOOLS_HPP_111812GER) && !defined(BOOST_TEST_UNIT_TEST_HPP_071894GER)
#error "include <boost/test/unit_test.hpp> before <odbctx/boost_test.hpp>"
#endif

#include <boost/test/tree/observer.hpp>
#include <boost/test/unit_test_suite.hpp>

#include <odbctx.hpp>
#include <odbctx/detail/print.hpp>

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

namespace odbctx::boost_test {

class observer : public ::boost::unit_test::test_observer {
public:
    void test_unit_start(::boost::unit_test::test_unit const &tu) override
    {
        if (tu.p_type != ::boost::unit_test::TUT_CASE)
            return;
        failed_ = false;
        suite_.begin_run(tu.full_name());
    }

    void test_unit_finish(::boost::unit_test::test_unit const &tu, unsigned long) override
    {
        if (tu.p_type != ::boost::unit_test::TUT_CASE)
            return;
        const std::string report = suite_.end_run(failed_, tu.full_name());
        std::cerr << report << suite_.notes() << std::flush;
        if (report.empty())
            return;
        if (!failed_)
            breaches_++;
    }

    void assertion_result(::boost::unit_test::assertion_result ar) override
    {
        if (ar != ::boost::unit_test::AR_PASSED)
            failed_ = true;
    }

    void exception_caught(::boost::execution_exception const &) override { failed_ = true; }
    void test_unit_aborted(::boost::unit_test::test_unit const &) override { failed_ = true; }
    void test_unit_timed_out(::boost::unit_test::test_unit const &) override { failed_ = true; }

    odbctx::suite &suite() noexcept { return suite_; }
    int breaches() const noexcept { return breaches_; }

private:
    odbctx::suite suite_;
    bool failed_ = false;
    int breaches_ = 0;
};

// The global fixture: Boost.Test runs its setup before the first test case
// (a throw there is a setup error: no test case runs) and its teardown
// after the last.
class configuration {
public:
    void setup()
    {
        if (auto e = obs_.suite().ensure_open())
            throw std::runtime_error("odbctx: the suite's session could not be opened, so no test is run: " +
                                     e->to_string());
        ::boost::unit_test::framework::register_observer(obs_);
    }

    void teardown()
    {
        ::boost::unit_test::framework::deregister_observer(obs_);
        obs_.suite().close();
        if (obs_.breaches() > 0) {
            std::cerr << "odbctx: " << obs_.breaches()
                      << " passing test case(s) reported a problem above (an isolation breach, a failed "
                         "cleanup, writes never committed); the program fails"
                      << std::endl;
            std::atexit([] { std::_Exit(1); });
        }
    }

private:
    observer obs_;
};

} // namespace odbctx::boost_test

// One global fixture however many sources include this header: the
// registration is an inline variable, a single object across translation
// units.
namespace odbctx::boost_test::detail {
inline ::boost::unit_test::ut_detail::global_fixture_impl<::odbctx::boost_test::configuration> registered;
} // namespace odbctx::boost_test::detail

#endif
