// Field values, overrides, traits, associations, hooks, strategies and
// persistence of odbctx::factory.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "model.hpp"

#include <string>
#include <vector>

using fx::post;
using fx::user;
using odbctx::set;

TEST_CASE("sequence: numbers objects from 0 in every run of a test", "[factory][sequence]")
{
    // A test never sees the numbers an earlier test used.
    const auto a = fx::users.build();
    const auto b = fx::users.build();
    REQUIRE(a.login == "user0");
    REQUIRE(b.login == "user1");

    SECTION("a batch takes consecutive numbers")
    {
        const auto batch = fx::users.build_batch(3);
        REQUIRE(batch[0].login == "user2");
        REQUIRE(batch[2].login == "user4");
    }
    SECTION("every SECTION run starts at 0 again")
    {
        REQUIRE(fx::users.build().login == "user2");
    }
    SECTION("reset_sequence restarts it")
    {
        fx::users.reset_sequence();
        REQUIRE(fx::users.build().login == "user0");
        fx::users.reset_sequence(100);
        REQUIRE(fx::users.build().login == "user100");
    }
}

TEST_CASE("sequence: derived factories share their parent's counter", "[factory][sequence]")
{
    const auto admins = fx::users.with("admin");
    REQUIRE(fx::users.build().login == "user0");
    REQUIRE(admins.build().login == "user1");
    REQUIRE(fx::users.build().login == "user2");
    // Unique values across both: created rows never collide on login.
    fx::users.create();
    admins.create();
    REQUIRE(fx::count("fx_users") == 2);
}

TEST_CASE("sequence: each field sees the object's number", "[factory][sequence]")
{
    const auto f = odbctx::factory<user>{}
                       .with(&user::login, odbctx::sequence([](long long n) { return "u" + std::to_string(n); }))
                       .with(&user::age, odbctx::sequence([](int n) { return 20 + n; }));
    const auto v = f.build_batch(3);
    REQUIRE(v[1].login == "u1");
    REQUIRE(v[1].age == 21);
    REQUIRE(v[2].age == 22);
}

TEST_CASE("lazy: computed after the other fields, overrides included", "[factory][lazy]")
{
    REQUIRE(fx::users.build().email == "user0@example.com");
    REQUIRE(fx::users.build(set(&user::login, "ada")).email == "ada@example.com");
    // Overriding the lazy field itself wins over it.
    REQUIRE(fx::users.build(set(&user::email, "x@example.org")).email == "x@example.org");
    // lazy() spelt out, declared before the field it reads.
    const auto f = odbctx::factory<user>{}
                       .with(&user::email, odbctx::lazy([](const user &u) { return u.name + "@x.test"; }))
                       .with(&user::name, "bob");
    REQUIRE(f.build().email == "bob@x.test");
}

TEST_CASE("values: plain values, generators and callables", "[factory][values]")
{
    int calls = 0;
    const auto f = odbctx::factory<user>{}
                       .with(&user::name, "fixed")
                       .with(&user::age, [&calls] { return ++calls; })
                       .with(&user::login, odbctx::fake::username());
    const auto v = f.build_batch(2);
    REQUIRE(v[0].name == "fixed");
    REQUIRE(v[1].name == "fixed");
    REQUIRE(v[0].age == 1);
    REQUIRE(v[1].age == 2);
    REQUIRE(v[0].login.find('.') != std::string::npos);
    // Declaring a field again replaces it.
    REQUIRE(f.with(&user::name, "other").build().name == "other");
    // The original is unchanged: factories are values.
    REQUIRE(f.build().name == "fixed");
}

TEST_CASE("overrides: set(...) at the call site, in order", "[factory][overrides]")
{
    const auto u = fx::users.create(set(&user::name, "foobar"), set(&user::age, 33));
    REQUIRE(u.name == "foobar");
    REQUIRE(u.age == 33);
    REQUIRE(fx::count("fx_users", "name = 'foobar' AND age = 33 AND id = " + std::to_string(u.id)) == 1);
    // The later override of one field wins.
    REQUIRE(fx::users.build(set(&user::age, 1), set(&user::age, 2)).age == 2);
    // Any field value works as an override, a sequence or a generator too.
    REQUIRE(fx::users.build(set(&user::name, odbctx::sequence([](long long n) { return "n" + std::to_string(n); })))
                .name.starts_with("n"));
    REQUIRE(fx::users.build(set(&user::email, std::nullopt)).email == std::nullopt);
}

