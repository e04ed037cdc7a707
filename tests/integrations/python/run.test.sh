#!/usr/bin/env bash
# The Python binding (bindings/python) on the database of ODBCTX_CONNECT,
# with Debian's python3, python3-pytest and python3-pyodbc:
#   1. test_seed.py and test_children.py (programs a test starts join it)
#      with the plugin loading libodbctx.so through ctypes (RTLD_GLOBAL,
#      before pyodbc is imported), each test counted;
#   2. the same with LD_PRELOAD=libodbctx.so;
#   3. a deliberate failure: reported with database and SQL, cleaned up;
#   4. pyodbc imported before odbctx: refused with a clear message;
#   5. from a fresh connection after the runs: no tables, no rows left.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" python
py=/usr/bin/python3

if ! "$py" -c 'import pytest, pyodbc' 2>/dev/null; then
    echo "Debian's python3-pytest and python3-pyodbc are needed (make deps)"
    echo "0 passed, 1 failed"
    exit 1
fi
need "$build/libodbctx.so"
db=${ODBCTX_DB:-sqlite}

export PYTHONPATH="$root/bindings/python:$root/tests/integrations/python"
export PYTHONDONTWRITEBYTECODE=1
export ODBCTX_BUILD="$build"
export ODBCTX_SCHEMA="$root/examples/schema/$db.sql"
preload=
if [ "${ODBCTX_SANITIZE:-}" = 1 ]; then
    # An instrumented libodbctx.so in an uninstrumented python: the sanitizer
    # runtimes must be loaded first, in every python run; the interpreter's
    # own allocations at exit are not leaks of ours.
    preload="${ODBCTX_SANITIZER_PRELOAD:-} "
    export LD_PRELOAD="${ODBCTX_SANITIZER_PRELOAD:-}"
    export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0:verify_asan_link_order=0"
fi
pytest_args=(-p odbctx.pytest_plugin -p no:cacheprovider -q -o console_output_style=classic
             --rootdir "$root/tests/integrations/python")

# Counts the test cases of a JUnit report: "passed failed".
junit_counts() {
    "$py" - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
p = f = 0
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        f += 1
    elif case.find("skipped") is None:
        p += 1
print(p, f)
PY
}

run_seed() { # label, env...: test_seed.py and test_children.py
    local label=$1
    shift
    rm -f "$tmp/junit.xml"
    env "$@" "$py" -m pytest "${pytest_args[@]}" --junitxml="$tmp/junit.xml" \
        tests/integrations/python/test_seed.py tests/integrations/python/test_children.py \
        >"$tmp/$label.log" 2>&1
    local rc=$?
    sed "s/^/  [$label] /" "$tmp/$label.log"
    if [ -f "$tmp/junit.xml" ]; then
        read -r p f < <(junit_counts "$tmp/junit.xml")
        pass=$((pass + p))
        fail=$((fail + f))
        echo "$label: $p passed, $f failed"
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then bad "$label: pytest exited $rc"; fi
    else
        bad "$label: pytest wrote no report (exit $rc)"
    fi
}

run_seed ctypes LD_PRELOAD="${preload% }"
run_seed preload LD_PRELOAD="${preload}$build/libodbctx.so"

# pytest-xdist: three worker processes on one database, each an odbctx
# worker of its own without ODBCTX_WORKER (MariaDB collided on the schema's
# tables, PostgreSQL ran them one after another).
if "$py" -c 'import xdist' 2>/dev/null; then
    env -u ODBCTX_WORKER "$py" -m pytest "${pytest_args[@]}" -n 3 tests/integrations/python/test_seed.py \
        tests/integrations/python/xdist_example.py >"$tmp/xdist.log" 2>&1
    rc=$?
    sed 's/^/  [xdist] /' "$tmp/xdist.log"
    check "pytest -n 3: the seed tests and the worker check pass in three processes at once" test "$rc" -eq 0
    want="13 passed"
    [ -n "${ODBCTX_CONNECT:-}" ] || want="12 passed, 1 skipped"
    check "... every one of them ran ($want)" grep -q "$want" "$tmp/xdist.log"
else
    bad "pytest-xdist is missing (make deps installs python3-pytest-xdist)"
fi

# A deliberate failure.
"$py" -m pytest "${pytest_args[@]}" -rA tests/integrations/python/failing_example.py >"$tmp/fail.log" 2>&1
rc=$?
sed 's/^/  [failing] /' "$tmp/fail.log"
[ "$rc" -eq 1 ] && grep -q '1 failed, 1 passed' "$tmp/fail.log" &&
    ok "a failing test fails and the next one finds the table clean" ||
    bad "expected 1 failed, 1 passed (exit $rc)"
grep -q -- '-- odbctx --' "$tmp/fail.log" && grep -q 'written by a failing test' "$tmp/fail.log" &&
    ok "the failure report has an odbctx section with the test's SQL" ||
    bad "the failure report lacks the odbctx section or the SQL"
"$py" -m pytest "${pytest_args[@]}" --junitxml="$tmp/fail.xml" tests/integrations/python/failing_example.py \
    >/dev/null 2>&1
check "--junitxml: the failed test's <failure> holds its SQL" "$py" - "$tmp/fail.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
texts = [(f.text or "") + f.get("message", "") for c in root.iter("testcase")
         if c.get("name") == "test_fails_after_writing" for f in c.iter("failure")]
sys.exit(0 if any("written by a failing test" in t for t in texts) else 1)
PY
kept=$(sed -n 's/^the rows it wrote, as SQL that puts them back: //p' "$tmp/fail.log" | head -1)
check "the odbctx section names the file the failed test's rows were kept in" test -n "$kept"
if [ -n "$kept" ] && [ -f "$kept" ]; then
    check "... which holds its row" grep -q "written by a failing test" "$kept"
    rm -f "$kept"
