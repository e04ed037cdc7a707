#!/usr/bin/env bash
# A program linked -lodbc before -lodbctx binds its ODBC calls to the driver
# manager, past capture: odbctx_capture_start refuses it, saying how to
# link, instead of letting its commits commit; linked the right way round,
# capture starts. The embedded default: no server needed.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" link-order
right="$build/capture/link-right"
wrong="$build/capture/link-wrong"
need "$right" "$wrong"
if [ -n "${ODBCTX_CONNECT:-}" ]; then
    skip "link order: the same on every database (run on the embedded default)"
    finish
fi

"$right" >"$tmp/right.out" 2>&1
rc=$?
show <"$tmp/right.out"
check "linked -lodbctx -lodbc: capture starts, the legacy commit is captured" test "$rc" -eq 0
check "linked -lodbctx -lodbc: the test ends cleanly" grep -qx "end of test: ODBCTX_OK" "$tmp/right.out"

"$wrong" >"$tmp/wrong.out" 2>&1
rc=$?
show <"$tmp/wrong.out"
check "linked -lodbc -lodbctx: capture is refused" test "$rc" -eq 1
check "the refusal says ODBCTX_EREFUSED and names the driver manager's library" \
    grep -q "^ODBCTX_EREFUSED: .*SQLEndTran resolves to .*libodbc" "$tmp/wrong.out"
check "the refusal says how to link" grep -q "Link -lodbctx before -lodbc" "$tmp/wrong.out"
# (Under the sanitizers their runtime comes first of all.)
check "the wrong link really has the driver manager before libodbctx" \
    sh -c "readelf -d '$wrong' | grep -o 'libodbc[tx]*\.so[^]]*' | head -n 1 | grep -q '^libodbc\.so'"
finish
