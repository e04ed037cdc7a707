#!/usr/bin/env bash
# `make example`'s suite (examples/run) on the database of ODBCTX_CONNECT, as
# part of `make check`: each of its test cases counts (the one that fails on
# purpose passes when it fails), and so does its isolation report.
# Last line: "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=$(mktemp /tmp/odbctx-example-test.XXXXXX)
trap 'rm -f "$out"' EXIT

timeout -k 5 600 examples/run >"$out" 2>&1
rc=$?
cat "$out"
line=$(grep -E '^  test cases +[0-9]+: ' "$out" | tail -n 1)
pass=0 fail=0
if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ failed\ on\ purpose ]]; then
    pass=$((BASH_REMATCH[1] + BASH_REMATCH[3]))
    fail=${BASH_REMATCH[2]}
else
    fail=1
    echo "FAIL the example printed no report (exit $rc)"
fi
if grep -q '^  result  *isolation held' "$out"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL the isolation report found rows left behind"
fi
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
    fail=1
    echo "FAIL examples/run exited $rc"
fi
echo "$pass passed, $fail failed"
