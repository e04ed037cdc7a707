// The seed's scenario with odbctx, as a user writes it: the Catch2
// integration runs every test in a transaction, the factories create
// authors and books with persistence::commit (the recipe's
// sqlalchemy_session_persistence = "commit"), and the application's service
// reaches the session through odbctx::current() and commits or rolls back
// on its own.
//
// 203 tests: 200 runs of one test (GENERATE) that create 5 authors and 5
// books, call a service that commits and look a row up, plus one test with
// an app rollback in an error path, the recipe's own factory test and a
// test that checks that nothing was left behind.
//
// SCENARIO_CREATE=loop creates with five create() calls instead of
// create_batch(5); SCENARIO_RUNS changes the 200.
#define CATCH_CONFIG_MAIN
#include <odbctx/catch2.hpp>

#include <odbctx/factory.hpp>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace shelf {

struct author {
    long long id = 0;
    std::string name, email;
};

struct book {
    long long id = 0;
    long long author_id = 0;
    std::string title, isbn;
};

} // namespace shelf

template <> struct odbctx::table<shelf::author> : odbctx::mapping<shelf::author> {
    using a = shelf::author;
    static constexpr auto name = "authors";
    static constexpr auto columns = std::tuple{key(&a::id, "id"), col(&a::name, "name"),
                                               col(&a::email, "email")};
};

template <> struct odbctx::table<shelf::book> : odbctx::mapping<shelf::book> {
    using b = shelf::book;
    static constexpr auto name = "books";
    static constexpr auto columns =
        std::tuple{key(&b::id, "id"), col(&b::author_id, "author_id"), col(&b::title, "title"),
                   col(&b::isbn, "isbn")};
};

ODBCTX_SUITE_SCHEMA("schema/{dbms}.sql");

namespace shelf {

const auto authors = odbctx::factory<author>{}
                         .with(&author::name, odbctx::fake::full_name())
                         .with(&author::email, odbctx::sequence([](long long n) {
                             return "author" + std::to_string(n) + "@example.com";
                         }))
                         .persist(odbctx::persistence::commit);

const auto books = odbctx::factory<book>{}
                       .with(&book::title, odbctx::fake::sentence(3, 6))
                       .with(&book::isbn, odbctx::sequence([](long long n) {
                           return "978-" + std::to_string(1000000 + n);
                       }))
                       .persist(odbctx::persistence::commit);

bool loop()
{
    const char *v = std::getenv("SCENARIO_CREATE");
    return v != nullptr && std::strcmp(v, "loop") == 0;
}

int runs()
{
    const char *v = std::getenv("SCENARIO_RUNS");
    return v != nullptr ? std::atoi(v) : 200;
}

std::vector<author> five_authors()
{
    if (!loop())
        return authors.create_batch(5);
    std::vector<author> v;
    for (int i = 0; i < 5; i++)
        v.push_back(authors.create());
    return v;
}

std::vector<book> five_books(long long author_id)
{
    if (!loop())
        return books.create_batch(5, odbctx::set(&book::author_id, author_id));
    std::vector<book> v;
    for (int i = 0; i < 5; i++)
        v.push_back(books.create(odbctx::set(&book::author_id, author_id)));
    return v;
}

// The application's service: publishes an author's books and commits.
void publish(long long author_id)
{
    auto &s = odbctx::current();
    s.exec("UPDATE books SET published = 1 WHERE author_id = " + std::to_string(author_id))
        .value();
    s.commit().value();
}

// Moves a book to another author; an unknown author is an error, and the
// service rolls back what it did before it noticed.
bool reassign(long long book_id, long long to)
{
    auto &s = odbctx::current();
    s.exec("UPDATE books SET published = 0 WHERE id = " + std::to_string(book_id)).value();
    if (s.query_int("SELECT COUNT(*) FROM authors WHERE id = " + std::to_string(to)).value() == 0) {
        s.rollback().value();
        return false;
    }
    s.exec("UPDATE books SET author_id = " + std::to_string(to) +
           " WHERE id = " + std::to_string(book_id))
        .value();
    s.commit().value();
    return true;
}

long long count(const std::string &sql)
{
    return odbctx::current().query_int(sql).value();
}

} // namespace shelf

TEST_CASE("a service publishes an author's books", "[scenario][generated]")
{
    GENERATE(range(0, shelf::runs()));
    const auto a = shelf::five_authors();
    const auto b = shelf::five_books(a[0].id);
    REQUIRE(b.size() == 5);
    shelf::publish(a[0].id);
    REQUIRE(shelf::count("SELECT COUNT(*) FROM books WHERE published = 1") == 5);
    // The recipe's session.query(Author).filter_by(name=...).one_or_none().
    REQUIRE(shelf::count("SELECT COUNT(*) FROM authors WHERE email = '" + a[1].email + "'") == 1);
}

TEST_CASE("an app rollback in an error path keeps the last commit", "[scenario]")
{
    const auto a = shelf::authors.create();
    const auto b = shelf::books.create(odbctx::set(&shelf::book::author_id, a.id));
    shelf::publish(a.id);
    REQUIRE_FALSE(shelf::reassign(b.id, a.id + 1000));
    REQUIRE(shelf::count("SELECT COUNT(*) FROM books WHERE published = 1") == 1);
}

TEST_CASE("the recipe's factory test", "[scenario]")
{
    const auto a = shelf::authors.create(odbctx::set(&shelf::author::name, std::string("foobar")));
    REQUIRE(a.id != 0);
    REQUIRE(shelf::count("SELECT COUNT(*) FROM authors WHERE name = 'foobar'") == 1);
}

TEST_CASE("nothing is left behind", "[scenario]")
{
    REQUIRE(shelf::count("SELECT COUNT(*) FROM authors") == 0);
    REQUIRE(shelf::count("SELECT COUNT(*) FROM books") == 0);
}
