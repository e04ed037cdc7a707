/*
 * odbctx — isolated database tests over one ODBC connection.
 *
 * A session owns one ODBC connection and a stack of transaction levels:
 *
 *   suite   a real transaction, begun explicitly and verified, never committed
 *   test    SAVEPOINT, one per test run            (odbctx_begin_test / end_test)
 *   app     SAVEPOINT, restarted on every app commit or rollback
 *   nested  SAVEPOINT ...                          (odbctx_nested_*)
 *
 * Everything a test writes, including what the code under test "commits",
 * is discarded by odbctx_end_test; everything the suite writes is discarded
 * by odbctx_close (or by the server when the process dies).
 *
 * Conventions: functions that can fail return 0 (ODBCTX_OK) or a negative
 * ODBCTX_E* code; the detail is on the session (odbctx_last_error). Every
 * call locks the session, so threads may share one (their calls take turns);
 * a NULL or closed session gives ODBCTX_EARG, but closing a session while
 * another thread still uses it is a bug odbctx cannot make safe.
 * Passwords given in a connection string never appear in any message.
 */
#ifndef ODBCTX_H
#define ODBCTX_H

#include <stddef.h>
#include <sql.h>
#include <sqlext.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The single source of the version; the Makefile derives the soname from it. */
#define ODBCTX_VERSION_MAJOR 0
#define ODBCTX_VERSION_MINOR 1
#define ODBCTX_VERSION_PATCH 0
#define ODBCTX_VERSION_STRING "0.1.0"

#if defined(__GNUC__)
#define ODBCTX_API __attribute__((visibility("default")))
#else
#define ODBCTX_API
#endif

/* Error codes. Every one of them has a message on the session. */
#define ODBCTX_OK        0
#define ODBCTX_EARG     -1  /* NULL or invalid argument */
#define ODBCTX_ECONNECT -2  /* connection failed, driver missing, bad connection string */
#define ODBCTX_EDBMS    -3  /* DBMS not supported (no savepoints, no transactions) */
#define ODBCTX_ESQL     -4  /* a statement failed; sqlstate/native/message from the driver */
#define ODBCTX_ESTATE   -5  /* call out of order: commit outside a test, end without begin, ... */
#define ODBCTX_EIO      -6  /* a file could not be read */
#define ODBCTX_EBREACH  -7  /* the suite transaction was lost: isolation breach */
#define ODBCTX_ENOMEM   -8  /* out of memory */
#define ODBCTX_ELOST    -9  /* the connection to the server was lost */
#define ODBCTX_EREFUSED -10 /* refused on purpose: unsafe statement or database */
/* The session cannot promise isolation any more: an isolation breach could
 * not be repaired (the message says what failed). Every later call that
 * would use the database fails with it; only odbctx_close helps. */
#define ODBCTX_EBROKEN  -11
/* odbctx_end_test with ODBCTX_UNCOMMITTED=fail: the test wrote rows it never
 * committed, which production would have rolled back (odbctx_uncommitted
 * lists them). The test was discarded as always. */
#define ODBCTX_EUNCOMMITTED -12

typedef struct odbctx_session odbctx_session;

/* Detail of the last failure. sqlstate is "" when the error did not come
 * from the driver. message never contains a password. */
typedef struct odbctx_error {
    int code;
    char sqlstate[6];
    long native;
    char message[1024];
} odbctx_error;

/* Opens one connection (ODBC 3, autocommit off, pooling off) and begins the
 * suite transaction, explicitly, and checks that it is open.
 * conn: an ODBC connection string; NULL or "" opens the embedded default,
 *   an SQLite database (foreign keys on) in a fresh temporary directory that
 *   odbctx_close removes.
 * On success *out is a session the caller owns (odbctx_close). On failure
 * *out is NULL, the code is returned and, when err is not NULL, *err holds
 * the detail (there is no session to hold it):
 *   ODBCTX_ECONNECT  malformed string, missing driver, refused login
 *   ODBCTX_EDBMS     a DBMS other than SQLite, PostgreSQL, MariaDB, MySQL,
 *                    or one without transactions; the message names it
 *   ODBCTX_EREFUSED  options that would lose the suite transaction unseen:
 *                    MariaDB auto-reconnect, psqlODBC Protocol=7.4-1 / 7.4-0
 *                    (a failed statement must be undone alone) */
ODBCTX_API int odbctx_open(odbctx_session **out, const char *conn, odbctx_error *err);

