"""pytest plugin: every test runs in its own odbctx test transaction, as the
seed recipe's autouse `session` fixture does for SQLAlchemy.

Turn it on with `-p odbctx.pytest_plugin` (or `pytest_plugins =
["odbctx.pytest_plugin"]` in the top conftest.py; an installed package
registers it through the pytest11 entry point). Loading the plugin loads
libodbctx.so, before the test modules import pyodbc, so pyodbc's calls are
captured.

Configuration:
  ODBCTX_CONNECT / --odbctx-connect   connection string ("" = embedded SQLite)
  ODBCTX_SCHEMA / ini odbctx_schema   schema file(s) run once for the suite
                                      (several separated by os.pathsep)
  ini odbctx_capture                  which connections pyodbc code opens are
                                      captured ("*", the default: all of them)

Writes a test's code never committed (after its last commit) are a
UncommittedWrites warning, an error with ODBCTX_UNCOMMITTED=fail; a failed
test's rows are kept as a script named in its odbctx report section
(ODBCTX_FAILED_ROWS).

Fixtures:
  odbctx_session   the suite's odbctx.Session (session scope)
  odbctx_test      autouse: begin_test before each test, end_test after it
  db               a pyodbc connection running on the session
  db_connect       the connection string application code should use
"""

import os
import warnings

import pytest

from . import registry
from ._lib import pyodbc_captured
from .session import Session


class UncommittedWrites(UserWarning):
    """A test wrote rows after its code's last commit (odbctx_uncommitted)."""


def pytest_addoption(parser):
    group = parser.getgroup("odbctx", "isolated database tests (odbctx)")
    group.addoption("--odbctx-connect", default=None,
                    help="ODBC connection string (default: $ODBCTX_CONNECT; empty: the "
                         "embedded SQLite default)")
    parser.addini("odbctx_schema", "schema file(s) created once for the suite", default="")
    parser.addini("odbctx_capture", "connection-string pattern of captured connections",
                  default="*")


def _schema_files(config):
    value = os.environ.get("ODBCTX_SCHEMA") or config.getini("odbctx_schema")
    files = [f for f in value.split(os.pathsep) if f.strip()] if value else []
    return [f if os.path.isabs(f) else os.path.join(str(config.rootpath), f) for f in files]


def _app_connect_string(conn):
    # The embedded default has no connection string of its own; with every
    # connection captured, any string lands in the session, and one that
    # names the driver keeps pyodbc's own checks happy.
    return conn if conn else "Driver=SQLite3;Database=odbctx-embedded"


@pytest.fixture(scope="session")
def odbctx_session(pytestconfig):
    if not pyodbc_captured():
        pytest.exit("odbctx: pyodbc was imported before odbctx loaded, so its ODBC calls "
                    "cannot be captured; load the plugin with -p odbctx.pytest_plugin or "
                    "run with LD_PRELOAD=libodbctx.so", returncode=3)
    conn = pytestconfig.getoption("odbctx_connect")
    if conn is None:
        conn = os.environ.get("ODBCTX_CONNECT", "")
    # Fail closed: without a session no test body may run (its writes
    # would reach the database for real), so the run stops here, once.
    try:
        session = Session(conn)
    except Exception as e:
        pytest.exit("odbctx: the session could not be opened, so no test is run: %s" % e,
                    returncode=3)
    try:
        for path in _schema_files(pytestconfig):
            session.schema_file(path)
        pattern = pytestconfig.getini("odbctx_capture") or None
        session.capture_start(pattern)
        registry.register(session, _app_connect_string(conn))
        yield session
    finally:
        registry.unregister()
        try:
            session.capture_stop()
        except Exception:
            pass
        session.close()


@pytest.fixture(autouse=True)
def odbctx_test(request, odbctx_session):
    if request.node.get_closest_marker("no_odbctx"):
        yield odbctx_session
        return
    odbctx_session.begin_test()
    try:
        yield odbctx_session
    finally:
        # end_test reports a lost suite transaction (an isolation breach),
        # and with ODBCTX_UNCOMMITTED=fail writes never committed, as an error
        # in the test's teardown; the session is ready again anyway.
        odbctx_session.end_test()
        pending = odbctx_session.uncommitted
        if pending:
            warnings.warn(UncommittedWrites(
                "%s wrote rows it never committed; production would have rolled them back "
                "when the connection closed (ODBCTX_UNCOMMITTED=fail fails the test):\n%s"
                % (request.node.nodeid, pending)))


@pytest.fixture
def db(odbctx_test):
    """The shared pyodbc connection factories use; it runs on the session."""
    return registry.connection()


@pytest.fixture
def db_connect(odbctx_session):
    return registry.connection_string()


def pytest_configure(config):
    config.addinivalue_line("markers", "no_odbctx: run this test outside any odbctx test "
                                       "transaction")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed or call.when == "teardown":
        return
    try:
        s = registry.current()
    except registry.NoSessionError:
        return
    where = s.connection or "embedded SQLite default"
    kept = ""
    if s.in_test:
        # Before the teardown discards them: the rows, as a script.
        try:
            path = s.keep_failed(item.nodeid, "test: %s" % item.nodeid)
            if path:
                kept = "\nthe rows it wrote, as SQL that puts them back: %s" % path
        except Exception as e:
            kept = "\nthe rows it wrote were not kept: %s" % e
    text = "database: %s (%s)\nSQL of this test:\n%s%s" % (s.dbms, where, s.trace or "(none)", kept)
    # Into the failure's own text, which --junitxml writes into the test's
    # <failure> element, where CI shows it; else a section of the report.
    if hasattr(report.longrepr, "addsection"):
        report.longrepr.addsection("odbctx", text)
    else:
        report.sections.append(("odbctx", text))
