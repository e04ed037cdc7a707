#!/usr/bin/env bash
# The Boost.Test integration (include/odbctx/boost_test.hpp), on the
# database of ODBCTX_CONNECT: the normal run (isolation between test cases,
# fixtures inside the transaction, data test case samples), then the
# deliberately failing tests: they fail, the report names them, shows the
# SQL and never the password, and the test after them finds everything
# clean; a passing test that breaks isolation fails the program; a session
# that cannot open runs no test body. Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" boost_test
bin="$build/boost_test/odbctx_boost_test"
need "$bin"

timeout -k 5 300 "$bin" --color_output=no --report_level=short >"$tmp/run.log" 2>&1
rc=$?
show <"$tmp/run.log"
[ "$rc" -eq 0 ] && ok "the visible tests pass" || bad "the visible tests failed (exit $rc)"
grep -q 'Test module "odbctx_boost_test" has passed with:' "$tmp/run.log" &&
    grep -q '6 test cases out of 12 passed' "$tmp/run.log" && ! grep -q 'failed' "$tmp/run.log" &&
    ok "6 test cases ran (3 of them data samples) and passed (12 with the disabled ones)" || bad "unexpected summary"
timeout -k 5 300 "$bin" --color_output=no --random=1 >"$tmp/rand.log" 2>&1
check "the visible tests pass in random order" test $? -eq 0

timeout -k 5 300 "$bin" --color_output=no --report_level=short --run_test=deliberate >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
show <"$tmp/bad.out"
show <"$tmp/bad.err"
check "the deliberate failures fail the run" test "$rc" -ne 0
grep -q '1 test case out of 12 passed' "$tmp/bad.out" "$tmp/bad.err" && grep -q '2 test cases out of 12 failed' "$tmp/bad.out" "$tmp/bad.err" &&
    ok "the failing and the throwing test failed, the clean-up check passed" || bad "unexpected deliberate summary"
grep -q 'odbctx: test "deliberate/fails_after_writing_and_committing" failed on ' "$tmp/bad.err" &&
    ok "the report names the failed test and the database" || bad "no report for the failed test"
grep -q 'odbctx: test "deliberate/throws_after_writing" failed' "$tmp/bad.err" &&
    ok "the report names the throwing test" || bad "no report for the throwing test"
grep -q 'leak-1' "$tmp/bad.err" && grep -q 'leak-2' "$tmp/bad.err" &&
    ok "the reports show the SQL of the failed and the thrown test" || bad "the reports lack the SQL"
grep -q 'ODBCTX_SEED=' "$tmp/bad.err" && ok "the report shows the fake-data seed" || bad "no seed in the report"
grep -q '\[1 != 42\]' "$tmp/bad.out" && ok "a failed comparison of a query's value prints the value" ||
    bad "the comparison does not show the value"
"$bin" --color_output=no --run_test=deliberate --logger=XML,all,"$tmp/log.xml" >/dev/null 2>"$tmp/xml.err"
/usr/bin/python3 -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$tmp/log.xml" &&
    ! grep -q 'odbctx: test' "$tmp/log.xml" && grep -q 'odbctx: test' "$tmp/xml.err" &&
    ok "with an XML log the report is on stderr and the XML stays well-formed" || bad "the XML log was disturbed"
password_hidden "Boost.Test output" "$tmp/run.log" "$tmp/bad.out" "$tmp/bad.err"

# A passing test that broke isolation fails the program.
timeout -k 5 300 "$bin" --color_output=no --run_test=breach >"$tmp/breach.out" 2>"$tmp/breach.err"
rc=$?
if [ "$rc" -ne 0 ] && grep -q "ISOLATION BREACH" "$tmp/breach.err" && grep -q "reported a problem above" "$tmp/breach.err"; then
    ok "a passing test that broke isolation is reported and fails the program (exit $rc)"
else
    show <"$tmp/breach.out"; show <"$tmp/breach.err"
    bad "a breach in a passing test: exit $rc"
fi

# Writes after the code's last commit: a note, or a failure when asked.
timeout -k 5 120 "$bin" --color_output=no --run_test=uncommitted >"$tmp/unc.out" 2>"$tmp/unc.err"
check "uncommitted writes: the test passes by default" test "$?" -eq 0
check "... with a note naming the statement" grep -q "VALUES ('never-committed')" "$tmp/unc.err"
ODBCTX_UNCOMMITTED=fail timeout -k 5 120 "$bin" --color_output=no --run_test=uncommitted >"$tmp/uncf.out" 2>"$tmp/uncf.err"
check "ODBCTX_UNCOMMITTED=fail: the program fails" test "$?" -ne 0
check "... saying why" grep -q "left writes uncommitted (ODBCTX_UNCOMMITTED=fail)" "$tmp/uncf.err"
kept=$(sed -n 's/^odbctx: the rows it wrote, as SQL that puts them back: //p' "$tmp/bad.err" | head -1)
check "a failed test's report names the file its rows were kept in" test -n "$kept"

fail_closed "Boost.Test" timeout -k 5 120 "$bin" --color_output=no --run_test=fail_closed
finish
