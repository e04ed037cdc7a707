#!/usr/bin/env bash
# Parallel workers: runs test suites in two processes at once against the
# same server, as ODBCTX_WORKER=1 and ODBCTX_WORKER=2, and checks that both
# pass. Each worker gets its own database (PostgreSQL, MariaDB) or file
# (SQLite file databases; the embedded default is private anyway), so the
# two neither wait on each other's rows nor trip over each other's tables.
#
# Run by tests/run once per database (ODBCTX_CONNECT, ODBCTX_DB set).
# ODBCTX_PARALLEL_SUITES chooses the suites (default: c/core cpp/session
# c/reliability; one that is not built fails). Last line: "N passed, N failed[, N skipped]".
. "$(dirname "$0")/../../support/prelude.sh" workers
suites=${ODBCTX_PARALLEL_SUITES:-c/core cpp/session c/reliability}

# Left out: the reliability suite's tests that share server-wide things
# (roles, extra databases) or kill processes, which are not about running
# side by side; and the C++ suite's schema-reuse tests, whose observer
# connections open ODBCTX_CONNECT itself rather than the worker's database
# (odbctx_worker_connection gives that).
filter_for() {
    case $1 in
        c/reliability) echo "[sequence],[bad-input],[breach],[lost]" ;;
        cpp/session) echo "~[reuse]" ;;
        *) echo "" ;;
    esac
}

for suite in $suites; do
    bin="$build/tests/$suite" log="$tmp/${suite//\//.}"
    if [ ! -x "$bin" ]; then
        bad "$suite is not built ($bin is missing)"
        continue
    fi
    filter=$(filter_for "$suite")
    start=$EPOCHREALTIME
    declare -A pids=()
    for w in 1 2; do
        # shellcheck disable=SC2086
        ODBCTX_WORKER=$w timeout -k 10 600 "$bin" $filter >"$log.$w.log" 2>&1 &
        pids[$w]=$!
    done
    for w in 1 2; do
        if wait "${pids[$w]}"; then
            ok "$suite as ODBCTX_WORKER=$w: $(grep -E 'passed|All tests' "$log.$w.log" | tail -n 1)"
        else
            bad "$suite as ODBCTX_WORKER=$w"
            tail -n 40 "$log.$w.log" | show
        fi
    done
    echo "      both workers of $suite took $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s side by side"
done

finish
