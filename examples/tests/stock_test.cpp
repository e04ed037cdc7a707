// The legacy C module (legacy/stock.c), unchanged, under capture: its
// commits, its rollbacks in error paths, its textual COMMIT and its
// autocommit all stay inside the running test.
#include <catch2/catch.hpp>

#include "../legacy/stock.h"
#include "factories.hpp"
#include "helpers.hpp"

#include <sqlext.h>

using namespace inventory::test;

namespace {

SQLHDBC hdbc()
{
    return odbctx::current().hdbc();
}

// Rows the test needs that must survive the module's own rollbacks, as rows
// of an earlier, committed transaction would: created, then committed at
// app level (factory_boy's sqlalchemy_session_persistence = "commit").
const auto committed_products = products.persist(odbctx::persistence::commit);

const auto lines = odbctx::factory<order_line>{}
                       .with(&order_line::order_id, orders)
                       .with(&order_line::product_id, products)
                       .with(&order_line::qty, 1LL)
                       .with(&order_line::price_cents, 100LL);

} // namespace

TEST_CASE("goods in: the module's commit stays for the rest of the test", "[legacy]")
{
    const auto p = products.create();
    REQUIRE(stock_receive(hdbc(), p.sku.c_str(), 5, "delivery") == 0);
    CHECK(stock_of(p.sku) == 25);
    CHECK(count("stock_moves") == 1);

    // An app-level rollback now goes back to the module's commit, no further.
    REQUIRE_OK(odbctx::current().rollback());
    CHECK(stock_of(p.sku) == 25);
}

TEST_CASE("goods in for an unknown SKU: the module rolls back its error path", "[legacy]")
{
    const auto kept = committed_products.create();
    const auto lost = products.create(); // not committed: the module's rollback takes it
    REQUIRE(stock_receive(hdbc(), "NO-SUCH-SKU", 5, "delivery") == -1);
    CHECK(std::string(stock_last_error()) == "no product with SKU NO-SUCH-SKU");
    CHECK(count("products", "sku = '" + kept.sku + "'") == 1);
    CHECK(count("products", "sku = '" + lost.sku + "'") == 0);
}

TEST_CASE("reserving an order takes the stock of every line", "[legacy]")
{
    const auto o = orders.create();
    const auto a = products.create(odbctx::set(&product::stock, 10LL));
    const auto b = products.create(odbctx::set(&product::stock, 3LL));
    lines.create(odbctx::set(&order_line::order_id, o.id), odbctx::set(&order_line::product_id, a.id),
                 odbctx::set(&order_line::qty, 4LL));
    lines.create(odbctx::set(&order_line::order_id, o.id), odbctx::set(&order_line::product_id, b.id),
                 odbctx::set(&order_line::qty, 3LL));

    REQUIRE(stock_reserve_order(hdbc(), static_cast<long>(o.id)) == 0);
    CHECK(stock_of(a.sku) == 6);
    CHECK(stock_of(b.sku) == 0);
    CHECK(count("orders", "status = 'reserved'") == 1);
    CHECK(count("stock_moves", "reason = 'reserved'") == 2);
}

TEST_CASE("a short line rolls the whole reservation back", "[legacy]")
{
    const auto o = orders.create();
    const auto a = products.create(odbctx::set(&product::stock, 10LL));
    const auto b = products.create("sold_out");
    lines.create(odbctx::set(&order_line::order_id, o.id), odbctx::set(&order_line::product_id, a.id),
                 odbctx::set(&order_line::qty, 4LL));
    lines.create(odbctx::set(&order_line::order_id, o.id), odbctx::set(&order_line::product_id, b.id));
    // What the app would have done before calling the module: commit the order.
    REQUIRE_OK(odbctx::current().commit());

    REQUIRE(stock_reserve_order(hdbc(), static_cast<long>(o.id)) == -1);
    CHECK(std::string(stock_last_error()).find("not enough stock") != std::string::npos);
    // The first line's stock came back; the order is as it was.
    CHECK(stock_of(a.sku) == 10);
    CHECK(count("orders", "status = 'new'") == 1);
    CHECK(count("stock_moves") == 0);
}

TEST_CASE("the audit log's textual COMMIT is an app-level commit", "[legacy]")
{
    REQUIRE(stock_audit(hdbc(), "stocktake started") == 0);
    CHECK(count("audit_log") == 1);
    REQUIRE_OK(odbctx::current().rollback());
    CHECK(count("audit_log") == 1);
}

TEST_CASE("a write-off runs with autocommit on, statement by statement", "[legacy]")
{
    const auto p = committed_products.create(odbctx::set(&product::stock, 5LL));

    REQUIRE(stock_write_off(hdbc(), p.sku.c_str(), 2) == 0);
    CHECK(stock_of(p.sku) == 3);
    CHECK(count("stock_moves", "reason = 'written off'") == 1);

    // More than there is: the CHECK (stock >= 0) fails; with autocommit on
    // only that statement is undone, and the earlier write-off stays.
    REQUIRE(stock_write_off(hdbc(), p.sku.c_str(), 9) == -1);
    CHECK(stock_of(p.sku) == 3);

    // The module switched autocommit back off, and the test goes on on the
    // same connection.
    SQLULEN autocommit = 99;
    SQLGetConnectAttr(hdbc(), SQL_ATTR_AUTOCOMMIT, &autocommit, 0, nullptr);
    CHECK(autocommit == SQL_AUTOCOMMIT_OFF);
    CHECK(odbctx::current().query_int("SELECT stock FROM products WHERE id = ?", p.id) == 3);
}

TEST_CASE("the low-stock report's own connection sees the test's rows", "[legacy][capture]")
{
    products.create_batch(3, "sold_out");
    products.create_batch(2);
    long low = -1;
    // Its connection string names the report, which is what capture matches;
    // without capture it would be a second connection that sees nothing.
    REQUIRE(stock_count_low("DSN=inventory-report", 5, &low) == 0);
    CHECK(low == 3);
}

TEST_CASE("every test starts from the suite's rows only", "[legacy]")
{
    CHECK(count("products") == 0);
    CHECK(count("stock_moves") == 0);
    CHECK(count("audit_log") == 0);
    CHECK(count("customers") == 1); // the walk-in customer of the suite
}
