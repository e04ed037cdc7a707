/*
 * What the parts of the C core share; nothing here is exported (the
 * library is built with -fvisibility=hidden).
 *
 * The core's files, each calling only those listed before it (and the
 * pure text code of sql/); tools/dev/callgraph checks that no cycle forms:
 *   error.c        messages, redaction, small helpers
 *   state.c        open sessions, their lock, broken / lost / kept state
 *   dialect.c      what odbctx knows of each DBMS; the classifier's judgements
 *   conn.c         connections: opening one, plain SQL outside the trace
 *   trace.c        the SQL of the current test
 *   exec.c         traced SQL on the session's connection
 *   objects.c      what the schema created (recorded, replayed, dropped)
 *   transaction.c  the suite transaction and its journal
 *   levels.c       savepoints: the test, app and nested levels
 *   query.c        odbctx_exec, odbctx_query_int, scripts
 *   schema.c       odbctx_schema_*
 *   session.c      odbctx_open, odbctx_close
 * extras/ (workers, reconnects, MariaDB leftovers, the database-name guard,
 * schema reuse, stale directories) sits among them where its calls put it;
 * capture/ is above them all and calls the core's internals; share/ (child
 * processes joining the test) is above capture/.
 *
 * Ownership: session.c owns struct odbctx_session; capture/ owns the
 * struct odbctx_capture the session points to.
 *
 * Locking: every public function takes the session's recursive lock
 * (odbctx__enter / odbctx__leave); the odbctx__ helpers below expect it
 * held. Lock order, outermost first; a thread holding one may take only
 * those after it:
 *   1. capture's run-mode lock (capture/capture.c run_mu)
 *   2. the kept-savepoint lock (state.c kept_mu): held by odbctx__kept_enter
 *      while it turns the published session into a locked one, and by
 *      odbctx_close, before it takes the session's lock, while it unpublishes
 *   3. a session's lock (struct odbctx_session.lock)
 *   4. capture's session lock (capture/capture.c cap_mu)
 *   5. the registry lock (state.c registry_lock), held only briefly
 *   6. capture's leaf locks: the environment table (env_mu)
 */
#ifndef ODBCTX_INTERNAL_H
#define ODBCTX_INTERNAL_H

#include "odbctx.h"
#include "capture/odbc_real.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

enum odbctx_dialect {
    ODBCTX_DIALECT_SQLITE,
    ODBCTX_DIALECT_POSTGRESQL,
    ODBCTX_DIALECT_MARIADB, /* MariaDB and MySQL */
};

/* The SQL of the current test, with outcomes (trace.c). One line per
 * statement: "ok   [origin] SQL\n" or "FAIL [origin] SQL -> message\n",
 * whitespace in SQL collapsed, passwords redacted. */
struct odbctx_trace {
    char *text;
    size_t len, cap;
    size_t dropped; /* lines dropped from the front to bound memory */
    /* The last line, when it may take repeats (odbctx__trace_repeat): its
     * origin and statement, where its repeat count begins, the count. */
    char *rep_key;
    size_t rep_at;
    unsigned long rep_n;
    /* Where the test's last app-level commit or rollback ended (offset in
     * text), and whether lines after it were dropped: what follows is
     * what production would not have committed (extras/writes.c). */
    size_t mark;
    int mark_lost;
    /* Bytes dropped from the front since the test began: a position that
     * outlives drop_front is base + offset. undone: such positions, the
     * stretches a nested rollback undid (their writes are gone). */
    size_t base;
    struct odbctx_trace_span {
        size_t from, to;
    } *undone;
    size_t n_undone, cap_undone;
};

/* Suite-level work, replayed when the suite transaction must be begun anew
 * (after an isolation breach, or on MariaDB after a later schema). */
enum odbctx_journal_kind {
    ODBCTX_JOURNAL_SCHEMA, /* a statement of odbctx_schema_* */
    ODBCTX_JOURNAL_SUITE,  /* a statement run outside a test */
};

