<?php
// A child process that a test starts: plain php-odbc, as an application's
// own script would be; it knows nothing of odbctx.
//
//   php child.php CONNECTION TABLE NAME
//
// It reads the table, writes NAME-commit and commits, writes NAME-rollback
// and rolls back, and reports "NAME.key=value" lines on stdout. A failed
// call prints "NAME.error=..." and exits 3.
[$conn_str, $table, $name] = array_slice($argv, 1, 3);

function say($key, $value)
{
    global $name;
    echo "$name.$key=$value\n";
}

function fail($what)
{
    say("error", "$what: " . str_replace("\n", " ", odbc_errormsg()));
    exit(3);
}

function names($db)
{
    global $table;
    $r = odbc_exec($db, "SELECT name FROM $table ORDER BY name") or fail("select");
    $all = [];
    while (odbc_fetch_row($r))
        $all[] = odbc_result($r, 1);
    return implode(",", $all);
}

$db = odbc_connect($conn_str, "", "") or fail("connect");
odbc_autocommit($db, false) or fail("autocommit");
say("names_at_start", names($db));
$st = odbc_prepare($db, "INSERT INTO $table (id, name) VALUES (?, ?)") or fail("prepare");
odbc_execute($st, [7, "$name-commit"]) or fail("insert");
odbc_commit($db) or fail("commit");
odbc_execute($st, [8, "$name-rollback"]) or fail("insert");
odbc_rollback($db) or fail("rollback");
say("names_after_commit", names($db));
odbc_commit($db);
odbc_close($db);
say("done", "yes");
