"""Programs a pytest test starts with subprocess join the test
(docs/children.md): a Python program with a pyodbc connection of its own,
knowing nothing of odbctx, sees the test's rows, the test sees its commit,
and the next test sees none of it. The tests run in file order."""

import subprocess
import sys

import odbctx
from conftest import CustomerFactory

# The child: counts the customers, adds one and commits, prints the count.
CHILD = r"""
import sys, pyodbc
conn = pyodbc.connect(sys.argv[1], autocommit=False)
cur = conn.cursor()
seen = cur.execute("SELECT COUNT(*) FROM customers").fetchone()[0]
cur.execute("INSERT INTO customers (name, email) VALUES (?, ?)", sys.argv[2], sys.argv[2] + "@example.com")
conn.commit()
print(seen)
"""


def child(name):
    r = subprocess.run([sys.executable, "-c", CHILD, odbctx.connection_string(), name],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return int(r.stdout.strip())


def customers(db):
    return db.cursor().execute("SELECT COUNT(*) FROM customers").fetchone()[0]


def test_a_child_process_sees_the_test_and_is_seen(db):
    CustomerFactory.create_batch(2)
    assert child("first") == 2
    assert customers(db) == 3


def test_two_children_see_each_other(db):
    assert child("first") == 0
    assert child("second") == 1
    assert customers(db) == 2


def test_the_next_test_sees_nothing_of_them(db):
    assert customers(db) == 0
