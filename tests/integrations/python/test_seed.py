"""The seed recipe's scenario with pyodbc: factory-created rows, an app
commit, an app rollback in an error path, and an empty table in the next
test. The tests run in file order; the "empty" tests check what the tests
before them left behind."""

import pyodbc
import pytest

import odbctx
import inventory_app
from conftest import CommittedProductFactory, CustomerFactory, ProductFactory

TABLES = ("customers", "products", "orders", "order_lines", "stock_moves", "audit_log")


def count(conn, table, where="", *params):
    return conn.cursor().execute("SELECT COUNT(*) FROM %s %s" % (table, where), *params).fetchone()[0]


def all_empty(conn):
    return {t: count(conn, t) for t in TABLES if count(conn, t)}


def test_factories_create_rows(db):
    obj = ProductFactory.create(name="foobar")
    assert obj.id is not None
    CustomerFactory.create_batch(3)
    # The seed's check: query the database directly for the object.
    row = db.cursor().execute("SELECT id, sku FROM products WHERE name = ?", "foobar").fetchone()
    assert row is not None and row.id == obj.id and row.sku == obj.sku
    assert count(db, "customers") == 3


def test_after_factories_tables_are_empty(db):
    assert all_empty(db) == {}


def test_app_commit_is_visible_in_the_test(db, app_conn):
    inventory_app.add_customer(app_conn, "Ada", "ada@example.com")
    assert count(db, "customers", "WHERE email = ?", "ada@example.com") == 1
    # The application's commit is an app-level one: a rollback now returns
    # to it, not to the start of the test.
    app_conn.rollback()
    assert count(db, "customers") == 1


def test_app_rollback_in_an_error_path(db, app_conn):
    ProductFactory.create(sku="A", stock=5)
    ProductFactory.create(sku="B", stock=0)
    inventory_app.move_stock(app_conn, "A", "B", 2)  # commits
    with pytest.raises(pyodbc.Error):
        inventory_app.move_stock(app_conn, "B", "A", 3)  # overdraws B: rolled back
    stock = dict(db.cursor().execute("SELECT sku, stock FROM products").fetchall())
    assert stock == {"A": 3, "B": 2}


def test_next_test_sees_empty_tables(db):
    assert all_empty(db) == {}


def test_a_textual_commit_is_captured(db, app_conn):
    inventory_app.audit(app_conn, "hello")
    assert count(db, "audit_log") == 1


def test_an_autocommit_connection_is_captured(db):
    conn = inventory_app.connect(autocommit=True)
    conn.cursor().execute("INSERT INTO audit_log (message) VALUES ('autocommitted')")
    conn.close()
    assert count(db, "audit_log") == 1


def test_factory_persistence_commit(db):
    CommittedProductFactory.create()
    db.rollback()  # an app rollback returns to the factory's commit
    assert count(db, "products") == 1


def test_still_empty(db):
    assert all_empty(db) == {}


def test_factory_build_runs_no_sql(db):
    row = ProductFactory.build(name="built")
    assert row.name == "built" and row.stock == 10
    assert count(db, "products") == 0


def test_session_api(odbctx_session):
    s = odbctx.current()
    assert s is odbctx_session
    assert s.dbms in ("SQLite", "PostgreSQL", "MariaDB", "MySQL")
    assert s.in_test
    s.nested_begin()
    s.exec("INSERT INTO audit_log (message) VALUES ('nested')")
    s.nested_rollback()
    assert s.query_int("SELECT COUNT(*) FROM audit_log") == 0
    with pytest.raises(odbctx.OdbctxError) as e:
        s.exec("SELECT * FROM no_such_table_here")
    assert e.value.name == "ODBCTX_ESQL"


def test_redaction():
    assert odbctx.redact("Driver=x;PWD=secret;UID=u") == "Driver=x;PWD=***;UID=u"
