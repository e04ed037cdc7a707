#!/usr/bin/env bash
# Capture of whole programs, on the database of ODBCTX_CONNECT (unset: an
# SQLite file of this script's own, which other connections can open):
#   - the ledger module built into a plain program that is not linked
#     against odbctx ($ODBCTX_BUILD/capture/ledger-prog), run through
#     odbctx-run: it behaves as on a real database while it runs, and
#     nothing it wrote survives, even when it crashes;
#   - unixODBC's isql through odbctx-run, on a DSN in a temporary odbc.ini;
#   - a Python program (Debian's /usr/bin/python3 with python3-pyodbc) under
#     LD_PRELOAD=libodbctx.so that drives odbctx through ctypes and works
#     through pyodbc, which uses the W entry points.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" capture-run
run="$build/bin/odbctx-run"
prog="$build/capture/ledger-prog"
need "$run" "$prog"
lib=$(readlink -f "$build/libodbctx.so")

conn=${ODBCTX_CONNECT:-}
[ -n "$conn" ] || conn="Driver=libsqlite3odbc.so;Database=$tmp/run.db;Timeout=10000;FKSupport=1;"
prefix="caprun$$_"
pyprefix="cappy$$_"
dsn="odbctx_run_$$"
on_exit '"$prog" "$conn" "$prefix" teardown >/dev/null 2>&1'
on_exit '"$prog" "$conn" "$pyprefix" teardown >/dev/null 2>&1'

counts() { "$prog" "$conn" "$1" count 2>&1; }

# A DSN for the database in conn. Drivers read their own key names from
# odbc.ini: psqlODBC Servername/Username/Password, MariaDB User/Password.
write_dsn() {
    printf '[%s]\n' "$dsn"
    printf '%s' "$conn" | tr ';' '\n' | awk -F= 'NF >= 2 {
        key = $1; value = substr($0, length($1) + 2)
        gsub(/^[{]|[}]$/, "", value)
        k = tolower(key)
        if (k == "driver") { driver = value; if (value ~ /sqlite/) value = "SQLite3" }
        pg = driver ~ /PostgreSQL|psqlodbc/
        if (k == "server" && pg) key = "Servername"
        else if (k == "uid") key = pg ? "Username" : "User"
        else if (k == "pwd") key = "Password"
        print key " = " value
    }'
}
write_dsn >"$tmp/odbc.ini"
export ODBCINI="$tmp/odbc.ini"

if ! "$prog" "$conn" "$prefix" setup >"$tmp/setup.log" 2>&1; then
    show <"$tmp/setup.log"
    bad "creating the ledger tables for real"
    finish
fi

# Control: run for real, the program's own checks pass and its rows stay.
"$prog" "$conn" "$prefix" scenario >"$tmp/real.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ "$(counts "$prefix")" = "accounts 2 entries 7" ]; then
    ok "without odbctx-run the program commits for real (accounts 2 entries 7)"
else
    show <"$tmp/real.log"
    bad "the program run for real (exit $rc, $(counts "$prefix"))"
fi
"$prog" "$conn" "$prefix" teardown >/dev/null 2>&1
"$prog" "$conn" "$prefix" setup >/dev/null 2>&1

"$run" "$prog" "$conn" "$prefix" scenario >"$tmp/run.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^balances 1=70 2=41$' "$tmp/run.log"; then
    ok "under odbctx-run the unmodified program's commits, rollbacks and second connection behave as for real"
else
    show <"$tmp/run.log"
    bad "the program under odbctx-run (exit $rc)"
fi
after=$(counts "$prefix")
[ "$after" = "accounts 0 entries 0" ] && ok "nothing the program wrote survives it" ||
    bad "after odbctx-run a fresh connection sees: $after"

