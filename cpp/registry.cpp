// The session registry: odbctx::current() and odbctx::scoped_session,
// per thread, innermost first.
#include <odbctx/registry.hpp>
#include <odbctx/suite.hpp>

#include "internal.hpp"

#include <atomic>
#include <mutex>

namespace odbctx {

namespace {

thread_local scoped_session *thread_top = nullptr;

std::mutex process_lock;
scoped_session *process_top = nullptr; // guarded by process_lock

std::atomic<suite *> installed_suite{nullptr};

} // namespace

// The registrations of one scope form a list from the innermost down,
// linked through below_.
struct registry_access {
    static void push(scoped_session *r, scoped_session *&top) noexcept
    {
        r->below_ = top;
        top = r;
    }

    // Unlinks r wherever it is, so that registrations may end out of order.
    static void remove(scoped_session *r, scoped_session *&top) noexcept
    {
        for (scoped_session **p = &top; *p; p = &(*p)->below_) {
            if (*p == r) {
                *p = r->below_;
                return;
            }
        }
    }

    static session *session_of(const scoped_session *r) noexcept { return r->s_; }
};

scoped_session::scoped_session(session &s, odbctx::scope where)
    : s_(&s), scope_(where)
{
    if (scope_ == odbctx::scope::thread) {
        registry_access::push(this, thread_top);
    } else {
        std::lock_guard<std::mutex> lk(process_lock);
        registry_access::push(this, process_top);
    }
}

scoped_session::scoped_session(no_session_t, odbctx::scope where)
    : s_(nullptr), scope_(where)
{
    if (scope_ == odbctx::scope::thread) {
        registry_access::push(this, thread_top);
    } else {
        std::lock_guard<std::mutex> lk(process_lock);
        registry_access::push(this, process_top);
    }
}

scoped_session::~scoped_session()
{
    if (scope_ == odbctx::scope::thread) {
        registry_access::remove(this, thread_top);
    } else {
        std::lock_guard<std::mutex> lk(process_lock);
        registry_access::remove(this, process_top);
    }
}

namespace {

enum class found { session, hidden, suite, nothing };

// The innermost registration that applies to this thread.
found lookup(session *&out) noexcept
{
    if (const scoped_session *r = thread_top) {
        out = registry_access::session_of(r);
        return out ? found::session : found::hidden;
    }
    {
        // Read under the lock: another thread may end the registration.
        std::lock_guard<std::mutex> lk(process_lock);
        if (const scoped_session *r = process_top) {
            out = registry_access::session_of(r);
            return out ? found::session : found::hidden;
        }
    }
    return installed_suite.load() ? found::suite : found::nothing;
}

} // namespace

session &current()
{
    session *s = nullptr;
    switch (lookup(s)) {
    case found::session:
        return *s;
    case found::hidden:
        throw error_exception(error::make(
            ODBCTX_ESTATE,
            "no odbctx session for this thread: an odbctx::scoped_session(odbctx::no_session) "
            "hides it here"));
    case found::suite:
        if (suite *su = installed_suite.load())
            return su->get();
        break;
    case found::nothing:
        break;
    }
    throw error_exception(error::make(
        ODBCTX_ESTATE,
        "no odbctx session is registered for this thread; register one with "
        "odbctx::scoped_session (odbctx::scope::process shares it with the threads a test "
        "starts), or include <odbctx/catch2.hpp> in one source file of the test binary"));
}

session *try_current() noexcept
{
    session *s = nullptr;
    switch (lookup(s)) {
    case found::session:
        return s;
    case found::suite:
        if (suite *su = installed_suite.load())
            return su->try_get();
        return nullptr;
    case found::hidden:
    case found::nothing:
        break;
    }
    return nullptr;
}

namespace detail {

bool install_suite(suite *s) noexcept
{
    suite *expected_none = nullptr;
    return installed_suite.compare_exchange_strong(expected_none, s);
}

void uninstall_suite(suite *s) noexcept
{
    suite *mine = s;
    installed_suite.compare_exchange_strong(mine, nullptr);
}

} // namespace detail

} // namespace odbctx
