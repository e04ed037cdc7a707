"""Loading libodbctx.so and declaring the C functions the binding uses.

The library is loaded with RTLD_GLOBAL. For pyodbc's ODBC calls to be
captured, libodbctx.so must be in the global symbol scope *before* pyodbc's
extension module is loaded: pyodbc is linked with BIND_NOW, so its calls are
bound once, when it is imported. Loading odbctx first (the pytest plugin does
it when pytest starts) is enough; LD_PRELOAD=libodbctx.so also works and is
the only way when something imports pyodbc earlier.
"""

import ctypes
import ctypes.util
import os
import sys

_ERROR_TEXT = 1024


class Error(ctypes.Structure):
    """struct odbctx_error of odbctx.h."""

    _fields_ = [
        ("code", ctypes.c_int),
        ("sqlstate", ctypes.c_char * 6),
        ("native", ctypes.c_long),
        ("message", ctypes.c_char * _ERROR_TEXT),
    ]


def _candidates():
    """Where libodbctx.so may be, most specific first."""
    explicit = os.environ.get("ODBCTX_LIBRARY")
    if explicit:
        yield explicit
        return
    build = os.environ.get("ODBCTX_BUILD")
    if build:
        yield os.path.join(build, "libodbctx.so")
    # A checkout: bindings/python/odbctx/ -> build/ at the top.
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.normpath(os.path.join(here, "..", "..", "..", "build", "libodbctx.so"))
    found = ctypes.util.find_library("odbctx")
    if found:
        yield found
    yield "libodbctx.so.0"


def _load():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path + " (missing)")
            continue
        try:
            return ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError(
        "odbctx: cannot load libodbctx.so; set ODBCTX_LIBRARY to its path "
        "or install odbctx (tried: %s)" % "; ".join(tried)
    )


def _preloaded():
    """True when libodbctx.so came in through LD_PRELOAD."""
    return "libodbctx" in os.environ.get("LD_PRELOAD", "")


def pyodbc_captured():
    """False when pyodbc was imported before odbctx loaded and odbctx was not
    preloaded: its ODBC calls then bypass odbctx entirely."""
    return not _PYODBC_BEFORE or _preloaded()


_PYODBC_BEFORE = "pyodbc" in sys.modules
lib = _load()

_P = ctypes.c_void_p
_S = ctypes.c_char_p
_I = ctypes.c_int


def _declare(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_declare("odbctx_open", _I, ctypes.POINTER(_P), _S, ctypes.POINTER(Error))
_declare("odbctx_close", None, _P)
_declare("odbctx_dbms", _S, _P)
_declare("odbctx_connection", _S, _P)
_declare("odbctx_exec", _I, _P, _S)
_declare("odbctx_query_int", _I, _P, _S, ctypes.POINTER(ctypes.c_longlong))
_declare("odbctx_exec_file", _I, _P, _S)
_declare("odbctx_exec_script", _I, _P, _S, _S)
_declare("odbctx_schema_file", _I, _P, _S)
_declare("odbctx_schema_script", _I, _P, _S, _S)
_declare("odbctx_begin_test", _I, _P)
_declare("odbctx_end_test", _I, _P)
_declare("odbctx_in_test", _I, _P)
_declare("odbctx_commit", _I, _P)
_declare("odbctx_commit_setup", _I, _P)
_declare("odbctx_rollback", _I, _P)
_declare("odbctx_nested_begin", _I, _P)
_declare("odbctx_nested_commit", _I, _P)
_declare("odbctx_nested_rollback", _I, _P)
_declare("odbctx_nested_depth", _I, _P)
_declare("odbctx_last_error", ctypes.POINTER(Error), _P)
_declare("odbctx_strerror", _S, _I)
_declare("odbctx_redact", ctypes.c_size_t, _S, _S, ctypes.c_size_t)
_declare("odbctx_capture_start", _I, _P, _S)
_declare("odbctx_capture_stop", _I, _P)
_declare("odbctx_trace", _S, _P)
_declare("odbctx_uncommitted", _S, _P)
_declare("odbctx_keep_rows", _I, _P, _S, _S)
_declare("odbctx_keep_failed", _I, _P, _S, _S, ctypes.c_char_p, ctypes.c_size_t)
