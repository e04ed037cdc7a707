/*
 * What capture.c, exec.c, text.c and the interpose_*.c files of capture/
 * share. Nothing here is exported.
 *
 * How a call flows: every interposed entry point first reads the active
 * session with a relaxed atomic load; when there is none, or the calling
 * thread is already inside an interposed call (the driver manager's own
 * nested calls), or the handle is not one capture knows (a lock-free
 * lookup), it forwards to the real driver manager at once. Otherwise it
 * takes the session's recursive lock (odbctx__cap_begin), works on the
 * session, and releases it (odbctx__cap_end).
 */
#ifndef ODBCTX_CAPTURE_H
#define ODBCTX_CAPTURE_H

#include "sql/classify.h"
#include "internal.h"

#include <stdatomic.h>

/* The capturing session, or NULL. Written under capture.c's mutex and the
 * session's lock; read anywhere without a lock. */
extern _Atomic(odbctx_session *) odbctx__cap_active;
/* Interposed calls in progress on this thread: the driver manager's nested
 * calls (SQLExecDirectA -> SQLExecDirect, SQLEndTran -> SQLGetInfo) and the
 * core's work done for capture must pass through untouched. */
extern _Thread_local int odbctx__cap_depth;

extern _Atomic int odbctx__cap_ready_flag;
int odbctx__cap_ready_slow(void);

/* 1 once the real driver manager's entry points are loaded. */
static inline int odbctx__cap_ready(void)
{
    return atomic_load_explicit(&odbctx__cap_ready_flag, memory_order_acquire) ||
           odbctx__cap_ready_slow();
}

/* Whether an interposed call must look further than the fast path. */
static inline int odbctx__cap_watching(void)
{
    return atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed) != NULL &&
           odbctx__cap_depth == 0;
}

struct cap_diag {
    char sqlstate[6];
    long native;
    char message[1024];
};

/* A connection as the application sees it: the session's own HDBC, or a
 * captured one (alias) that the driver manager never connected. */
struct cap_conn {
    SQLHDBC h;
    SQLHENV env;       /* its environment; NULL when unknown */
    int alias;
    int autocommit;    /* virtual: what the application set */
    int explicit_txn;  /* BEGIN seen while autocommit is on: no commit per statement */
    int number;        /* 1 for the session's own, then in the order they joined */
    int pending;       /* ran statements since its last commit or rollback (not autocommitted) */
    struct cap_conn *next;
};

enum cap_kind { CAP_ENV = 1, CAP_DBC, CAP_STMT, CAP_DESC };

/* A handle of the application's that capture looks after. */
struct cap_handle {
    enum cap_kind kind;
    void *h;
    struct cap_conn *conn;  /* DBC: the connection; STMT/DESC: the one it was allocated on */
    struct cap_diag *diag;  /* reported first by SQLGetDiagRec/Field, SQLError */
    /* STMT, after SQLPrepare: the text (UTF-8 or the application's bytes)
     * for the trace, and the transaction control it holds, if any, which
     * SQLExecute performs instead of running it. */
    char *prepared;
    struct odbctx_sql_stmt control;
    int prepared_control;
};

struct odbctx_capture {
    char *pattern;           /* NULL: only the session's connection */
    struct cap_conn *conns;  /* the session's own first */
    int connections;         /* numbers given so far */
};

/* Hidden second names of exported entry points, for odbctx's own calls
 * (driver.c): a call by the exported name could bind to another library's
 * definition of it (the driver manager's, found first in the global
 * scope). CAP_ALIAS(name) next to the definition makes odbctx__cap_name. */
#define CAP_ALIAS(name) \
    extern __typeof(name) odbctx__cap_##name __attribute__((alias(#name), visibility("hidden")));
#define CAP_ALIASED(X) \
    X(SQLAllocHandle) X(SQLFreeHandle) X(SQLEndTran) X(SQLTransact) X(SQLGetDiagRec) \
    X(SQLGetDiagRecW) X(SQLGetDiagField) X(SQLGetDiagFieldW) X(SQLError) X(SQLErrorW)
#define CAP_ALIAS_DECL(name) extern __typeof(name) odbctx__cap_##name __attribute__((visibility("hidden")));
CAP_ALIASED(CAP_ALIAS_DECL)
#undef CAP_ALIAS_DECL

/* ---- capture.c ---- */

/* odbctx_capture_start without its check that the program's calls by name
 * reach capture: for the callers whose calls come another way (odbctx's
 * driver in a program, a child process's forwarded calls). */
int odbctx__capture_begin(odbctx_session *s, const char *pattern);

/* Lock-free: is h a handle capture looks after? */
int odbctx__cap_known(const void *h);
/* With the session locked: its record, or NULL. */
struct cap_handle *odbctx__cap_find(const void *h);
struct cap_handle *odbctx__cap_add(enum cap_kind kind, void *h, struct cap_conn *conn);
void odbctx__cap_remove(const void *h);

/* When h is a handle of the active session: locks the session, enters an
 * interposed call (depth) and returns the session with *rec set.
 * Otherwise NULL, nothing held: forward the call. */
odbctx_session *odbctx__cap_begin(const void *h, struct cap_handle **rec);
void odbctx__cap_end(odbctx_session *s);
/* The test every interposed entry point makes first: false (forward at
 * once) without capture, in a nested call, or for a handle that is not the
 * session's; true with s locked and rec set (end with odbctx__cap_end). */
