# A child process that a test starts: plain pyodbc, as an application's own
# script would be; it knows nothing of odbctx.
#
#   python3 child.py CONNECTION TABLE NAME [PROGRAM ARGS...]
#
# It reads the table, writes NAME-commit and commits, writes NAME-rollback
# and rolls back, and reports "NAME.key=value" lines on stdout. With a
# PROGRAM it then runs it (a grandchild, its output passed through) and
# reads the table once more. A failed call prints "NAME.error=..." and
# exits 3.
import subprocess
import sys

import pyodbc


def main():
    conn_str, table, name = sys.argv[1:4]
    rest = sys.argv[4:]
    out = sys.stdout

    def say(key, value):
        out.write("%s.%s=%s\n" % (name, key, value))
        out.flush()

    def names(cur):
        cur.execute("SELECT name FROM %s ORDER BY name" % table)
        return ",".join(r[0] for r in cur.fetchall())

    try:
        db = pyodbc.connect(conn_str, autocommit=False)
        cur = db.cursor()
        say("names_at_start", names(cur))
        cur.execute("INSERT INTO %s (id, name) VALUES (?, ?)" % table, 7, name + "-commit")
        db.commit()
        cur.execute("INSERT INTO %s (id, name) VALUES (?, ?)" % table, 8, name + "-rollback")
        db.rollback()
        say("names_after_commit", names(cur))
        db.commit()
        if rest:
            status = subprocess.call(rest)
            say("grandchild_status", status)
            say("names_after_grandchild", names(cur))
        db.close()
    except pyodbc.Error as e:
        say("error", str(e).replace("\n", " "))
        sys.exit(3)
    say("done", "yes")


main()