# (Waited for in a subshell whose stderr is dropped: the shell's "Aborted"
# notice is noise here.)
rc=$( ("$run" "$prog" "$conn" "$prefix" crash >"$tmp/crash.log" 2>&1; echo $?) 2>/dev/null)
after=$(counts "$prefix")
if [ $rc -ne 0 ] && [ "$after" = "accounts 0 entries 0" ]; then
    ok "a program that crashes after committing leaves nothing behind (exit $rc)"
else
    show <"$tmp/crash.log"
    bad "crash: exit $rc, then a fresh connection sees: $after"
fi

# --connect: the program names a database that cannot be opened (an SQLite
# file in a folder that does not exist); the session goes to the database
# given instead.
"$run" --connect "$conn" "$prog" "${unopenable[1]}" "$prefix" scenario >"$tmp/connect.log" 2>&1
rc=$?
after=$(counts "$prefix")
if [ $rc -eq 0 ] && [ "$after" = "accounts 0 entries 0" ]; then
    ok "--connect opens the session on the given database"
else
    show <"$tmp/connect.log"
    bad "--connect: exit $rc, then a fresh connection sees: $after"
fi

# Fail closed: whenever the session cannot open, the program is not run
# (--connect), or every connection it makes is refused; odbctx-run exits
# 125 either way, and nothing reaches the database. One unopenable session
# of each kind that applies to this database (the prelude's, and on a
# server one that is down: a port nothing listens on).
[ -n "${ODBCTX_CONNECT:-}" ] && unopenable+=("$(printf '%s' "$conn" | sed 's/Port=[0-9]*/Port=1/')")
for u in "${unopenable[@]}"; do
    label=$(printf '%s' "$u" | sed 's/PWD=[^;]*/PWD=***/')
    rm -f "$tmp/started"
    "$run" --connect "$u" sh -c 'touch "$1"; exec "$2" "$3" "$4" scenario' sh "$tmp/started" \
        "$prog" "$conn" "$prefix" >"$tmp/closed.log" 2>&1
    rc=$?
    after=$(counts "$prefix")
    if [ $rc -eq 125 ] && [ ! -e "$tmp/started" ] && [ "$after" = "accounts 0 entries 0" ] &&
        grep -q 'cannot open the session' "$tmp/closed.log" && ! grep -q 'wrong_pw_0dbctx' "$tmp/closed.log"; then
        ok "--connect $label: the program is not started, exit 125"
    else
        show <"$tmp/closed.log"
        bad "--connect $label: exit $rc, started $([ -e "$tmp/started" ] && echo yes || echo no), then: $after"
    fi
    # Without --connect the program's own connection string opens the
    # session; when that fails, it and every later connection are refused.
    # A driver that is not installed never reaches odbctx: the driver
    # manager fails the connection itself, and nothing is written.
    "$run" "$prog" "$u" "$prefix" scenario >"$tmp/closed2.log" 2>&1
    rc=$?
    if [[ $u == *odbctx_no_such_driver* ]]; then
        after=$(counts "$prefix")
        if [ $rc -ne 0 ] && [ "$after" = "accounts 0 entries 0" ] &&
            grep -q "Can't open lib 'odbctx_no_such_driver'" "$tmp/closed2.log"; then
            ok "program connecting to $label: the driver manager fails it (exit $rc), nothing written"
        else
            show <"$tmp/closed2.log"
            bad "program connecting to $label: exit $rc, then: $after"
        fi
    elif [ $rc -eq 125 ] && grep -q 'connections are refused' "$tmp/closed2.log" &&
        grep -q 'odbctx refused this connection' "$tmp/closed2.log" &&
        ! grep -q 'wrong_pw_0dbctx' "$tmp/closed2.log"; then
        ok "program connecting to $label: its connection is refused, exit 125"
    else
        show <"$tmp/closed2.log"
        bad "program connecting to $label: exit $rc"
    fi
done
# The first connection fails to open the session, a second one to the good
# database is refused as well: the program cannot fall back to writing for real.
"$run" sh -c '"$1" "$2" "$4" scenario; "$1" "$3" "$4" scenario' sh "$prog" "${unopenable[1]}" "$conn" \
    "$prefix" >"$tmp/fallback.log" 2>&1
