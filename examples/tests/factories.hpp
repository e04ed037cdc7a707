// The example's rows as structs, their tables, and one factory per table.
// Each factory creates through odbctx::current(), so every row it makes
// vanishes with the test that made it.
#ifndef INVENTORY_FACTORIES_HPP
#define INVENTORY_FACTORIES_HPP

#include <odbctx/factory.hpp>

#include <string>

namespace inventory::test {

struct customer {
    long long id = 0;
    std::string name, email;
};

struct product {
    long long id = 0;
    std::string sku, name;
    long long price_cents = 0;
    long long stock = 0;
};

struct order {
    long long id = 0;
    long long customer_id = 0;
    std::string status;
    long long total_cents = 0;
};

struct order_line {
    long long id = 0;
    long long order_id = 0, product_id = 0;
    long long qty = 0, price_cents = 0;
};

} // namespace inventory::test

template <>
struct odbctx::table<inventory::test::customer> : odbctx::mapping<inventory::test::customer> {
    using c = inventory::test::customer;
    static constexpr auto name = "customers";
    static constexpr auto columns =
        std::tuple{key(&c::id, "id"), col(&c::name, "name"), col(&c::email, "email")};
};

template <>
struct odbctx::table<inventory::test::product> : odbctx::mapping<inventory::test::product> {
    using p = inventory::test::product;
    static constexpr auto name = "products";
    static constexpr auto columns =
        std::tuple{key(&p::id, "id"), col(&p::sku, "sku"), col(&p::name, "name"),
                   col(&p::price_cents, "price_cents"), col(&p::stock, "stock")};
};

template <>
struct odbctx::table<inventory::test::order> : odbctx::mapping<inventory::test::order> {
    using o = inventory::test::order;
    static constexpr auto name = "orders";
    static constexpr auto columns =
        std::tuple{key(&o::id, "id"), col(&o::customer_id, "customer_id"),
                   col(&o::status, "status"), col(&o::total_cents, "total_cents")};
};

template <>
struct odbctx::table<inventory::test::order_line> : odbctx::mapping<inventory::test::order_line> {
    using l = inventory::test::order_line;
    static constexpr auto name = "order_lines";
    static constexpr auto columns =
        std::tuple{key(&l::id, "id"), col(&l::order_id, "order_id"),
                   col(&l::product_id, "product_id"), col(&l::qty, "qty"),
                   col(&l::price_cents, "price_cents")};
};

namespace inventory::test {

inline const auto customers =
    odbctx::factory<customer>{}
        .with(&customer::name, odbctx::fake::full_name())
        .with(&customer::email, odbctx::sequence([](long long n) {
            return "customer" + std::to_string(n) + "@example.com";
        }));

inline const auto products =
    odbctx::factory<product>{}
        .with(&product::sku, odbctx::sequence([](long long n) {
            return "SKU-" + std::to_string(10000 + n);
        }))
        .with(&product::name, odbctx::fake::word())
        .with(&product::price_cents, odbctx::fake::integer<long long>(100, 5000))
        .with(&product::stock, 20LL)
        .trait("sold_out", odbctx::set(&product::stock, 0LL));

// An order row straight in the table, for tests that need one in a given
// state without going through the service; its customer comes along.
inline const auto orders = odbctx::factory<order>{}
                               .with(&order::customer_id, customers)
                               .with(&order::status, std::string("new"))
                               .with(&order::total_cents, 0LL);

} // namespace inventory::test

#endif
