/*
 * extras/: what the core can do without, each feature in a file of its own:
 *   worker.c             ODBCTX_WORKER: a database of its own per parallel runner
 *   reconnect.c          connecting again after the server went away
 *   mariadb_leftovers.c  MariaDB: dropping what a killed run's schema left
 *   dbname_guard.c       refusing a database whose name does not say "test"
 *   schema_reuse.c       odbctx_schema_reuse: a slow schema kept across runs
 *   stale_tmpdirs.c      the embedded default's directories of killed processes
 *   mariadb_ddl.c        MariaDB: table DDL inside a test, as temporary tables
 *   deferred.c           PostgreSQL: deferred constraints at each app commit
 *   writes.c             what a test wrote: never committed, tables written
 *   keep_rows.c          a failing test's rows, as a script (odbctx_keep_rows)
 * Nothing here is exported. Every function that takes a session expects
 * its lock held.
 */
#ifndef ODBCTX_EXTRAS_H
#define ODBCTX_EXTRAS_H

#include "internal.h"

/* worker.c */
/* Reads ODBCTX_WORKER: *n = -1 when unset or empty, else the number;
 * ODBCTX_EARG for anything but a decimal number. */
int odbctx__worker_number(odbctx_session *s, long *n);
/* The connection string worker n uses instead of conn, creating its
 * database on the server when missing. *out is NULL when nothing changes
 * (no worker, the embedded default, an SQLite :memory: database), else a
 * string the caller frees. Errors go to s. */
int odbctx__worker_connection(odbctx_session *s, const char *conn, long n, char **out);

/* dbname_guard.c */
/* 1 when a database name looks like a test database's (contains "test",
 * any case). */
int odbctx__guard_name_ok(const char *name);
/* 0 when the schema lifecycle may run on the session's database: the
 * embedded default, a temporary SQLite database, a name with "test", or
 * ODBCTX_ALLOW_ANY_DATABASE=1. Else ODBCTX_EREFUSED saying why. */
int odbctx__guard_schema(odbctx_session *s);
/* The same check of the database dbc is connected to (schema reuse). */
int odbctx__guard_database(odbctx_session *s, SQLHDBC dbc, enum odbctx_dialect d);

/* reconnect.c */
/* ODBCTX_MAX_RECONNECTS, default 3. */
int odbctx__max_reconnects(void);
/* odbctx_end_test found the connection gone: counts it and returns
 * ODBCTX_ELOST with a message saying what happens next. */
int odbctx__lost_end_test(odbctx_session *s);
/* A test ended cleanly: the count of failures in a row starts again. */
void odbctx__lost_test_passed(odbctx_session *s);
/* Connects again (odbctx__connect_again) unless odbctx gave up; 0, or
 * ODBCTX_ELOST saying why and whether odbctx will try again. The caller
 * then begins the suite and replays it (odbctx__suite_rebuild does). */
int odbctx__reconnect(odbctx_session *s);
/* Drops the old connection and connects the same handle again with the
 * session's connection string (odbctx__connect); no suite transaction. */
int odbctx__connect_again(odbctx_session *s);

/* mariadb_leftovers.c (MariaDB; no-ops elsewhere) */
/* At open, before the suite transaction: takes this session's owner lock
 * and drops what sessions whose lock is free left in the registry. */
int odbctx__leftovers_open(odbctx_session *s);
/* Before a schema statement creates kind name: records and commits it. */
int odbctx__leftovers_note(odbctx_session *s, const char *kind, const char *name);
/* After the schema was dropped: forgets this session's records. */
void odbctx__leftovers_forget(odbctx_session *s);
/* After a reconnect: takes the owner lock again. */
void odbctx__leftovers_reown(odbctx_session *s);

/* stale_tmpdirs.c: the embedded default's directories left by killed processes. */
/* Writes the owner file (this process, its PID namespace) into dir. */
void odbctx__tmpdir_mark(const char *dir);
/* Removes base/odbctx-XXXXXX directories of this user whose owner file
 * names a process of this PID namespace that no longer exists. */
void odbctx__tmpdir_sweep(const char *base);

/* mariadb_ddl.c (MariaDB, inside a test) */
/* What runs instead of a statement MariaDB commits implicitly before it
 * runs. The caller first makes the app-level commit the implicit commit
 * stands for, then fails with err (fails), or sends sql, or, when both are
 * unset, does nothing (CREATE TABLE IF NOT EXISTS of a table that exists). */
struct odbctx_ddl_plan {
    char *sql;        /* malloc'd */
    int fails;
    odbctx_error err; /* as MariaDB would fail the statement */
};
/* 0 and *p filled for sql[0..len); or ODBCTX_EREFUSED naming the statement
 * (SQLSTATE 25000), or another error, on s: nothing is to be done. */
int odbctx__ddl_contain(odbctx_session *s, const char *sql, size_t len, struct odbctx_ddl_plan *p);
/* odbctx_exec's path: contains sql and runs what replaces it, traced with
 * origin. */
int odbctx__ddl_run(odbctx_session *s, const char *sql, const char *origin);
/* After a statement ran in a test (ok: it succeeded): a CREATE or DROP of a
 * TEMPORARY table updates the test's own tables, whoever sent it. */
void odbctx__ddl_ran(odbctx_session *s, const char *sql, int ok);
/* At the end of a test: drops the temporary tables it made. */
void odbctx__ddl_test_end(odbctx_session *s);
void odbctx__ddl_free(odbctx_session *s);

/* ---- deferred.c: PostgreSQL's deferred constraints at app commits ---- */

/* What an app commit sends before its restart to check deferred
 * constraints now, or NULL (not PostgreSQL, no deferrable constraint,
 * ODBCTX_CHECK_DEFERRED=0). May ask the server once per schema version. */
const char *odbctx__deferred_check_sql(odbctx_session *s);
/* 1 when the error on s is a constraint violation (SQLSTATE class 23). */
int odbctx__deferred_failed(const odbctx_session *s);

/* writes.c */
/* Reads ODBCTX_UNCOMMITTED into s->uncommitted_mode (report, fail, 0);
 * ODBCTX_EARG naming the value for anything else. */
int odbctx__uncommitted_mode(odbctx_session *s);
/* The app level was committed or rolled back (by_setup: a factory's
 * commit, odbctx_commit_setup): writes before here are not pending. */
void odbctx__writes_app_ended(odbctx_session *s, int by_setup);
/* A successful write in the trace: its line, origin, SQL, the table as
 * written (length 0 when the form names none) and how many statements the
 * line stands for ("(and N more like it)"). */
struct odbctx__write {
    const char *line;
    size_t line_len;
    const char *origin;
    size_t origin_len;
    const char *sql;
    size_t sql_len;
    const char *table;
    size_t table_len;
    unsigned long count;
};
typedef int (*odbctx__write_fn)(void *ctx, const struct odbctx__write *w);
/* Calls fn for each write in the trace from offset from on, until fn
 * returns nonzero; returns how many it saw. */
size_t odbctx__writes_each(const odbctx_session *s, size_t from, odbctx__write_fn fn, void *ctx);
/* When the test ends, before it is discarded: what it left uncommitted,
 * into s->uncommitted (odbctx_uncommitted). */
void odbctx__writes_test_end(odbctx_session *s);
/* After the test was discarded: ODBCTX_EUNCOMMITTED saying what, when
 * ODBCTX_UNCOMMITTED=fail and the test left writes uncommitted; else 0. */
int odbctx__writes_verdict(odbctx_session *s);

#endif