fi

# Writes after the code's last commit: a warning by default, an error with
# ODBCTX_UNCOMMITTED=fail.
"$py" -m pytest "${pytest_args[@]}" tests/integrations/python/uncommitted_example.py >"$tmp/unc.log" 2>&1
rc=$?
sed 's/^/  [uncommitted] /' "$tmp/unc.log"
check "uncommitted writes: the test passes by default" test "$rc" -eq 0
check "... with a warning naming the statement" \
    grep -q "wrote rows it never committed" "$tmp/unc.log"
check "... the never-committed row" grep -q "VALUES ('never committed')" "$tmp/unc.log"
ODBCTX_UNCOMMITTED=fail "$py" -m pytest "${pytest_args[@]}" tests/integrations/python/uncommitted_example.py >"$tmp/uncfail.log" 2>&1
rc=$?
sed 's/^/  [uncommitted=fail] /' "$tmp/uncfail.log"
check "ODBCTX_UNCOMMITTED=fail: pytest fails" test "$rc" -ne 0
check "... with an error in the teardown saying why" grep -q "ODBCTX_EUNCOMMITTED" "$tmp/uncfail.log"
password_hidden "pytest's output" "$tmp"/*.log

# Fail closed: a session that cannot open stops the run before any body.
fail_closed "pytest" "$py" -m pytest "${pytest_args[@]}" tests/integrations/python/fail_closed_example.py

# pyodbc first: its calls could not be captured, so the plugin refuses.
"$py" -c 'import pyodbc, sys; sys.path.insert(0, "bindings/python"); import odbctx; print(odbctx.pyodbc_captured())' \
    >"$tmp/first.log" 2>&1
grep -qx False "$tmp/first.log" && ok "pyodbc imported before odbctx is detected" ||
    bad "pyodbc imported first was not detected: $(cat "$tmp/first.log")"
LD_PRELOAD="${preload}$build/libodbctx.so" "$py" -c 'import pyodbc, sys; sys.path.insert(0, "bindings/python"); import odbctx; print(odbctx.pyodbc_captured())' \
    >"$tmp/first2.log" 2>&1
grep -qx True "$tmp/first2.log" && ok "with LD_PRELOAD the import order does not matter" ||
    bad "LD_PRELOAD was not recognised: $(cat "$tmp/first2.log")"

# Installed as a package, pytest finds the plugin through its pytest11 entry
# point, without -p. Needs pip and setuptools, which are optional here.
if "$py" -m pip --version >/dev/null 2>&1 && "$py" -c 'import setuptools' 2>/dev/null; then
    cp -r bindings/python "$tmp/src"
    if "$py" -m pip install -q --no-deps --no-build-isolation --no-index --target "$tmp/site" \
            "$tmp/src" >"$tmp/pip.log" 2>&1; then
        PYTHONPATH="$tmp/site:$root/tests/integrations/python" ODBCTX_LIBRARY="$build/libodbctx.so" \
            "$py" -m pytest -q -p no:cacheprovider --rootdir "$root/tests/integrations/python" \
            tests/integrations/python/test_seed.py >"$tmp/installed.log" 2>&1 &&
            ok "the pip-installed package registers the plugin (no -p): $(tail -n 1 "$tmp/installed.log")" ||
            bad "the pip-installed plugin: $(tail -n 5 "$tmp/installed.log")"
        # pip built in the source copy and left its metadata there, as it
        # does in bindings/python: the README's other method (-p, the source
        # on PYTHONPATH) must still work, and both at once.
        check "pip install left its egg-info in the source tree (the case to cover)" \
            test -d "$tmp/src/odbctx.egg-info"
        for paths in "$tmp/src" "$tmp/site:$tmp/src"; do
            PYTHONPATH="$paths:$root/tests/integrations/python" ODBCTX_LIBRARY="$build/libodbctx.so" \
                "$py" -m pytest "${pytest_args[@]}" tests/integrations/python/test_seed.py \
                >"$tmp/both.log" 2>&1
            check "after pip install, -p odbctx.pytest_plugin works too (PYTHONPATH=${paths//$tmp/\$tmp})" \
                grep -q " passed" "$tmp/both.log"
            grep -q " passed" "$tmp/both.log" || show <"$tmp/both.log"
            check "... without \"Plugin already registered\"" \
                sh -c '! grep -q "already registered" "$1"' _ "$tmp/both.log"
        done
    else
        bad "pip install bindings/python: $(tail -n 5 "$tmp/pip.log")"
    fi
else
    skip "the pip-installed package: no pip or setuptools for $py"
fi

# Nothing left, seen by a client that is not under odbctx.
if [ -n "${ODBCTX_CONNECT:-}" ]; then
    "$py" - <<'PY' >"$tmp/left.log" 2>&1
import os, pyodbc
conn = pyodbc.connect(os.environ["ODBCTX_CONNECT"], autocommit=True)
tables = rows = 0
for t in ("customers", "products", "orders", "order_lines", "stock_moves", "audit_log"):
    try:
        n = conn.cursor().execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0]
    except pyodbc.Error:
        continue
    tables += 1
    rows += n
print("tables left: %d, rows left: %d" % (tables, rows))
PY
    cat "$tmp/left.log"
    grep -qx 'tables left: 0, rows left: 0' "$tmp/left.log" &&
        ok "a fresh connection after the runs finds no tables and no rows" ||
        bad "the runs left something behind"
fi

finish