rc=$?
after=$(counts "$prefix")
if [ $rc -eq 125 ] && [ "$after" = "accounts 0 entries 0" ]; then
    ok "after a failed session open a fallback connection is refused too (exit 125)"
else
    show <"$tmp/fallback.log"
    bad "fallback after a failed session: exit $rc, then: $after"
fi
"$run" sh -c 'exit 7' && rc=0 || rc=$?
[ $rc -eq 7 ] && ok "odbctx-run passes the program's exit status through" || bad "exit status: $rc"
"$run" /nonexistent/odbctx-prog >/dev/null 2>&1 && rc=0 || rc=$?
[ $rc -eq 127 ] && ok "a program that is not found: exit 127" || bad "program not found: exit $rc"

"$run" --version | grep '^odbctx-run ' >/dev/null && ok "odbctx-run --version" || bad "odbctx-run --version"
"$run" >/dev/null 2>&1
[ $? -eq 2 ] && ok "odbctx-run without a program is a usage error" || bad "odbctx-run without a program"

# unixODBC's isql on the DSN: autocommit is on, so each line commits.
if command -v isql >/dev/null; then
    {
        echo "INSERT INTO ${prefix}account (id, owner) VALUES (5, 'isql')"
        echo "INSERT INTO ${prefix}entry (account, amount) VALUES (5, 12)"
        echo "COMMIT"
        echo "SELECT owner, amount FROM ${prefix}account JOIN ${prefix}entry ON account = id"
    } | "$run" isql -b -v "$dsn" >"$tmp/isql.log" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && grep -q 'isql' "$tmp/isql.log" && grep -q '12' "$tmp/isql.log"; then
        ok "isql under odbctx-run sees its own writes"
    else
        show <"$tmp/isql.log"
        bad "isql under odbctx-run (exit $rc)"
    fi
    after=$(counts "$prefix")
    [ "$after" = "accounts 0 entries 0" ] && ok "isql under odbctx-run leaves nothing behind" ||
        bad "after isql a fresh connection sees: $after"
else
    bad "isql is not installed (package unixodbc)"
fi

# Python through ctypes and pyodbc, under LD_PRELOAD.
if /usr/bin/python3 -c 'import pyodbc' 2>/dev/null; then
    if "$prog" "$conn" "$pyprefix" setup >"$tmp/pysetup.log" 2>&1; then
        preload="$lib"
        asan=${ASAN_OPTIONS:-}
        if [ -n "${ODBCTX_SANITIZER_PRELOAD:-}" ]; then
            preload="$ODBCTX_SANITIZER_PRELOAD $lib"
            asan="${asan:+$asan:}detect_leaks=0"
        fi
        LD_PRELOAD="$preload" ASAN_OPTIONS="$asan" /usr/bin/python3 tests/c/capture/pyodbc_capture.py \
            "$lib" "$conn" "$dsn" "$pyprefix" >"$tmp/py.log" 2>&1
        rc=$?
        cat "$tmp/py.log"
        n_ok=$(grep -c '^ok ' "$tmp/py.log")
        n_bad=$(grep -c '^FAIL ' "$tmp/py.log")
        pass=$((pass + n_ok))
        fail=$((fail + n_bad))
        if [ $rc -ne 0 ] && [ "$n_bad" -eq 0 ]; then
            bad "the Python program exited $rc"
        fi
        after=$(counts "$pyprefix")
        [ "$after" = "accounts 0 entries 0" ] && ok "nothing the Python program wrote survives" ||
            bad "after Python a fresh connection sees: $after"
    else
        show <"$tmp/pysetup.log"
        bad "creating the Python test's tables"
    fi
else
    bad "/usr/bin/python3 has no pyodbc (package python3-pyodbc)"
fi

finish
