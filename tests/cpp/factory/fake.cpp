// odbctx::fake: values in their ranges, and the same values for the same
// seed and test name whatever ran before. tests/cpp/factory/determinism.test.sh
// checks the same across two processes.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "model.hpp"

#include <odbctx/fake.hpp>

#include <chrono>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace fake = odbctx::fake;
using namespace std::chrono;

namespace {

std::vector<std::string> draw_all()
{
    std::vector<std::string> out;
    for (int i = 0; i < 20; ++i) {
        out.push_back(fake::first_name()());
        out.push_back(fake::last_name()());
        out.push_back(fake::full_name()());
        out.push_back(fake::email()());
        out.push_back(fake::username()());
        out.push_back(fake::word()());
        out.push_back(fake::sentence()());
        out.push_back(fake::uuid()());
        out.push_back(fake::digits(8)());
        out.push_back(std::to_string(fake::integer(-5, 5)()));
        out.push_back(std::to_string(fake::integer<long long>(INT64_MIN, INT64_MAX)()));
        out.push_back(std::to_string(fake::real(0.0, 1.0)()));
        out.push_back(std::to_string(fake::boolean()()));
        out.push_back(std::to_string(fake::date(2000y / 1 / 1, 2000y / 12 / 31)().time_since_epoch().count()));
        out.push_back(std::to_string(
            fake::timestamp(sys_days{2020y / 1 / 1}, sys_days{2021y / 1 / 1})().time_since_epoch().count()));
        out.push_back(fake::one_of({"a", "b", "c"})());
    }
    return out;
}

// Restores the run's seed and stream for the tests after this one.
struct seed_guard {
    std::uint64_t saved = fake::seed();
    ~seed_guard()
    {
        fake::set_seed(saved);
        fake::reseed("restored");
    }
};

} // namespace

TEST_CASE("fake: the same seed and name give the same values", "[fake]")
{
    seed_guard g;
    fake::set_seed(12345);
    fake::reseed("a test");
    const auto first = draw_all();
    fake::reseed("a test");
    REQUIRE(draw_all() == first);

    // Values drawn in between (another test's) change nothing.
    fake::reseed("another test");
    draw_all();
    fake::reseed("a test");
    REQUIRE(draw_all() == first);

    fake::reseed("another test");
    REQUIRE(draw_all() != first);
    fake::set_seed(54321);
    fake::reseed("a test");
    REQUIRE(draw_all() != first);
}

TEST_CASE("fake: begin_test_data reseeds from the test name and restarts sequences", "[fake]")
{
    seed_guard g;
    odbctx::begin_test_data("x");
    const auto a = fx::users.build_batch(3);
    odbctx::begin_test_data("x");
    const auto b = fx::users.build_batch(3);
    for (int i = 0; i < 3; ++i) {
        REQUIRE(a[i].name == b[i].name);
        REQUIRE(a[i].login == b[i].login);
        REQUIRE(a[i].age == b[i].age);
    }
    REQUIRE(a[0].login == "user0");
}

TEST_CASE("fake: values stay in their ranges and formats", "[fake]")
{
    for (int i = 0; i < 2000; ++i) {
        const int v = fake::integer(-3, 3);
        REQUIRE(v >= -3);
        REQUIRE(v <= 3);
        const unsigned char u = fake::integer<unsigned char>(250, 255);
        REQUIRE(u >= 250);
        const double r = fake::real(1.5, 2.5);
        REQUIRE(r >= 1.5);
        REQUIRE(r < 2.5);
        const auto d = fake::date(2024y / 2 / 28, 2024y / 3 / 1)();
        REQUIRE(d >= sys_days{2024y / 2 / 28});
        REQUIRE(d <= sys_days{2024y / 3 / 1});
        const auto t = fake::timestamp(sys_seconds{100s}, sys_seconds{102s})();
        REQUIRE(t >= sys_seconds{100s});
        REQUIRE(t <= sys_seconds{102s});
    }
    std::set<int> seen;
    for (int i = 0; i < 500; ++i)
        seen.insert(fake::integer(1, 6));
    REQUIRE(seen.size() == 6);

    const std::string id = fake::uuid();
    REQUIRE(id.size() == 36);
    REQUIRE(id[14] == '4');
    REQUIRE(std::string("89ab").find(id[19]) != std::string::npos);
    for (std::size_t i : {8u, 13u, 18u, 23u})
        REQUIRE(id[i] == '-');

    const std::string mail = fake::email();
    REQUIRE(mail.find('@') != std::string::npos);
    REQUIRE((mail.ends_with(".com") || mail.ends_with(".net") || mail.ends_with(".org")));
    const std::string s = fake::sentence(2, 2);
    REQUIRE(std::isupper(static_cast<unsigned char>(s[0])));
    REQUIRE(s.back() == '.');
    REQUIRE(std::count(s.begin(), s.end(), ' ') == 1);
    REQUIRE(fake::digits(5)().size() == 5);

    int trues = 0;
    for (int i = 0; i < 1000; ++i)
        trues += fake::boolean(0.9)() ? 1 : 0;
    REQUIRE(trues > 800);
    REQUIRE(fake::maybe(fake::word(), 1.0)() == std::nullopt);
    REQUIRE(fake::maybe(fake::word(), 0.0)().has_value());
}

TEST_CASE("fake: the seed is reported for replay", "[fake]")
{
    const std::string note = fake::seed_note();
    REQUIRE_THAT(note, Catch::Contains("ODBCTX_SEED=" + std::to_string(fake::seed())));
}

// Run by determinism.test.sh, twice per seed: prints the rows a test
// created, which must not differ between processes.
TEST_CASE("fake: print created rows", "[.print]")
{
    fx::posts.create_batch(5);
    fx::users.create_batch(10, "admin");
    fx::query q("SELECT u.name, u.login, u.email, u.age, u.admin, p.title, p.body FROM fx_posts p"
                " JOIN fx_users u ON u.id = p.author_id ORDER BY u.login");
    while (q.next())
        std::cout << "row: " << *q.text(1) << " | " << *q.text(2) << " | " << q.text(3).value_or("NULL") << " | "
                  << *q.text(4) << " | " << *q.text(5) << " | " << *q.text(6) << " | "
                  << q.text(7).value_or("NULL") << "\n";
    fx::query all("SELECT login, name, age FROM fx_users ORDER BY login");
    while (all.next())
        std::cout << "user: " << *all.text(1) << " | " << *all.text(2) << " | " << *all.text(3) << "\n";
    std::cout << "seed: " << fake::seed() << "\n";
}

// Run by determinism.test.sh: fails on purpose to show the seed in the report.
TEST_CASE("fake: a failing test reports the seed", "[.fail]")
{
    fx::users.create();
    FAIL("failing on purpose");
}
