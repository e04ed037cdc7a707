// odbctx::session: the move-only owner of one C session (odbctx_session),
// that is of one ODBC connection and its suite transaction.
//
// Every function that can fail returns odbctx::expected; the error is copied
// out of the C session, so it stays valid after later calls. The functions
// are inline: libodbctx++.so exports none that returns an expected (see
// expected.hpp).
#ifndef ODBCTX_SESSION_HPP
#define ODBCTX_SESSION_HPP

#include <odbctx.h>
#include <odbctx/error.hpp>
#include <odbctx/expected.hpp>
#include <odbctx/detail/params.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace odbctx {

namespace detail {

// The error behind a failed call of the C API that returned rc.
inline error failure(const odbctx_session *s, int rc)
{
    error e = error::last(s);
    if (e.code == ODBCTX_OK)
        e.code = rc;
    return e;
}

// expected<void> for a return code of the C API.
ODBCTX_EXPECTED_ABI inline expected<void> check(const odbctx_session *s, int rc)
{
    if (rc == ODBCTX_OK)
        return {};
    return unexpected{failure(s, rc)};
}

} // namespace detail

class session {
public:
    // An empty session: handle() is nullptr and every call fails with
    // ODBCTX_EARG. Moved-from sessions are empty too.
    session() noexcept = default;

    // Takes ownership of a session opened through the C API.
    explicit session(odbctx_session *owned) noexcept : s_(owned) {}

