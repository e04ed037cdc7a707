#!/usr/bin/env bash
# odbctx-doctor on the database of ODBCTX_CONNECT (ODBCTX_DB says which), and
# on connection strings it must reject. Checks the findings it reports per
# database, that it exits 0 where odbctx works and 1 with a reason where it
# cannot, that no password reaches its output, and that its probes leave no
# table behind. Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" doctor
doctor="$build/bin/odbctx-doctor"
db=${ODBCTX_DB:-sqlite}
conn=${ODBCTX_CONNECT:-}
need "$doctor"

has() { # label, extended regex on the report
    if grep -Eq -- "$2" "$tmp/out"; then ok "$1"; else bad "$1 (no line matching: $2)"; fi
}

"$doctor" "$conn" >"$tmp/out" 2>&1
rc=$?
show <"$tmp/out"
[ "$rc" -eq 0 ] && ok "exit status 0 on $db" || bad "exit status $rc on $db"
has "verdict says it works" '^verdict: odbctx works here'
has "savepoints found" '^savepoints +yes'
has "reports driver and versions" '^driver +[^ ]+ [0-9]'
has "measures the per-test cost" '^per-test cost +[0-9]+\.[0-9]+ ms median over [0-9]+ tests'
has "the measured tests left nothing" '^isolation +ok: [0-9]+ tests left 0 rows behind'
has "reports parameter arrays" '^parameter arrays +(yes|no)'
has "reports the textual COMMIT" '^textual COMMIT +escapes without capture'
case $db in
    sqlite)
        has "DBMS is SQLite" '^DBMS +SQLite 3'
        has "DDL is transactional on SQLite" '^transactional DDL +yes'
        has "SQLite keys come from last_insert_rowid()" '^generated keys +SELECT last_insert_rowid'
        has "a failed statement does not abort on SQLite" '^failed statement +does not abort' ;;
    postgresql)
        has "DBMS is PostgreSQL" '^DBMS +PostgreSQL [0-9]'
        has "DDL is transactional on PostgreSQL" '^transactional DDL +yes'
        has "PostgreSQL keys come from RETURNING" '^generated keys +INSERT \.\.\. RETURNING'
        has "psqlODBC's default protocol keeps the transaction after an error" '^failed statement +an error does not abort the transaction'
        has "a syntax error's effect on psqlODBC is reported" 'a statement that does not parse, sent with SQLExecDirect, rolls it back whole'
        has "the verdict points at the warning" '^verdict: odbctx works here \(see the warnings above\)' ;;
    mariadb)
        has "DBMS is MariaDB" '^DBMS +MariaDB [0-9]'
        has "DDL commits implicitly on MariaDB" '^transactional DDL +no: DDL commits the open transaction implicitly'
        has "MariaDB keys come from RETURNING" '^generated keys +INSERT \.\.\. RETURNING'
        has "a failed statement does not abort on MariaDB" '^failed statement +does not abort' ;;
esac

if [ -n "$(connect_password)" ]; then
    password_hidden "the report" "$tmp/out"
    has "the connection is shown redacted" '^connection +.*PWD=\*\*\*'
fi

# No probe table is left: ask the server from a connection of its own.
if [ -n "$conn" ]; then
    cat >"$tmp/left.sql" <<'SQL'
SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE 'odbctx_doctor%'
SQL
    n=$(isql -b -x0x09 -k "$conn" <"$tmp/left.sql" 2>&1 | tr -dc '0-9\n' | grep -m1 -E '^[0-9]+$')
    [ "$n" = 0 ] && ok "no odbctx_doctor table is left on the server" ||
        bad "tables left on the server (count: ${n:-unknown})"
else
    ls -d /tmp/odbctx-doctor-?????? >/dev/null 2>&1 && bad "a probe directory is left in /tmp" ||
        ok "no probe directory is left in /tmp"
fi

# Where odbctx cannot work.
expect_no() { # label, connection string, regex of the reason
    "$doctor" "$2" >"$tmp/out" 2>&1
    local rc=$?
    show <"$tmp/out"
    if [ "$rc" -eq 1 ] && grep -Eq -- "^verdict: odbctx cannot work here: .*$3" "$tmp/out"; then
        ok "$1"
    else
        bad "$1 (exit $rc)"
    fi
}
expect_no "a missing driver is refused with the driver manager's reason" \
    "Driver=odbctx-no-such-driver;Database=x;PWD=hunter2" "cannot connect: .*[Cc]an't open lib"