TEST_CASE("traits: named groups of overrides, combinable", "[factory][traits]")
{
    const auto plain = fx::users.build();
    REQUIRE_FALSE(plain.admin);
    REQUIRE(plain.active);

    const auto admin = fx::users.build("admin");
    REQUIRE(admin.admin);
    REQUIRE(admin.active);

    const auto both = fx::users.create("admin", "inactive");
    REQUIRE(both.admin);
    REQUIRE_FALSE(both.active);
    REQUIRE_FALSE(both.email.has_value());
    REQUIRE(fx::count("fx_users", "email IS NULL AND id = " + std::to_string(both.id)) == 1);

    // Call-site overrides apply after traits, in the order given.
    REQUIRE(fx::users.build("inactive", set(&user::active, true)).active);
    REQUIRE_FALSE(fx::users.build(set(&user::active, true), "inactive").active);

    // A trait made of traits.
    const auto f = fx::users.trait("retired_admin", "admin", "inactive", set(&user::age, 70));
    const auto r = f.build("retired_admin");
    REQUIRE(r.admin);
    REQUIRE_FALSE(r.active);
    REQUIRE(r.age == 70);
    // Adding a trait to a derived factory leaves the original alone.
    REQUIRE_THROWS_WITH(fx::users.build("retired_admin"),
                        Catch::Contains("no trait \"retired_admin\"") && Catch::Contains("admin, inactive"));
}

TEST_CASE("build vs create: build sends no SQL, create inserts and fills the key", "[factory][strategy]")
{
    const auto built = fx::users.build();
    REQUIRE(built.id == 0);
    REQUIRE(fx::count("fx_users") == 0);

    const auto created = fx::users.create();
    REQUIRE(created.id != 0);
    REQUIRE(fx::count("fx_users", "id = " + std::to_string(created.id) + " AND login = '" + created.login + "'") == 1);

    const auto batch = fx::users.build_batch(5);
    REQUIRE(batch.size() == 5);
    REQUIRE(fx::count("fx_users") == 1);
}

TEST_CASE("associations: the parent row is created first and its key stored", "[factory][association]")
{
    const post p = fx::posts.create();
    REQUIRE(p.id != 0);
    REQUIRE(p.author_id != 0);
    REQUIRE(fx::count("fx_users", "id = " + std::to_string(p.author_id)) == 1);
    REQUIRE(fx::count("fx_posts", "id = " + std::to_string(p.id) + " AND author_id = " + std::to_string(p.author_id)) == 1);

    SECTION("a built child builds its parent without inserting it")
    {
        const post b = fx::posts.build();
        REQUIRE(b.author_id == 0);
        REQUIRE(fx::count("fx_users") == 1);
        REQUIRE(fx::count("fx_posts") == 1);
    }
    SECTION("an override of the key uses an existing parent")
    {
        const user u = fx::users.create();
        const post q = fx::posts.create(set(&post::author_id, u.id));
        REQUIRE(q.author_id == u.id);
        REQUIRE(fx::count("fx_users") == 2);
    }
    SECTION("a batch creates one parent per child")
    {
        const auto many = fx::posts.create_batch(4);
        REQUIRE(fx::count("fx_users") == 5);
        for (const post &x : many)
            REQUIRE(fx::count("fx_posts p JOIN fx_users u ON u.id = p.author_id",
                              "p.id = " + std::to_string(x.id)) == 1);
    }
    SECTION("sub_factory passes traits and overrides to the parent")
    {
        const auto by_admin = fx::posts.with(&post::author_id, odbctx::sub_factory(fx::users, "admin", set(&user::name, "boss")));
        const post q = by_admin.create();
        REQUIRE(fx::count("fx_users", "id = " + std::to_string(q.author_id) + " AND name = 'boss' AND admin = " +
                                          (fx::configured_dialect() == fx::dialect::postgresql ? "true" : "1")) == 1);
    }
}

