#!/usr/bin/env bash
# The catch2_only binary (include <odbctx/catch2.hpp> and nothing else) on
# the database of ODBCTX_CONNECT:
#   - its tests in other orders than the runner's (lex, random);
#   - the schema from ODBCTX_SCHEMA, in every order;
#   - tests that fail, throw and leave levels open on purpose: they fail,
#     the report names the test, database, redacted connection, SQL and
#     fake-data seed, never the password, and the next test sees nothing;
#   - reuse mode (ODBCTX_SCHEMA_REUSE=1): built on the first run, reused on
#     the second, rebuilt when the schema file changes.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" catch2
bin="$build/tests/integrations/catch2"
schema="$root/tests/integrations/catch2/schema.sql"
need "$bin"
conn=${ODBCTX_CONNECT:-}

# run NAME ARGS...: runs the binary, output in $tmp/NAME.out/.err, status in $rc
run() {
    local name=$1
    shift
    "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
}

# sql_fails CONN SQL: the statement fails on CONN (isql exits 0 either way).
# grep reads all of isql's output: with -q it could exit first, and pipefail
# would then turn isql's SIGPIPE into "did not fail".
sql_fails() { echo "$2" | isql -b -k "$1" 2>&1 | grep "ERROR" >/dev/null; }

shows() { grep -qF -- "$2" "$tmp/$1"; }
hides() { ! grep -qF -- "$2" "$tmp/$1"; }

for order in "lex" "rand --rng-seed 1" "rand --rng-seed 2" "rand --rng-seed 3"; do
    # shellcheck disable=SC2086
    run visible --order $order
    check "visible tests pass with --order $order" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || cat "$tmp/visible.out" "$tmp/visible.err"
done

for order in "decl" "lex" "rand --rng-seed 4" "rand --rng-seed 5"; do
    # shellcheck disable=SC2086
    ODBCTX_SCHEMA=$schema run schema "[.schema]" --order $order
    check "ODBCTX_SCHEMA tests pass with --order $order" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || cat "$tmp/schema.out" "$tmp/schema.err"
done
# The schema lived in the suite transaction (or was dropped at the end on
# MariaDB): nothing of it is left in the database.
if [ -n "$conn" ] && command -v isql >/dev/null; then
    check "the ODBCTX_SCHEMA table c2o_item is gone after the runs" \
        sql_fails "$conn" "SELECT COUNT(*) FROM c2o_item"
fi
ODBCTX_SCHEMA=/nonexistent/odbctx.sql run noschema "[.schema]"
check "a missing ODBCTX_SCHEMA file fails the tests that need it" test "$rc" -ne 0
# The session cannot open, so Catch2 ends the run before any body and
# prints the reason on stderr.
check "... and says why" shows noschema.err "ODBCTX_EIO"

# Fake data per run and section: replayable from the seed, different per seed.
draws() { ODBCTX_SEED=$2 "$bin" "[.fake_print]" >"$tmp/$1.out" 2>&1 && grep '^draw:' "$tmp/$1.out" >"$tmp/$1.draws"; }
if draws d1 777 && draws d2 777 && draws d3 778; then
    lines=$(wc -l <"$tmp/d1.draws")
    values=$(awk '{print $NF}' "$tmp/d1.draws" | sort -u | wc -l)
    check "GENERATE x SECTION: 3 runs x 2 sections, 12 draws" test "$lines" -eq 12
    check "... every one of them different" test "$values" -eq 12
    check "... the same again with the same ODBCTX_SEED" cmp -s "$tmp/d1.draws" "$tmp/d2.draws"
    common=$(comm -12 <(awk '{print $NF}' "$tmp/d1.draws" | sort) <(awk '{print $NF}' "$tmp/d3.draws" | sort) | wc -l)
    check "... and none of them with another seed" test "$common" -eq 0
else
    bad "the [.fake_print] runs failed"; show <"$tmp/d1.out"
fi

# The deliberate failures, with the console reporter: the report is in stdout.
run bad "[.deliberate]" --order decl
# Catch2 exits with the number of failed assertions: 2 in test 1, 1 in each of 2 and 3.
check "deliberate failures: 4 assertions fail" test "$rc" -eq 4
check "... and the test after them passes" shows bad.out "test cases: 4 | 1 passed | 3 failed"
check "report names the test and the database" \
    shows bad.out 'odbctx: test "deliberate 1: fails after writing and committing" failed on '