struct odbctx_journal_entry {
    enum odbctx_journal_kind kind;
    char *sql;
};

/* Something odbctx_schema_* created; dropped by odbctx_close on MariaDB and
 * after a breach committed it elsewhere. kind is the DROP keyword: "TABLE",
 * "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "PROCEDURE", "FUNCTION". */
struct odbctx_schema_object {
    const char *kind;
    char *name; /* as written in the script, quotes included */
};

/* The part of a session that reconnects and MariaDB leftovers keep
 * (extras/reconnect.c, extras/mariadb_leftovers.c). */
struct odbctx_rel_state {
    int lost;           /* the connection is gone: reconnect before the next suite use */
    int lost_in_a_row;  /* lost tests and failed reconnects since the last clean test */
    int gave_up;        /* ODBCTX_MAX_RECONNECTS reached: every later call fails at once */
    char lost_detail[400]; /* the first error that showed the loss (redacted) */
    char owner[48];     /* MariaDB: how odbctx_schema_registry knows this session */
    int registry_ready; /* MariaDB: the registry table exists */
};

struct odbctx_capture;

struct odbctx_session {
    SQLHENV env;
    SQLHDBC dbc;
    SQLHSTMT own_stmt;    /* exec.c reuses it for odbctx's own statements; NULL when none */
    SQLHANDLE own_stmt_drv; /* the driver's connection handle when own_stmt was kept */
    int connected;
    int connect_wide;     /* connect through SQLDriverConnectW (a driver session for a W caller) */
    unsigned long long connection_id; /* odbctx_connection_id; 0 before the first connect */
    enum odbctx_dialect dialect;
    char dbms[32];
    char dbms_ver[64];
    char *connection;     /* redacted; "" for the embedded default */
    char *connect_string; /* as given or built: holds the password; for reconnects */
    char *tmpdir;         /* embedded default: removed by odbctx_close */
    char **secrets;       /* password values, redacted from every message */
    size_t n_secrets, cap_secrets;

    int multi_statements; /* the driver runs "A; B" in one call */
    long lock_timeout_ms; /* ODBCTX_LOCK_TIMEOUT; 0 = wait without limit */
    int suite_open;       /* a verified suite transaction is open */
    long long suite_txid; /* PostgreSQL: its transaction id */

    int in_test;
    unsigned long tests_ended; /* a child's connection belongs to one test (share/) */
    int nested;           /* open nested levels above the app level */
    unsigned long serial; /* makes savepoint names unique per session */
    char test_sp[32];     /* savepoint names of the running test */
    int test_sp_kept;     /* between tests: test_sp is still set, emptied (levels.c) */
    char app_sp[32];
    unsigned long *nested_ids; /* serials of the open nested levels */
    size_t *nested_at;         /* where each began in the trace (odbctx__trace_pos) */
    size_t nested_at_cap;
    size_t nested_cap;
    int breach;           /* the suite transaction was lost in this test */
    /* Why the session refuses all work: a breach whose repair failed left
     * the database in a state odbctx cannot vouch for. NULL when healthy. */
    char *broken;
    char breach_detail[512];

    struct odbctx_schema_object *schema;
    size_t n_schema, cap_schema;
    struct odbctx_journal_entry *journal;
    size_t n_journal, cap_journal;

