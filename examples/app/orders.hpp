// The order service of the inventory app, in C++. It reaches the database
// through odbctx::current(), the session registry, the way code in the
// SQLAlchemy recipe reaches its scoped Session: tests need not hand it a
// connection, and what it commits is an app-level commit (a savepoint
// restart) inside the running test. Stock work goes through the legacy C
// module (legacy/stock.h) on the same connection.
#ifndef INVENTORY_ORDERS_HPP
#define INVENTORY_ORDERS_HPP

#include <stdexcept>
#include <string>
#include <vector>

namespace inventory {

struct line_request {
    std::string sku;
    int qty = 0;
};

// A request the service refused; nothing of it was kept.
struct order_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class order_service {
public:
    // Records the order and its lines at today's prices and commits them,
    // then asks the stock module to reserve the goods: the order ends
    // "reserved", or "backordered" when the stock is short. Throws
    // order_error, after rolling back, for an unknown customer or SKU or an
    // empty order. Returns the new order's id.
    long place(long customer_id, const std::vector<line_request> &lines);

    // Gives a reserved order's stock back and marks it "cancelled".
    void cancel(long order_id);

    // Marks a reserved order "shipped"; order_error for any other status.
    void ship(long order_id);

    // The order's status; order_error for an unknown order.
    std::string status(long order_id);

    // The value of reserved and shipped orders, in cents.
    long long revenue_cents();
};

} // namespace inventory

#endif