/* Rolls back everything (tests, suite, schema on MariaDB is dropped),
 * disconnects and frees. Accepts NULL. */
ODBCTX_API void odbctx_close(odbctx_session *s);

/* The connection to hand to legacy code; owned by the session. NULL for NULL s. */
ODBCTX_API SQLHDBC odbctx_hdbc(odbctx_session *s);

/* Identifies the session's current connection: unique in the process, new
 * after every (re)connect, 0 for NULL, closed or unconnected s. Handles
 * allocated on odbctx_hdbc(s) stay valid while it does not change (state
 * that caches statements keys on it). */
ODBCTX_API unsigned long long odbctx_connection_id(odbctx_session *s);

/* Identifies the schema as odbctx last saw it: unique in the process, new
 * after every (re)connect, every CREATE/ALTER/DROP/RENAME/TRUNCATE that
 * odbctx runs or captures, and every rollback in a test that ran one; 0 for
 * NULL, closed or unconnected s. What odbctx keeps about tables (the
 * factories' column metadata and prepared INSERTs) stays valid while it
 * does not change, across tests. */
ODBCTX_API unsigned long long odbctx_schema_version(odbctx_session *s);
/* Says that the schema changed behind odbctx's back (DDL sent on
 * odbctx_hdbc(s) while capture is off, or from another connection): gives
 * it a new version, so that nothing kept about tables is used again.
 * ODBCTX_EARG for NULL s. */
ODBCTX_API int odbctx_schema_changed(odbctx_session *s);

/* The ODBC environment the session's connection belongs to. */
ODBCTX_API SQLHENV odbctx_henv(odbctx_session *s);

/* "SQLite", "PostgreSQL", "MariaDB" or "MySQL". NULL for NULL s. */
ODBCTX_API const char *odbctx_dbms(odbctx_session *s);

/* The connection string the session was opened with, passwords redacted
 * ("PWD=***"); "" for the embedded default. Owned by the session. */
ODBCTX_API const char *odbctx_connection(odbctx_session *s);

/* Runs one SQL statement (or, where the driver allows, several) at the
 * current level: in the test when one runs, else in the suite transaction,
 * where odbctx remembers it to replay should that transaction have to be
 * begun anew. Outside a test on MariaDB/MySQL, DDL takes the path of
 * odbctx_schema_script (it would commit implicitly).
 * When the statement fails, or may end a transaction (COMMIT, ROLLBACK,
 * MariaDB DDL, ...), odbctx checks that the suite transaction survived it;
 * if not, ODBCTX_EBREACH says why (in a test, the test is then lost until
 * odbctx_end_test). On PostgreSQL, psqlODBC rolls back the whole
 * transaction when a statement run this way has a syntax error: odbctx
 * reports it at once; scripts are not affected (see odbctx_exec_file). */
ODBCTX_API int odbctx_exec(odbctx_session *s, const char *sql);

/* Runs the first column of the first row of a query into *out.
 * ODBCTX_ESQL when the query fails or returns no row; NULL reads as 0. */
ODBCTX_API int odbctx_query_int(odbctx_session *s, const char *sql, long long *out);

/* One value for a '?' parameter marker of odbctx_exec_params and
 * odbctx_query_int_params, as SQLBindParameter takes it: c_type and
 * sql_type (SQL_C_SBIGINT and SQL_BIGINT, SQL_C_CHAR and SQL_VARCHAR, ...),
 * the column size and decimal digits (0: taken from the value), the value
 * (NULL: SQL NULL) and its length in bytes (text and binary; fixed-size C
 * types ignore it). The odbctx_param_* helpers below fill the common ones.
 * The value is read during the call only. */
typedef struct odbctx_param {
    SQLSMALLINT c_type;
    SQLSMALLINT sql_type;
    SQLULEN size;
    SQLSMALLINT digits;
    const void *data;
    SQLLEN len;
} odbctx_param;

static inline odbctx_param odbctx_param_int(const long long *v)
{
    odbctx_param p = {SQL_C_SBIGINT, SQL_BIGINT, 0, 0, v, 0};
    return p;
}
static inline odbctx_param odbctx_param_double(const double *v)
{
    odbctx_param p = {SQL_C_DOUBLE, SQL_DOUBLE, 0, 0, v, 0};
    return p;
}
/* UTF-8 text of len bytes; len (SQLLEN)-1 (SQL_NTS) for a NUL-terminated one. */
static inline odbctx_param odbctx_param_text(const char *v, SQLLEN len)
{
    odbctx_param p = {SQL_C_CHAR, SQL_VARCHAR, 0, 0, v, len};
    return p;
}
static inline odbctx_param odbctx_param_null(void)
{
    odbctx_param p = {SQL_C_CHAR, SQL_VARCHAR, 0, 0, 0, 0};
    return p;
}

