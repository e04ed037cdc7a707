<?php
// PHP's PDO_ODBC: autocommit, a commit, a rollback, an error.
[, $conn, $t] = $argv;
$p = new PDO("odbc:$conn");
$p->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$rows = fn() => $p->query("SELECT count(*) FROM $t")->fetchColumn();
$p->exec("INSERT INTO $t (id, who) VALUES (1, 'pdo')");
$p->beginTransaction();
$p->exec("INSERT INTO $t (id, who) VALUES (2, 'pdo')");
$p->commit();
$p->beginTransaction();
$p->exec("INSERT INTO $t (id, who) VALUES (3, 'pdo')");
echo "in the transaction: ", $rows(), "\n";
$p->rollBack();
echo "after the rollback: ", $rows(), "\n";
try {
    $p->query("SELECT * FROM {$t}_missing");
    echo "a missing table: no error\n";
} catch (PDOException $e) {
    echo "a missing table: ", $e->errorInfo[0], "\n";
}
