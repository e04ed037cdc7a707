// The baseline of bench/compile/run: the tests of two_factories.cpp with
// plain values instead of odbctx.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

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

TEST_CASE("a customer", "[shop]")
{
    const shop::customer c{1, "Ada", "ada@example.com"};
    REQUIRE(c.id != 0);
    REQUIRE(static_cast<long long>(c.name.size()) == 3);
}

TEST_CASE("products in a batch", "[shop]")
{
    const std::vector<shop::product> p(5, shop::product{1, "SKU-1", "pen", 100});
    REQUIRE(p.size() == 5);
    REQUIRE(p[0].price_cents == 100);
}

TEST_CASE("a named customer", "[shop]")
{
    const shop::customer c{2, "foobar", "f@example.com"};
    REQUIRE(c.name == "foobar");
}
