// The C++ order service (app/orders.cpp): it finds its database through
// odbctx::current(), commits and rolls back on its own, and calls the legacy
// stock module; each test (each SECTION path) starts from the same state.
#include <catch2/catch.hpp>

#include "../app/orders.hpp"
#include "factories.hpp"
#include "helpers.hpp"

using namespace inventory::test;
using inventory::line_request;
using inventory::order_error;
using inventory::order_service;

TEST_CASE("placing an order reserves its stock and logs it", "[orders]")
{
    order_service service;
    const auto c = customers.create();
    const auto bolt = products.create(odbctx::set(&product::price_cents, 120LL));
    const auto nut = products.create(odbctx::set(&product::price_cents, 30LL));

    const long id = service.place(c.id, {{bolt.sku, 2}, {nut.sku, 10}});

    CHECK(service.status(id) == "reserved");
    CHECK(stock_of(bolt.sku) == 18);
    CHECK(stock_of(nut.sku) == 10);
    CHECK(count("order_lines", "order_id = " + std::to_string(id)) == 2);
    CHECK(service.revenue_cents() == 2 * 120 + 10 * 30);
    CHECK(count("audit_log", "message = 'order " + std::to_string(id) + " placed'") == 1);
}

TEST_CASE("an order larger than the stock is backordered", "[orders]")
{
    order_service service;
    const auto c = customers.create();
    const auto rare = products.create(odbctx::set(&product::stock, 1LL));

    const long id = service.place(c.id, {{rare.sku, 5}});

    // The stock module rolled its reservation back; the service kept the
    // order, which it had committed first, and marked it.
    CHECK(service.status(id) == "backordered");
    CHECK(stock_of(rare.sku) == 1);
    CHECK(service.revenue_cents() == 0);
}

TEST_CASE("an unknown SKU is refused and nothing of the order is kept", "[orders]")
{
    order_service service;
    // Committed first, as a customer record of an earlier day would be.
    const auto c = customers.persist(odbctx::persistence::commit).create();
    const auto p = products.persist(odbctx::persistence::commit).create();

    CHECK_THROWS_AS(service.place(c.id, {{p.sku, 1}, {"NO-SUCH-SKU", 1}}), order_error);
    CHECK(count("orders") == 0);
    CHECK(count("order_lines") == 0);
    CHECK(count("customers", "id = " + std::to_string(c.id)) == 1);
    CHECK(stock_of(p.sku) == 20);
}

TEST_CASE("an order's life", "[orders]")
{
    order_service service;
    const auto c = customers.create();
    const auto p = products.create(odbctx::set(&product::price_cents, 500LL));
    const long id = service.place(c.id, {{p.sku, 4}});
    REQUIRE(service.status(id) == "reserved");
    REQUIRE(stock_of(p.sku) == 16);

    // Each SECTION runs the test case again from the top, in a fresh
    // transaction: the order is placed anew every time.
    SECTION("shipped: it counts as revenue")
    {
        service.ship(id);
        CHECK(service.status(id) == "shipped");
        CHECK(service.revenue_cents() == 2000);
    }
    SECTION("cancelled: the stock comes back")
    {
        service.cancel(id);
        CHECK(service.status(id) == "cancelled");
        CHECK(stock_of(p.sku) == 20);
        CHECK(count("stock_moves", "reason = 'cancelled'") == 1);
        CHECK(service.revenue_cents() == 0);
    }
    SECTION("a shipped order cannot be cancelled")
    {
        service.ship(id);
        CHECK_THROWS_AS(service.cancel(id), order_error);
        CHECK(service.status(id) == "shipped");
    }
    // Whichever section ran, no other section's order exists.
    CHECK(count("orders") == 1);
}

TEST_CASE("a busy catalogue: five hundred products in one call", "[orders][batch]")
{
    order_service service;
    const auto catalogue = products.create_batch(500);
    REQUIRE(catalogue.size() == 500);
    CHECK(count("products") == 500);
    CHECK(catalogue.front().id != catalogue.back().id);

    const auto c = customers.create();
    const long id = service.place(c.id, {{catalogue[7].sku, 1}, {catalogue[421].sku, 2}});
    CHECK(service.status(id) == "reserved");
    CHECK(service.revenue_cents() == catalogue[7].price_cents + 2 * catalogue[421].price_cents);
}

TEST_CASE("a test that fails half-way is cleaned up like any other", "[orders][!shouldfail]")
{
    order_service service;
    const auto c = customers.create();
    const auto p = products.create();
    service.place(c.id, {{p.sku, 1}});
    // Marked [!shouldfail]: Catch2 expects this failure, and the report
    // checks that its rows are gone before the next test starts.
    REQUIRE(count("orders") == 0);
}

TEST_CASE("every test starts with no orders", "[orders]")
{
    CHECK(count("orders") == 0);
    CHECK(count("order_lines") == 0);
    CHECK(count("customers") == 1);
}
