#include "orders.hpp"

#include "../legacy/stock.h"

#include <odbctx.hpp>

#include <sql.h>
#include <sqlext.h>

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace inventory {

namespace {

using param = std::variant<long long, std::string>;

// One statement with parameters on the current session's connection; the
// handle is freed on every path.
class statement {
public:
    explicit statement(SQLHDBC dbc)
    {
        if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h_)))
            throw order_error("cannot allocate a statement");
    }
    ~statement() { SQLFreeHandle(SQL_HANDLE_STMT, h_); }
    statement(const statement &) = delete;
    statement &operator=(const statement &) = delete;

    statement &run(const std::string &sql, std::vector<param> params = {})
    {
        params_ = std::move(params);
        lens_.assign(params_.size(), 0);
        for (size_t i = 0; i < params_.size(); i++) {
            auto n = static_cast<SQLUSMALLINT>(i + 1);
            if (auto *v = std::get_if<long long>(&params_[i]))
                SQLBindParameter(h_, n, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, v, 0,
                                 nullptr);
            else {
                auto &s = std::get<std::string>(params_[i]);
                lens_[i] = static_cast<SQLLEN>(s.size());
                SQLBindParameter(h_, n, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, s.size() + 1, 0,
                                 s.data(), 0, &lens_[i]);
            }
        }
        SQLRETURN rc = SQLExecDirect(h_, (SQLCHAR *)sql.c_str(), SQL_NTS);
        if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
            throw order_error(sql + ": " + diagnostics());
        return *this;
    }

    // The first column of the next row, or nothing when there is none.
    std::optional<long long> next_int()
    {
        if (!SQL_SUCCEEDED(SQLFetch(h_)))
            return std::nullopt;
        SQLBIGINT v = 0;
        SQLLEN ind = 0;
        SQLGetData(h_, 1, SQL_C_SBIGINT, &v, 0, &ind);
        return ind == SQL_NULL_DATA ? 0 : static_cast<long long>(v);
    }

    std::optional<std::string> next_text()
    {
        if (!SQL_SUCCEEDED(SQLFetch(h_)))
            return std::nullopt;
        char buf[256] = "";
        SQLLEN ind = 0;
        SQLGetData(h_, 1, SQL_C_CHAR, buf, sizeof buf, &ind);
        return std::string(ind == SQL_NULL_DATA ? "" : buf);
    }

    long long rows()
    {
        SQLLEN n = 0;
        SQLRowCount(h_, &n);
        return n;
    }

private:
    std::string diagnostics()
    {
        SQLCHAR state[6] = "", msg[512] = "";
        SQLINTEGER native = 0;
        SQLSMALLINT len = 0;
        SQLGetDiagRec(SQL_HANDLE_STMT, h_, 1, state, &native, msg, sizeof msg, &len);
        return "[" + std::string((char *)state) + "] " + (char *)msg;
    }

    SQLHSTMT h_ = SQL_NULL_HSTMT;
    std::vector<param> params_;
    std::vector<SQLLEN> lens_;
};

odbctx::session &db()
{
    return odbctx::current();
}

std::optional<long long> scalar(const std::string &sql, std::vector<param> params = {})
{
    statement st(db().hdbc());
    return st.run(sql, std::move(params)).next_int();
}

// Inserts one row and returns the key the database generated for it. The
// SQLite ODBC driver drops the rows of INSERT ... RETURNING, so there the
// key is read back on the same connection.
long long insert_returning_id(const std::string &sql, std::vector<param> params)
{
    auto &s = db();
    if (s.dbms() == "SQLite") {
        statement(s.hdbc()).run(sql, std::move(params));
        return *scalar("SELECT last_insert_rowid()");
    }
    statement st(s.hdbc());
    return *st.run(sql + " RETURNING id", std::move(params)).next_int();
}

void commit()
{
    if (auto r = db().commit(); !r)
        throw order_error("commit failed: " + r.error().to_string());
}

[[noreturn]] void refuse(const std::string &why)
{
    (void)db().rollback();
    throw order_error(why);
}

} // namespace

