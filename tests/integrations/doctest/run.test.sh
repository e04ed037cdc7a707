#!/usr/bin/env bash
# The doctest integration (include/odbctx/doctest.hpp), on the database of
# ODBCTX_CONNECT: the normal run (isolation between test cases and between
# SUBCASE paths, fake data per path), then the deliberately failing tests:
# they fail, the report names the test and subcase, shows the SQL and
# never the password, and the test after them finds everything clean.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" doctest
bin="$build/doctest/odbctx_doctest"
need "$bin"

timeout -k 5 300 "$bin" >"$tmp/run.log" 2>&1
rc=$?
show <"$tmp/run.log"
[ "$rc" -eq 0 ] && ok "the visible tests pass" || bad "the visible tests failed (exit $rc)"
# doctest's summary: "[doctest] test cases: 4 | 4 passed | 0 failed | 6 skipped"
grep -Eq '^\[doctest\] test cases: +4 \| +4 passed \| +0 failed' "$tmp/run.log" &&
    ok "4 test cases ran and passed" || bad "unexpected summary"
for order in "rand --rand-seed=1" "rand --rand-seed=2"; do
    # shellcheck disable=SC2086
    timeout -k 5 300 "$bin" --order-by=${order% *} ${order#* } >"$tmp/order.log" 2>&1
    check "the visible tests pass in order $order" test $? -eq 0
done

timeout -k 5 300 "$bin" --no-skip --test-suite=deliberate >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
show <"$tmp/bad.out"
show <"$tmp/bad.err"
check "the deliberate failures fail the run" test "$rc" -ne 0
grep -Eq '^\[doctest\] test cases: +5 \| +1 passed \| +4 failed' "$tmp/bad.out" &&
    ok "4 of the 5 deliberate test cases failed, the clean-up check passed" || bad "unexpected deliberate summary"
grep -q 'odbctx: test "deliberate: fails after writing and committing" failed on ' "$tmp/bad.err" &&
    ok "the report names the failed test and the database" || bad "no report for the failed test"
grep -q 'odbctx: test "deliberate: fails in one subcase / fails" failed' "$tmp/bad.err" &&
    ok "the report names the subcase path" || bad "no report naming the subcase"
! grep -q 'deliberate: fails in one subcase / passes" failed' "$tmp/bad.err" &&
    ok "the passing subcase is not reported" || bad "the passing subcase was reported as failed"
grep -q 'leak-1' "$tmp/bad.err" && grep -q 'leak-2' "$tmp/bad.err" && grep -q 'leak-3' "$tmp/bad.err" &&
    ok "the reports show the SQL of the failed, thrown and subcase runs" || bad "the reports lack the SQL"
grep -q 'ODBCTX_SEED=' "$tmp/bad.err" && ok "the report shows the fake-data seed" || bad "no seed in the report"
grep -q '1 == 42' "$tmp/bad.out" && ! grep -q 'ok == 42' "$tmp/bad.out" &&
    ok "a failed comparison of a query's value prints the value" || bad "the comparison does not show the value"
password_hidden "doctest output" "$tmp/run.log" "$tmp/bad.out" "$tmp/bad.err"

# A passing run that broke isolation fails the program after the summary.
timeout -k 5 300 "$bin" --no-skip --test-suite=breach >"$tmp/breach.out" 2>"$tmp/breach.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -Eq '^\[doctest\] test cases: +1 \| +1 passed' "$tmp/breach.out" &&
    grep -q "reported a problem above" "$tmp/breach.err"; then
    ok "a passing run that broke isolation is reported and fails the program (exit 1)"
else
    show <"$tmp/breach.out"; show <"$tmp/breach.err"
    bad "a breach in a passing run: exit $rc"
fi
[ "$(grep -c '^\[doctest\] test cases' "$tmp/breach.out")" = 1 ] &&
    ok "... after doctest's summary" || bad "doctest's summary is missing after a breach"

# Writes after the code's last commit: a note, or a failure when asked.
timeout -k 5 120 "$bin" --no-skip --test-suite=uncommitted >"$tmp/unc.out" 2>"$tmp/unc.err"
check "uncommitted writes: the run passes by default" test "$?" -eq 0
check "... with a note naming the statement" grep -q "VALUES ('never-committed')" "$tmp/unc.err"
ODBCTX_UNCOMMITTED=fail timeout -k 5 120 "$bin" --no-skip --test-suite=uncommitted >"$tmp/uncf.out" 2>"$tmp/uncf.err"
check "ODBCTX_UNCOMMITTED=fail: the program fails (exit 1)" test "$?" -eq 1
check "... saying why" grep -q "left writes uncommitted (ODBCTX_UNCOMMITTED=fail)" "$tmp/uncf.err"
kept=$(sed -n 's/^odbctx: the rows it wrote, as SQL that puts them back: //p' "$tmp/bad.err" | head -1)
check "a failed run's report names the file its rows were kept in" test -n "$kept"

fail_closed "doctest" timeout -k 5 120 "$bin" --no-skip --test-suite=fail_closed
finish