    int trace_print;      /* ODBCTX_TRACE=1 */
    /* ODBCTX_UNCOMMITTED; whether the running test committed or rolled
     * back the app level other than for setup; what the test that ended
     * last left uncommitted (extras/writes.c). */
    enum { ODBCTX__UNCOMMITTED_REPORT, ODBCTX__UNCOMMITTED_FAIL, ODBCTX__UNCOMMITTED_OFF }
        uncommitted_mode;
    int app_ended;
    char *uncommitted;
    unsigned long uncommitted_statements;
    /* odbctx_schema_version: unique in the process, new whenever odbctx
     * sees the schema change (objects.c). schema_dirty: DDL ran since the
     * running test began, so a rollback may undo it. */
    unsigned long long schema_version;
    int schema_dirty;
    /* PostgreSQL: whether the schema has deferrable constraints, as
     * counted under deferrable_version (extras/deferred.c). */
    unsigned long long deferrable_version;
    int deferrable;
    odbctx_error err;
    struct odbctx_trace trace;
    /* MariaDB: the temporary tables the running test made (its CREATE
     * TABLEs, extras/mariadb_ddl.c), as written; dropped when it ends. */
    struct {
        char **names;
        size_t n, cap;
    } temps;
    struct odbctx_capture *capture; /* NULL unless capture is active */
    /* Set by capture with capture: odbctx_close calls it before it
     * disconnects, so that the core needs nothing of capture. */
    void (*capture_release)(odbctx_session *s);
    struct odbctx_rel_state rel;    /* reconnects, MariaDB leftovers (extras/extras.h) */

    /* Recursive: the driver manager re-enters exported entry points from
     * inside a forwarded call (docs/databases.md), on the same thread.
     * Lock order: see the top of this file. */
    pthread_mutex_t lock;
};

/* ---- error.c ---- */

/* Error on the session: formats message (redacted), sets code, clears
 * sqlstate/native; returns code. */
