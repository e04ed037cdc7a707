// odbctx::suite: the test framework's lifecycle over one lazily opened
// session (configuration, schema, one test at a time, the failure report).
#include <odbctx/suite.hpp>
#include <odbctx/fake.hpp>

#include "internal.hpp"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#if defined(__cpp_lib_expected)
#include <expected>
#endif

namespace odbctx {

namespace {

struct schema_source {
    bool is_file;
    std::string text; // the path of a file, else the script itself
    std::string name;
};

// Set before the suite exists (static initializers, main), read when it opens.
struct config {
    std::mutex lock;
    std::optional<std::string> connection;
    std::vector<schema_source> schema;
    std::optional<bool> reuse;
    std::vector<std::function<void(session &)>> setups;
};

config &cfg()
{
    static config c;
    return c;
}

const char *env(const char *name)
{
    return std::getenv(name);
}

bool env_true(const char *v)
{
    std::string s(v);
    for (auto &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s == "1" || s == "yes" || s == "true" || s == "on";
}

std::string redacted(const std::string &conn)
{
    if (conn.empty())
        return "the embedded SQLite default";
    std::string out(odbctx_redact(conn.c_str(), nullptr, 0) + 1, '\0');
    out.resize(odbctx_redact(conn.c_str(), out.data(), out.size()));
    return "\"" + out + "\"";
}

// Reuse reads the files before the session opens: a path that depends on
// the DBMS ({dbms}, a directory) is resolved on a session of its own first.
void resolve_schema_paths(const std::string &conn, std::vector<schema_source> &schema)
{
    std::error_code ec;
    bool needed = false;
    for (const auto &src : schema)
        needed = needed || (src.is_file && (src.text.find("{dbms}") != std::string::npos ||
                                            std::filesystem::is_directory(src.text, ec)));
    if (!needed)
        return;
    auto probe = session::open(conn);
    if (!probe)
        throw error_exception(probe.error());
    for (auto &src : schema) {
        if (!src.is_file)
            continue;
        std::vector<char> file(4096);
        if (int rc = odbctx_schema_path(probe->handle(), src.text.c_str(), file.data(), file.size());
            rc != ODBCTX_OK)
            throw error_exception(detail::failure(probe->handle(), rc));
        src.text = file.data();
    }
}

std::vector<schema_source> schema_from_env(const char *v)
{
    std::vector<schema_source> out;
    std::string list(v);
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(':', start);
        if (end == std::string::npos)
            end = list.size();
        if (end > start) {
            std::string path = list.substr(start, end - start);
            out.push_back({true, path, path});
        }
        start = end + 1;
    }
    return out;
}

// The core's reader, with its checks (a regular file, a size limit).
std::optional<std::string> read_file(const std::string &path, error &e)
{
    char *text = nullptr;
    odbctx_error err{};
    if (int rc = odbctx_script_read(path.c_str(), &text, &err); rc != ODBCTX_OK) {
        e = error::from(err);
        if (e.code == ODBCTX_OK)
            e.code = rc;
        return std::nullopt;
    }
    std::string out(text);
    std::free(text);
    return out;
}

// What a failed setup function threw, as an error.
error from_exception(std::exception_ptr p)
{
    try {
        std::rethrow_exception(p);
    } catch (const error_exception &x) {
        return x.error();
#if defined(__cpp_lib_expected)
    } catch (const std::bad_expected_access<error> &x) {
        return x.error();
#endif
    } catch (const std::exception &x) {
        return error::make(ODBCTX_ESTATE, std::string("a suite setup function threw: ") + x.what());
    } catch (...) {
        return error::make(ODBCTX_ESTATE, "a suite setup function threw a non-standard exception");
    }
}

} // namespace

void suite::set_connection(std::string conn)
{
    std::lock_guard<std::mutex> lk(cfg().lock);
    cfg().connection = std::move(conn);
}

void suite::add_schema_file(std::string path)
{
    std::lock_guard<std::mutex> lk(cfg().lock);
    std::string name = path;
    cfg().schema.push_back({true, std::move(path), std::move(name)});
}

void suite::add_schema_file(std::string path, std::string_view source_file)
{
    const size_t slash = source_file.rfind('/');
    if (!path.empty() && path[0] != '/' && slash != std::string_view::npos)
        path = std::string(source_file.substr(0, slash + 1)) + path;
    add_schema_file(std::move(path));
}

void suite::add_schema_script(std::string script, std::string name)
{
    std::lock_guard<std::mutex> lk(cfg().lock);
    cfg().schema.push_back({false, std::move(script), std::move(name)});
}

void suite::set_schema_reuse(bool on)
{
    std::lock_guard<std::mutex> lk(cfg().lock);
    cfg().reuse = on;
}

void suite::add_setup(std::function<void(session &)> fn)
{
    std::lock_guard<std::mutex> lk(cfg().lock);
    cfg().setups.push_back(std::move(fn));
}

struct suite::state {
    // Recursive: a setup function or factory may call current() while the
    // session opens, on the same thread.
    std::recursive_mutex lock;
    session s;
    std::string conn;                // as given, for messages (redacted there)
    std::optional<error> open_error; // kept for the rest of the run
    std::optional<error> run_error;  // the current run could not begin its test
    std::string notes;               // of the run that ended last
    bool in_run = false;
    bool closed = false;
    std::atomic<bool> abandoned{false};

