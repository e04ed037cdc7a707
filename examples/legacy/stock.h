/*
 * The stock module of the inventory app: C written against raw ODBC, the
 * way a lot of production code still is. It knows nothing of odbctx and is
 * tested as it is, under capture (see examples/tests/).
 *
 * Its habits are the ones that break naive test isolation:
 *   - it commits after every write with SQLEndTran(SQL_COMMIT);
 *   - it rolls back in its error paths with SQLEndTran(SQL_ROLLBACK);
 *   - it writes the audit log and then sends "COMMIT" as SQL text;
 *   - the write-off switches autocommit on "to be safe" and back off;
 *   - the low-stock report opens a connection of its own from a
 *     connection string, as a reporting job would.
 *
 * Every function returns 0 on success and -1 on failure, with a message in
 * stock_last_error(). The dbc is the caller's, with autocommit off.
 */
#ifndef INVENTORY_STOCK_H
#define INVENTORY_STOCK_H

#include <sql.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Goods in: adds qty to the product's stock and records the move, then
 * commits. An unknown SKU rolls back and fails. */
int stock_receive(SQLHDBC dbc, const char *sku, int qty, const char *reason);

/* Takes the stock every line of an order needs and marks the order
 * "reserved", then commits. When any line cannot be served, everything it
 * took is rolled back and the order is left as it was. */
int stock_reserve_order(SQLHDBC dbc, long order_id);

/* Appends a line to the audit log and commits it with a textual COMMIT. */
int stock_audit(SQLHDBC dbc, const char *message);

/* Writes off damaged goods with autocommit switched on: each statement
 * commits on its own. Restores autocommit off before it returns. */
int stock_write_off(SQLHDBC dbc, const char *sku, int qty);

/* Counts the products with less than threshold in stock, on a connection
 * of its own opened from conn (closed again before it returns). */
int stock_count_low(const char *conn, int threshold, long *count);

/* Why the last call failed; "" after a success. */
const char *stock_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
