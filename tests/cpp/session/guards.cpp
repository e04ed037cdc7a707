// The RAII guards: nested levels on the suite's session, test_transaction on
// a session of the test's own, with and without exceptions.
#include <odbctx/catch2.hpp>

#include "helpers.hpp"

#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

static_assert(!std::is_copy_constructible_v<odbctx::nested>);
static_assert(!std::is_copy_assignable_v<odbctx::nested>);
static_assert(std::is_nothrow_move_constructible_v<odbctx::nested>);
static_assert(std::is_nothrow_destructible_v<odbctx::nested>);
static_assert(!std::is_copy_constructible_v<odbctx::test_transaction>);
static_assert(std::is_nothrow_move_constructible_v<odbctx::test_transaction>);
static_assert(std::is_nothrow_destructible_v<odbctx::test_transaction>);

TEST_CASE("guards: a nested level is rolled back when an exception leaves its scope", "[guards]")
{
    t::add_item("before", 1);
    try {
        odbctx::nested n;
        t::add_item("inside", 1);
        REQUIRE(t::count("cpp_item") == 2);
        throw std::runtime_error("boom");
    } catch (const std::runtime_error &) {
    }
    REQUIRE(odbctx::current().nested_depth() == 0);
    REQUIRE(t::count("cpp_item", "name = 'inside'") == 0);
    REQUIRE(t::count("cpp_item", "name = 'before'") == 1);
}

TEST_CASE("guards: commit keeps a nested level's work, the destructor then does nothing", "[guards]")
{
    {
        odbctx::nested n;
        t::add_item("kept", 1);
        REQUIRE(n.commit());
        REQUIRE_FALSE(n.active());
    }
    REQUIRE(t::count("cpp_item", "name = 'kept'") == 1);
    REQUIRE(odbctx::current().nested_depth() == 0);
}

TEST_CASE("guards: nested levels inside nested levels", "[guards]")
{
    auto &s = odbctx::current();
    auto outer = odbctx::nested::begin(s);
    REQUIRE(outer);
    t::add_item("outer", 1);

    SECTION("an inner rollback leaves the outer level's work")
    {
        {
            odbctx::nested inner(s);
            t::add_item("inner", 1);
            REQUIRE(s.nested_depth() == 2);
        }
        REQUIRE(s.nested_depth() == 1);
        REQUIRE(t::count("cpp_item") == 1);
        REQUIRE(outer->commit());
        REQUIRE(t::count("cpp_item", "name = 'outer'") == 1);
    }
    SECTION("an outer rollback undoes a committed inner level")
    {
        {
            odbctx::nested inner(s);
            t::add_item("inner", 1);
            REQUIRE(inner.commit());
        }
        REQUIRE(t::count("cpp_item") == 2);
        REQUIRE(outer->rollback());
        REQUIRE(t::count("cpp_item") == 0);
        REQUIRE(s.nested_depth() == 0);
    }
    SECTION("ending the outer level ends inner levels still open")
    {
        auto inner = odbctx::nested::begin(s);
        REQUIRE(inner);
        t::add_item("inner", 1);
        REQUIRE(outer->commit());
        REQUIRE(s.nested_depth() == 0);
        REQUIRE(t::count("cpp_item") == 2);
        auto late = inner->commit();
        REQUIRE_FALSE(late);
        REQUIRE(late.error().code == ODBCTX_ESTATE);
    }
}

TEST_CASE("guards: a moved nested guard rolls back once, from its new owner", "[guards]")
{
    auto &s = odbctx::current();
    {
        odbctx::nested a(s);
        t::add_item("moved", 1);
        odbctx::nested b(std::move(a));
        REQUIRE_FALSE(a.active());
        REQUIRE(b.active());
        REQUIRE(s.nested_depth() == 1);
    }
    REQUIRE(s.nested_depth() == 0);
    REQUIRE(t::count("cpp_item") == 0);
}

TEST_CASE("guards: a nested level closed by an app commit is left alone", "[guards]")
{
    auto &s = odbctx::current();
    {
        odbctx::nested n(s);
        t::add_item("committed by the app", 1);
        REQUIRE(s.commit());
        auto r = n.rollback();
        REQUIRE_FALSE(r);
        REQUIRE(r.error().code == ODBCTX_ESTATE);
    }
    REQUIRE(t::count("cpp_item") == 1);
}