long order_service::place(long customer_id, const std::vector<line_request> &lines)
{
    if (lines.empty())
        throw order_error("an order needs at least one line");
    if (!scalar("SELECT COUNT(*) FROM customers WHERE id = ?", {customer_id}).value_or(0))
        throw order_error("no customer " + std::to_string(customer_id));

    const long long order_id =
        insert_returning_id("INSERT INTO orders (customer_id, status) VALUES (?, 'new')",
                            {customer_id});
    long long total = 0;
    for (const auto &line : lines) {
        if (line.qty <= 0)
            refuse("quantity must be positive for " + line.sku);
        statement st(db().hdbc());
        st.run("SELECT id FROM products WHERE sku = ?", {line.sku});
        auto product = st.next_int();
        if (!product)
            refuse("no product with SKU " + line.sku);
        auto price = *scalar("SELECT price_cents FROM products WHERE id = ?", {*product});
        statement(db().hdbc())
            .run("INSERT INTO order_lines (order_id, product_id, qty, price_cents) "
                 "VALUES (?, ?, ?, ?)",
                 {order_id, *product, static_cast<long long>(line.qty), price});
        total += price * line.qty;
    }
    statement(db().hdbc()).run("UPDATE orders SET total_cents = ? WHERE id = ?", {total, order_id});
    commit();

    // The legacy module commits or rolls back by itself.
    const bool reserved = stock_reserve_order(db().hdbc(), static_cast<long>(order_id)) == 0;
    if (!reserved) {
        statement(db().hdbc())
            .run("UPDATE orders SET status = 'backordered' WHERE id = ?", {order_id});
        commit();
    }
    const std::string note = "order " + std::to_string(order_id) +
                             (reserved ? " placed" : " backordered: ") +
                             (reserved ? "" : stock_last_error());
    stock_audit(db().hdbc(), note.c_str());
    return static_cast<long>(order_id);
}

void order_service::cancel(long order_id)
{
    if (status(order_id) != "reserved")
        throw order_error("only a reserved order can be cancelled");
    std::vector<std::pair<std::string, long long>> give_back;
    {
        statement st(db().hdbc());
        st.run("SELECT DISTINCT p.sku FROM order_lines l JOIN products p ON p.id = l.product_id "
               "WHERE l.order_id = ? ORDER BY p.sku",
               {static_cast<long long>(order_id)});
        while (auto sku = st.next_text())
            give_back.emplace_back(*sku, 0);
    }
    for (auto &[sku, qty] : give_back) {
        qty = *scalar("SELECT SUM(l.qty) FROM order_lines l JOIN products p ON p.id = l.product_id "
                      "WHERE l.order_id = ? AND p.sku = ?",
                      {static_cast<long long>(order_id), sku});
        if (stock_receive(db().hdbc(), sku.c_str(), static_cast<int>(qty), "cancelled") != 0)
            refuse("giving stock back failed: " + std::string(stock_last_error()));
    }
    statement(db().hdbc())
        .run("UPDATE orders SET status = 'cancelled' WHERE id = ?", {static_cast<long long>(order_id)});
    commit();
}

void order_service::ship(long order_id)
{
    if (status(order_id) != "reserved")
        throw order_error("only a reserved order can be shipped");
    statement(db().hdbc())
        .run("UPDATE orders SET status = 'shipped' WHERE id = ?", {static_cast<long long>(order_id)});
    commit();
}

std::string order_service::status(long order_id)
{
    statement st(db().hdbc());
    st.run("SELECT status FROM orders WHERE id = ?", {static_cast<long long>(order_id)});
    auto s = st.next_text();
    if (!s)
        throw order_error("no order " + std::to_string(order_id));
    return *s;
}

long long order_service::revenue_cents()
{
    return scalar("SELECT COALESCE(SUM(total_cents), 0) FROM orders "
                  "WHERE status IN ('reserved', 'shipped')")
        .value_or(0);
}

} // namespace inventory
