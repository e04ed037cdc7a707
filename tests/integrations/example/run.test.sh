#!/usr/bin/env bash
# `make example`'s suite (examples/run) on the database of ODBCTX_CONNECT, as
# part of `make check`: each of its test cases counts (the one that fails on
# purpose passes when it fails), and so does its isolation report.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" example
out="$tmp/out"

timeout -k 5 600 examples/run >"$out" 2>&1
rc=$?
cat "$out"
line=$(grep -E '^  test cases +[0-9]+: ' "$out" | tail -n 1)
if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ failed\ on\ purpose ]]; then
    pass=$((BASH_REMATCH[1] + BASH_REMATCH[3]))
    fail=${BASH_REMATCH[2]}
else
    bad "the example printed no report (exit $rc)"
fi
if grep -q '^  result  *isolation held' "$out"; then
    ok "the isolation report found no row left behind"
else
    bad "the isolation report found rows left behind"
fi
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
    bad "examples/run exited $rc"
fi
finish
