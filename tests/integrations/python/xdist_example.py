"""Run by run.test.sh under pytest-xdist (-n 3): each xdist worker is an
odbctx worker without ODBCTX_WORKER, on a database of its own."""
import os

import pytest


def test_each_xdist_worker_has_a_database_of_its_own(db, odbctx_session):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    assert worker, "run with pytest -n"
    query = {"PostgreSQL": "SELECT current_database()", "MariaDB": "SELECT DATABASE()",
             "MySQL": "SELECT DATABASE()"}.get(odbctx_session.dbms)
    if query is None:
        pytest.skip("the embedded SQLite default is private to its process already")
    name = db.cursor().execute(query).fetchone()[0]
    assert name.endswith("_w" + worker[2:]), name
