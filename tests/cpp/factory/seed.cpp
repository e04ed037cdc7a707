// The seed recipe's factory example in C++:
//
//   class MyFactory(factory.alchemy.SQLAlchemyModelFactory):
//       class Meta:
//           model = MyModel
//           sqlalchemy_session = Session
//           sqlalchemy_session_persistence = "commit"
//       name = factory.Faker("first_name")
//
//   def test_factories(session):
//       obj = MyFactory(name="foobar")
//       assert obj
//       assert session.query(MyModel).filter_by(name="foobar").one_or_none()
#include <catch2/catch.hpp>

#include <odbctx/factory.hpp>

#include "helpers.hpp"

namespace {

struct my_model {
    long long id = 0;
    std::string name;
};

} // namespace

template <>
struct odbctx::table<my_model> : odbctx::mapping<my_model> {
    static constexpr auto name = "my_model";
    static constexpr auto columns = std::tuple{key(&my_model::id, "id"), col(&my_model::name, "name")};
};

namespace {

const auto MyFactory = odbctx::factory<my_model>{}
                           .with(&my_model::name, odbctx::fake::first_name())
                           .persist(odbctx::persistence::commit);

} // namespace

TEST_CASE("seed: MyFactory(name=\"foobar\") creates a row the session can query", "[seed]")
{
    const my_model obj = MyFactory(odbctx::set(&my_model::name, "foobar"));
    REQUIRE(obj.id != 0);
    REQUIRE(obj.name == "foobar");

    REQUIRE(fx::count("my_model", "name = 'foobar'") == 1);
    fx::query q("SELECT id FROM my_model WHERE name = 'foobar'");
    REQUIRE(q.next());
    REQUIRE(q.integer(1) == obj.id);
    REQUIRE_FALSE(q.next());
}

TEST_CASE("seed: the factory's commit is an app-level commit that the test still discards",
          "[seed]")
{
    // Whichever of these tests runs second sees an empty table.
    REQUIRE(fx::count("my_model") == 0);
    MyFactory(odbctx::set(&my_model::name, "foobar"));
    // The application rolls back after the factory committed: the row stays,
    // as it would after a real commit.
    fx::check(odbctx::current().rollback());
    REQUIRE(fx::count("my_model", "name = 'foobar'") == 1);
}

TEST_CASE("seed: the default name is a fake first name", "[seed]")
{
    REQUIRE(fx::count("my_model") == 0);
    const my_model obj = MyFactory();
    REQUIRE_FALSE(obj.name.empty());
    REQUIRE(fx::count("my_model", "name = '" + obj.name + "'") == 1);
}
