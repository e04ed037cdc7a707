# The common start of every tests/*/*/*.test.sh, sourced as its first line:
#
#   . "$(dirname "$0")/../../support/prelude.sh" NAME
#
# It sets strict mode, moves to the project root ($root), resolves the build
# tree ($build, absolute; ODBCTX_BUILD or build/), makes $tmp (removed on
# exit; NAME goes into its name) and gives the counting every script shares:
#   ok TEXT / bad TEXT / skip TEXT   count one check and print it
#   check TEXT COMMAND...            ok or bad by COMMAND's status
#   show                             indents output quoted in a report
#   need FILE...                     stops with one failure when a built file is missing
#   password_hidden TEXT FILE...     the password of ODBCTX_CONNECT is in none of FILE
#   fail_closed TEXT COMMAND...      COMMAND, run with each unopenable connection,
#                                    fails, says "no test is run" and runs no test
#                                    body (none writes $ODBCTX_TEST_MARKER)
#   finish                           prints "N passed, N failed[, N skipped]", exits
# A script adds its own clean-up with on_exit COMMAND (run before $tmp goes).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
build=${ODBCTX_BUILD:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
pass=0 fail=0 skipped=0

tmp=$(mktemp -d "/tmp/odbctx-${1:-test}.XXXXXX")
exit_hooks=()
on_exit() { exit_hooks+=("$*"); }
run_exit_hooks() {
    local h
    for h in "${exit_hooks[@]}"; do eval "$h"; done
    rm -rf "$tmp"
}
trap run_exit_hooks EXIT

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
skip() { skipped=$((skipped + 1)); echo "skip $*"; }
check() { # check TEXT COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
show() { sed 's/^/  | /'; }

need() {
    local f
    for f; do
        if [ ! -e "$f" ]; then
            echo "$f is missing: build it with make tests"
            echo "0 passed, 1 failed"
            exit 1
        fi
    done
}

# The PWD= value of ODBCTX_CONNECT, "" when there is none.
connect_password() { printf '%s' "${ODBCTX_CONNECT:-}" | sed -n 's/.*[Pp][Ww][Dd]=\([^;]*\).*/\1/p'; }

password_hidden() { # password_hidden TEXT FILE...
    local what=$1 secret
    shift
    secret=$(connect_password)
    [ -n "$secret" ] || return 0
    if grep -qF -- "$secret" "$@"; then bad "$what: the password appears"; else ok "$what: the password appears nowhere"; fi
}

# Connections a session cannot open: a driver that is not installed, an
# SQLite file that cannot be created, and on a server a wrong password.
unopenable=("Driver=odbctx_no_such_driver;Database=x_test"
    "Driver=libsqlite3odbc.so;Database=/nonexistent/odbctx/x_test.db")
[ -n "${ODBCTX_CONNECT:-}" ] && unopenable+=("$(printf '%s' "$ODBCTX_CONNECT" | sed 's/PWD=[^;]*/PWD=wrong_pw_0dbctx/')")

fail_closed() { # fail_closed TEXT COMMAND...
    local what=$1 u rc
    shift
    for u in "${unopenable[@]}"; do
        rm -f "$tmp/marker"
        ODBCTX_CONNECT=$u ODBCTX_TEST_MARKER=$tmp/marker "$@" >"$tmp/closed.log" 2>&1
        rc=$?
        if [ "$rc" -ne 0 ] && [ ! -e "$tmp/marker" ] && grep -q "no test is run" "$tmp/closed.log" &&
            ! grep -q wrong_pw_0dbctx "$tmp/closed.log"; then
            ok "$what: session cannot open ($(printf '%s' "$u" | cut -c1-40)...): no test body runs, exit $rc"
        else
            show <"$tmp/closed.log"
            bad "$what: session cannot open ($u): exit $rc, body ran: $([ -e "$tmp/marker" ] && echo yes || echo no)"
        fi
    done
}

finish() {
    if [ "$skipped" -gt 0 ]; then
        echo "$pass passed, $fail failed, $skipped skipped"
    else
        echo "$pass passed, $fail failed"
    fi
    [ "$fail" -eq 0 ]
    exit
}