/* odbctx_exec and odbctx_query_int with the values of the statement's '?'
 * parameter markers (n of them; params may be NULL when n is 0). The
 * statement is prepared and the values bound, never pasted into the text;
 * the trace shows them after the statement. ODBCTX_EARG when n is not the
 * number of markers the driver counts, or a value is malformed (a text or
 * binary value without data); DDL with parameters is refused. */
ODBCTX_API int odbctx_exec_params(odbctx_session *s, const char *sql, const odbctx_param *params,
                                  size_t n);
ODBCTX_API int odbctx_query_int_params(odbctx_session *s, const char *sql,
                                       const odbctx_param *params, size_t n, long long *out);

/* A query at the current level with values for its markers, read row by
 * row: rows(ctx, st) is called once with the statement handle of the first
 * result set that has columns, before its first row; it fetches (SQLFetch,
 * SQLGetData) and returns ODBCTX_OK, or an error code, which the call then
 * returns (the callback keeps its own message). The C++ layer reads mapped
 * rows back into T with it (odbctx/rows.hpp). */
ODBCTX_API int odbctx_query_rows(odbctx_session *s, const char *sql, const odbctx_param *params,
                                 size_t n, int (*rows)(void *ctx, SQLHSTMT st), void *ctx);

/* Records in the trace a statement that code of odbctx's ran on
 * odbctx_hdbc(s) by itself (the C++ factories' INSERTs): origin ("factory"),
 * the text, the values of one row of it (params, n), a note after them
 * ("5 rows"; may be NULL), and whether it succeeded with the failure's
 * message. Passwords are redacted as in every trace line. */
ODBCTX_API void odbctx_trace_statement(odbctx_session *s, const char *origin, const char *sql,
                                       const odbctx_param *params, size_t n, const char *note,
                                       int ok, const char *message);

/* Runs a script: statements separated by ';', with quotes, comments,
 * PostgreSQL dollar-quoting and BEGIN ... END bodies of triggers and routines
 * honoured. A failure names the file, the line and the statement; statements
 * before it have run (and are rolled back with the level they ran in). An
 * unterminated quote or comment is found before anything runs. On
 * PostgreSQL each statement is prepared, so that a syntax error is undone
 * alone. ODBCTX_EIO when the file cannot be read. */
ODBCTX_API int odbctx_exec_file(odbctx_session *s, const char *path);

/* Splits a script as odbctx_exec_file does and runs it (no file involved). */
ODBCTX_API int odbctx_exec_script(odbctx_session *s, const char *script, const char *name);

/* Creates the suite's schema from a script. Must be called outside a test.
 * Where DDL is transactional (SQLite, PostgreSQL) the schema is created in
 * the suite transaction and so never outlives the session, even if the
 * process dies. On MariaDB/MySQL it is created before the suite transaction
 * (DDL commits implicitly) and the tables it creates are dropped by
 * odbctx_close. */
ODBCTX_API int odbctx_schema_file(odbctx_session *s, const char *path);
ODBCTX_API int odbctx_schema_script(odbctx_session *s, const char *script, const char *name);

/* One schema per DBMS: in the path given to odbctx_schema_file, every
 * "{dbms}" stands for "sqlite", "postgresql" or "mariadb" (MySQL too), and
 * a directory stands for the file <directory>/<that name>.sql, so
 * "schema/{dbms}.sql" and "schema/" name the same file. A relative path is
 * relative to the working directory, as for fopen. odbctx_schema_path
 * writes the file a path names for this session to out (n bytes, NUL
 * included); ODBCTX_EARG when it does not fit. */
ODBCTX_API int odbctx_schema_path(odbctx_session *s, const char *path, char *out, size_t n);