#define CAPTURED(h, s, rec) \
    (odbctx__cap_watching() && ((s) = odbctx__cap_begin((h), &(rec))) != NULL)

/* Posts an odbctx diagnostic on rec (replacing any) and returns SQL_ERROR. */
SQLRETURN odbctx__cap_fail(struct cap_handle *rec, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with the session's last error (its SQLSTATE when it has one). */
SQLRETURN odbctx__cap_fail_session(odbctx_session *s, struct cap_handle *rec, const char *doing);
void odbctx__cap_clear_diag(struct cap_handle *rec);
/* 1 when rec holds an odbctx diagnostic that no later failure of the
 * driver manager's replaced (a stale one is dropped). */
int odbctx__cap_diag_current(struct cap_handle *rec);

/* The environment an HDBC was allocated in (recorded for every HDBC). */
void odbctx__cap_env_put(SQLHDBC dbc, SQLHENV env);
void odbctx__cap_env_del(SQLHDBC dbc);
SQLHENV odbctx__cap_env_of(SQLHDBC dbc);

/* SQLConnect / SQLDriverConnect: decides whether the connection joins the
 * session. conn is the connection string (or "DSN=...;UID=...;PWD=..."),
 * UTF-8; match is what the pattern is matched against. Returns 1 and sets
 * *ret when it joined (or failed to), 0 when the caller must forward. */
int odbctx__cap_connect(SQLHDBC dbc, const char *conn, const char *match, SQLRETURN *ret);
/* odbctx's ODBC driver connects dbc (an HDBC of the driver's own, on the
 * driver manager odbctx uses): it always joins the capturing session; with
 * none, the process's own session is opened for conn (as odbctx-run's
 * first connection does), through the wide API when wide is set. shown is
 * what the trace says of it. Returns what the driver returns; a refused
 * connection gets the driver manager's diagnostic on dbc. */
SQLRETURN odbctx__cap_connect_driver(SQLHDBC dbc, const char *conn, const char *shown, int wide);
/* SQLDriverConnect's completed string: the one it was given (in, UTF-8),
 * written to out (max in characters of the call's form, wide or not). */
/* The real connection string for conn under a configuration that routes
 * drivers to odbctx's (malloc'd), or NULL when conn names no routed driver
 * or DSN. */
char *odbctx__drv_target(const char *conn);
SQLRETURN odbctx__drv_complete(SQLRETURN r, const char *in, void *out, SQLSMALLINT max,
                               SQLSMALLINT *len, int wide);
/* Fails the connection of dbc the driver manager's own way, so that the
 * program gets SQL_ERROR and SQLGetDiagRec's "Can't open lib" record on dbc
 * naming why ("odbctx refused this connection: why"), as for any
 * connection that cannot be made. */
SQLRETURN odbctx__cap_refuse(SQLHDBC dbc, const char *why);
/* Makes dbc (allocated through the exported SQLAllocHandle, not connected)
 * a connection of the capturing session, whatever the pattern: a child
 * process's connection (share/owner.c). 0, or -1 when nothing captures. */
int odbctx__cap_join(SQLHDBC dbc, const char *shown);
/* Frees what the application allocated on c and, for an alias, forgets it. */
void odbctx__cap_disconnect(odbctx_session *s, struct cap_conn *c);

/* ---- exec.c (session locked, inside an interposed call) ---- */

/* The application's SQL: bytes as given (narrow) or converted from UTF-16. */
struct cap_text {
    const char *sql;
    size_t len;
    int wide;
};

SQLRETURN odbctx__cap_exec_direct(odbctx_session *s, struct cap_handle *rec,
                                  const struct cap_text *t, void *orig, SQLINTEGER orig_len);
SQLRETURN odbctx__cap_prepare(odbctx_session *s, struct cap_handle *rec, const struct cap_text *t,
                              void *orig, SQLINTEGER orig_len);
SQLRETURN odbctx__cap_execute(odbctx_session *s, struct cap_handle *rec);
/* SQLEndTran / SQLTransact on a captured connection. */
SQLRETURN odbctx__cap_end_tran(odbctx_session *s, struct cap_handle *rec, SQLSMALLINT op);
/* Autocommit switched through SQLSetConnectAttr / SQLSetConnectOption. */
SQLRETURN odbctx__cap_set_autocommit(odbctx_session *s, struct cap_handle *rec, int on);

/* ---- text.c ---- */

/* Copies of the application's text; NUL-terminated, malloc'd, NULL on
 * ENOMEM or a negative length other than SQL_NTS. */
char *odbctx__cap_narrow(const SQLCHAR *s, SQLINTEGER len, size_t *out_len);
char *odbctx__cap_from_wide(const SQLWCHAR *w, SQLINTEGER len, size_t *out_len);
SQLWCHAR *odbctx__cap_to_wide(const char *s, size_t len, SQLINTEGER *out_len);
/* Writes s into an application buffer, truncating as ODBC does; *len gets
 * the full length (characters for narrow and wide character counts, or
 * bytes when bytes is set). 1 when it had to truncate. */
int odbctx__cap_put_narrow(const char *s, SQLCHAR *buf, SQLLEN cap, SQLLEN *len);
int odbctx__cap_put_wide(const char *s, SQLWCHAR *buf, SQLLEN cap, SQLLEN *len, int bytes);

#endif
