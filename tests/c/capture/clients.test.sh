#!/usr/bin/env bash
# Real ODBC clients of other languages under odbctx-run, on the database of
# ODBCTX_CONNECT (unset: an SQLite file of this script's own): PHP's odbc_*
# and PDO_ODBC, Perl's DBD::ODBC and Python's pyodbc (Debian's packages),
# unixODBC's isql, and the ledger program linked against iODBC instead of
# unixODBC. Each runs the same steps for real and under odbctx-run: what it
# prints (counts inside its transactions, the SQLSTATE of an error, the SQL
# type a varchar column is reported as) must be the same both ways, the
# trace must show its statements, and a fresh connection afterwards must
# see nothing it wrote under odbctx-run.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" capture-clients
run="$build/bin/odbctx-run"
prog="$build/capture/ledger-prog"
iprog="$build/capture/ledger-prog-iodbc"
need "$run" "$prog" "$iprog"
here=tests/c/capture/clients

conn=${ODBCTX_CONNECT:-}
[ -n "$conn" ] || conn="Driver=libsqlite3odbc.so;Database=$tmp/clients.db;Timeout=10000;FKSupport=1;"
t="clients$$_t"
sql() { printf '%s\n' "$1" | isql -b -d, -k "$conn" 2>&1; }
on_exit 'sql "DROP TABLE $t" >/dev/null'
if ! sql "CREATE TABLE $t (id INT PRIMARY KEY, who VARCHAR(20))" >"$tmp/setup.log" ||
    grep -q ERROR "$tmp/setup.log"; then
    show <"$tmp/setup.log"
    bad "creating $t for real"
    finish
fi
rows() { sql "SELECT count(*) FROM $t" | tr -d ' \r'; }

# Under `make check-asan` odbctx-run preloads the sanitizer runtimes into the
# program. Perl and Python free little at exit, by design: LeakSanitizer
# would report the interpreter, so it is off for them (the C programs below
# keep it). PHP cannot run there at all: it loads its extensions with
# RTLD_DEEPBIND, which the ASan runtime refuses (google/sanitizers#611).
interp_asan=${ASAN_OPTIONS:-}
sanitized=
if [ -n "${ODBCTX_SANITIZER_PRELOAD:-}" ]; then
    sanitized=1
    interp_asan="${interp_asan:+$interp_asan:}detect_leaks=0"
fi
php_ok() { # php_ok WHAT: PHP can be run here
    [ -z "$sanitized" ] && return 0
    skip "$1: PHP cannot load a sanitized driver (RTLD_DEEPBIND); it runs in make check"
    return 1
}

# client NAME COMMAND...: COMMAND CONN TABLE, for real and under odbctx-run.
client() {
    local name=$1
    shift
    "$@" "$conn" "$t" >"$tmp/real.out" 2>"$tmp/real.err"
    local rc_real=$? real_rows
    real_rows=$(rows)
    sql "DELETE FROM $t" >/dev/null
    ODBCTX_TRACE=1 ASAN_OPTIONS="$interp_asan" "$run" "$@" "$conn" "$t" >"$tmp/run.out" 2>"$tmp/run.err"
    local rc=$? after
    after=$(rows)
    if [ $rc_real -ne 0 ] || [ "$real_rows" != 2 ]; then
        show <"$tmp/real.err"
        bad "$name for real: exit $rc_real, $real_rows rows (expected 2)"
    else
        ok "$name for real commits 2 rows"
    fi
    if [ $rc -eq 0 ] && cmp -s "$tmp/real.out" "$tmp/run.out"; then
        ok "$name under odbctx-run behaves as for real: $(paste -sd';' "$tmp/run.out")"
    else
        echo "  | for real:"; show <"$tmp/real.out"
        echo "  | under odbctx-run (exit $rc):"; show <"$tmp/run.out"; show <"$tmp/run.err"
        bad "$name under odbctx-run differs from the real run"
    fi
    if grep -q "\[captured\] INSERT INTO $t" "$tmp/run.err"; then
        ok "$name: the trace shows its statements"
    else
        show <"$tmp/run.err"
        bad "$name: the trace shows nothing of it"
    fi
    [ "$after" = 0 ] && ok "$name: nothing it wrote under odbctx-run survives" ||
        bad "$name: a fresh connection sees $after rows after odbctx-run"
    sql "DELETE FROM $t" >/dev/null
}

if ! php_ok "PHP odbc_*"; then
    :
elif php -m 2>/dev/null | grep -x odbc >/dev/null; then
    client "PHP odbc_*" php "$here/odbc.php"
else
    bad "php has no odbc module (packages php-cli, php-odbc)"
fi
if ! php_ok "PHP PDO_ODBC"; then
    :
elif php -m 2>/dev/null | grep -x PDO_ODBC >/dev/null; then
    client "PHP PDO_ODBC" php "$here/pdo.php"
else
    bad "php has no PDO_ODBC (package php-odbc)"
fi
if perl -MDBD::ODBC -e 1 2>/dev/null; then
    client "Perl DBD::ODBC" perl "$here/dbi.pl"
