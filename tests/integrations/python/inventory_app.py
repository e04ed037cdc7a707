"""A small pyodbc application module in the style of the seed recipe's
myapp: it connects from a configured connection string, commits after its
writes and rolls back in its error paths. It knows nothing of odbctx."""

import pyodbc

# Set by the application's configuration; the tests' conftest.py sets it to
# odbctx.connection_string(), which capture routes into the test's session.
CONNECT = None


def connect(autocommit=False):
    return pyodbc.connect(CONNECT, autocommit=autocommit)


def add_customer(conn, name, email):
    cur = conn.cursor()
    cur.execute("INSERT INTO customers (name, email) VALUES (?, ?)", name, email)
    conn.commit()


def move_stock(conn, from_sku, to_sku, qty):
    """Moves qty units between products; all or nothing. The CHECK
    (stock >= 0) of the schema makes an overdraw fail."""
    cur = conn.cursor()
    try:
        cur.execute("UPDATE products SET stock = stock + ? WHERE sku = ?", qty, to_sku)
        cur.execute("UPDATE products SET stock = stock - ? WHERE sku = ?", qty, from_sku)
        conn.commit()
    except pyodbc.Error:
        conn.rollback()
        raise


def audit(conn, message):
    """Old code: commits with SQL text instead of conn.commit()."""
    cur = conn.cursor()
    cur.execute("INSERT INTO audit_log (message) VALUES (?)", message)
    cur.execute("COMMIT")
