"""Code in another language, captured: run by run.test.sh with Debian's
/usr/bin/python3 (which has python3-pyodbc) under LD_PRELOAD=libodbctx.so.

The test itself drives odbctx through the C ABI with ctypes: it opens a
session, captures the DSN and begins a test. The code under test uses
pyodbc, which calls the W entry points (SQLDriverConnectW, SQLExecDirectW,
SQLGetDiagRecW, ...): its connection joins the session, its commits and
rollbacks become savepoint restarts, and nothing survives the test.

    python3 pyodbc_capture.py LIBODBCTX CONN DSN PREFIX

Prints "ok ..." / "FAIL ..." lines; exit status 1 when anything failed.
"""
import ctypes
import sys

import pyodbc

lib_path, conn, dsn, prefix = sys.argv[1:5]
results = {"ok": 0, "FAIL": 0}


def check(cond, what):
    word = "ok" if cond else "FAIL"
    results[word] += 1
    print(f"{word} python: {what}", flush=True)


class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("sqlstate", ctypes.c_char * 6),
                ("native", ctypes.c_long), ("message", ctypes.c_char * 1024)]


lib = ctypes.CDLL(lib_path)
lib.odbctx_open.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.POINTER(Error)]
lib.odbctx_capture_start.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.odbctx_query_int.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_longlong)]
for name in ("odbctx_begin_test", "odbctx_end_test", "odbctx_capture_stop"):
    getattr(lib, name).argtypes = [ctypes.c_void_p]
lib.odbctx_close.argtypes = [ctypes.c_void_p]
lib.odbctx_close.restype = None
lib.odbctx_trace.argtypes = [ctypes.c_void_p]
lib.odbctx_trace.restype = ctypes.c_char_p


def session_count(s, table):
    n = ctypes.c_longlong(-1)
    rc = lib.odbctx_query_int(s, f"SELECT COUNT(*) FROM {prefix}{table}".encode(), ctypes.byref(n))
    return n.value if rc == 0 else None


def fresh_count(table):
    c = pyodbc.connect(conn, autocommit=True)
    try:
        return c.cursor().execute(f"SELECT COUNT(*) FROM {prefix}{table}").fetchone()[0]
    finally:
        c.close()


s = ctypes.c_void_p()
err = Error()
if lib.odbctx_open(ctypes.byref(s), conn.encode(), ctypes.byref(err)) != 0:
    print(f"FAIL python: odbctx_open: {err.message.decode()}")
    sys.exit(1)
check(lib.odbctx_capture_start(s, dsn.encode()) == 0, "odbctx_capture_start through ctypes")
check(lib.odbctx_begin_test(s) == 0, "odbctx_begin_test through ctypes")

db = pyodbc.connect(f"DSN={dsn}")  # autocommit off, as pyodbc's default
cur = db.cursor()
cur.execute(f"INSERT INTO {prefix}account (id, owner) VALUES (?, ?)", 1, "py")
db.commit()
cur.execute(f"INSERT INTO {prefix}entry (account, amount) VALUES (1, 10)")
db.rollback()
check(session_count(s, "account") == 1 and session_count(s, "entry") == 0,
      "pyodbc's commit and rollback act on the test's transaction")
check(fresh_count("account") == 0, "another connection sees nothing of pyodbc's commit")

cur.execute(f"INSERT INTO {prefix}entry (account, amount) VALUES (1, 20)")
cur.execute("COMMIT")
check(cur.description is None, "COMMIT as text leaves the cursor without a result set")
cur.execute(f"INSERT INTO {prefix}entry (account, amount) VALUES (1, 40)")
cur.execute("ROLLBACK")
total = cur.execute(f"SELECT SUM(amount) FROM {prefix}entry").fetchone()[0]
check(total == 20, f"COMMIT and ROLLBACK as text through SQLExecDirectW (sum {total}, want 20)")

db.autocommit = True
check(db.autocommit, "autocommit reads back as on")
cur.execute(f"INSERT INTO {prefix}entry (account, amount) VALUES (1, 5)")
try:
    cur.execute(f"INSERT INTO {prefix}account (id, owner) VALUES (1, 'again')")
    check(False, "a duplicate key fails under autocommit")
except pyodbc.Error:
    check(True, "a duplicate key fails under autocommit")
cur.execute(f"INSERT INTO {prefix}entry (account, amount) VALUES (1, 1)")
db.rollback()
total = cur.execute(f"SELECT SUM(amount) FROM {prefix}entry").fetchone()[0]
check(total == 26, f"statements under autocommit are committed one by one (sum {total}, want 26)")
db.autocommit = False

try:
    cur.execute("SAVEPOINT odbctx_python")
    check(False, "a savepoint named like odbctx's is refused")
except pyodbc.Error as e:
    check("3B001" in str(e) and "odbctx" in str(e),
          f"a savepoint named like odbctx's is refused with a readable error: {e}")

info = db.getinfo(pyodbc.SQL_DBMS_NAME)
check(bool(info), f"SQLGetInfoW on the captured connection answers ({info})")
db.close()

trace = lib.odbctx_trace(s).decode(errors="replace")
check("[captured] INSERT INTO" in trace, "the trace shows pyodbc's statements")
check(lib.odbctx_end_test(s) == 0, "odbctx_end_test")
check(session_count(s, "account") == 0, "the test's rows are gone from the session")
lib.odbctx_close(s)
check(fresh_count("account") == 0 and fresh_count("entry") == 0,
      "a fresh connection after the session sees nothing")
sys.exit(1 if results["FAIL"] else 0)
