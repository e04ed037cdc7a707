// A Catch2 test file as a user writes it with odbctx: two mapped structs,
// two factories, three tests. bench/compile/run times its compilation
// against bare.cpp, the same tests without odbctx.
#include <odbctx/catch2.hpp>
#include <odbctx/factory.hpp>

#include <string>

namespace shop {
struct customer {
    long long id = 0;
    std::string name, email;
};
struct product {
    long long id = 0;
    std::string sku, name;
    long long price_cents = 0;
};
} // namespace shop

template <> struct odbctx::table<shop::customer> : odbctx::mapping<shop::customer> {
    using c = shop::customer;
    static constexpr auto name = "customers";
    static constexpr auto columns =
        std::tuple{key(&c::id, "id"), col(&c::name, "name"), col(&c::email, "email")};
};
template <> struct odbctx::table<shop::product> : odbctx::mapping<shop::product> {
    using p = shop::product;
    static constexpr auto name = "products";
    static constexpr auto columns = std::tuple{key(&p::id, "id"), col(&p::sku, "sku"),
                                               col(&p::name, "name"),
                                               col(&p::price_cents, "price_cents")};
};

namespace {
const auto customers = odbctx::factory<shop::customer>{}
                           .with(&shop::customer::name, odbctx::fake::full_name())
                           .with(&shop::customer::email, odbctx::sequence([](long long n) {
                               return "customer" + std::to_string(n) + "@example.com";
                           }));
const auto products = odbctx::factory<shop::product>{}
                          .with(&shop::product::sku, odbctx::sequence([](long long n) {
                              return "SKU-" + std::to_string(n);
                          }))
                          .with(&shop::product::name, odbctx::fake::word())
                          .with(&shop::product::price_cents, 250LL);
} // namespace

TEST_CASE("a customer", "[shop]")
{
    const auto c = customers.create();
    REQUIRE(c.id != 0);
    REQUIRE(odbctx::current().query_int("SELECT COUNT(*) FROM customers") == 1);
}

TEST_CASE("products in a batch", "[shop]")
{
    const auto p = products.create_batch(5, odbctx::set(&shop::product::price_cents, 100LL));
    REQUIRE(p.size() == 5);
    REQUIRE(p[0].price_cents == 100);
}

TEST_CASE("a named customer", "[shop]")
{
    const auto c = customers.create(odbctx::set(&shop::customer::name, std::string("foobar")));
    REQUIRE(c.name == "foobar");
}
