"""Two connections of one program under odbctx-run: A writes without
committing, B writes in autocommit, A rolls back. Under odbctx both share
one transaction, so B's autocommit made A's row permanent for the run:
prints how many rows A's rollback left (2 under odbctx, 1 on a real
database)."""
import sys

import pyodbc

conn, t = sys.argv[1], sys.argv[2]
a = pyodbc.connect(conn, autocommit=False)
b = pyodbc.connect(conn, autocommit=True)
a.execute(f"INSERT INTO {t} (id, who) VALUES (10, 'a')")
b.execute(f"INSERT INTO {t} (id, who) VALUES (11, 'b')")
a.rollback()
print("rows after A's rollback:", b.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
