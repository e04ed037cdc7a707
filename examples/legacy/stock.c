#include "stock.h"

#include <sqlext.h>

#include <stdio.h>
#include <string.h>

static char last_error[512];

const char *stock_last_error(void)
{
    return last_error;
}

static int fail_with(SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    SQLCHAR state[6] = "", msg[400] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (h && SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len)))
        snprintf(last_error, sizeof last_error, "%s: [%s] %s", what, (char *)state, (char *)msg);
    else
        snprintf(last_error, sizeof last_error, "%s", what);
    return -1;
}

/* Runs one statement with up to three parameters (NULL ends the list of
 * strings; ints come first). Legacy style: a fresh handle every time. */
static SQLRETURN run(SQLHDBC dbc, const char *sql, SQLLEN *rows, int n_ints, const int *ints,
                     const char *s1, const char *s2)
{
    SQLHSTMT st;
    SQLRETURN rc = SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    if (!SQL_SUCCEEDED(rc))
        return fail_with(SQL_HANDLE_DBC, dbc, "allocating a statement"), rc;
    SQLUSMALLINT p = 1;
    SQLINTEGER ivals[3];
    for (int i = 0; i < n_ints && i < 3; i++) {
        ivals[i] = ints[i];
        SQLBindParameter(st, p++, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &ivals[i], 0,
                         NULL);
    }
    SQLLEN nts1 = SQL_NTS, nts2 = SQL_NTS;
    if (s1)
        SQLBindParameter(st, p++, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 200, 0,
                         (SQLPOINTER)s1, 0, &nts1);
    if (s2)
        SQLBindParameter(st, p++, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 200, 0,
                         (SQLPOINTER)s2, 0, &nts2);
    rc = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
        fail_with(SQL_HANDLE_STMT, st, sql);
    else if (rows && !SQL_SUCCEEDED(SQLRowCount(st, rows)))
        *rows = -1;
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return rc;
}

static int ok(SQLRETURN rc)
{
    return SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA;
}

int stock_receive(SQLHDBC dbc, const char *sku, int qty, const char *reason)
{
    SQLLEN rows = 0;
    last_error[0] = '\0';
    if (!ok(run(dbc, "UPDATE products SET stock = stock + ? WHERE sku = ?", &rows, 1, &qty, sku,
                NULL)))
        goto rollback;
    if (rows != 1) {
        snprintf(last_error, sizeof last_error, "no product with SKU %s", sku);
        goto rollback;
    }
    if (!ok(run(dbc, "INSERT INTO stock_moves (product_id, delta, reason) "
                     "SELECT id, ?, ? FROM products WHERE sku = ?",
                NULL, 1, &qty, reason, sku)))
        goto rollback;
    SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT);
    return 0;

rollback:
    SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
    return -1;
}

int stock_reserve_order(SQLHDBC dbc, long order_id)
{
    enum { MAX_LINES = 64 };
    SQLINTEGER product[MAX_LINES], qty[MAX_LINES];
    int n = 0;
    SQLINTEGER oid = (SQLINTEGER)order_id;
    SQLHSTMT st;
    last_error[0] = '\0';

    /* Read all lines first: one statement at a time on the connection. */
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st)))
        return fail_with(SQL_HANDLE_DBC, dbc, "allocating a statement");
    SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &oid, 0, NULL);
    if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)"SELECT product_id, qty FROM order_lines "
                                                   "WHERE order_id = ? ORDER BY id",
                                     SQL_NTS))) {
        fail_with(SQL_HANDLE_STMT, st, "reading the order lines");
        SQLFreeHandle(SQL_HANDLE_STMT, st);
        return -1;
    }
    SQLINTEGER p, q;
    SQLBindCol(st, 1, SQL_C_SLONG, &p, 0, NULL);
    SQLBindCol(st, 2, SQL_C_SLONG, &q, 0, NULL);
    while (n < MAX_LINES && SQL_SUCCEEDED(SQLFetch(st))) {
        product[n] = p;
        qty[n] = q;
        n++;
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    if (n == 0) {
        snprintf(last_error, sizeof last_error, "order %ld has no lines", order_id);
        return -1;
    }

    for (int i = 0; i < n; i++) {
        int args[3] = {qty[i], product[i], qty[i]};
        SQLLEN rows = 0;
        if (!ok(run(dbc, "UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?",
                    &rows, 3, args, NULL, NULL)))
            goto rollback;
        if (rows != 1) {
            snprintf(last_error, sizeof last_error, "not enough stock of product %d for order %ld",
                     (int)product[i], order_id);
            goto rollback;
        }
        int move[2] = {product[i], -qty[i]};
        if (!ok(run(dbc, "INSERT INTO stock_moves (product_id, delta, reason) "
                         "VALUES (?, ?, 'reserved')",
                    NULL, 2, move, NULL, NULL)))
            goto rollback;
    }
    int id = (int)order_id;
    if (!ok(run(dbc, "UPDATE orders SET status = 'reserved' WHERE id = ?", NULL, 1, &id, NULL,
                NULL)))
        goto rollback;
    SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT);
    return 0;

rollback:
    SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
    return -1;
}

int stock_audit(SQLHDBC dbc, const char *message)
{
    last_error[0] = '\0';
    if (!ok(run(dbc, "INSERT INTO audit_log (message) VALUES (?)", NULL, 0, NULL, message, NULL)))
        return -1;
    /* Written long before anyone here had heard of SQLEndTran. */
    if (!ok(run(dbc, "COMMIT", NULL, 0, NULL, NULL, NULL)))
        return -1;
    return 0;
}

int stock_write_off(SQLHDBC dbc, const char *sku, int qty)
{
    last_error[0] = '\0';
    SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0);
    SQLLEN rows = 0;
    int rc = -1;
    if (!ok(run(dbc, "UPDATE products SET stock = stock - ? WHERE sku = ?", &rows, 1, &qty, sku,
                NULL)))
        goto out;
    if (rows != 1) {
        snprintf(last_error, sizeof last_error, "no product with SKU %s", sku);
        goto out;
    }
    int delta = -qty;
    if (!ok(run(dbc, "INSERT INTO stock_moves (product_id, delta, reason) "
                     "SELECT id, ?, 'written off' FROM products WHERE sku = ?",
                NULL, 1, &delta, sku, NULL)))
        goto out;
    rc = 0;
out:
    SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0);
    return rc;
}

int stock_count_low(const char *conn, int threshold, long *count)
{
    SQLHENV env = SQL_NULL_HENV;
    SQLHDBC dbc = SQL_NULL_HDBC;
    int rc = -1;
    last_error[0] = '\0';
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
                                        SQL_DRIVER_NOPROMPT))) {
        fail_with(SQL_HANDLE_DBC, dbc, "connecting for the low-stock report");
        goto free;
    }
    SQLHSTMT st;
    SQLINTEGER limit = threshold, n = 0;
    if (SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st))) {
        SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &limit, 0, NULL);
        if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)"SELECT COUNT(*) FROM products WHERE stock < ?",
                                        SQL_NTS)) &&
            SQL_SUCCEEDED(SQLFetch(st)) &&
            SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SLONG, &n, 0, NULL))) {
            *count = n;
            rc = 0;
        } else {
            fail_with(SQL_HANDLE_STMT, st, "counting low stock");
        }
        SQLFreeHandle(SQL_HANDLE_STMT, st);
    }
    SQLDisconnect(dbc);
free:
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return rc;
}
