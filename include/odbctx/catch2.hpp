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
// (the fake-data seed): with the console and compact reporters in their
// output, next to the failure; with other reporters (XML, JUnit, ...) on
// standard error, so that their documents stay well-formed.
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
#include <odbctx/detail/streams.hpp>

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
class listener : public Catch::TestEventListenerBase {
public:
    using Catch::TestEventListenerBase::TestEventListenerBase;

    void testCaseStarting(Catch::TestCaseInfo const &info) override
    {
        streams_.restart();
        Catch::TestEventListenerBase::testCaseStarting(info);
    }

    void sectionStarting(Catch::SectionInfo const &info) override
    {
        Catch::TestEventListenerBase::sectionStarting(info);
        // The path of the section entered last is the run's leaf path.
        path_.resize(m_sectionStack.size() - 1);
        path_.push_back(info.name);
        const std::string stream = streams_.enter(run_name());
        if (m_sectionStack.size() == 1) {
            // Fail closed: without a session no test body may run (its
            // writes would reach the database for real). Catch2 ends the
            // whole run on an exception from here, before the body.
            if (auto e = suite_.ensure_open())
                throw std::runtime_error("odbctx: the suite's session could not be opened, so "
                                         "no test is run: " + e->to_string());
            suite_.begin_run(stream);
        } else {
            ::odbctx::fake::reseed(stream);
        }
    }

    void sectionEnded(Catch::SectionStats const &stats) override
    {
        if (m_sectionStack.size() == 1) {
            const bool failed = stats.assertions.failed > 0;
            std::string report;
            if (fatal_)
                report = "odbctx: test \"" + run_name() +
                         "\" ended by a fatal signal; the database discards the suite "
                         "transaction when the process ends\n";
            else
                report = suite_.end_run(failed, run_name());
            if (!report.empty())
                out() << report << std::flush;
        }
        Catch::TestEventListenerBase::sectionEnded(stats);
    }

    // A signal (a crash, SIGTERM): the connection may be in the middle of a
    // call and its locks held, so the session is left alone from here on.
    void fatalErrorEncountered(Catch::StringRef message) override
    {
        fatal_ = true;
        suite_.abandon();
        Catch::TestEventListenerBase::fatalErrorEncountered(message);
    }

    void testRunEnded(Catch::TestRunStats const &stats) override
    {
        suite_.close();
        Catch::TestEventListenerBase::testRunEnded(stats);
    }

private:
    // "test case / section / subsection"
    std::string run_name() const
    {
        std::string name;
        for (const auto &section : path_) {
            if (!name.empty())
                name += " / ";
            name += section;
        }
        return name;
    }

    std::ostream &out() const
    {
        const auto *config = dynamic_cast<Catch::Config const *>(m_config.get());
        const std::string reporter = config ? config->getReporterName() : std::string();
        if (reporter == "console" || reporter == "compact")
            return stream;
        return Catch::cerr();
    }

    odbctx::suite suite_;
    detail::stream_names streams_;
    std::vector<std::string> path_;
    bool fatal_ = false;
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
