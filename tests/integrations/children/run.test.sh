#!/usr/bin/env bash
# The children suite (children.hpp): C, Python and PHP programs that a
# Catch2 test and a GoogleTest test start join the test. Before each
# binary, the table ch_item is created for real and empty (on SQLite in a
# database file of this script's own, named in ODBCTX_CONNECT); after it, a
# fresh connection must find it empty and the suite's schema table gone.
# Each test case counts as one check; then the example of docs/children.md
# is built and run. Under the sanitizers the PHP cases are skipped: PHP cannot load a sanitized driver (RTLD_DEEPBIND).
# Last line: "N passed, N failed[, N skipped]".
. "$(dirname "$0")/../../support/prelude.sh" children
catch2="$build/children/catch2"
gtest="$build/children/gtest"
need "$catch2" "$gtest" "$build/share/share-child"
export ODBCTX_BUILD="$build"

if [ -z "${ODBCTX_CONNECT:-}" ]; then
    export ODBCTX_CONNECT="Driver=SQLite3;Database=$tmp/children_test.db;Timeout=10000;"
fi
conn=$ODBCTX_CONNECT

sql() { echo "$1" | isql -b -k "$conn" 2>&1; }
# The integer in the one row of a query's isql table, "" when it failed.
value() { sql "$1" | sed -n 's/^| *\([0-9][0-9]*\) *|$/\1/p' | head -n 1; }
fresh_table() {
    sql "DROP TABLE ch_item" >/dev/null
    sql "CREATE TABLE ch_item (id INTEGER, name VARCHAR(60), note TEXT)" >/dev/null
    [ "$(value "SELECT COUNT(*) FROM ch_item")" = 0 ] || { bad "cannot create ch_item on the database"; finish; }
}
on_exit 'sql "DROP TABLE ch_item" >/dev/null'

php_filter_catch2= php_filter_gtest=
if [ -n "${ODBCTX_SANITIZER_PRELOAD:-}" ]; then
    php_filter_catch2='~[php]'
    php_filter_gtest='-*php*'
fi


# tally NAME RC PASSED FAILED SKIPPED_NAMES...: counts a binary's run, then
# what is left for a client that no test shares, then the skipped cases.
tally() {
    local name=$1 rc=$2 passed=$3 failed=$4 case
    shift 4
    pass=$((pass + ${passed:-0}))
    fail=$((fail + ${failed:-0}))
    [ -n "$passed" ] || bad "$name: no summary (exit $rc)"
    [ "$rc" -eq 0 ] || [ "${failed:-0}" -gt 0 ] || bad "$name: exited $rc with no failed test"
    check "$name: a fresh connection finds ch_item empty after the suite" \
        test "$(value "SELECT COUNT(*) FROM ch_item")" = 0
    check "$name: the suite's schema table is gone with the suite" \
        test -z "$(value "SELECT COUNT(*) FROM ch_made")"
    for case; do
        skip "$name: $case (PHP cannot load a sanitized driver; it runs in make check)"
    done
}

# Catch2: "test cases: 9 | 8 passed | 1 failed" or "All tests passed (... in 9 test cases)".
fresh_table
timeout -k 5 600 "$catch2" $php_filter_catch2 >"$tmp/catch2.log" 2>&1
rc=$?
show <"$tmp/catch2.log"
passed=$(sed -n 's/^All tests passed (.* in \([0-9]*\) test cases\?)$/\1/p' "$tmp/catch2.log")
failed=0
if [ -z "$passed" ]; then
    passed=$(sed -n 's/^test cases: *[0-9]* | *\([0-9]*\) passed.*/\1/p' "$tmp/catch2.log")
    failed=$(sed -n 's/^test cases:.*| *\([0-9]*\) failed.*/\1/p' "$tmp/catch2.log")
fi
left_out=()
[ -n "$php_filter_catch2" ] && mapfile -t left_out < <("$catch2" --list-test-names-only '[php]' | grep .)
tally catch2 "$rc" "$passed" "$failed" "${left_out[@]}"

fresh_table
timeout -k 5 600 "$gtest" ${php_filter_gtest:+--gtest_filter=$php_filter_gtest} >"$tmp/gtest.log" 2>&1
rc=$?
show <"$tmp/gtest.log"
passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' "$tmp/gtest.log" | tail -n 1)
failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below:.*/\1/p' "$tmp/gtest.log" | tail -n 1)
left_out=()
[ -n "$php_filter_gtest" ] && mapfile -t left_out < <("$gtest" --gtest_list_tests --gtest_filter='*php*' |
    sed -n 's/^  \([a-z_]*\).*/Children.\1/p')
tally gtest "$rc" "$passed" "$failed" "${left_out[@]}"

# The example of docs/children.md, as a reader would copy it: the script,
# the test, the data file; built against this tree, run on this database
# (python3 being Debian's, which has pyodbc).
mkdir -p "$tmp/example"
block() { # block LANG: the first ```LANG block after "## Example"
    awk -v lang="$1" '/^## Example/ { on = 1 } on && $0 == "```" lang { inb = 1; next }
        inb && $0 == "```" { exit } inb { print }' docs/children.md
}
block python >"$tmp/example/import_orders.py"
block cpp >"$tmp/example/import_test.cpp"
printf 'A-1,2\nB-7,1\n' >"$tmp/example/orders.csv"
san=()
[ -n "${ODBCTX_SANITIZER_PRELOAD:-}" ] && san=(-fsanitize=address,undefined)
if [ -s "$tmp/example/import_orders.py" ] && [ -s "$tmp/example/import_test.cpp" ] &&
    ${CXX:-g++} -std=c++23 "${san[@]}" -I"$root/include" "$tmp/example/import_test.cpp" \
        -o "$tmp/example/import_test" -L"$build" -Wl,-rpath,"$build" -lodbctx++ -lodbctx -lodbc \
        >"$tmp/example.log" 2>&1; then
    # Under the sanitizers the child needs their runtimes first (children.hpp).
    (cd "$tmp/example" &&
        if [ ${#san[@]} -gt 0 ]; then
            export LD_PRELOAD="$ODBCTX_SANITIZER_PRELOAD" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
        fi
        PATH="/usr/bin:$PATH" ./import_test) >>"$tmp/example.log" 2>&1
    rc=$?
    show <"$tmp/example.log"
    check "the example of docs/children.md passes on this database" test "$rc" -eq 0
else
    show <"$tmp/example.log"
    bad "the example of docs/children.md does not build"
fi

password_hidden "the children suite's output" "$tmp/catch2.log" "$tmp/gtest.log" "$tmp/example.log"
finish
