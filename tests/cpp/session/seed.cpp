// The seed recipe's scenario in C++: application code that reaches the
// session through the registry (scoped_session in the recipe), commits its
// work and rolls back in its error path, inside a test that the Catch2
// integration wraps in a transaction (the recipe's autouse `session`
// fixture). Every test here starts by checking that the table is empty, so
// whichever of them runs after another is "the next test".
#include <odbctx/catch2.hpp>

#include "helpers.hpp"

#include <stdexcept>
#include <string>

namespace app {

// The application's service layer: it never sees the test; it uses
// odbctx::current() the way SQLAlchemy code uses its scoped Session.
void open_account(int id, const std::string &owner, int balance)
{
    auto &s = odbctx::current();
    t::exec(s, "INSERT INTO cpp_account (id, owner, balance) VALUES (" + std::to_string(id) +
                   ", '" + owner + "', " + std::to_string(balance) + ")");
    if (auto r = s.commit(); !r)
        throw odbctx::error_exception(r.error());
}

long long balance(int id)
{
    auto r = odbctx::current().query_int("SELECT balance FROM cpp_account WHERE id = " +
                                         std::to_string(id));
    if (!r)
        throw odbctx::error_exception(r.error());
    return *r;
}

// Moves money; on any error it rolls back, as services do in their
// exception handlers, and reports failure.
bool transfer(int from, int to, int amount)
{
    auto &s = odbctx::current();
    try {
        t::exec(s, "UPDATE cpp_account SET balance = balance - " + std::to_string(amount) +
                       " WHERE id = " + std::to_string(from));
        if (balance(from) < 0)
            throw std::runtime_error("insufficient funds");
        t::exec(s, "UPDATE cpp_account SET balance = balance + " + std::to_string(amount) +
                       " WHERE id = " + std::to_string(to));
        if (auto r = s.commit(); !r)
            throw odbctx::error_exception(r.error());
        return true;
    } catch (const std::exception &) {
        if (auto r = s.rollback(); !r)
            throw odbctx::error_exception(r.error());
        return false;
    }
}

} // namespace app

TEST_CASE("seed: an insert, an app commit and an app rollback in an error path", "[seed]")
{
    REQUIRE(t::count("cpp_account") == 0);

    // A factory-free insert by the test itself.
    t::exec("INSERT INTO cpp_account (id, owner, balance) VALUES (1, 'alice', 100)");
    // The application commits its own work.
    app::open_account(2, "bob", 10);
    REQUIRE(t::count("cpp_account") == 2);

    REQUIRE(app::transfer(1, 2, 30));
    REQUIRE(app::balance(1) == 70);
    REQUIRE(app::balance(2) == 40);

    // The error path: the debit already ran when the service rolls back; the
    // rollback returns to its last commit, not to the start of the test.
    REQUIRE_FALSE(app::transfer(2, 1, 500));
    REQUIRE(app::balance(1) == 70);
    REQUIRE(app::balance(2) == 40);
    REQUIRE(t::count("cpp_account") == 2);

    // The session is usable after the rollback.
    REQUIRE(app::transfer(2, 1, 40));
    REQUIRE(app::balance(2) == 0);
}

TEST_CASE("seed: the next test sees an empty table", "[seed]")
{
    REQUIRE(t::count("cpp_account") == 0);
    app::open_account(1, "carol", 5);
    REQUIRE(t::count("cpp_account") == 1);
}

TEST_CASE("seed: a rollback with nothing committed empties what the test wrote", "[seed]")
{
    REQUIRE(t::count("cpp_account") == 0);
    t::exec("INSERT INTO cpp_account (id, owner, balance) VALUES (9, 'dave', 1)");
    REQUIRE(odbctx::current().rollback());
    REQUIRE(t::count("cpp_account") == 0);
}