check "report names the section path" \
    shows bad.out 'odbctx: test "deliberate 3: fails in a section with a nested level open / inner" failed'
check "report shows the SQL of the failed run" shows bad.out "leak-1"
check "report shows the thrown test's SQL" shows bad.out "leak-2"
check "report shows the fake-data seed" shows bad.out "ODBCTX_SEED="
check "a failed expected prints odbctx's error" shows bad.out "error: ODBCTX_ESQL"
check "a failed comparison of a query's value prints the value" shows bad.out "1 == 42"
check "... not \"ok\"" hides bad.out "ok == 42"
check "a passing run prints no report" hides bad.out 'test "deliberate 4'
password=$(printf '%s' "$conn" | sed -n 's/.*[Pp][Ww][Dd]=\([^;]*\).*/\1/p')
if [ -n "$password" ]; then
    check "report shows the connection redacted" shows bad.out "PWD=***"
    check "the password appears nowhere" hides bad.out "$password"
    check "... nor on stderr" hides bad.err "$password"
else
    check "report names the embedded default" shows bad.out "embedded SQLite default"
fi

# A failed run's rows are kept as a script that puts them back, named in
# the report (ODBCTX_FAILED_ROWS; 0 keeps none).
ODBCTX_FAILED_ROWS="$tmp/rows" run keep "[.deliberate]" --order decl
kept=$(sed -n 's/^odbctx: the rows it wrote, as SQL that puts them back: //p' "$tmp/keep.out" | head -1)
check "a failed run's report names the file its rows were kept in" test -n "$kept"
check "... in ODBCTX_FAILED_ROWS" test "${kept#"$tmp/rows/"}" != "$kept"
check "... and every failed run has one" test "$(grep -c '^odbctx: the rows it wrote' "$tmp/keep.out")" -eq 3
if [ -n "$kept" ] && [ -f "$kept" ]; then
    check "... which holds the row the test wrote" grep -q "VALUES ('leak-1')" "$kept"
    check "... and the fake-data seed" grep -q "^-- .*ODBCTX_SEED=" "$kept"
    check "... and empties the table first" grep -q "^DELETE FROM c2o_temp;" "$kept"
    if [ -n "$password" ]; then
        check "... and not the password" sh -c '! grep -qF -- "$1" "$2"' _ "$password" "$kept"
    fi
else
    bad "the kept rows file is missing"
fi
check "the passing run keeps no file" test "$(find "$tmp/rows" -name 'deliberate_4*' | wc -l)" -eq 0
ODBCTX_FAILED_ROWS=0 run nokeep "[.deliberate]" --order decl
check "ODBCTX_FAILED_ROWS=0 keeps no rows" hides nokeep.out "the rows it wrote"

# Writes after the code's last commit: a note by default, a failure with
# ODBCTX_UNCOMMITTED=fail.
run unc "[.uncommitted]"
check "uncommitted writes: the passing run still passes by default" test "$rc" -eq 0
check "... with a note naming what production would have rolled back" \
    shows unc.out "wrote rows it never committed"
check "... the statement" shows unc.out "[test] INSERT INTO c2o_temp (name) VALUES ('lost-1')"
check "... and not the committed one" hides unc.out "VALUES ('kept-1')"
ODBCTX_UNCOMMITTED=fail run uncfail "[.uncommitted]"
check "ODBCTX_UNCOMMITTED=fail: the program fails" test "$rc" -ne 0
check "... saying why" shows uncfail.out "left writes uncommitted (ODBCTX_UNCOMMITTED=fail)"
check "... after Catch2's summary" shows uncfail.err "the program fails"
ODBCTX_UNCOMMITTED=maybe run uncbad "[.uncommitted]"
check "a bad ODBCTX_UNCOMMITTED runs no test and names the value" test "$rc" -ne 0
check "... naming the value" shows uncbad.err "ODBCTX_UNCOMMITTED=maybe"

# Other reporters keep their documents clean: the report goes to stderr.
run badxml "[.deliberate]" --order decl -r xml
check "with -r xml the report is on stderr" shows badxml.err 'odbctx: test "deliberate 1'
check "... which stays well-formed" python3 -c \
    "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$tmp/badxml.out"