int odbctx__fail(odbctx_session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Error from ODBC diagnostics of (type, handle): sqlstate, native, message
 * prefixed with what (e.g. the statement), all redacted. Returns code, except
 * that ODBCTX_ESQL becomes ODBCTX_ELOST when the diagnostics say the
 * connection is gone. It only formats: the caller notes a lost connection
 * (odbctx__fail_sql does). */
int odbctx__fail_odbc(odbctx_session *s, int code, SQLSMALLINT type, SQLHANDLE h,
                      const char *what);
void odbctx__clear_error(odbctx_session *s);
/* snprintf that cuts silently: messages are cut to fit by design. */
void odbctx__format(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies src into dst (capacity n), cut to fit and always terminated. */
void odbctx__copy(char *dst, size_t n, const char *src);
/* Appends text to the session's current message, cutting the message, not
 * text, to fit. */
void odbctx__error_suffix(odbctx_session *s, const char *text);
/* Prefixes the session's current message with prefix (": " between). */
void odbctx__error_prefix(odbctx_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Redacts in place: any PWD=/Password= value, and the session's password
 * values wherever they stand alone, unless letters only (a word the text
 * may contain for itself; see error.c). buf holds a string; n is its
 * capacity. s may be NULL. */
void odbctx__redact_text(const odbctx_session *s, char *buf, size_t n);
/* Adds a password value to redact; ignores empty ones. 0 or ODBCTX_ENOMEM. */
int odbctx__add_secret(odbctx_session *s, const char *value);
/* Makes *array (of *cap elements of elem bytes) hold at least need,
 * doubling; 0, or ODBCTX_ENOMEM with *array and *cap unchanged. */
int odbctx__grow(void **array, size_t *cap, size_t need, size_t elem);
/* Overwrites a string that may hold a password, then frees it; NULL is fine. */
void odbctx__wipe_free(char *secret);

/* ---- state.c ---- */

/* The registry of open sessions, so that a NULL, closed or foreign pointer
 * gives ODBCTX_EARG instead of a crash. odbctx__enter returns s locked, or
 * NULL when s is not an open session; when clear is set the session's last
 * error is reset (a new call begins). */
odbctx_session *odbctx__enter(odbctx_session *s, int clear);
void odbctx__leave(odbctx_session *s);
int odbctx__is_open(const odbctx_session *s);
/* 0 or ODBCTX_ENOMEM; _remove returns whether s was there. */
int odbctx__registry_add(odbctx_session *s);
int odbctx__registry_remove(odbctx_session *s);
/* Calls of odbctx's API this thread is inside (odbctx__enter/leave). Their
 * statements never settle through the interposed entry points, which the
 * driver manager may re-enter from inside them: the settling waits for the
 * session's lock, and another thread may be waiting for it already. */
extern _Thread_local int odbctx__in_call;

/* What share/ does when a session opens (before odbctx_open returns; a
 * nonzero return fails the open with the error on s) and before one
 * closes: set by share/ itself, so that the core calls nothing of it. */
extern int (*odbctx__on_open)(odbctx_session *s);
extern void (*odbctx__on_close)(odbctx_session *s);
/* The connection string a connection odbctx opens for itself uses when the
 * process's driver configuration sends every driver to odbctx's driver
 * (odbctx-run's, or the one a test process gives its children): the real
 * driver's, malloc'd; NULL to use conn as it is. Set by share/. Without
 * it a test process started by a test would open its session through
 * odbctx's driver, inside the other test. */
extern char *(*odbctx__on_route)(const char *conn);

/* Marks the session broken (see the broken field) with the message now on
 * it; the first reason stays. */
void odbctx__mark_broken(odbctx_session *s);
/* 0 when s may work; else fails with ODBCTX_EBROKEN naming fn and the
 * reason. Every public call that would send SQL starts with it. */
int odbctx__refuse_broken(odbctx_session *s, const char *fn);
/* Remembers that the connection is gone (the error on s says how): the
 * suite transaction went with it. */
void odbctx__lost_note(odbctx_session *s);

/* Between tests the emptied test savepoint stays for the next test to use,
 * which saves a round trip per test; one session at a time does this, the
 * one in odbctx__kept_session. Whatever runs on the connection outside a
 * test must first release it (odbctx__settle). _claim publishes s (0 when
 * another session holds the place), _unpublish withdraws it, _drop forgets
 * the kept savepoint without SQL (the suite transaction ended), and
 * _forget_closing withdraws s for odbctx_close. _enter returns the
 * published session locked, or NULL. */
extern _Atomic(odbctx_session *) odbctx__kept_session;
int odbctx__kept_claim(odbctx_session *s);
void odbctx__kept_unpublish(odbctx_session *s);
void odbctx__kept_drop(odbctx_session *s);
void odbctx__kept_forget_closing(odbctx_session *s);
odbctx_session *odbctx__kept_enter(void);

/* ---- dialect.c ---- */

/* What odbctx knows of a DBMS, as one row of a table (dialect.c). */
struct odbctx_dialect_facts {
    const char *key;               /* "sqlite", "postgresql", "mariadb": {dbms} in a schema path */
    unsigned lexis;                /* ODBCTX_SQL_*: how its SQL text reads (sql/lexis.h) */
    const char *noop_sql;          /* does nothing, returns no rows, ends nothing */
    const char *database_name_sql; /* one row: the current database (SQLite: its file) */
    int ddl_commits;               /* DDL and LOCK TABLES commit implicitly */
    int scripts_prepared;          /* script statements go through SQLPrepare + SQLExecute */
    int reuses_savepoint_names;    /* SAVEPOINT x again replaces x */
    int keeps_test_savepoint;      /* the emptied test savepoint may stay between tests */
    /* How a value is written back as SQL (odbctx_keep_rows): the quote of
     * identifiers, the start of a hex binary literal (closed by '), a
     * backslash in a string is an escape, a BIT value goes quoted, or the
     * server writes the literals itself. */
    char ident_quote;
    const char *hex_open;
    int backslash_escapes;
    int bit_quoted;
    const char *literal_fn; /* a function that gives any value as its SQL literal */
};
const struct odbctx_dialect_facts *odbctx__dialect(enum odbctx_dialect d);
/* Maps SQL_DBMS_NAME / SQL_DBMS_VER to a dialect and the name odbctx_dbms
 * reports; ODBCTX_EDBMS (nothing set) for a DBMS odbctx cannot isolate. */
int odbctx__dialect_lookup(const char *dbms_name, const char *dbms_ver,
                           enum odbctx_dialect *dialect, char *display, size_t n);
/* 1 when the session's last error says a savepoint odbctx made is gone or
 * the transaction around it is aborted: the suite transaction was lost. */
int odbctx__dialect_lost_savepoint(const odbctx_session *s);
/* 1 when a statement's first words may end the suite transaction on this
 * dialect (COMMIT, ROLLBACK without TO, BEGIN, SET autocommit, MariaDB DDL). */
int odbctx__dialect_ends_transaction(enum odbctx_dialect d, const char *sql, size_t len);
/* 1 when sql holds a statement the DBMS commits implicitly before running
 * (MariaDB's DDL, LOCK TABLES, ...): see sql/classify.h. */
int odbctx__dialect_commits_implicitly(enum odbctx_dialect d, const char *sql, size_t len);
/* Where the procedure name of a CALL statement starts; NULL when sql is
 * not a CALL. */
const char *odbctx__dialect_call(const char *sql, size_t len);

/* ---- conn.c ---- */

/* Connects the session's handles (allocated the first time) with
 * connect_string and sets the connection up as odbctx needs it: a supported
 * DBMS, autocommit off, the lock wait limit, multi-statement support known.
 * Begins no suite transaction. A reconnect is SQLDisconnect, this,
 * odbctx__suite_rebuild. */
int odbctx__connect(odbctx_session *s);
/* ODBCTX_LOCK_TIMEOUT in milliseconds (default 10000; 0 waits without
 * limit); ODBCTX_EARG on s for anything else. */
int odbctx__lock_timeout_ms(odbctx_session *s, long *out);
/* Learns the secret values of a connection string, so that every message
 * of s redacts them; as odbctx_connstr_walk (bad_offset may be NULL). */
int odbctx__learn_secrets(odbctx_session *s, const char *conn, size_t *bad_offset);
/* odbctx__fail_odbc with ODBCTX_ESQL, noting the loss on s when the
 * connection dbc is the session's and it is gone. */
int odbctx__fail_sql(odbctx_session *s, SQLHDBC dbc, SQLSMALLINT type, SQLHANDLE h,
                     const char *what);
/* Runs sql on dbc (the session's or another) outside the trace, and copies
 * column 1 of the first row as text into out ("" when there is no row or it
 * is NULL). 0, or ODBCTX_ESQL / ODBCTX_ELOST with the error on s. */
int odbctx__query_text(odbctx_session *s, SQLHDBC dbc, const char *sql, char *out, size_t n);
/* Runs sql on the session's connection without touching the trace or the
 * session's error: for probes whose failure is an answer. Returns 1 when it
 * succeeded, 0 when it failed; the failure's message (when msg is not NULL)
 * goes to msg. */
int odbctx__probe(odbctx_session *s, const char *sql, char *msg, size_t n);

/* A plain connection of odbctx's own, for work no session may do (creating
 * a worker's database, keeping a schema). Errors go to s, which need not be
 * open: who names the feature in them, doing the failed connect. */
struct odbctx_plain {
    SQLHENV env;
    SQLHDBC dbc;
};
int odbctx__plain_open(odbctx_session *s, struct odbctx_plain *c, const char *conn,
                       const char *who, const char *doing);
void odbctx__plain_close(struct odbctx_plain *c);
/* Runs len bytes of sql on dbc, discarding any result; what prefixes errors. */
int odbctx__plain_exec(odbctx_session *s, SQLHDBC dbc, const char *sql, size_t len,
                       const char *what);
/* Runs a query of one or two text columns, calling row for each row (b is
 * "" with one column); stops at row's first nonzero return. */
typedef int (*odbctx__row_fn)(void *ctx, const char *a, const char *b);
int odbctx__plain_rows(odbctx_session *s, SQLHDBC dbc, const char *sql, odbctx__row_fn row,
                       void *ctx);

/* ---- trace.c ---- */

/* Append one statement's outcome; prints it when ODBCTX_TRACE=1. message
 * may be NULL for success. */
void odbctx__trace_add(odbctx_session *s, const char *origin, const char *sql,
                       int ok, const char *message);
void odbctx__trace_reset(odbctx_session *s);
/* A statement that code of odbctx's runs in a loop (a factory's INSERT):
 * when the trace's last line is the same origin and statement, and this
 * run succeeded, the line's count goes up instead of a new line ("and 9
 * more like it"), and 1 is returned; otherwise 0, and after the caller's
 * odbctx__trace_add, odbctx__trace_repeatable makes that line the one
 * repeats count on. */
int odbctx__trace_repeat(odbctx_session *s, const char *origin, const char *sql, int ok);
void odbctx__trace_repeatable(odbctx_session *s, const char *origin, const char *sql);
void odbctx__trace_free(odbctx_session *s);
/* The app level ended here (a commit or rollback): the lines after this
 * point are the ones it has not committed. */
void odbctx__trace_mark(odbctx_session *s);
/* The trace's end as a position that drop_front does not move. */
size_t odbctx__trace_pos(odbctx_session *s);
/* What the trace holds from position from to its end was undone (a nested
 * rollback): writes there are not pending. */
void odbctx__trace_undone(odbctx_session *s, size_t from);
/* Writes into out a short account of what in the trace may have ended the
 * suite transaction (transaction control, or DDL on MariaDB), followed by the
 * last statements; "" when the trace is empty. */
void odbctx__trace_breach_suspects(const odbctx_session *s, char *out, size_t n);
/* The origin "odbctx" for SQL that odbctx wrote itself from constants and
 * its savepoint names only, so that it cannot hold a password: passed as
 * this very pointer, the trace skips redacting its line and exec.c runs it
 * on the session's reused statement handle. Any other SQL, even odbctx's
 * own replays of user SQL, passes the literal "odbctx". */
extern const char odbctx__origin_own[];

/* ---- exec.c ---- */

/* Runs sql on the session's connection through the real driver manager,
 * recording it in the trace with origin ("odbctx", "suite", "test",
 * "schema", "captured"). Returns 0, or ODBCTX_ESQL / ODBCTX_ELOST with the
 * error on the session. */
int odbctx__exec_real(odbctx_session *s, const char *sql, const char *origin);
/* As odbctx__exec_real; prepared nonzero sends it with SQLPrepare and
 * SQLExecute instead of SQLExecDirect (scripts_prepared in dialect.c). */
int odbctx__exec_opt(odbctx_session *s, const char *sql, const char *origin, int prepared);
/* As odbctx__exec_real, and reads column 1 of the first row of the last
 * result set into *out (NULL reads as 0); ODBCTX_ESQL when there is no row. */
int odbctx__query_int_real(odbctx_session *s, const char *sql, const char *origin,
                           long long *out);
/* The same with values for the statement's '?' markers (odbctx_param),
 * always prepared; the trace shows the values after the statement. */
struct odbctx__bound {
    const odbctx_param *params;
    size_t n;
};
int odbctx__exec_bound(odbctx_session *s, const char *sql, const char *origin,
                       const struct odbctx__bound *b);
int odbctx__query_int_bound(odbctx_session *s, const char *sql, const char *origin,
                            const struct odbctx__bound *b, long long *out);
/* odbctx_query_rows' work: rows(ctx, st) on the first result set with
 * columns; its nonzero return is returned. */
int odbctx__query_rows_bound(odbctx_session *s, const char *sql, const char *origin,
                             const struct odbctx__bound *b, int (*rows)(void *, SQLHSTMT),
                             void *ctx);
/* Frees the reused statement handle: before the connection is disconnected
 * (which frees it anyway, so that it must be forgotten: odbctx__connect
 * does) or its handle freed. */
void odbctx__own_stmt_drop(odbctx_session *s);
/* MariaDB: 1 when sql is a CALL of a procedure whose body (read from
 * information_schema) controls the transaction or runs DDL, so that the
 * CALL would commit. 0 otherwise, and when the body cannot be read. */
int odbctx__procedure_commits(odbctx_session *s, const char *sql, size_t len);

/* ---- objects.c ---- */

/* 0 when running sql must ask the database first (CREATE ... IF NOT
 * EXISTS: was the object there?), so it cannot go in a batch. */
int odbctx__schema_batchable(const odbctx_session *s, const char *sql, size_t len);
/* Records what sql (already run) created, as a schema statement would. */
int odbctx__schema_note(odbctx_session *s, const char *sql, size_t len);
/* 1 when the statement is CREATE/ALTER/DROP/RENAME/TRUNCATE (DDL), read
 * with the session's lexis. */
int odbctx__schema_is_ddl(const odbctx_session *s, const char *sql, size_t len);
/* A new odbctx_schema_version for s. */
void odbctx__schema_changed(odbctx_session *s);
/* Every statement run on the session's connection, odbctx's own and
 * captured ones (odbctx__trace_add passes them): DDL, or a rollback after
 * DDL in the running test, gives the schema a new version. */
void odbctx__schema_seen(odbctx_session *s, const char *origin, const char *sql);
/* Runs a schema statement (again, when replayed), recording what it
 * creates; on MariaDB the leftovers registry hears of it first. */
int odbctx__schema_run_recorded(odbctx_session *s, const char *sql);
/* Drops the recorded objects, newest first (foreign key checks off on
 * MariaDB), commits, and forgets them. Errors are reported but every drop
 * is attempted. */
int odbctx__schema_drop(odbctx_session *s);
/* Forgets the recorded objects without dropping them; _free also frees
 * the array. */
void odbctx__schema_forget(odbctx_session *s);
void odbctx__schema_free(odbctx_session *s);

/* ---- transaction.c: the suite transaction ---- */

/* Runs one statement of a script (NUL-terminated copy); 0 or a code with
 * the error on the session. */
typedef int (*odbctx__stmt_fn)(odbctx_session *s, const char *sql, void *ctx);

/* Begins it explicitly and verifies that it is open. */
int odbctx__suite_begin(odbctx_session *s);
/* Checks that the suite transaction is still the one odbctx began;
 * ODBCTX_EBREACH when it is not. Cheap: one round trip at most. */
int odbctx__suite_verify(odbctx_session *s);
/* Ends whatever transaction is open and begins the suite anew: drops schema
 * objects a breach may have committed, re-creates the schema and replays the
 * suite-level journal. Used after a breach and by later MariaDB schemas. */
int odbctx__suite_rebuild(odbctx_session *s, int after_breach);
/* Rolls back whatever transaction is open, whoever began it; afterwards
 * no suite transaction is open. */
int odbctx__suite_end(odbctx_session *s);
/* Replays the journal's schema statements (schema nonzero) or its
 * suite-level statements, in order. */
int odbctx__suite_replay(odbctx_session *s, int schema);
/* Call after a statement that the user or captured code ran on the
 * session, with its result rc and whether its words may end a transaction
 * (odbctx__dialect_ends_transaction). When it failed or may_end is set,
 * checks that the suite transaction survived: a failed statement can take
 * it along (psqlODBC after a syntax error, MariaDB on a deadlock, SQLite's
 * RAISE(ROLLBACK)). If it is gone, inside a test the test is marked
 * breached until odbctx_end_test rebuilds the suite; outside a test the
 * suite is rebuilt at once. Returns rc, or ODBCTX_EBREACH telling what
 * happened (the statement's SQLSTATE and native code kept). may_end is
 * ODBCTX_ENDS_SURELY when the statement is known to commit whenever it
 * runs (MariaDB's implicit commits): then it succeeded means breached,
 * whatever the server's transaction flag says (LOCK TABLES begins a new
 * transaction at once). */
#define ODBCTX_ENDS_SURELY 2
int odbctx__after_statement(odbctx_session *s, const char *sql, int rc, int may_end);
/* Appends to the journal; 0 or ODBCTX_ENOMEM. */
int odbctx__journal_add(odbctx_session *s, enum odbctx_journal_kind kind, const char *sql,
                        size_t len);
/* A schema statement: run and recorded (odbctx__schema_run_recorded),
 * checked, and journaled for replays. An odbctx__stmt_fn. */
int odbctx__schema_journaled(odbctx_session *s, const char *sql, void *unused);
/* Where DDL commits implicitly (MariaDB) the schema cannot live in the
 * suite transaction: rolls that back, runs work and commits it, then
 * begins the suite transaction again and replays its suite-level
 * statements. Returns work's failure first, else the new suite's. */
int odbctx__outside_suite(odbctx_session *s, int (*work)(odbctx_session *s, void *ctx), void *ctx);
/* One statement as odbctx_schema_script would run it: journaled, and
 * outside the suite transaction where DDL commits. */
int odbctx__schema_statement(odbctx_session *s, const char *sql);
/* Releases the kept test savepoint before work outside a test, with the
 * lock held (0 when nothing was kept); odbctx__settle_any, for the
 * interposed entry points that run statements, takes the lock itself. */
int odbctx__settle(odbctx_session *s);
void odbctx__settle_slow(void);
static inline void odbctx__settle_any(void)
{
    if (atomic_load_explicit(&odbctx__kept_session, memory_order_relaxed) && !odbctx__in_call)
        odbctx__settle_slow();
}

/* ---- levels.c: savepoints ---- */

/* Names are "odbctx_<kind><serial>", unique in the session; kind is 't'
 * (test), 'a' (app), 'n' (nested), or any other letter a caller such as
 * capture chooses. Where the DBMS replaces a savepoint set again under its
 * name (reuses_savepoint_names), the test savepoint keeps its name from test
 * to test and the app savepoint across the commits of a test. */
void odbctx__savepoint_name(odbctx_session *s, char kind, char *out, size_t n);
int odbctx__savepoint(odbctx_session *s, const char *name);
int odbctx__savepoint_release(odbctx_session *s, const char *name);
/* Rolls back to name and releases it. */
int odbctx__savepoint_undo(odbctx_session *s, const char *name);
/* odbctx_end_test with the lock held; used by odbctx_close too. */
int odbctx__end_test_locked(odbctx_session *s);
/* odbctx_commit and odbctx_rollback with the lock held, the session's
 * error kept (capture). */
int odbctx__app_commit(odbctx_session *s);
int odbctx__app_rollback(odbctx_session *s);
/* Once a breach is known in a test its levels are gone: every call but
 * odbctx_end_test gets ODBCTX_EBREACH from this, naming doing. */
int odbctx__breached(odbctx_session *s, const char *doing);
/* Turns a failed savepoint operation into ODBCTX_EBREACH when the suite
 * transaction is gone (remembering it for odbctx_end_test), else keeps rc. */
int odbctx__check_breach(odbctx_session *s, int rc, const char *doing);

/* ---- query.c ---- */

/* Splits script with the session's dialect and runs every statement through
 * fn, or, when fn is NULL, as odbctx_exec does (journaled outside a test).
 * The script is checked whole before anything runs; a failure names the
 * script, the line and the statement. */
int odbctx__run_script(odbctx_session *s, const char *script, const char *name,
                       odbctx__stmt_fn fn, void *ctx, int batch_journal);
/* Reads a whole text file into a NUL-terminated buffer the caller frees. */
int odbctx__read_file(odbctx_session *s, const char *path, char **out);

/* ---- session.c ---- */

/* A session struct with its lock, not open (not in the registry, no
 * connection): odbctx_open fills it; schema reuse keeps its errors there.
 * _free frees one in any state, disconnecting what is connected. */
odbctx_session *odbctx__session_new(void);
/* odbctx_open, with the connection made through the wide SQLDriverConnectW
 * when wide is set: a driver behaves as it would for a program that
 * connected that way (psqlodbc and Connector/ODBC report character columns
 * as SQL_WVARCHAR then). */
int odbctx__open(odbctx_session **out, const char *conn, int wide, odbctx_error *err);
void odbctx__session_free(odbctx_session *s);

#endif
