"""Factories in the style of factory_boy's SQLAlchemyModelFactory, inserting
through the current session's pyodbc connection:

    class UserFactory(odbctx.Factory):
        table = "users"
        name = odbctx.Sequence(lambda n: "user%d" % n)
        email = odbctx.LazyAttribute(lambda u: u.name + "@example.com")
        active = True

    user = UserFactory.create(name="foobar")   # user.id is filled in

Every row vanishes with the test, like everything else the test writes.
"""

import itertools

from . import registry

_OPTIONS = {"table", "key", "persistence"}


class Sequence:
    """A value computed from a per-factory counter n = 0, 1, 2, ..."""

    def __init__(self, fn):
        self.fn = fn


class LazyAttribute:
    """A value computed from the row being built (after the plain values and
    sequences, in declaration order)."""

    def __init__(self, fn):
        self.fn = fn


class Row(dict):
    """A built or created row: a dict whose keys are also attributes."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Factory:
    table = None
    # The generated key filled in after insert; None for none.
    key = "id"
    # None: insert only. "commit": also an app-level commit after the insert
    # (a savepoint restart), like sqlalchemy_session_persistence = "commit".
    persistence = None

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls._counter = itertools.count()

    @classmethod
    def _declarations(cls):
        fields = {}
        for klass in reversed(cls.__mro__):
            if klass is object or klass is Factory:
                continue
            for name, value in vars(klass).items():
                if name.startswith("_") or name in _OPTIONS:
                    continue
                # Methods of the factory are not columns.
                if isinstance(value, (classmethod, staticmethod, property)) or callable(value):
                    continue
                fields[name] = value
        return fields

    @classmethod
    def reset_sequence(cls, start=0):
        cls._counter = itertools.count(start)

    @classmethod
    def build(cls, **overrides):
        """The row in memory; no SQL runs."""
        decl = cls._declarations()
        unknown = set(overrides) - set(decl)
        if unknown:
            raise TypeError("%s has no field %s" % (cls.__name__, ", ".join(sorted(unknown))))
        n = next(cls._counter)
        row = Row()
        lazy = []
        for name, value in decl.items():
            if name in overrides:
                row[name] = overrides[name]
            elif isinstance(value, Sequence):
                row[name] = value.fn(n)
            elif isinstance(value, LazyAttribute):
                lazy.append(name)
                row[name] = None
            else:
                row[name] = value
        for name in lazy:
            row[name] = decl[name].fn(row)
        return row

    @classmethod
    def create(cls, **overrides):
        """Builds the row and inserts it through odbctx.connection()."""
        if not cls.table:
            raise TypeError("%s has no table" % cls.__name__)
        row = cls.build(**overrides)
        conn = registry.connection()
        dbms = registry.current().dbms
        cols = [c for c in row if c != cls.key or row[c] is not None]
        sql = "INSERT INTO %s (%s) VALUES (%s)" % (
            cls.table, ", ".join(cols), ", ".join("?" for _ in cols))
        cur = conn.cursor()
        try:
            if cls.key and cls.key not in cols:
                # The SQLite driver runs RETURNING but drops its row; MySQL
                # has no RETURNING (MariaDB has, from 10.5).
                last = {"SQLite": "SELECT last_insert_rowid()",
                        "MySQL": "SELECT LAST_INSERT_ID()"}.get(dbms)
                if last:
                    cur.execute(sql, [row[c] for c in cols])
                    row[cls.key] = cur.execute(last).fetchone()[0]
                else:
                    cur.execute(sql + " RETURNING " + cls.key, [row[c] for c in cols])
                    row[cls.key] = cur.fetchone()[0]
            else:
                cur.execute(sql, [row[c] for c in cols])
        finally:
            cur.close()
        if cls.persistence == "commit":
            # A commit of test setup: the test's later writes stay the
            # test's in the never-committed report (odbctx_commit_setup).
            registry.current().commit_setup()
        return row

    @classmethod
    def create_batch(cls, n, **overrides):
        return [cls.create(**overrides) for _ in range(n)]

    @classmethod
    def build_batch(cls, n, **overrides):
        return [cls.build(**overrides) for _ in range(n)]
