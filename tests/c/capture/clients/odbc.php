<?php
// PHP's odbc_* functions: autocommit, a commit, a rollback, an error.
// Usage: php odbc.php CONN TABLE. Prints what it saw, one fact a line.
[, $conn, $t] = $argv;
$c = odbc_connect($conn, "", "");
if (!$c) { echo "connect failed: ", odbc_errormsg(), "\n"; exit(1); }
function rows($c, $t) {
    $r = odbc_exec($c, "SELECT count(*) FROM $t");
    odbc_fetch_row($r);
    return odbc_result($r, 1);
}
odbc_exec($c, "INSERT INTO $t (id, who) VALUES (1, 'php')");
odbc_autocommit($c, false);
odbc_exec($c, "INSERT INTO $t (id, who) VALUES (2, 'php')");
odbc_commit($c);
odbc_exec($c, "INSERT INTO $t (id, who) VALUES (3, 'php')");
echo "in the transaction: ", rows($c, $t), "\n";
odbc_rollback($c);
echo "after the rollback: ", rows($c, $t), "\n";
$r = @odbc_exec($c, "SELECT * FROM {$t}_missing");
echo "a missing table: ", $r ? "no error" : odbc_error($c), "\n";
odbc_close($c);
