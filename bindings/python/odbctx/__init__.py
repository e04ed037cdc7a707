"""odbctx for Python: isolated database tests for pyodbc code, through the C
ABI of libodbctx.so (ctypes).

Every test runs in a transaction that is rolled back; what the code under
test commits or rolls back through pyodbc becomes a savepoint restart
(capture), so nothing a test does outlives it. Use it from pytest with
`-p odbctx.pytest_plugin` (see pytest_plugin.py).

Import odbctx before pyodbc, or preload the library
(LD_PRELOAD=libodbctx.so): pyodbc binds its ODBC calls when it is imported.
"""

from ._lib import pyodbc_captured
from .factory import Factory, LazyAttribute, Row, Sequence
from .registry import NoSessionError, connection, connection_string, current, register, unregister
from .session import OdbctxError, Session, redact

__all__ = [
    "Factory", "LazyAttribute", "NoSessionError", "OdbctxError", "Row", "Sequence", "Session",
    "connection", "connection_string", "current", "pyodbc_captured", "redact", "register",
    "unregister",
]