TEST_CASE("guards: nested needs a running test", "[guards][errors]")
{
    auto own = odbctx::session::open(t::connect_string());
    REQUIRE(own);
    auto n = odbctx::nested::begin(*own);
    REQUIRE_FALSE(n);
    REQUIRE(n.error().code == ODBCTX_ESTATE);
    REQUIRE_THROWS_AS(odbctx::nested(*own), odbctx::error_exception);
}

namespace {

// A session of the test's own on the same database, with a table of its
// own (on MariaDB, created before its suite transaction and dropped when it
// closes).
odbctx::session own_session()
{
    auto s = odbctx::session::open(t::connect_string());
    if (!s)
        throw odbctx::error_exception(s.error());
    if (auto r = s->schema_script("CREATE TABLE cpp_guard_t (v INTEGER NOT NULL)", "guards"); !r)
        throw odbctx::error_exception(r.error());
    return std::move(*s);
}

} // namespace

TEST_CASE("guards: test_transaction discards everything at scope exit", "[guards][test_transaction]")
{
    auto s = own_session();
    {
        odbctx::test_transaction tx(s);
        t::exec(s, "INSERT INTO cpp_guard_t (v) VALUES (1)");
        REQUIRE(s.commit());
        t::exec(s, "INSERT INTO cpp_guard_t (v) VALUES (2)");
        REQUIRE(t::count(s, "cpp_guard_t") == 2);
    }
    REQUIRE_FALSE(s.in_test());
    REQUIRE(t::count(s, "cpp_guard_t") == 0);

    SECTION("also when an exception leaves the scope")
    {
        try {
            odbctx::test_transaction tx(s);
            t::exec(s, "INSERT INTO cpp_guard_t (v) VALUES (3)");
            throw std::runtime_error("boom");
        } catch (const std::runtime_error &) {
        }
        REQUIRE_FALSE(s.in_test());
        REQUIRE(t::count(s, "cpp_guard_t") == 0);
    }
    SECTION("and with nested levels left open, by a guard that outlives it or by hand")
    {
        std::optional<odbctx::nested> outlives;
        {
            odbctx::test_transaction tx(s);
            outlives.emplace(s);
            t::exec(s, "INSERT INTO cpp_guard_t (v) VALUES (4)");
            REQUIRE(odbctx_nested_begin(s.handle()) == ODBCTX_OK);
            t::exec(s, "INSERT INTO cpp_guard_t (v) VALUES (5)");
            REQUIRE(s.nested_depth() == 2);
        }
        REQUIRE_FALSE(s.in_test());
        REQUIRE(s.nested_depth() == 0);
        REQUIRE(t::count(s, "cpp_guard_t") == 0);
        outlives.reset(); // its level is gone: nothing to do, nothing thrown
        REQUIRE(t::count(s, "cpp_guard_t") == 0);
    }
}

TEST_CASE("guards: test_transaction errors and explicit end", "[guards][test_transaction][errors]")
{
    auto s = own_session();
    auto tx = odbctx::test_transaction::begin(s);
    REQUIRE(tx);

    auto second = odbctx::test_transaction::begin(s);
    REQUIRE_FALSE(second);
    REQUIRE(second.error().code == ODBCTX_ESTATE);
    REQUIRE_THROWS_AS(odbctx::test_transaction(s), odbctx::error_exception);
    REQUIRE(s.in_test()); // the failed attempts did not end the running test

    t::exec(s, "INSERT INTO cpp_guard_t (v) VALUES (1)");
    REQUIRE(tx->end());
    REQUIRE_FALSE(tx->active());
    REQUIRE(t::count(s, "cpp_guard_t") == 0);

    SECTION("move assignment ends the test the target held")
    {
        auto other = odbctx::session::open(t::connect_string());
        REQUIRE(other);
        odbctx::test_transaction a(s);
        t::exec(s, "INSERT INTO cpp_guard_t (v) VALUES (2)");
        odbctx::test_transaction b(*other);
        a = std::move(b);
        REQUIRE_FALSE(b.active());
        REQUIRE(a.active());
        REQUIRE_FALSE(s.in_test());
        REQUIRE(other->in_test());
        REQUIRE(t::count(s, "cpp_guard_t") == 0);
    }
    REQUIRE_FALSE(s.in_test());
    REQUIRE(t::count(s, "cpp_guard_t") == 0);
}
