#!/usr/bin/env bash
# The GoogleTest integration (include/odbctx/gtest.hpp), on the database of
# ODBCTX_CONNECT: runs the gtest binary built by `make tests`
# ($ODBCTX_BUILD/gtest/odbctx_gtest), then runs its deliberately failing tests
# and checks that they fail, are reported with their SQL and without the
# password, and leave nothing behind for the test after them.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" gtest
bin="$build/gtest/odbctx_gtest"
need "$bin"

# The normal run: every test counts on its own. A hang (a deadlock in a
# driver, say) must fail this script, not stall the whole test run.
timeout -k 5 300 "$bin" >"$tmp/run.log" 2>&1
rc=$?
cat "$tmp/run.log"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    bad "timed out after 300 s in: $(grep '^\[ RUN      \]' "$tmp/run.log" | tail -n 1)"
fi
passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' "$tmp/run.log" | tail -n 1)
failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below:.*/\1/p' "$tmp/run.log" | tail -n 1)
pass=$((pass + ${passed:-0}))
fail=$((fail + ${failed:-0}))
if [ -z "$passed" ]; then
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] || bad "gtest binary printed no summary (exit $rc)"
elif [ "$rc" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
    bad "gtest binary exited $rc with no failed test (a failure outside the tests, e.g. a breach)"
fi

# Three shards at once on one database (GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX,
# as gtest-parallel or a CI matrix runs them): each is a worker of its own
# without ODBCTX_WORKER, so they neither collide (MariaDB: "Table ...
# already exists") nor wait on each other (PostgreSQL).
for i in 0 1 2; do
    env -u ODBCTX_WORKER GTEST_TOTAL_SHARDS=3 GTEST_SHARD_INDEX=$i timeout -k 5 300 "$bin" \
        >"$tmp/shard$i.log" 2>&1 &
    shard_pids[$i]=$!
done
shard_total=0
for i in 0 1 2; do
    wait "${shard_pids[$i]}"
    shard_rc=$?
    check "shard $i of 3 passes beside the others" test "$shard_rc" -eq 0
    [ "$shard_rc" -eq 0 ] || show <"$tmp/shard$i.log"
    n=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' "$tmp/shard$i.log" | tail -n 1)
    shard_total=$((shard_total + ${n:-0}))
    if [ -n "${ODBCTX_CONNECT:-}" ]; then
        check "... and says it is worker $i with a database of its own" \
            grep -q "odbctx: this process is worker $i (GoogleTest shard GTEST_SHARD_INDEX=$i of 3): database .*_w$i of its own" "$tmp/shard$i.log"
    fi
done
check "the three shards ran every test once between them ($shard_total of ${passed:-?})" \
    test "$shard_total" -eq "${passed:-0}"

# The deliberate failures.
timeout -k 5 300 "$bin" --gtest_also_run_disabled_tests --gtest_filter='DISABLED_Deliberate.*' >"$tmp/bad.log" 2>&1
rc=$?
sed 's/^/  | /' "$tmp/bad.log"
if [ "$rc" -ne 0 ]; then ok "a run with failing tests exits non-zero"; else bad "the deliberate failures passed"; fi
grep -q '^\[  FAILED  \] 2 tests, listed below:' "$tmp/bad.log" &&
    grep -q '^\[  FAILED  \] DISABLED_Deliberate.fails_after_writing' "$tmp/bad.log" &&
    grep -q '^\[  FAILED  \] DISABLED_Deliberate.throws_after_writing' "$tmp/bad.log" &&
    ok "exactly the failing and the throwing test failed" ||
    bad "expected exactly fails_after_writing and throws_after_writing to fail"
grep -q '^\[       OK \] DISABLED_Deliberate.then_all_is_clean' "$tmp/bad.log" &&
    ok "the test after them found the tables clean" ||
    bad "rows of failed tests survived into the next test"
grep -q "left by a failing test" "$tmp/bad.log" &&
    ok "the failure report shows the SQL the test ran" ||
    bad "the failure report lacks the test's SQL"
grep -q "Which is: 2$" "$tmp/bad.log" && ! grep -q "Which is: ok" "$tmp/bad.log" &&
    ok "a failed comparison of a query's value prints the value" ||
    bad "a failed EXPECT_EQ on query_int does not show the value"
# The report in GoogleTest's XML, in the failed test's element.
timeout -k 5 300 "$bin" --gtest_also_run_disabled_tests --gtest_filter='DISABLED_Deliberate.*' \
    --gtest_output="xml:$tmp/bad.xml" >/dev/null 2>&1
check "--gtest_output=xml: the failed test's testcase holds its SQL" /usr/bin/python3 - "$tmp/bad.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
case = [c for c in root.iter("testcase") if c.get("name") == "fails_after_writing"]
props = " ".join(p.get("value", "") for c in case for p in c.iter("property") if p.get("name") == "odbctx")
sys.exit(0 if "left by a failing test" in props else 1)
PY

# The failed runs' rows, kept as scripts named in the report.
kept=$(sed -n 's/^odbctx: the rows it wrote, as SQL that puts them back: //p' "$tmp/bad.log" | head -1)
check "a failed test's report names the file its rows were kept in" test -n "$kept"
if [ -n "$kept" ] && [ -f "$kept" ]; then
    check "... which holds its row" grep -q "left by a failing test" "$kept"
    rm -f "$kept"
fi

# Writes after the code's last commit: a note by default, a failure with
# ODBCTX_UNCOMMITTED=fail.
unc() {
    timeout -k 5 120 "$bin" --gtest_also_run_disabled_tests \
        --gtest_filter='DISABLED_Uncommitted.*' >"$tmp/$1.log" 2>&1
    rc=$?
}
unc unc
check "uncommitted writes: the test passes by default" test "$rc" -eq 0
check "... with a note naming the statement" \
    grep -q "wrote rows it never committed" "$tmp/unc.log"
check "... the never-committed row" grep -q "VALUES ('never committed'" "$tmp/unc.log"
ODBCTX_UNCOMMITTED=fail unc uncfail
check "ODBCTX_UNCOMMITTED=fail: the program fails" test "$rc" -ne 0
check "... saying why" grep -q "left writes uncommitted (ODBCTX_UNCOMMITTED=fail)" "$tmp/uncfail.log"

# Fail closed: a session that cannot open runs no test body.
fail_closed "gtest" timeout -k 5 120 "$bin" --gtest_also_run_disabled_tests \
    --gtest_filter='DISABLED_FailClosed.*'

password_hidden "gtest output" "$tmp/run.log" "$tmp/bad.log"
finish
