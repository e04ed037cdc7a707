// session::exec(sql, args...) and query_int(sql, args...): values bound to
// '?' markers (odbctx_exec_params), on every database.
#include <odbctx/catch2.hpp>

#include "helpers.hpp"

#include <chrono>
#include <optional>
#include <string>

using Catch::Matchers::Contains;

namespace {

// The connection's password, when it has one (PWD=...).
std::string password()
{
    const std::string c = t::connect_string();
    const auto at = c.find("PWD=");
    if (at == std::string::npos)
        return {};
    const auto end = c.find(';', at);
    return c.substr(at + 4, end == std::string::npos ? std::string::npos : end - at - 4);
}

} // namespace

TEST_CASE("params: values of every kind go in bound and come back", "[params]")
{
    auto &s = odbctx::current();
    const std::string quoted = "O'Brien \"the\" \\ back";
    const std::optional<double> no_score;
    using namespace std::chrono;
    const year_month_day born{year{1990}, month{2}, day{28}};
    REQUIRE(s.exec("INSERT INTO cpp_param (id, name, score, born, payload) VALUES (?, ?, ?, ?, ?)",
                   1, quoted, 2.5, born, "plain"));
    REQUIRE(s.exec("INSERT INTO cpp_param (id, name, score, born, payload) VALUES (?, ?, ?, ?, ?)",
                   2LL, std::string_view("two"), no_score, std::nullopt, std::string()));
    REQUIRE(s.query_int("SELECT COUNT(*) FROM cpp_param WHERE name = ?", quoted) == 1);
    REQUIRE(s.query_int("SELECT id FROM cpp_param WHERE name = ? AND score = ?", quoted, 2.5) == 1);
    REQUIRE(s.query_int("SELECT COUNT(*) FROM cpp_param WHERE born = ?", born) == 1);
    // NULL is not the empty string, and the empty string is not NULL.
    REQUIRE(s.query_int("SELECT COUNT(*) FROM cpp_param WHERE score IS NULL AND born IS NULL") == 1);
    REQUIRE(s.query_int("SELECT COUNT(*) FROM cpp_param WHERE payload = ?", "") == 1);
    // Through the registry, as application code reaches it.
    REQUIRE(odbctx::current().query_int("SELECT COUNT(*) FROM cpp_param WHERE id > ?", 0) == 2);
}

TEST_CASE("params: a value is never read as SQL", "[params]")
{
    auto &s = odbctx::current();
    const std::string hostile = "x'); DELETE FROM cpp_param; --";
    REQUIRE(s.exec("INSERT INTO cpp_param (id, name) VALUES (?, ?)", 1, "keep"));
    REQUIRE(s.exec("INSERT INTO cpp_param (id, name) VALUES (?, ?)", 2, hostile));
    REQUIRE(s.query_int("SELECT COUNT(*) FROM cpp_param") == 2);
    REQUIRE(s.query_int("SELECT id FROM cpp_param WHERE name = ?", hostile) == 2);
}

TEST_CASE("params: a count that does not match the markers runs nothing", "[params]")
{
    auto &s = odbctx::current();
    auto r = s.exec("INSERT INTO cpp_param (id, name) VALUES (?, ?)", 1, "a", "extra");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ODBCTX_EARG);
    CHECK_THAT(r.error().message, Contains("2 parameter markers, 3 values given") &&
                                      Contains("nothing was run"));
    auto q = s.query_int("SELECT COUNT(*) FROM cpp_param WHERE id = ? AND name = ?", 1);
    REQUIRE_FALSE(q);
    CHECK_THAT(q.error().message, Contains("2 parameter markers, 1 value given"));
    REQUIRE(t::count("cpp_param") == 0);
    // The session works on.
    REQUIRE(s.exec("INSERT INTO cpp_param (id) VALUES (?)", 7));
    REQUIRE(t::count("cpp_param") == 1);
}

TEST_CASE("params: a failing statement reports the driver's error", "[params]")
{
    auto &s = odbctx::current();
    auto r = s.exec("INSERT INTO cpp_no_such_table (id) VALUES (?)", 1);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ODBCTX_ESQL);
    CHECK_THAT(r.error().message, Contains("cpp_no_such_table"));
    REQUIRE(s.exec("INSERT INTO cpp_param (id) VALUES (?)", 8));
    REQUIRE(t::count("cpp_param") == 1);
}

TEST_CASE("params: DDL takes none", "[params]")
{
    auto &s = odbctx::current();
    auto r = s.exec("CREATE TABLE cpp_param_ddl (id INTEGER DEFAULT 1)", 1);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ODBCTX_EARG);
    CHECK_THAT(r.error().message, Contains("DDL takes no parameters"));
}

TEST_CASE("params: the trace shows the values, the password redacted", "[params]")
{
    auto &s = odbctx::current();
    const std::string pw = password();
    const std::string secret = pw.empty() ? std::string("no password here") : pw;
    REQUIRE(s.exec("INSERT INTO cpp_param (id, name, payload) VALUES (?, ?, ?)", 42, "Ada", secret));
    const std::string trace = s.trace();
    CHECK_THAT(trace, Contains("INSERT INTO cpp_param (id, name, payload) VALUES (?, ?, ?) [42, 'Ada', '"));
    if (!pw.empty())
        CHECK_THAT(trace, !Contains(pw));
}

TEST_CASE("params: outside a test, exec with values is refused", "[params]")
{
    // A session of its own: this one is outside any test.
    auto opened = odbctx::session::open(t::connect_string());
    REQUIRE(opened);
    auto &s = *opened;
    auto r = s.exec("INSERT INTO cpp_param (id) VALUES (?)", 1);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ODBCTX_EARG);
    CHECK_THAT(r.error().message, Contains("outside a test") && Contains("nothing was run"));
}
