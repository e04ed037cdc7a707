#!/usr/bin/env bash
# A test suite in the manner of the MariaDB driver's own, whose tests make
# and drop their tables (legacy/ddl_suite.c), run on its own and under
# odbctx-run, both ways (--connect, and the program's own connection
# opening the session): every test gives the same result, except those
# that ALTER or index a table, which MariaDB commits even on a temporary
# table and odbctx therefore refuses, naming the statement; and afterwards
# no table of the run is left. MariaDB only: its DDL is what commits.
# Last line: "N passed, N failed[, N skipped]".
. "$(dirname "$0")/../../support/prelude.sh" ddl-suite
run="$build/bin/odbctx-run"
suite="$build/capture/ddl-suite"
need "$run" "$suite"
if [ "${ODBCTX_DB:-}" != mariadb ]; then
    skip "the driver-style DDL suite: MariaDB's DDL commits; elsewhere it is transactional (tests/c/capture/ddl.cpp)"
    finish
fi
conn=$ODBCTX_CONNECT
p="ddls$$"

sql() { echo "$1" | isql -b -k "$conn" 2>&1; }
left() {
    sql "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '${1}\\_%'" |
        sed -n 's/^| *\([0-9][0-9]*\) *|$/\1/p'
}

"$suite" "$conn" "${p}a" >"$tmp/alone.out" 2>&1
show <"$tmp/alone.out"
check "on its own: every test passes" grep -qx "12 passed, 0 failed" "$tmp/alone.out"

# compare NAME FILE: FILE reports what alone.out does, but for the refused tests.
compare() {
    local name=$1 file=$2 test line want
    show <"$file"
    local same=1
    while read -r line; do
        test=${line#ok }
        case "$test" in
        alter | index)
            grep -q "^FAIL $test: .*failed (25000)" "$file" || same=0
            ;;
        *) grep -qx "ok $test" "$file" || same=0 ;;
        esac
    done < <(grep '^ok ' "$tmp/alone.out")
    check "$name: the same result for every test, ALTER and CREATE INDEX refused" test "$same" = 1
    check "$name: 10 passed, 2 failed" grep -qx "10 passed, 2 failed" "$file"
}

ODBCTX_TRACE=1 "$run" --connect "$conn" "$suite" "$conn" "${p}b" >"$tmp/connect.out" 2>"$tmp/connect.err"
compare "under odbctx-run --connect" "$tmp/connect.out"
grep -q "ALTER TABLE ${p}b_t11 ADD COLUMN v INT: on MariaDB .*Nothing was run" "$tmp/connect.err" &&
    ok "the trace names the refused ALTER" || bad "the trace does not name the refused ALTER"
check "under odbctx-run --connect: no table is left" test "$(left "${p}b")" = 0

"$run" "$suite" "$conn" "${p}c" >"$tmp/own.out" 2>&1
compare "under odbctx-run" "$tmp/own.out"
check "under odbctx-run: no table is left" test "$(left "${p}c")" = 0
check "on its own: no table is left either" test "$(left "${p}a")" = 0

password_hidden "the suite's output" "$tmp"/*.out "$tmp"/*.err
finish
