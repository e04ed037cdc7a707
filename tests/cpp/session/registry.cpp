// The session registry: what odbctx::current() returns on which thread, for
// each kind of registration, and its errors.
#include <odbctx/catch2.hpp>

#include "helpers.hpp"

#include <exception>
#include <memory>
#include <stdexcept>
#include <thread>

using Catch::Matchers::Contains;

namespace {

// Runs fn on a new thread and waits for it; an exception it throws is
// rethrown here, where Catch2 reports it, instead of ending the program.
template <class F>
void on_thread(F fn)
{
    std::exception_ptr failure;
    std::thread th([&] {
        try {
            fn();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    th.join();
    if (failure)
        std::rethrow_exception(failure);
}

// What current() returns on a new thread (nullptr when it throws).
odbctx::session *current_on_another_thread()
{
    odbctx::session *seen = nullptr;
    on_thread([&] { seen = odbctx::try_current(); });
    return seen;
}

odbctx::session open_own()
{
    auto s = odbctx::session::open(t::connect_string());
    if (!s)
        throw odbctx::error_exception(s.error());
    return std::move(*s);
}

} // namespace

TEST_CASE("registry: the threads a test starts share the suite's session", "[registry][threads]")
{
    REQUIRE(t::count("cpp_item") == 0);
    odbctx::session *suite_session = &odbctx::current();
    REQUIRE(current_on_another_thread() == suite_session);

    // One thread at a time uses the session: each joins before the next starts.
    for (int i = 0; i < 3; ++i)
        on_thread([i] { t::add_item("from thread " + std::to_string(i), i); });
    REQUIRE(t::count("cpp_item") == 3); // and they are gone for the next test
}

TEST_CASE("registry: a thread-scope registration is seen by its thread only", "[registry][threads]")
{
    odbctx::session *suite_session = &odbctx::current();
    odbctx::session mine = open_own();
    {
        odbctx::scoped_session reg(mine);
        REQUIRE(reg.scope() == odbctx::scope::thread);
        REQUIRE(&odbctx::current() == &mine);
        REQUIRE(odbctx::try_current() == &mine);
        REQUIRE(current_on_another_thread() == suite_session);
    }
    REQUIRE(&odbctx::current() == suite_session);

    // A thread's own registration does not leak into the test's thread.
    on_thread([&] {
        odbctx::scoped_session reg(mine);
        if (&odbctx::current() != &mine)
            throw std::logic_error("the thread does not see its own registration");
    });
    REQUIRE(&odbctx::current() == suite_session);
}

TEST_CASE("registry: a process-scope registration is shared with the threads a test starts",
          "[registry][threads]")
{
    odbctx::session *suite_session = &odbctx::current();
    odbctx::session mine = open_own();
    REQUIRE(mine.schema_script("CREATE TABLE cpp_registry_t (v INTEGER NOT NULL)", "registry"));
    {
        odbctx::scoped_session reg(mine, odbctx::scope::process);
        REQUIRE(&odbctx::current() == &mine);
        REQUIRE(current_on_another_thread() == &mine);

        // The thread's write lands on the registered session.
        on_thread([] { t::exec("INSERT INTO cpp_registry_t (v) VALUES (42)"); });
        REQUIRE(t::count(mine, "cpp_registry_t", "v = 42") == 1);

        SECTION("a thread's own registration wins over the process-wide one")
        {
            odbctx::session *seen = nullptr;
            on_thread([&] {
                odbctx::scoped_session own(*suite_session);
                seen = &odbctx::current();
            });
            REQUIRE(seen == suite_session);
        }
        SECTION("no_session hides it on one thread")
        {
            bool threw = false;
            on_thread([&] {
                odbctx::scoped_session none(odbctx::no_session);
                threw = odbctx::try_current() == nullptr;
            });
            REQUIRE(threw);
            REQUIRE(current_on_another_thread() == &mine);
        }
    }
    REQUIRE(&odbctx::current() == suite_session);
    REQUIRE(current_on_another_thread() == suite_session);
}

TEST_CASE("registry: nesting restores the previous registration, in any order", "[registry]")
{
    odbctx::session *suite_session = &odbctx::current();
    odbctx::session a = open_own();
    odbctx::session b = open_own();
    {
        odbctx::scoped_session ra(a);
        {
            odbctx::scoped_session rb(b);
            REQUIRE(&odbctx::current() == &b);
        }
        REQUIRE(&odbctx::current() == &a);
    }
    REQUIRE(&odbctx::current() == suite_session);

    // Ended out of order: only the one ending is removed.
    auto ra = std::make_unique<odbctx::scoped_session>(a);
    auto rb = std::make_unique<odbctx::scoped_session>(b);
    ra.reset();
    REQUIRE(&odbctx::current() == &b);
    rb.reset();
    REQUIRE(&odbctx::current() == suite_session);

    // The same for process-wide registrations.
    auto pa = std::make_unique<odbctx::scoped_session>(a, odbctx::scope::process);
    auto pb = std::make_unique<odbctx::scoped_session>(b, odbctx::scope::process);
    pa.reset();
    REQUIRE(current_on_another_thread() == &b);
    pb.reset();
    REQUIRE(current_on_another_thread() == suite_session);
}

TEST_CASE("registry: current() without a session fails with a clear error", "[registry][errors]")
{
    SECTION("on this thread")
    {
        odbctx::scoped_session none(odbctx::no_session);
        REQUIRE(odbctx::try_current() == nullptr);
        REQUIRE_THROWS_WITH(odbctx::current(), Contains("no odbctx session"));
        try {
            (void)odbctx::current();
            FAIL("current() returned");
        } catch (const odbctx::error_exception &e) {
            REQUIRE(e.error().code == ODBCTX_ESTATE);
        }
    }
    SECTION("for the whole process")
    {
        odbctx::scoped_session none(odbctx::no_session, odbctx::scope::process);
        REQUIRE(current_on_another_thread() == nullptr);
        REQUIRE(odbctx::try_current() == nullptr);
    }
    // The suite's session is back.
    REQUIRE(odbctx::current().in_test());
}
