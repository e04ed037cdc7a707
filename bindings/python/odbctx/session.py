"""odbctx.Session: one ODBC connection with a suite transaction, through the C ABI."""

import ctypes

from . import _lib

_lib_ = _lib.lib


def _text(b):
    return b.decode("utf-8", "replace") if b is not None else ""


def _bytes(s):
    return s.encode("utf-8") if s is not None else None


class OdbctxError(Exception):
    """A failed odbctx call: code (negative ODBCTX_E*), name ("ODBCTX_ESQL"),
    sqlstate ("" when not from the driver), native and message. The message
    never contains a password."""

    def __init__(self, code, sqlstate, native, message):
        self.code = code
        self.name = _text(_lib_.odbctx_strerror(code))
        self.sqlstate = sqlstate
        self.native = native
        self.message = message
        state = " [%s]" % sqlstate if sqlstate else ""
        super().__init__("%s%s: %s" % (self.name, state, message))

    @classmethod
    def from_struct(cls, err, code):
        return cls(err.code or code, _text(err.sqlstate), err.native, _text(err.message))


def redact(conn):
    """conn with every PWD=/Password= value replaced by ***."""
    raw = _bytes(conn)
    n = _lib_.odbctx_redact(raw, None, 0) + 1
    buf = ctypes.create_string_buffer(n)
    _lib_.odbctx_redact(raw, buf, n)
    return _text(buf.value)


class Session:
    """Owns one C session. Every method raises OdbctxError on failure.

    conn: an ODBC connection string; None or "" opens the embedded SQLite
    default, which close() removes.
    """

    def __init__(self, conn=None):
        handle = ctypes.c_void_p()
        err = _lib.Error()
        rc = _lib_.odbctx_open(ctypes.byref(handle), _bytes(conn or ""), ctypes.byref(err))
        if rc != 0:
            raise OdbctxError.from_struct(err, rc)
        self._s = handle

    def close(self):
        """Rolls back everything and disconnects; a second close does nothing."""
        if self._s:
            _lib_.odbctx_close(self._s)
            self._s = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _check(self, rc):
        if rc != 0:
            raise OdbctxError.from_struct(_lib_.odbctx_last_error(self._s).contents, rc)

    @property
    def handle(self):
        """The odbctx_session* as an integer, for other ctypes code."""
        return self._s.value if self._s else None

    @property
    def closed(self):
        return not self._s

    @property
    def dbms(self):
        return _text(_lib_.odbctx_dbms(self._s))

    @property
    def connection(self):
        """The connection string, passwords redacted; "" for the embedded default."""
        return _text(_lib_.odbctx_connection(self._s))

    def exec(self, sql):
        self._check(_lib_.odbctx_exec(self._s, _bytes(sql)))

    def query_int(self, sql):
        out = ctypes.c_longlong()
        self._check(_lib_.odbctx_query_int(self._s, _bytes(sql), ctypes.byref(out)))
        return out.value

    def exec_file(self, path):
        self._check(_lib_.odbctx_exec_file(self._s, _bytes(str(path))))

    def exec_script(self, script, name="script"):
        self._check(_lib_.odbctx_exec_script(self._s, _bytes(script), _bytes(name)))

    def schema_file(self, path):
        self._check(_lib_.odbctx_schema_file(self._s, _bytes(str(path))))

    def schema_script(self, script, name="schema"):
        self._check(_lib_.odbctx_schema_script(self._s, _bytes(script), _bytes(name)))

    def begin_test(self):
        self._check(_lib_.odbctx_begin_test(self._s))

    def end_test(self):
        self._check(_lib_.odbctx_end_test(self._s))

    @property
    def in_test(self):
        return _lib_.odbctx_in_test(self._s) == 1

    def commit(self):
        """App-level commit: a savepoint restart; the rows stay until the test ends."""
        self._check(_lib_.odbctx_commit(self._s))

    def commit_setup(self):
        """commit() for test setup (factories): the session's later writes do not
        count as the application's in uncommitted."""
        self._check(_lib_.odbctx_commit_setup(self._s))

    def rollback(self):
        """App-level rollback: back to the last app commit."""
        self._check(_lib_.odbctx_rollback(self._s))

    def nested_begin(self):
        self._check(_lib_.odbctx_nested_begin(self._s))

    def nested_commit(self):
        self._check(_lib_.odbctx_nested_commit(self._s))

    def nested_rollback(self):
        self._check(_lib_.odbctx_nested_rollback(self._s))

    @property
    def nested_depth(self):
        return _lib_.odbctx_nested_depth(self._s)

    def capture_start(self, pattern="*"):
        """Routes raw ODBC use (pyodbc included) into this session: commits and
        rollbacks become savepoint restarts, and connections whose connection
        string contains pattern ("*": every one) join the session's
        transaction. None captures only the session's own connection."""
        self._check(_lib_.odbctx_capture_start(self._s, _bytes(pattern)))

    def capture_stop(self):
        self._check(_lib_.odbctx_capture_stop(self._s))

    @property
    def trace(self):
        """The SQL the current test ran, one statement a line with its outcome."""
        return _text(_lib_.odbctx_trace(self._s))

    @property
    def uncommitted(self):
        """The writes of the test that ended last that came after its code's
        last commit, which production would have rolled back ("" if none)."""
        return _text(_lib_.odbctx_uncommitted(self._s))

    def keep_rows(self, path, header=""):
        """Writes the rows of the tables the running test wrote to, as a
        script that puts them back, to path."""
        self._check(_lib_.odbctx_keep_rows(self._s, _bytes(path), _bytes(header or "")))

    def keep_failed(self, test, header=""):
        """keep_rows for a failed test, where ODBCTX_FAILED_ROWS says; returns
        the file's path ("" when ODBCTX_FAILED_ROWS=0)."""
        out = ctypes.create_string_buffer(8192)
        self._check(_lib_.odbctx_keep_failed(self._s, _bytes(test), _bytes(header or ""), out,
                                             len(out)))
        return _text(out.value)
