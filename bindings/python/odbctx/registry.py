"""The registry: the session of the running suite, reached without passing it
around, as SQLAlchemy's scoped_session is. The pytest plugin registers its
session here; application code and factories call current()."""

import threading

_lock = threading.Lock()
_session = None
_conn_str = None
_connection = None


class NoSessionError(RuntimeError):
    pass


def register(session, conn_str):
    """Makes session current. conn_str is what application code passes to
    pyodbc.connect; capture routes such connections into the session."""
    global _session, _conn_str, _connection
    with _lock:
        _session, _conn_str, _connection = session, conn_str, None


def unregister():
    global _session, _conn_str, _connection
    with _lock:
        if _connection is not None:
            try:
                _connection.close()
            except Exception:
                pass
        _session, _conn_str, _connection = None, None, None


def current():
    """The registered odbctx.Session; NoSessionError when there is none."""
    s = _session
    if s is None or s.closed:
        raise NoSessionError(
            "odbctx.current(): no session is registered; run the tests with the "
            "odbctx pytest plugin (-p odbctx.pytest_plugin) or call odbctx.register()"
        )
    return s


def connection_string():
    """The string application code connects with to land in the session."""
    current()
    return _conn_str


def connection():
    """A pyodbc connection that runs on the current session (opened once and
    shared, like a scoped Session): what factories use."""
    global _connection
    current()
    with _lock:
        if _connection is None:
            import pyodbc

            _connection = pyodbc.connect(_conn_str)
        return _connection