TEST_CASE("hooks: after_build before the INSERT, after_create with the key", "[factory][hooks]")
{
    std::vector<long long> seen;
    const auto f = fx::users.after_build([](user &u) { u.name = "hooked"; })
                       .after_create([&seen](user &u) { seen.push_back(u.id); })
                       .after_create([](user &u, odbctx::session &) {
                           // factory_boy's post_generation: make related rows.
                           fx::posts.create_batch(2, set(&post::author_id, u.id));
                       });
    const user u = f.create();
    REQUIRE(u.name == "hooked");
    REQUIRE(fx::count("fx_users", "name = 'hooked'") == 1);
    REQUIRE(seen == std::vector<long long>{u.id});
    REQUIRE(fx::count("fx_posts", "author_id = " + std::to_string(u.id)) == 2);

    f.build();
    REQUIRE(seen.size() == 1);
}

TEST_CASE("persistence: commit survives an app rollback, none does not", "[factory][persistence]")
{
    const auto committed = fx::users.persist(odbctx::persistence::commit);
    committed.create_batch(2);
    fx::users.create();
    fx::check(odbctx::current().rollback());
    REQUIRE(fx::count("fx_users") == 2);
}

TEST_CASE("persistence: commit_each commits after every object, commit once per batch", "[factory][persistence]")
{
    fx::users.create(set(&user::login, "taken"));
    // Row 3 collides with the existing login.
    const auto colliding = fx::users.with(&user::login, odbctx::sequence([](long long n) {
        return n == 2 ? std::string("taken") : "each" + std::to_string(n);
    }));
    SECTION("commit_each: the two objects before the refused one stay committed")
    {
        const auto f = colliding.persist(odbctx::persistence::commit_each);
        f.reset_sequence();
        REQUIRE_THROWS_AS(f.create_batch(4), odbctx::error_exception);
        fx::check(odbctx::current().rollback()); // back to the last app commit
        REQUIRE(fx::count("fx_users") == 3);
        REQUIRE(fx::count("fx_users", "login IN ('each0', 'each1')") == 2);
    }
    SECTION("commit: all rows or none, nothing committed")
    {
        const auto f = colliding.persist(odbctx::persistence::commit);
        f.reset_sequence();
        REQUIRE_THROWS_AS(f.create_batch(4), odbctx::error_exception);
        fx::check(odbctx::current().rollback());
        REQUIRE(fx::count("fx_users") == 0);
    }
    SECTION("commit_each: one app commit per object, after its hooks")
    {
        std::vector<long long> seen_at_hook;
        const auto f = fx::users.persist(odbctx::persistence::commit_each).after_create([&](user &) {
            seen_at_hook.push_back(fx::count("fx_users"));
        });
        const std::string before = odbctx::current().trace();
        const auto made = f.create_batch(3);
        REQUIRE(made.size() == 3);
        CHECK(seen_at_hook == std::vector<long long>{2, 3, 4});
        const std::string trace = odbctx::current().trace().substr(before.size());
        INFO(trace);
        // Every app commit sets the app savepoint (after releasing the old
        // one, or in place of it on MariaDB).
        size_t commits = 0;
        for (const char *form : {"] SAVEPOINT odbctx_a", "; SAVEPOINT odbctx_a"})
            for (size_t at = 0; (at = trace.find(form, at)) != std::string::npos; ++at)
                ++commits;
        CHECK(commits == 3);
        fx::check(odbctx::current().rollback());
        REQUIRE(fx::count("fx_users") == 4);
    }
}

TEST_CASE("odbctx::insert: a struct built by hand", "[factory][insert]")
{
    user u;
    u.name = "hand";
    u.login = "hand-made";
    u.age = 40;
    odbctx::insert(u);
    REQUIRE(u.id != 0);
    std::vector<user> v(2, u);
    v[0].login = "hand-1";
    v[1].login = "hand-2";
    odbctx::insert(v);
    REQUIRE(v[0].id != v[1].id);
    REQUIRE(fx::count("fx_users", "name = 'hand'") == 3);
}
