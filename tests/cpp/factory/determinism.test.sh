#!/usr/bin/env bash
# Two runs with the same ODBCTX_SEED create identical rows; another seed
# creates different ones; a failing test's report shows the seed. Runs the
# factory test binary's hidden "[.print]" test, which creates posts and
# users and prints them, on the database of ODBCTX_CONNECT.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" factory-seed
bin="$build/tests/cpp/factory"
need "$bin"

# rows NAME SEED: the rows one run prints
rows() {
    ODBCTX_SEED=$2 "$bin" "fake: print created rows" >"$tmp/$1.out" 2>"$tmp/$1.err"
    local rc=$?
    grep -E '^(row|user|seed):' "$tmp/$1.out" >"$tmp/$1.rows"
    return $rc
}

if rows a 4242 && rows b 4242 && rows c 4243; then
    ok "the print runs pass"
else
    bad "a print run failed"; cat "$tmp/a.out" "$tmp/a.err"
fi
if [ "$(grep -c '^row:' "$tmp/a.rows")" -eq 5 ] && [ "$(grep -c '^user:' "$tmp/a.rows")" -eq 15 ]; then
    ok "a run prints 5 posts and 15 users"
else
    bad "unexpected output:"; cat "$tmp/a.out"
fi
if diff "$tmp/a.rows" "$tmp/b.rows" >"$tmp/diff"; then
    ok "two runs with ODBCTX_SEED=4242 create identical rows"
else
    bad "runs with the same seed differ:"; cat "$tmp/diff"
fi
if ! diff -q <(grep -v '^seed:' "$tmp/a.rows") <(grep -v '^seed:' "$tmp/c.rows") >/dev/null; then
    ok "another seed creates other rows"
else
    bad "seeds 4242 and 4243 created the same rows"
fi
if grep -qx 'seed: 4242' "$tmp/a.rows"; then
    ok "fake::seed() is ODBCTX_SEED"
else
    bad "fake::seed() is not 4242"
fi

ODBCTX_SEED=777 "$bin" "fake: a failing test reports the seed" >"$tmp/f.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && grep -qF "ODBCTX_SEED=777" "$tmp/f.out"; then
    ok "a failing test's report shows the seed"
else
    bad "no seed in the failure report (exit $rc):"; cat "$tmp/f.out"
fi

# Without ODBCTX_SEED two runs choose their own seeds; replaying the seed
# the first printed gives its rows back.
rows d ""
seed=$(sed -n 's/^seed: //p' "$tmp/d.rows")
rows e "$seed"
if [ -n "$seed" ] && diff -q "$tmp/d.rows" "$tmp/e.rows" >/dev/null; then
    ok "a chosen seed ($seed) replays"
else
    bad "replaying seed '$seed' differs"
fi

finish