    session(session &&other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
    session &operator=(session &&other) noexcept
    {
        if (this != &other)
            reset(std::exchange(other.s_, nullptr));
        return *this;
    }
    session(const session &) = delete;
    session &operator=(const session &) = delete;

    // Rolls back everything the session holds and disconnects (odbctx_close).
    ~session() { odbctx_close(s_); }

    // Opens a connection and begins its suite transaction. An empty conn
    // opens the embedded SQLite default (ODBCTX_CONNECT is not read here;
    // the Catch2 integration reads it).
    ODBCTX_EXPECTED_ABI static expected<session> open(std::string_view conn = {})
    {
        odbctx_session *s = nullptr;
        odbctx_error err{};
        const std::string c(conn);
        if (int rc = odbctx_open(&s, c.c_str(), &err); rc != ODBCTX_OK) {
            error e = error::from(err);
            if (e.code == ODBCTX_OK)
                e.code = rc;
            return unexpected{std::move(e)};
        }
        return session{s};
    }

    // The C session, still owned by this object.
    odbctx_session *handle() const noexcept { return s_; }
    // Gives up ownership: the caller closes the returned session.
    odbctx_session *release() noexcept { return std::exchange(s_, nullptr); }
    // Closes the session held (if any) and takes ownership of owned.
    void reset(odbctx_session *owned = nullptr) noexcept
    {
        odbctx_close(std::exchange(s_, owned));
    }
    explicit operator bool() const noexcept { return s_ != nullptr; }

    // The connection to hand to legacy code; owned by the session.
    SQLHDBC hdbc() const noexcept { return odbctx_hdbc(s_); }
    // "SQLite", "PostgreSQL", "MariaDB" or "MySQL"; "" for an empty session.
    std::string_view dbms() const noexcept { return view(odbctx_dbms(s_)); }
    // The connection string with passwords redacted; "" for the embedded default.
    std::string_view connection() const noexcept { return view(odbctx_connection(s_)); }

    ODBCTX_EXPECTED_ABI expected<void> exec(std::string_view sql)
    {
        const std::string q(sql);
        return detail::check(s_, odbctx_exec(s_, q.c_str()));
    }

    // The first column of the first row; an error when there is no row.
    ODBCTX_EXPECTED_ABI expected<long long> query_int(std::string_view sql)
    {
        const std::string q(sql);
        long long v = 0;
        if (int rc = odbctx_query_int(s_, q.c_str(), &v); rc != ODBCTX_OK)
            return unexpected{detail::failure(s_, rc)};
        return v;
    }

    // With values for the statement's '?' markers, bound in order, never
    // pasted into the text (odbctx_exec_params): the types a table<T>
    // column takes, text as std::string, std::string_view or const char *,
    // NULL as std::nullopt or an empty std::optional.
    //   s.exec("INSERT INTO author (name, email) VALUES (?, ?)", name, email);
    //   s.query_int("SELECT COUNT(*) FROM author WHERE name = ?", "foobar");
    template <class A0, class... A>
    ODBCTX_EXPECTED_ABI expected<void> exec(std::string_view sql, const A0 &a0, const A &...rest)
    {
        const std::string q(sql);
        detail::param_storage room[1 + sizeof...(A)];
        std::size_t i = 0;
        const odbctx_param p[] = {detail::to_param(a0, room[i++]),
                                  detail::to_param(rest, room[i++])...};
        return detail::check(s_, odbctx_exec_params(s_, q.c_str(), p, 1 + sizeof...(A)));
    }
    template <class A0, class... A>
    ODBCTX_EXPECTED_ABI expected<long long> query_int(std::string_view sql, const A0 &a0,
                                                      const A &...rest)
    {
        const std::string q(sql);
        detail::param_storage room[1 + sizeof...(A)];
        std::size_t i = 0;
        const odbctx_param p[] = {detail::to_param(a0, room[i++]),
                                  detail::to_param(rest, room[i++])...};
        long long v = 0;
        if (int rc = odbctx_query_int_params(s_, q.c_str(), p, 1 + sizeof...(A), &v);
            rc != ODBCTX_OK)
            return unexpected{detail::failure(s_, rc)};
        return v;
    }

    // A script of ';'-separated statements; a failure names file and line.
    ODBCTX_EXPECTED_ABI expected<void> exec_file(const std::string &path)
    {
        return detail::check(s_, odbctx_exec_file(s_, path.c_str()));
    }
    ODBCTX_EXPECTED_ABI expected<void> exec_script(std::string_view script,
                                                   std::string_view name = "script")
    {
        const std::string sc(script), n(name);
        return detail::check(s_, odbctx_exec_script(s_, sc.c_str(), n.c_str()));
    }

    // The suite's schema; outside a test only (see odbctx_schema_file).
    ODBCTX_EXPECTED_ABI expected<void> schema_file(const std::string &path)
    {
        return detail::check(s_, odbctx_schema_file(s_, path.c_str()));
    }
    ODBCTX_EXPECTED_ABI expected<void> schema_script(std::string_view script,
                                                     std::string_view name = "schema")
    {
        const std::string sc(script), n(name);
        return detail::check(s_, odbctx_schema_script(s_, sc.c_str(), n.c_str()));
    }

    // The test level by hand; odbctx::test_transaction does this with RAII
    // and the Catch2 integration does it for every test run.
    ODBCTX_EXPECTED_ABI expected<void> begin_test() { return detail::check(s_, odbctx_begin_test(s_)); }
    ODBCTX_EXPECTED_ABI expected<void> end_test() { return detail::check(s_, odbctx_end_test(s_)); }
    bool in_test() const noexcept { return odbctx_in_test(s_) == 1; }

    // What application code calls: an app-level commit or rollback, turned
    // into a savepoint restart (the work stays until the test ends).
    ODBCTX_EXPECTED_ABI expected<void> commit() { return detail::check(s_, odbctx_commit(s_)); }
    ODBCTX_EXPECTED_ABI expected<void> rollback() { return detail::check(s_, odbctx_rollback(s_)); }
    // A commit of test setup (odbctx_commit_setup): as commit(), but the
    // session's later writes do not count as the application's.
    ODBCTX_EXPECTED_ABI expected<void> commit_setup()
    {
        return detail::check(s_, odbctx_commit_setup(s_));
    }

    // Open nested levels; odbctx::nested manages them.
    int nested_depth() const noexcept { return odbctx_nested_depth(s_); }

    // The SQL the current test ran, one statement a line with its outcome.
    std::string trace() const { return std::string(view(odbctx_trace(s_))); }
    // The writes the test that ended last never committed, which production
    // would have rolled back (odbctx_uncommitted); "" when none.
    std::string uncommitted() const { return std::string(view(odbctx_uncommitted(s_))); }
    // The rows of the tables the running test wrote to, as a script that
    // puts them back, into path (odbctx_keep_rows).
    ODBCTX_EXPECTED_ABI expected<void> keep_rows(const std::string &path,
                                                 const std::string &header = {})
    {
        return detail::check(s_, odbctx_keep_rows(s_, path.c_str(), header.c_str()));
    }

    error last_error() const { return error::last(s_); }

private:
    static std::string_view view(const char *p) noexcept
    {
        return p ? std::string_view(p) : std::string_view();
    }

    odbctx_session *s_ = nullptr;
};

} // namespace odbctx

#endif
