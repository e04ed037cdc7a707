// The session registry, odbctx's counterpart of SQLAlchemy's scoped_session:
// application code and factories call odbctx::current() and get the session
// of the running test without it being passed to them.
//
// current() looks, in this order, at
//   1. the innermost scoped_session of this thread (scope::thread),
//   2. the innermost process-wide scoped_session (scope::process),
//   3. the suite of a test-framework integration (odbctx::suite, opened on
//      first use, e.g. by <odbctx/catch2.hpp>),
// and stops at the first it finds. A session is used by one thread at a time:
// threads that share one through scope::process take turns (or run under
// capture, which serialises them).
#ifndef ODBCTX_REGISTRY_HPP
#define ODBCTX_REGISTRY_HPP

#include <odbctx/error.hpp>
#include <odbctx/session.hpp>

namespace odbctx {

enum class scope {
    thread,  // seen by the registering thread only
    process, // seen by every thread that has no scoped_session of its own
};

// Tag for a registration that hides the sessions below it, so that
// current() fails inside it: to check that code refuses to run without a
// session, or to keep a thread away from the test's session.
struct no_session_t {
    explicit no_session_t() = default;
};
inline constexpr no_session_t no_session{};

// Registers s for its lifetime; when it ends, the registration it covered is
// current again. Registrations may end in any order (only the one ending is
// removed). The session must outlive the registration; a process-wide
// registration must outlive the threads that use it.
class ODBCTX_API scoped_session {
public:
    explicit scoped_session(session &s, odbctx::scope where = odbctx::scope::thread);
    explicit scoped_session(no_session_t, odbctx::scope where = odbctx::scope::thread);
    ~scoped_session();

    scoped_session(const scoped_session &) = delete;
    scoped_session &operator=(const scoped_session &) = delete;

    odbctx::scope scope() const noexcept { return scope_; }

private:
    friend struct registry_access;

    session *s_;
    odbctx::scope scope_;
    scoped_session *below_ = nullptr; // the registration this one covers
};

// The session of the running test. Throws odbctx::error_exception
// (ODBCTX_ESTATE) when none is registered, or the error that kept the suite's
// session from opening.
ODBCTX_API session &current();

// As current(), but nullptr instead of throwing.
ODBCTX_API session *try_current() noexcept;

} // namespace odbctx

#endif