    void open();
    [[noreturn]] void fail(error e);
    void start_test();
};

// The session stays closed for the rest of the run and every get() throws
// the same error, naming the connection it tried.
void suite::state::fail(error e)
{
    s.reset();
    e.message = "odbctx suite on " + redacted(conn) + ": " + e.message;
    open_error = e;
    throw error_exception(std::move(e));
}

void suite::state::open()
{
    std::vector<schema_source> schema;
    std::vector<std::function<void(session &)>> setups;
    bool reuse = false;
    {
        std::lock_guard<std::mutex> lk(cfg().lock);
        const char *c = env("ODBCTX_CONNECT");
        conn = c ? c : cfg().connection.value_or("");
        const char *sc = env("ODBCTX_SCHEMA");
        schema = sc && *sc ? schema_from_env(sc) : cfg().schema;
        const char *r = env("ODBCTX_SCHEMA_REUSE");
        reuse = r && *r ? env_true(r) : cfg().reuse.value_or(false);
        setups = cfg().setups;
    }

    // The embedded default is a new database every run: nothing to reuse.
    const bool reusing = reuse && !conn.empty() && !schema.empty();
    if (reusing)
        resolve_schema_paths(conn, schema);
    if (reusing) {
        std::vector<std::string> texts, names;
        for (const auto &src : schema) {
            error e;
            if (src.is_file) {
                auto t = read_file(src.text, e);
                if (!t)
                    fail(std::move(e));
                texts.push_back(std::move(*t));
            } else {
                texts.push_back(src.text);
            }
            names.push_back(src.name);
        }
        std::vector<const char *> tp, np;
        for (size_t i = 0; i < texts.size(); ++i) {
            tp.push_back(texts[i].c_str());
            np.push_back(names[i].c_str());
        }
        odbctx_error err{};
        int rebuilt = 0;
        if (int rc = odbctx_schema_reuse(conn.c_str(), tp.data(), np.data(), tp.size(), &rebuilt,
                                         &err);
            rc != ODBCTX_OK) {
            error e = error::from(err);
            if (e.code == ODBCTX_OK)
                e.code = rc;
            fail(std::move(e));
        }
        // The slow path the user opted out of: say when it is taken.
        if (rebuilt)
            std::cerr << "odbctx: schema reuse: the schema changed and was rebuilt on "
                      << redacted(conn) << std::endl;
    }

    auto opened = session::open(conn);
    if (!opened)
        fail(opened.error());
    // Set before the schema and setup run, so that current() inside them
    // finds this session instead of opening another.
    s = std::move(*opened);
    odbctx_session *raw = s.handle();

    if (!reusing) {
        for (const auto &src : schema) {
            const int rc = src.is_file
                               ? odbctx_schema_file(raw, src.text.c_str())
                               : odbctx_schema_script(raw, src.text.c_str(), src.name.c_str());
            if (rc != ODBCTX_OK)
                fail(detail::failure(raw, rc));
        }
    }
    for (const auto &fn : setups) {
        try {
            fn(s);
        } catch (...) {
            fail(from_exception(std::current_exception()));
        }
    }
    if (in_run)
        start_test();
}

void suite::state::start_test()
{
    odbctx_session *raw = s.handle();
    int rc = odbctx_begin_test(raw);
    if (rc == ODBCTX_ESTATE && odbctx_in_test(raw) == 1) {
        // Someone began a test by hand and never ended it: that test is over.
        odbctx_end_test(raw);
        rc = odbctx_begin_test(raw);
    }
    if (rc != ODBCTX_OK)
        run_error = detail::failure(raw, rc);
}

suite::suite() : st_(std::make_unique<state>())
{
    if (!detail::install_suite(this))
        throw error_exception(error::make(
            ODBCTX_ESTATE, "another odbctx::suite is active; a test binary has one (is a "
                           "second test-framework integration included?)"));
}

suite::~suite()
{
    detail::uninstall_suite(this);
    if (st_->abandoned)
        st_->s.release(); // deliberately not closed: see abandon()
    else
        close();
}

void suite::abandon() noexcept
{
    st_->abandoned = true;
}

void suite::begin_run(std::string_view test_name)
{
    begin_test_data(test_name);
    std::lock_guard<std::recursive_mutex> lk(st_->lock);
    st_->in_run = true;
    st_->run_error.reset();
    if (st_->s)
        st_->start_test();
}

std::string suite::end_run(bool failed, std::string_view test_name)
{
    std::lock_guard<std::recursive_mutex> lk(st_->lock);
    std::ostringstream out;
    const std::string name(test_name);
    odbctx_session *raw = st_->s.handle();

    if (failed) {
        out << "odbctx: test \"" << name << "\" failed";
        if (raw) {
            out << " on " << st_->s.dbms() << ", connection " << redacted(st_->conn) << "\n";
            const std::string trace = st_->s.trace();
            if (trace.empty()) {
                out << "odbctx: the run executed no SQL\n";
            } else {
                out << "odbctx: SQL of the run:\n";
                std::istringstream lines(trace);
                for (std::string line; std::getline(lines, line);)
                    out << "    " << line << "\n";
            }
        } else if (st_->open_error) {
            out << "; the suite's session could not be opened: " << *st_->open_error << "\n";
        } else {
            out << " (it did not use the suite's session)\n";
        }
        out << "odbctx: " << fake::seed_note() << "\n";
        if (raw && odbctx_in_test(raw) == 1)
            out << keep_rows(name);
    }

    st_->notes.clear();
    if (raw && odbctx_in_test(raw) == 1) {
        const int rc = odbctx_end_test(raw);
        const std::string uncommitted = odbctx_uncommitted(raw);
        if (rc == ODBCTX_EUNCOMMITTED) {
            out << "odbctx: test \"" << name << "\" left writes uncommitted "
                << "(ODBCTX_UNCOMMITTED=fail): " << detail::failure(raw, rc) << "\n";
        } else if (rc != ODBCTX_OK) {
            const error e = detail::failure(raw, rc);
            out << (rc == ODBCTX_EBREACH ? "odbctx: ISOLATION BREACH in test \""
                                         : "odbctx: could not discard test \"")
                << name << "\": " << e << "\n";
        }
        if (!uncommitted.empty()) {
            std::ostringstream note;
            note << "odbctx: test \"" << name << "\" wrote rows it never committed; production "
                 << "would have rolled them back when the connection closed"
                 << (rc == ODBCTX_EUNCOMMITTED ? "" : " (ODBCTX_UNCOMMITTED=fail fails the run)")
                 << ":\n";
            std::istringstream lines(uncommitted);
            for (std::string line; std::getline(lines, line);)
                note << "    " << line << "\n";
            if (rc == ODBCTX_EUNCOMMITTED)
                out << note.str();
            else
                st_->notes = note.str();
        }
    }
    st_->in_run = false;
    st_->run_error.reset();
    return out.str();
}

std::string suite::notes() const
{
    std::lock_guard<std::recursive_mutex> lk(st_->lock);
    return st_->notes;
}

// Before the failed run is discarded: its rows, into a file of its own.
std::string suite::keep_rows(const std::string &test)
{
    odbctx_session *raw = st_->s.handle();
    const std::string header = "test: " + test + "\n" + fake::seed_note();
    char path[8192];
    const int rc = odbctx_keep_failed(raw, test.c_str(), header.c_str(), path, sizeof path);
    if (rc != ODBCTX_OK && rc != ODBCTX_ESQL)
        return "odbctx: the rows it wrote were not kept: " + detail::failure(raw, rc).to_string() +
               "\n";
    if (!path[0])
        return {};
    std::string line = "odbctx: the rows it wrote, as SQL that puts them back: " +
                       std::string(path) + "\n";
    if (rc == ODBCTX_ESQL)
        line += "odbctx: ... but not all of them: " + detail::failure(raw, rc).to_string() + "\n";
    return line;
}

session &suite::get()
{
    std::lock_guard<std::recursive_mutex> lk(st_->lock);
    if (st_->open_error)
        throw error_exception(*st_->open_error);
    if (st_->closed)
        throw error_exception(error::make(
            ODBCTX_ESTATE, "the odbctx suite has ended: no test is running any more"));
    if (!st_->s)
        st_->open();
    if (st_->in_run && st_->run_error)
        throw error_exception(*st_->run_error);
    return st_->s;
}

std::optional<error> suite::ensure_open() noexcept
{
    try {
        get();
        return std::nullopt;
    } catch (const error_exception &e) {
        return e.error();
    } catch (const std::exception &e) {
        return error::make(ODBCTX_EARG, e.what());
    } catch (...) {
        return error::make(ODBCTX_EARG, "opening the odbctx suite threw an unknown exception");
    }
}

session *suite::try_get() noexcept
{
    try {
        return &get();
    } catch (...) {
        return nullptr;
    }
}

bool suite::is_open() const noexcept
{
    std::lock_guard<std::recursive_mutex> lk(st_->lock);
    return static_cast<bool>(st_->s);
}

void suite::close() noexcept
{
    if (st_->abandoned)
        return;
    std::lock_guard<std::recursive_mutex> lk(st_->lock);
    st_->s.reset();
    st_->in_run = false;
    st_->closed = true;
}

} // namespace odbctx
