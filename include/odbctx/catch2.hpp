// Catch2 2.x integration: include this header in one source file of a test
// binary and every run of every test case gets its own test transaction on
// the suite's session, reachable through odbctx::current(). Catch2 runs a
// test case once per SECTION path (and per GENERATE value); each such run is
// isolated from all others. A failing or throwing run is discarded in the
// same way.
//
//   #define CATCH_CONFIG_MAIN
//   #include <catch2/catch.hpp>
//   #include <odbctx/catch2.hpp>
//
// Including it in other test files too, in place of <catch2/catch.hpp>, is
// safe (the listener is registered once) and makes REQUIRE(expected) print
// odbctx's error when it fails.
//
// Configuration: ODBCTX_CONNECT, ODBCTX_SCHEMA, ODBCTX_SCHEMA_REUSE or the
// odbctx::suite functions and macros (suite.hpp).
//
// When a run fails, the listener prints the test, the database, the
// connection (password redacted), the SQL the run executed and any notes
// (the fake-data seed, the file its rows were kept in): with the console
// and compact reporters in their output, next to the failure; with other
// reporters (XML, JUnit, ...) inside the failed test case's element, as its
// captured standard output (system-out, StdOut), and on standard error.
//
// The lifecycle itself lives in odbctx::suite; this header only maps
// Catch2's events onto it.
#ifndef ODBCTX_CATCH2_HPP
#define ODBCTX_CATCH2_HPP

// Catch2 declares its reporter interfaces (TestEventListenerBase, ...) only
// in the file that defines CATCH_CONFIG_MAIN or CATCH_CONFIG_RUNNER, or where
// CATCH_CONFIG_EXTERNAL_INTERFACES comes before <catch2/catch.hpp>.
#if defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED) && \
    !defined(CATCH_CONFIG_EXTERNAL_INTERFACES)
#error "include <odbctx/catch2.hpp> before <catch2/catch.hpp>, or in the file that defines CATCH_CONFIG_MAIN or CATCH_CONFIG_RUNNER"
#endif
#ifndef CATCH_CONFIG_EXTERNAL_INTERFACES
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#endif
#include <catch2/catch.hpp>

#include <odbctx.hpp>
#include <odbctx/detail/section_runs.hpp>

#include <ostream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#if !defined(CATCH_VERSION_MAJOR) || CATCH_VERSION_MAJOR != 2
#error "<odbctx/catch2.hpp> is for Catch2 2.x (the single header <catch2/catch.hpp>)"
#endif

namespace odbctx::catch2 {

// Catch2 wraps every run of a test case in a section named after the test
// case (RunContext::runCurrentTest), so the outermost sectionStarting and
// sectionEnded bracket exactly one run; testCaseStarting/Ended bracket all
// runs of a test case together.
//
// Fake data: each section path of each run draws from its own stream,
// named "test / section / ..." (detail/streams.hpp), so every run of a
// GENERATE and every sibling section gets other values.
//
// Derived from IStreamingReporter, not TestEventListenerBase: the base's
// inline members, compiled in every file that includes this header, were
// most of what the header cost a test file to compile. What the events do
// is compiled once, in libodbctx++ (detail/section_runs.hpp).
class listener final : public Catch::IStreamingReporter {
public:
    explicit listener(Catch::ReporterConfig const &config)
        : stream_(config.stream()), config_(config.fullConfig())
    {
    }

    Catch::ReporterPreferences getPreferences() const override { return {}; }
    void noMatchingTestCases(std::string const &) override {}
    void testRunStarting(Catch::TestRunInfo const &) override {}
    void testGroupStarting(Catch::GroupInfo const &) override {}
    void testCaseStarting(Catch::TestCaseInfo const &) override { runs_.test_case_starting(); }

    // Fail closed: without a session no test body may run (its writes would
    // reach the database for real). Catch2 ends the whole run on the
    // exception section_starting throws then, before the body.
    void sectionStarting(Catch::SectionInfo const &info) override
    {
        runs_.section_starting(++depth_, info.name);
    }

    void assertionStarting(Catch::AssertionInfo const &) override {}
    bool assertionEnded(Catch::AssertionStats const &) override { return true; }

    void sectionEnded(Catch::SectionStats const &stats) override
    {
        const std::string report = runs_.section_ended(depth_, stats.assertions.failed > 0);
        if (depth_ > 0)
            --depth_;
        if (report.empty())
            return;
        if (to_stream()) {
            stream_ << report << std::flush;
        } else {
            Catch::cerr() << report << std::flush;
            for_document_ += report;
        }
    }

    // Reporters that write a document (JUnit, XML) put a test case's
    // captured standard output into its element (system-out, StdOut): the
    // report joins it there, so CI's view of the failed test holds the SQL.
    // Listeners see the statistics before the reporter, and they are a
    // temporary of Catch2's, not a const object.
    void testCaseEnded(Catch::TestCaseStats const &stats) override
    {
        if (for_document_.empty())
            return;
        const_cast<Catch::TestCaseStats &>(stats).stdOut += for_document_;
        for_document_.clear();
    }
    void testGroupEnded(Catch::TestGroupStats const &) override {}
    void testRunEnded(Catch::TestRunStats const &) override { runs_.run_ended(); }
    void skipTest(Catch::TestCaseInfo const &) override {}

    // A signal (a crash, SIGTERM): the connection may be in the middle of a
    // call and its locks held, so the session is left alone from here on.
    void fatalErrorEncountered(Catch::StringRef) override { runs_.fatal(); }

private:
    // With the console and compact reporters the report goes next to the
    // failure; other reporters (XML, JUnit) keep their documents well-formed
    // and get it inside them (testCaseEnded), and on standard error.
    bool to_stream() const
    {
        const auto *config = dynamic_cast<Catch::Config const *>(config_.get());
        const std::string reporter = config ? config->getReporterName() : std::string();
        return reporter == "console" || reporter == "compact";
    }

    std::ostream &stream_;
    Catch::IConfigPtr config_;
    std::size_t depth_ = 0;
    std::string for_document_; // this test case's reports, for a document reporter
    detail::section_runs runs_;
};

namespace detail {
// One registration however many sources include this header: an inline
// variable is a single object, initialised once, across translation units.
inline Catch::ListenerRegistrar<listener> registrar;
} // namespace detail

} // namespace odbctx::catch2

// REQUIRE(s.exec("...")) prints the error when it fails, and
// REQUIRE(s.query_int("...") == 42) the value it got ("1 == 42").
namespace Catch {
template <>
struct StringMaker<odbctx::error> {
    static std::string convert(odbctx::error const &e) { return e.to_string(); }
};
template <class T>
struct StringMaker<odbctx::expected<T>> {
    static std::string convert(odbctx::expected<T> const &r)
    {
        if (!r.has_value())
            return "error: " + r.error().to_string();
        if constexpr (std::is_void_v<T>)
            return "ok";
        else
            return ::Catch::Detail::stringify(*r);
    }
};
} // namespace Catch

#endif