# ... and inside it: the failed test case's element holds its report.
in_case() { # file format test-name text: the text is in that test case's element
    /usr/bin/python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
path, fmt, name, text = sys.argv[1:]
root = ET.parse(path).getroot()
cases = [c for c in root.iter("testcase" if fmt == "junit" else "TestCase")
         if name in (c.get("name", "") + " " + c.get("classname", ""))]
sys.exit(0 if any(text in "".join(c.itertext()) for c in cases) else 1)
PY
}
check "... in the XML, the failed test case's StdOut holds its SQL" \
    in_case "$tmp/badxml.out" xml "deliberate 1" "VALUES ('leak-1')"
check "... and not another test case's" \
    sh -c '! "$@"' _ in_case "$tmp/badxml.out" xml "deliberate 2" "VALUES ('leak-1')"
run badjunit "[.deliberate]" --order decl -r junit
check "with -r junit the JUnit file stays well-formed" python3 -c \
    "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$tmp/badjunit.out"
check "... and the failed test's testcase holds its SQL (system-out)" \
    in_case "$tmp/badjunit.out" junit "deliberate 1" "VALUES ('leak-1')"
check "... and the thrown one's its own" \
    in_case "$tmp/badjunit.out" junit "deliberate 2" "VALUES ('leak-2')"

# Fail closed: a session that cannot open runs no test body. One unopenable
# connection of each kind: a driver that is not installed, an SQLite file
# that cannot be created, and on a server a wrong password.
fail_closed "catch2" "$bin" "[.fail_closed]"

# One schema per DBMS: ODBCTX_SCHEMA with {dbms}, or a directory, picks this
# database's file; the others are not SQL, so taking one of them fails.
per="$tmp/per-dbms"
mkdir -p "$per"
for key in sqlite postgresql mariadb; do echo "this is not SQL for $key" >"$per/$key.sql"; done
cp "$schema" "$per/${ODBCTX_DB:-sqlite}.sql"
ODBCTX_SCHEMA="$per/{dbms}.sql" run perdbms "[.schema]"
check "ODBCTX_SCHEMA=dir/{dbms}.sql takes this database's file" test "$rc" -eq 0
[ "$rc" -eq 0 ] || cat "$tmp/perdbms.out" "$tmp/perdbms.err"
ODBCTX_SCHEMA="$per" run perdir "[.schema]"
check "ODBCTX_SCHEMA=dir takes dir/<dbms>.sql" test "$rc" -eq 0
[ "$rc" -eq 0 ] || cat "$tmp/perdir.out" "$tmp/perdir.err"

# Reuse mode needs a database that outlives the run: the server under test,
# or an SQLite file for the embedded default.
reuse_conn=$conn
[ -n "$reuse_conn" ] || reuse_conn="Driver=SQLite3;Database=$tmp/reuse_test.db;"
changed="$tmp/schema-changed.sql"
{ cat "$schema"; echo "-- changed"; } >"$changed"
cleanup_reuse() {
    printf 'DROP TABLE c2o_item\nDROP TABLE odbctx_schema_marker\n' |
        isql -b -k "$reuse_conn" >/dev/null 2>&1
}
if command -v isql >/dev/null; then
    cleanup_reuse
    for step in "1 $schema rebuilt" "2 $schema kept" "3 $changed rebuilt" "4 $changed kept"; do
        read -r n file want <<<"$step"
        ODBCTX_CONNECT=$reuse_conn ODBCTX_SCHEMA=$file ODBCTX_SCHEMA_REUSE=1 \
            run "reuse$n" "[.schema]" --order rand
        check "reuse run $n passes" test "$rc" -eq 0
        [ "$rc" -eq 0 ] || cat "$tmp/reuse$n.out" "$tmp/reuse$n.err"
        if [ "$want" = rebuilt ]; then
            check "reuse run $n rebuilds the schema" shows "reuse$n.err" "schema changed and was rebuilt"
        else
            check "reuse run $n keeps the schema" hides "reuse$n.err" "rebuilt"
        fi
    done
    cleanup_reuse
    ODBCTX_CONNECT=$reuse_conn ODBCTX_SCHEMA="$per/{dbms}.sql" ODBCTX_SCHEMA_REUSE=1 run reuseper "[.schema]"
    check "reuse mode with ODBCTX_SCHEMA=dir/{dbms}.sql takes this database's file" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || cat "$tmp/reuseper.out" "$tmp/reuseper.err"
    cleanup_reuse
    check "reuse cleanup removed the kept schema" sql_fails "$reuse_conn" "SELECT COUNT(*) FROM c2o_item"
else
    skip "reuse mode: isql (package unixodbc) is missing"
fi

finish
