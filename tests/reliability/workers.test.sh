#!/usr/bin/env bash
# Parallel workers: runs test suites in two processes at once against the
# same server, as ODBCTX_WORKER=1 and ODBCTX_WORKER=2, and checks that both
# pass. Each worker gets its own database (PostgreSQL, MariaDB) or file
# (SQLite file databases; the embedded default is private anyway), so the
# two neither wait on each other's rows nor trip over each other's tables.
#
# Run by tests/run once per database (ODBCTX_CONNECT, ODBCTX_DB set).
# ODBCTX_PARALLEL_SUITES chooses the suites (default: core cpp reliability,
# those that are built). Last line: "N passed, N failed[, N skipped]".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${ODBCTX_BUILD:-$root/build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
suites=${ODBCTX_PARALLEL_SUITES:-core cpp reliability}
tmp=$(mktemp -d /tmp/odbctx-workers.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

pass=0 fail=0 skip=0

# Left out: the reliability suite's tests that share server-wide things
# (roles, extra databases) or kill processes, which are not about running
# side by side; and the C++ suite's schema-reuse tests, whose observer
# connections open ODBCTX_CONNECT itself rather than the worker's database
# (odbctx_worker_connection gives that).
filter_for() {
    case $1 in
        reliability) echo "[sequence],[bad-input],[breach],[lost]" ;;
        cpp) echo "~[reuse]" ;;
        *) echo "" ;;
    esac
}

for suite in $suites; do
    bin="$build/tests/$suite"
    if [ ! -x "$bin" ]; then
        echo "skip: $suite is not built"
        skip=$((skip + 1))
        continue
    fi
    filter=$(filter_for "$suite")
    start=$EPOCHREALTIME
    declare -A pids=()
    for w in 1 2; do
        # shellcheck disable=SC2086
        ODBCTX_WORKER=$w timeout -k 10 600 "$bin" $filter >"$tmp/$suite.$w.log" 2>&1 &
        pids[$w]=$!
    done
    for w in 1 2; do
        if wait "${pids[$w]}"; then
            pass=$((pass + 1))
            echo "ok:   $suite as ODBCTX_WORKER=$w: $(grep -E 'passed|All tests' "$tmp/$suite.$w.log" | tail -n 1)"
        else
            fail=$((fail + 1))
            echo "FAIL: $suite as ODBCTX_WORKER=$w"
            tail -n 40 "$tmp/$suite.$w.log" | sed 's/^/    | /'
        fi
    done
    echo "      both workers of $suite took $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s side by side"
done

if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
