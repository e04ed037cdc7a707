"""Run only by run.test.sh, which checks how a failure is reported: the
odbctx section names the database and lists the SQL the test ran."""


def test_fails_after_writing(db):
    db.cursor().execute("INSERT INTO audit_log (message) VALUES ('written by a failing test')")
    assert False, "deliberate failure"


def test_next_one_is_clean(db):
    assert db.cursor().execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 0
