"""Run only by run.test.sh: passes, but writes after its last commit, which
production would have rolled back: a warning by default, an error in the
teardown with ODBCTX_UNCOMMITTED=fail."""


def test_writes_after_its_commit(db):
    cur = db.cursor()
    cur.execute("INSERT INTO audit_log (message) VALUES ('committed by the code')")
    db.commit()
    cur.execute("INSERT INTO audit_log (message) VALUES ('never committed')")
    assert cur.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 2