/* Reuse mode for slow schemas: keeps the schema committed in the database
 * between runs and rebuilds it only when the scripts changed. Use it instead
 * of odbctx_schema_*, before odbctx_open: it works on a connection of its
 * own, opened from conn (not NULL or "": the embedded default is new every
 * run) and closed before it returns, so it never touches a session and never
 * commits anything a test wrote. Tests still run in the suite transaction.
 * A table odbctx_schema_marker records a hash of the n scripts (names are for
 * messages; may be NULL) and the tables, views and sequences they created;
 * when the hash or one of those objects differs, the recorded objects are
 * dropped and the scripts run again and are committed (on PostgreSQL and
 * SQLite all or nothing). Other objects (types, functions) are not tracked:
 * create them with CREATE OR REPLACE / IF NOT EXISTS. One reuse schema per
 * database. As for odbctx_schema_*, a database whose name lacks "test" is
 * refused (ODBCTX_EREFUSED) unless ODBCTX_ALLOW_ANY_DATABASE=1, and under
 * ODBCTX_WORKER the worker's own database is used. *rebuilt (when not NULL)
 * is 1 when the scripts ran. On failure, *err (when not NULL) holds the
 * detail. */
ODBCTX_API int odbctx_schema_reuse(const char *conn, const char *const *scripts,
                                   const char *const *names, size_t n, int *rebuilt,
                                   odbctx_error *err);

/* Reads the SQL script at path into *text (NUL-terminated; the caller frees
 * it with free()), with the checks every script odbctx reads gets: a
 * regular file (a FIFO or device could block or never end, a directory
 * holds no text), no larger than ODBCTX_SCRIPT_MAX_BYTES (environment;
 * default 256 MiB), no NUL bytes. Nothing is read into memory before the
 * checks pass. ODBCTX_EARG, or ODBCTX_EIO with *err (when not NULL)
 * naming the file and what is wrong. */
ODBCTX_API int odbctx_script_read(const char *path, char **text, odbctx_error *err);

/* Starts a test: a test savepoint above the suite (the app level starts at
 * it; the first odbctx_commit sets the app savepoint). Clears the trace.
 * ODBCTX_ESTATE if a test is already running. */
ODBCTX_API int odbctx_begin_test(odbctx_session *s);

/* Discards the test: rolls back to the test level, including nested levels
 * left open and after a failed statement, and checks that the suite
 * transaction is still the one odbctx began. Leaves the session ready for
 * the next test even when it reports an error: ODBCTX_EBREACH when the suite
 * transaction turned out to be lost, naming the statement from the trace
 * that ended it; a new one is begun, with the schema and the suite-level
 * statements replayed. ODBCTX_ESTATE when no test runs. */
ODBCTX_API int odbctx_end_test(odbctx_session *s);

/* The writes of the test that ended last which production would not have
 * committed: the rows it wrote after its last app-level commit or rollback,
 * one trace line each ("[origin] SQL"). Counted, when the test committed or
 * rolled back the app level at all (code that manages its own
 * transactions; a test without is writing its own setup), are the writes
 * of captured code and of odbctx_exec and the other calls on the session;
 * never those of the schema, the suite or the factories (test setup), nor
 * what a rollback or ROLLBACK TO SAVEPOINT undid. "" when there are none, or when
 * ODBCTX_UNCOMMITTED=0. With ODBCTX_UNCOMMITTED=fail, odbctx_end_test
 * returns ODBCTX_EUNCOMMITTED when this is not empty. Valid until the next
 * odbctx_end_test. */
ODBCTX_API const char *odbctx_uncommitted(odbctx_session *s);

/* Writes to path (created with mode 0600, or replaced) the rows of every
 * table the running test wrote to (an INSERT, UPDATE, DELETE, ... in its
 * trace), as the test left them, as a script that puts them back: a DELETE
 * FROM of each table (the tables written last first), then one INSERT per
 * row, the tables in the order the test first wrote them; at most 10000
 * rows per table. header (may be NULL: the test's name, the fake-data seed)
 * goes first, each line as an SQL comment. It only reads, inside the test:
 * the test goes on as before. Call it before odbctx_end_test.
 * ODBCTX_ESTATE outside a test, ODBCTX_EIO when the file cannot be written,
 * ODBCTX_ESQL when a table could not be read (the file holds the others and
 * says why). */
ODBCTX_API int odbctx_keep_rows(odbctx_session *s, const char *path, const char *header);

/* odbctx_keep_rows for a failed test, where the integrations keep them: in
 * the directory ODBCTX_FAILED_ROWS names (created, mode 0700, when missing;
 * default odbctx-failed-rows in $TMPDIR or /tmp; "0" keeps nothing), in a
 * file named after test (what a file name cannot hold made '_', and a hash
 * of the whole name). The path goes to out (n bytes; "" when nothing was
 * kept). Errors as odbctx_keep_rows, ODBCTX_EIO naming the directory when it
 * cannot be made. */