grep -q hunter2 "$tmp/out" && bad "the bad string's password is in the report" ||
    ok "the bad string's password is not in the report"
expect_no "an unreachable server is refused" \
    "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=1;Database=odbctx_test;UID=x;PWD=password" \
    "cannot connect"
grep -q 'PWD=password' "$tmp/out" && bad "the unreachable server's password is in the report" ||
    ok "the unreachable server's password is not in the report"
if [ "$db" = postgresql ]; then
    expect_no "psqlODBC Protocol=7.4-1 (rollback on any error) is refused" \
        "${conn%;};Protocol=7.4-1" "rolls back the whole transaction"
    expect_no "psqlODBC Protocol=7.4-0 (aborted transaction on any error) is refused" \
        "${conn%;};Protocol=7.4-0" "aborted until it is rolled back"
    wrong=$(printf '%s' "$conn" | sed 's/\([Pp][Ww][Dd]=\)[^;]*/\1wrong-password-x/')
    expect_no "a wrong password is refused" "$wrong" "cannot connect: .*password authentication failed"
    grep -q 'wrong-password-x' "$tmp/out" && bad "the wrong password is in the report" ||
        ok "the wrong password is not in the report"
fi

"$doctor" a b >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q '^usage:' "$tmp/out" && grep -q 'more than one connection string' "$tmp/out" &&
    ok "two connection strings: exit 2, says so, with the usage" || bad "bad usage"

# Options: conventional, never taken for a connection string.
"$doctor" --version >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = "odbctx-doctor $(sed -n 's/^#define ODBCTX_VERSION_STRING "\(.*\)"/\1/p' include/odbctx.h)" ] &&
    ok "--version prints the version and nothing else" || { show <"$tmp/out"; bad "--version (exit $rc)"; }
"$doctor" --help >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q '^usage:' "$tmp/out" && grep -q -- '--json' "$tmp/out" &&
    ok "--help prints the usage, which names --json" || bad "--help"
"$doctor" --frobnicate >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q "unknown option --frobnicate" "$tmp/out" && ! grep -q '^verdict' "$tmp/out" &&
    ok "an unknown option exits 2 and names it, probing nothing" || { show <"$tmp/out"; bad "unknown option"; }
"$doctor" "-Driver=x;PWD=hunter3" >"$tmp/out" 2>&1
[ $? -eq 2 ] && ! grep -q hunter3 "$tmp/out" && grep -q -- "goes after --" "$tmp/out" &&
    ok "a connection string taken for an option: exit 2, its password not echoed, -- suggested" ||
    { show <"$tmp/out"; bad "an option-like connection string"; }

# --json: one document, the same findings and verdict.
json_check() { # label, expected exit, python condition on d, args...
    local label=$1 want=$2 cond=$3
    shift 3
    "$doctor" --json "$@" >"$tmp/json" 2>"$tmp/json.err"
    local rc=$?
    if [ $rc -eq "$want" ] && /usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if ($cond) else 1)" "$tmp/json"; then
        ok "$label"
    else
        show <"$tmp/json"; show <"$tmp/json.err"; bad "$label (exit $rc)"
    fi
}
json_check "--json where odbctx works: valid JSON, works, the DBMS among the findings" 0 \
    "d['works'] is True and d['reason'] is None and any(f['label'] == 'DBMS' for f in d['findings']) and any(f['label'] == 'isolation' and f['text'].startswith('ok') for f in d['findings'])" \
    "$conn"
[ -n "$(connect_password)" ] && password_hidden "the JSON report" "$tmp/json"
json_check "--json where it cannot: exit 1, works false, the reason" 1 \
    "d['works'] is False and 'cannot connect' in d['reason'] and any(f['kind'] == 'problem' for f in d['findings'])" \
    "Driver=odbctx-no-such-driver;Database=x;PWD=hunter4"
grep -q hunter4 "$tmp/json" && bad "the bad string's password is in the JSON" ||
    ok "the bad string's password is not in the JSON"

finish
