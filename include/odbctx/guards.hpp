// RAII guards over the levels of a session's transaction stack.
//
// Both guards come two ways, and neither leaves a half-made guard behind:
//   odbctx::nested n(s);                 throws odbctx::error_exception
//   auto n = odbctx::nested::begin(s);   returns odbctx::expected<nested>
// The constructors without a session use odbctx::current().
//
// Guards are move-only. Their destructors are noexcept: they never throw and
// always roll back what is still open. A guard keeps the C session, not the
// odbctx::session object, so moving the session does not invalidate it; the
// session must outlive its guards.
//
// Under the Catch2 integration every test run already is a test transaction:
// use nested there, not test_transaction.
#ifndef ODBCTX_GUARDS_HPP
#define ODBCTX_GUARDS_HPP

#include <odbctx.h>
#include <odbctx/error.hpp>
#include <odbctx/expected.hpp>
#include <odbctx/session.hpp>

#include <utility>

namespace odbctx {

// One test: everything done on the session while it lives, app commits
// included, is discarded when it ends. Ending reports an isolation breach
// (ODBCTX_EBREACH) through end(); the destructor, which cannot, writes it to
// standard error so that it is never silent.
class ODBCTX_API test_transaction {
public:
    explicit test_transaction(session &s);
    test_transaction();

    ODBCTX_EXPECTED_ABI static expected<test_transaction> begin(session &s)
    {
        if (int rc = odbctx_begin_test(s.handle()); rc != ODBCTX_OK)
            return unexpected{detail::failure(s.handle(), rc)};
        return test_transaction(s.handle(), adopt);
    }

    test_transaction(test_transaction &&other) noexcept
        : s_(std::exchange(other.s_, nullptr)) {}
    test_transaction &operator=(test_transaction &&other) noexcept;
    test_transaction(const test_transaction &) = delete;
    test_transaction &operator=(const test_transaction &) = delete;
    ~test_transaction();

    // Ends the test now and says whether that went well; the guard is then
    // inactive.
    ODBCTX_EXPECTED_ABI expected<void> end()
    {
        error e = finish();
        if (e.code != ODBCTX_OK)
            return unexpected{std::move(e)};
        return {};
    }

    bool active() const noexcept { return s_ != nullptr; }

private:
    struct adopt_t {};
    static constexpr adopt_t adopt{};
    test_transaction(odbctx_session *s, adopt_t) noexcept : s_(s) {}

    // Ends the test; code ODBCTX_OK when it went well or nothing was open.
    error finish();
    void discard() noexcept;

    odbctx_session *s_ = nullptr;
};

// One nested level (a savepoint) inside a test: rolled back when the guard
// ends unless commit() was called. Levels opened after it and still open are
// ended with it. If an app commit or the end of the test already closed the
// level, the guard has nothing left to do and commit()/rollback() say so
// (ODBCTX_ESTATE).
class ODBCTX_API nested {
public:
    explicit nested(session &s);
    nested();

    ODBCTX_EXPECTED_ABI static expected<nested> begin(session &s)
    {
        if (int rc = odbctx_nested_begin(s.handle()); rc != ODBCTX_OK)
            return unexpected{detail::failure(s.handle(), rc)};
        return nested(s.handle(), odbctx_nested_depth(s.handle()));
    }

    nested(nested &&other) noexcept
        : s_(std::exchange(other.s_, nullptr)), depth_(other.depth_) {}
    nested &operator=(nested &&other) noexcept;
    nested(const nested &) = delete;
    nested &operator=(const nested &) = delete;
    ~nested();

    // Keeps the level's work in the level below it.
    ODBCTX_EXPECTED_ABI expected<void> commit() { return result(finish(true)); }
    // Undoes the level's work now.
    ODBCTX_EXPECTED_ABI expected<void> rollback() { return result(finish(false)); }

    bool active() const noexcept { return s_ != nullptr; }

private:
    nested(odbctx_session *s, int depth) noexcept : s_(s), depth_(depth) {}

    ODBCTX_EXPECTED_ABI static expected<void> result(error e)
    {
        if (e.code != ODBCTX_OK)
            return unexpected{std::move(e)};
        return {};
    }
    error finish(bool keep);
    void discard() noexcept;

    odbctx_session *s_ = nullptr;
    int depth_ = 0; // odbctx_nested_depth() right after this level began
};

} // namespace odbctx

#endif