ODBCTX_API int odbctx_keep_failed(odbctx_session *s, const char *test, const char *header,
                                  char *out, size_t n);

/* 1 while a test runs, 0 otherwise (and for NULL). */
ODBCTX_API int odbctx_in_test(odbctx_session *s);

/* App-level commit: releases the app savepoint and opens a new one; the work
 * stays visible until the test ends. Inside nested levels it commits them all
 * into the app level. ODBCTX_ESTATE outside a test. */
ODBCTX_API int odbctx_commit(odbctx_session *s);

/* odbctx_commit for test setup (the factories' persistence::commit): the
 * same savepoint restart, but it does not make the session's later writes
 * count as the application's in odbctx_uncommitted. */
ODBCTX_API int odbctx_commit_setup(odbctx_session *s);

/* App-level rollback: back to the last app commit (or the test's start);
 * open nested levels are gone with it. ODBCTX_ESTATE outside a test. */
ODBCTX_API int odbctx_rollback(odbctx_session *s);

/* Explicit savepoints inside a test; commit releases the innermost, rollback
 * undoes it. ODBCTX_ESTATE without an open nested level. */
ODBCTX_API int odbctx_nested_begin(odbctx_session *s);
ODBCTX_API int odbctx_nested_commit(odbctx_session *s);
ODBCTX_API int odbctx_nested_rollback(odbctx_session *s);

/* Number of nested levels open (0 when none, -1 for NULL). */
ODBCTX_API int odbctx_nested_depth(odbctx_session *s);

/* The last failure on this session; never NULL (a static "no session" error
 * for NULL or closed s). Every call that can fail resets it first, so after a
 * success its code is ODBCTX_OK. Valid until the next call on the session. */
ODBCTX_API const odbctx_error *odbctx_last_error(const odbctx_session *s);

/* A short constant name for a code: "ODBCTX_ESQL", ... */
ODBCTX_API const char *odbctx_strerror(int code);

/* Copies conn into out (size n) with every PWD=/Password= value (any case,
 * {braced;values} too, and keys ending in PWD such as TLSKEYPWD) replaced by
 * "***"; from an unterminated '{' on, everything is. Returns the length the
 * redacted string needs (like snprintf); out may be NULL when n is 0. */
ODBCTX_API size_t odbctx_redact(const char *conn, char *out, size_t n);

/* Parallel workers: with ODBCTX_WORKER=N set, odbctx_open uses a database
 * of the worker's own instead of the one conn names: <database>_w<N> on the
 * same PostgreSQL or MariaDB server (created when missing), <stem>_w<N><ext>
 * beside an SQLite file; the embedded default is private anyway. This gives
 * the connection string a session opened from conn would use, so that
 * connections a test opens itself (to look at the database from outside)
 * see the same database. Copies it into out (size n; may be NULL when n is
 * 0) and returns its length (like snprintf), or a negative ODBCTX_E* code
 * with the detail in *err (when not NULL). Without ODBCTX_WORKER it is conn
 * itself. The result holds conn's password: it is not redacted. */
ODBCTX_API int odbctx_worker_connection(const char *conn, char *out, size_t n, odbctx_error *err);

/* ---- capture of legacy code (docs/capture.md) ---- */

/* Captures raw ODBC use on this session's connection and, when pattern is
 * not NULL, connections that legacy code opens itself whose DSN or
 * connection string contains pattern ("*" captures every connection).
 * ODBCTX_EREFUSED when the program's ODBC calls would not reach capture
 * (linked -lodbc before -lodbctx): the message says how to link. */
ODBCTX_API int odbctx_capture_start(odbctx_session *s, const char *pattern);
ODBCTX_API int odbctx_capture_stop(odbctx_session *s);
/* 1 while capture runs on s's connection, else 0. Capture sees only the
 * statements allocated while it runs: code that keeps statements across
 * calls (the factories' statement cache) uses fresh ones meanwhile. */
ODBCTX_API int odbctx_capture_active(odbctx_session *s);

/* The SQL the current test ran, one statement a line with its outcome:
 * "ok   [origin] SQL" or "FAIL [origin] SQL -> message", origin one of
 * odbctx, test, suite, schema, captured; passwords redacted. ODBCTX_TRACE=1
 * prints each line to stderr as it happens. "" for NULL s. Owned by the
 * session, valid until the next call on it. */
ODBCTX_API const char *odbctx_trace(odbctx_session *s);

#ifdef __cplusplus
}
#endif

#endif
