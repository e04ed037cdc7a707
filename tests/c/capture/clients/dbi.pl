# Perl's DBI with DBD::ODBC: autocommit, a commit, a rollback, an error.
use strict;
use warnings;
use DBI;
my ($conn, $t) = @ARGV;
my $dbh = DBI->connect("dbi:ODBC:$conn", undef, undef,
                       {RaiseError => 0, PrintError => 0, AutoCommit => 1})
    or die "connect failed: $DBI::errstr\n";
sub rows { my ($n) = $dbh->selectrow_array("SELECT count(*) FROM $t"); return $n }
$dbh->do("INSERT INTO $t (id, who) VALUES (1, 'perl')");
$dbh->begin_work;
$dbh->do("INSERT INTO $t (id, who) VALUES (2, 'perl')");
$dbh->commit;
$dbh->begin_work;
$dbh->do("INSERT INTO $t (id, who) VALUES (3, 'perl')");
print "in the transaction: ", rows(), "\n";
$dbh->rollback;
print "after the rollback: ", rows(), "\n";
my $ok = $dbh->do("SELECT * FROM ${t}_missing");
print "a missing table: ", defined $ok ? "no error" : $dbh->state, "\n";
$dbh->disconnect;
