"""pyodbc (SQLDriverConnectW): autocommit, a commit, a rollback, an error,
and which SQL type the driver reports for a varchar column (pyodbc's output
converters are chosen by it)."""
import sys

import pyodbc

conn, t = sys.argv[1], sys.argv[2]
c = pyodbc.connect(conn, autocommit=True)
kinds = {pyodbc.SQL_VARCHAR: "SQL_VARCHAR", pyodbc.SQL_WVARCHAR: "SQL_WVARCHAR",
         pyodbc.SQL_CHAR: "SQL_CHAR", pyodbc.SQL_WCHAR: "SQL_WCHAR",
         pyodbc.SQL_LONGVARCHAR: "SQL_LONGVARCHAR", pyodbc.SQL_WLONGVARCHAR: "SQL_WLONGVARCHAR"}
for code, name in kinds.items():
    c.add_output_converter(code, lambda value, name=name: name)


def rows():
    return c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]


c.execute(f"INSERT INTO {t} (id, who) VALUES (1, 'python')")
c.autocommit = False
c.execute(f"INSERT INTO {t} (id, who) VALUES (2, 'python')")
c.commit()
c.execute(f"INSERT INTO {t} (id, who) VALUES (3, 'python')")
print("in the transaction:", rows())
c.rollback()
print("after the rollback:", rows())
print("the varchar column is reported as:", c.execute(f"SELECT who FROM {t} WHERE id = 1").fetchone()[0])
try:
    c.execute(f"SELECT * FROM {t}_missing")
    print("a missing table: no error")
except pyodbc.Error as e:
    print("a missing table:", e.args[0])
c.close()
