// odbctx::suite: the lifecycle of a test suite's session, independent of any
// test framework. A framework integration (<odbctx/catch2.hpp>,
// <odbctx/gtest.hpp>) owns one suite and calls begin_run()/end_run() around
// every run of a test; this is the C++ form of the seed recipe's autouse
// `session` fixture.
//
// The session opens on first use, that is on the first odbctx::current() (or
// get()) of the run, so tests that never touch the database never connect:
//   connection  ODBCTX_CONNECT when set (even to ""), else set_connection(),
//               else the embedded SQLite default;
//   schema      ODBCTX_SCHEMA (':'-separated files) when set and not empty,
//               else what add_schema_file()/add_schema_script() registered;
//               created outside any test, once per run (odbctx_schema_*);
//   setup       then every add_setup() function, in the suite transaction:
//               suite-wide rows every test sees and none can change for good.
// Reuse mode (ODBCTX_SCHEMA_REUSE=1, or set_schema_reuse(true)) keeps the
// schema committed in the database between runs and rebuilds it only when a
// hash of its scripts changed (odbctx_schema_reuse); the embedded default is
// new on every run, so there it has no effect.
//
// A failure to open is kept: every current() of the run throws it, so each
// test that needs the database fails with the reason and the others pass.
#ifndef ODBCTX_SUITE_HPP
#define ODBCTX_SUITE_HPP

#include <odbctx/error.hpp>
#include <odbctx/session.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace odbctx {

class ODBCTX_API suite {
public:
    // Configuration, read when the session opens: call it before the first
    // test, from main() or a static initializer (ODBCTX_SUITE_SCHEMA, ...).
    static void set_connection(std::string conn);
    static void add_schema_file(std::string path);
    // The same, a relative path taken relative to the directory of
    // source_file (ODBCTX_SUITE_SCHEMA passes its __FILE__).
    static void add_schema_file(std::string path, std::string_view source_file);
    static void add_schema_script(std::string script, std::string name = "schema");
    static void set_schema_reuse(bool on);
    // fn runs once after the schema, outside any test; a throw from it makes
    // the suite fail to open (what() is the reason).
    static void add_setup(std::function<void(session &)> fn);

    // Becomes the registry's last resort (see registry.hpp). Only one suite
    // may exist at a time: a second throws odbctx::error_exception.
    suite();
    // Closes the session: the suite transaction and everything in it are
    // rolled back, a MariaDB schema is dropped.
    ~suite();
    suite(const suite &) = delete;
    suite &operator=(const suite &) = delete;

    // One run of a test starts: it gets a test transaction (now, or when the
    // session opens during the run), and its fake data restarts from
    // (seed, test_name) (odbctx::begin_test_data).
    void begin_run(std::string_view test_name = {});
    // The run ended; failed says whether any of its assertions failed.
    // Discards the test transaction whatever happened and returns what to
    // report: for a failed run the test, database, redacted connection, the
    // SQL the test ran, the fake-data seed and the file its rows were kept
    // in (ODBCTX_FAILED_ROWS, odbctx_keep_rows); for any run an isolation
    // breach, a failure to clean up, or, with ODBCTX_UNCOMMITTED=fail, rows
    // it never committed. "" when there is nothing to say. A report for a
    // run that passed makes the integrations fail the program.
    std::string end_run(bool failed, std::string_view test_name);
    // What the run that ended last left to say that does not fail it:
    // the rows it wrote and never committed, which production would have
    // rolled back (odbctx_uncommitted), while ODBCTX_UNCOMMITTED is not
    // "fail" (then they are in end_run's report). "" when nothing.
    std::string notes() const;

    // Opens the session now unless it is open, and returns why it cannot
    // be (the same error on every later call), or nothing. Integrations
    // call it before the first test body: a suite whose session cannot open
    // runs no test body, so no test's writes can reach the database
    // uncaptured.
    std::optional<error> ensure_open() noexcept;

    // The suite's session, opened on first use. Throws error_exception.
    session &get();
    // nullptr where get() would throw.
    session *try_get() noexcept;
    bool is_open() const noexcept;

    // Closes the session now (the destructor does it otherwise).
    void close() noexcept;

    // After a fatal signal: the connection may be in the middle of a call,
    // with the driver's locks held, so the suite never touches it again; the
    // database discards the suite transaction when the process ends.
    // Async-signal-safe.
    void abandon() noexcept;

private:
    std::string keep_rows(const std::string &test);
    struct state;
    std::unique_ptr<state> st_;
};

} // namespace odbctx

#define ODBCTX_SUITE_CAT2(a, b) a##b
#define ODBCTX_SUITE_CAT(a, b) ODBCTX_SUITE_CAT2(a, b)

// At namespace scope in a test source, registers schema files for the suite:
//   ODBCTX_SUITE_SCHEMA("schema/tables.sql", "schema/views.sql");
//   ODBCTX_SUITE_SCHEMA("schema/{dbms}.sql");   // one per DBMS (odbctx_schema_path)
// A relative path is relative to the directory of the source file that
// names it, as its __FILE__ spells it: with the absolute paths CMake gives
// the compiler, from anywhere; with a relative __FILE__, from the directory
// the compiler ran in.
#define ODBCTX_SUITE_SCHEMA(...)                                                       \
    [[maybe_unused]] static const bool ODBCTX_SUITE_CAT(odbctx_suite_schema_, __LINE__) = \
        [] {                                                                          \
            for (const char *odbctx_path_ : {__VA_ARGS__})                            \
                ::odbctx::suite::add_schema_file(odbctx_path_, __FILE__);             \
            return true;                                                              \
        }()

// At namespace scope, defines a setup function run once when the suite's
// session opens, after the schema:
//   ODBCTX_SUITE_SETUP(s) { s.exec("INSERT INTO country VALUES ('NO')").value(); }
#define ODBCTX_SUITE_SETUP(param)                                                          \
    static void ODBCTX_SUITE_CAT(odbctx_suite_setup_fn_, __LINE__)(::odbctx::session &);   \
    [[maybe_unused]] static const bool ODBCTX_SUITE_CAT(odbctx_suite_setup_, __LINE__) =   \
        (::odbctx::suite::add_setup(&ODBCTX_SUITE_CAT(odbctx_suite_setup_fn_, __LINE__)), \
         true);                                                                           \
    static void ODBCTX_SUITE_CAT(odbctx_suite_setup_fn_, __LINE__)(::odbctx::session & param)

#endif