else
    bad "perl has no DBD::ODBC (package libdbd-odbc-perl)"
fi
if /usr/bin/python3 -c 'import pyodbc' 2>/dev/null; then
    client "Python pyodbc" /usr/bin/python3 "$here/pyodbc_client.py"
else
    bad "/usr/bin/python3 has no pyodbc (package python3-pyodbc)"
fi

# Two connections, one transaction: B's autocommit commits what A has not,
# and the trace says so at B's statement. (Not run for real: A's pending
# row would hold B's insert on a lock there.)
if /usr/bin/python3 -c 'import pyodbc' 2>/dev/null; then
    ODBCTX_TRACE=1 ASAN_OPTIONS="$interp_asan" "$run" /usr/bin/python3 "$here/two_connections.py" "$conn" "$t" >"$tmp/two.out" 2>"$tmp/two.err"
    rc=$?
    if [ $rc -eq 0 ] && grep -q "rows after A's rollback: 2" "$tmp/two.out" &&
        grep -A1 "\[captured\] INSERT INTO $t (id, who) VALUES (11" "$tmp/two.err" |
        grep -q "two connections, one transaction -> connection 2's uncommitted work was committed with connection 3's"; then
        ok "two connections: B's autocommit keeps A's pending row, and the trace says so at B's statement"
    else
        show <"$tmp/two.out"; show <"$tmp/two.err"
        bad "two connections under odbctx-run (exit $rc)"
    fi
    [ "$(rows)" = 0 ] && ok "two connections: nothing survives the run" || bad "two connections: $(rows) rows survive"
fi

# isql, an ODBC 2 program: the same SQLSTATE for an error with and without
# odbctx (ODBC 2's S0002 / S1000 where the driver says 42S02 / HY000).
isql_state() { printf 'SELECT * FROM %s_missing\n' "$t" | "$@" isql -v -k "$conn" 2>&1 | grep -o '^\[[0-9A-Z]\{5\}\]' | head -1; }
real_state=$(isql_state)
run_state=$(isql_state "$run")
if [ -n "$real_state" ] && [ "$real_state" = "$run_state" ]; then
    ok "isql gets the same SQLSTATE with and without odbctx: $run_state"
else
    bad "isql's SQLSTATE: $real_state for real, $run_state under odbctx-run"
fi

# MariaDB commits DDL implicitly: under odbctx-run a program's table DDL
# runs as a temporary table of its test, and what cannot is refused.
if [ "${ODBCTX_DB:-}" = mariadb ] && php_ok "MariaDB DDL from PHP"; then
    "$run" php -r '$c = odbc_connect($argv[1], "", "");
        $t = "{$argv[2]}_ddl";
        echo @odbc_exec($c, "CREATE TABLE $t (x INT)") ? "created\n" : odbc_errormsg($c) . "\n";
        echo @odbc_exec($c, "INSERT INTO $t VALUES (1)") ? "inserted\n" : odbc_errormsg($c) . "\n";
        $r = odbc_exec($c, "SELECT COUNT(*) FROM $t"); odbc_fetch_row($r); echo "rows=" . odbc_result($r, 1) . "\n";
        echo @odbc_exec($c, "ALTER TABLE $t ADD COLUMN y INT") ? "altered\n" : odbc_errormsg($c) . "\n";' \
        "$conn" "$t" >"$tmp/ddl.out" 2>&1
    if grep -qx created "$tmp/ddl.out" && grep -qx rows=1 "$tmp/ddl.out" &&
        grep -q 'ALTER TABLE .*Nothing was run' "$tmp/ddl.out" &&
        sql "SELECT count(*) FROM ${t}_ddl" | grep -q ERROR; then
        ok "MariaDB DDL from PHP under odbctx-run: CREATE TABLE runs in the test, ALTER is refused, no table is left"
    else
        show <"$tmp/ddl.out"
        sql "DROP TABLE ${t}_ddl" >/dev/null
        bad "MariaDB DDL from PHP under odbctx-run"
    fi
fi

# The ledger program linked against iODBC's libiodbc.so.2: iODBC loads
# odbctx's driver from the configuration odbctx-run made.
prefix="capio$$_"
on_exit '"$prog" "$conn" "$prefix" teardown >/dev/null 2>&1'
if "$prog" "$conn" "$prefix" setup >"$tmp/io-setup.log" 2>&1; then
    "$run" "$iprog" "$conn" "$prefix" scenario >"$tmp/iodbc.log" 2>&1
    rc=$?
    after=$("$prog" "$conn" "$prefix" count 2>&1)
    if [ $rc -eq 0 ] && grep -q '^balances 1=70 2=41$' "$tmp/iodbc.log" &&
        [ "$after" = "accounts 0 entries 0" ]; then
        ok "a C program on iODBC is captured: it behaves as for real and leaves nothing behind"
    else
        show <"$tmp/iodbc.log"
        bad "the iODBC program under odbctx-run: exit $rc, then: $after"
    fi
else
    show <"$tmp/io-setup.log"
    bad "creating the ledger tables for the iODBC program"
fi

finish
