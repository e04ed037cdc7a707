// The RAII guards (odbctx::test_transaction, odbctx::nested): each ends what
// it began, rolling back in its noexcept destructor.
#include <odbctx/guards.hpp>
#include <odbctx/registry.hpp>

#include <iostream>

namespace odbctx {

test_transaction::test_transaction(session &s)
{
    if (int rc = odbctx_begin_test(s.handle()); rc != ODBCTX_OK)
        throw error_exception(detail::failure(s.handle(), rc));
    s_ = s.handle();
}

test_transaction::test_transaction() : test_transaction(current()) {}

test_transaction &test_transaction::operator=(test_transaction &&other) noexcept
{
    if (this != &other) {
        discard();
        s_ = std::exchange(other.s_, nullptr);
    }
    return *this;
}

test_transaction::~test_transaction()
{
    discard();
}

void test_transaction::discard() noexcept
{
    if (!s_)
        return;
    // A breach means an earlier test's or this test's writes may have been
    // committed for good; a destructor cannot throw, but must not hide it.
    try {
        const error e = finish();
        if (e.code == ODBCTX_EBREACH)
            std::cerr << "odbctx: isolation breach while ending a test: " << e << std::endl;
    } catch (...) {
    }
}

error test_transaction::finish()
{
    odbctx_session *s = std::exchange(s_, nullptr);
    if (!s)
        return {};
    if (int rc = odbctx_end_test(s); rc != ODBCTX_OK)
        return detail::failure(s, rc);
    return {};
}

nested::nested(session &s)
{
    if (int rc = odbctx_nested_begin(s.handle()); rc != ODBCTX_OK)
        throw error_exception(detail::failure(s.handle(), rc));
    s_ = s.handle();
    depth_ = odbctx_nested_depth(s_);
}

nested::nested() : nested(current()) {}

nested &nested::operator=(nested &&other) noexcept
{
    if (this != &other) {
        discard();
        s_ = std::exchange(other.s_, nullptr);
        depth_ = other.depth_;
    }
    return *this;
}

nested::~nested()
{
    discard();
}

void nested::discard() noexcept
{
    if (!s_)
        return;
    try {
        finish(false);
    } catch (...) {
    }
}

error nested::finish(bool keep)
{
    odbctx_session *s = std::exchange(s_, nullptr);
    if (!s)
        return error::make(ODBCTX_ESTATE, "this odbctx::nested level has already ended");
    // Levels opened after this one and still open lie inside it: they end
    // with it, the same way.
    for (int depth = odbctx_nested_depth(s); depth >= depth_;) {
        const int rc = keep ? odbctx_nested_commit(s) : odbctx_nested_rollback(s);
        if (rc != ODBCTX_OK)
            return detail::failure(s, rc);
        const int now = odbctx_nested_depth(s);
        if (now >= depth)
            return error::make(ODBCTX_ESTATE, "the nested level did not end");
        depth = now;
        if (depth < depth_)
            return {};
    }
    return error::make(ODBCTX_ESTATE,
                       "this odbctx::nested level was already closed by an app commit or "
                       "rollback, or by the end of the test");
}

} // namespace odbctx
