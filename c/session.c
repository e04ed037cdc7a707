#include "internal.h"
#include "reliability.h"
#include "connstr.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The open sessions. A pointer that is not here (NULL, closed, garbage that
 * happens to be readable) is refused before it is dereferenced. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static odbctx_session **registry;
static size_t n_registry, cap_registry;

static int registry_find(const odbctx_session *s)
{
    for (size_t i = 0; i < n_registry; i++)
        if (registry[i] == s)
            return (int)i;
    return -1;
}

int odbctx__is_open(const odbctx_session *s)
{
    if (!s)
        return 0;
    pthread_mutex_lock(&registry_lock);
    int found = registry_find(s) >= 0;
    pthread_mutex_unlock(&registry_lock);
    return found;
}

static int registry_add(odbctx_session *s)
{
    int rc = 0;
    pthread_mutex_lock(&registry_lock);
    if (n_registry == cap_registry) {
        size_t cap = cap_registry ? cap_registry * 2 : 8;
        odbctx_session **grown = realloc(registry, cap * sizeof *grown);
        if (grown) {
            registry = grown;
            cap_registry = cap;
        } else {
            rc = ODBCTX_ENOMEM;
        }
    }
    if (rc == 0)
        registry[n_registry++] = s;
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

static int registry_remove(odbctx_session *s)
{
    pthread_mutex_lock(&registry_lock);
    int i = registry_find(s);
    if (i >= 0)
        registry[i] = registry[--n_registry];
    pthread_mutex_unlock(&registry_lock);
    return i >= 0;
}

/* Using a session from one thread while another closes it is a caller bug
 * that this cannot make safe; everything else is. */
_Thread_local int odbctx__in_call;

odbctx_session *odbctx__enter(odbctx_session *s, int clear)
{
    if (!odbctx__is_open(s))
        return NULL;
    pthread_mutex_lock(&s->lock);
    odbctx__in_call++;
    if (clear)
        odbctx__clear_error(s);
    return s;
}

void odbctx__leave(odbctx_session *s)
{
    odbctx__in_call--;
    pthread_mutex_unlock(&s->lock);
}

void odbctx__mark_broken(odbctx_session *s)
{
    if (!s->broken)
        s->broken = strdup(s->err.message[0] ? s->err.message : "an isolation breach could not be repaired");
}

int odbctx__refuse_broken(odbctx_session *s, const char *fn)
{
    if (!s->broken)
        return 0;
    return odbctx__fail(s, ODBCTX_EBROKEN,
                        "%s: refused: this session can no longer isolate tests, because an "
                        "isolation breach could not be repaired (%.600s). Close the session and "
                        "open a new one",
                        fn, s->broken);
}

/* ---- the embedded default ---- */

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* An SQLite file in a fresh directory: private to this session, and gone
 * when it closes. Timeout: a second connection a test opens to the file
 * waits for the suite's lock instead of failing at once. */
static int lock_timeout_ms(odbctx_session *s, long *out);

static int embedded_default(odbctx_session *s)
{
    long ms;
    int rc = lock_timeout_ms(s, &ms);
    if (rc)
        return rc;
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/odbctx-XXXXXX", base && *base ? base : "/tmp");
    odbctx__tmpdir_sweep(base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl))
        return odbctx__fail(s, ODBCTX_ECONNECT, "cannot create a temporary directory in %s: %s",
                            base && *base ? base : "/tmp", strerror(errno));
    if (!(s->tmpdir = strdup(tmpl))) {
        rmdir(tmpl);
        return odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    }
    odbctx__tmpdir_mark(tmpl);
    size_t n = strlen(tmpl) + 128;
    /* calloc: destroy() wipes the string, which must be terminated. */
    if (!(s->connect_string = calloc(1, n)) || !(s->connection = strdup("")))
        return odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    /* FKSupport: foreign keys are enforced, as on the server databases.
     * The driver's Timeout=0 would not wait at all: "no limit" is 24 days. */
    snprintf(s->connect_string, n,
             "Driver=libsqlite3odbc.so;Database=%s/suite.db;Timeout=%ld;FKSupport=1;", tmpl,
             ms ? ms : 2147483647L);
    return 0;
}

/* ---- connection string checks ---- */

static int collect_secret(void *ctx, const struct odbctx_connstr_pair *pair)
{
    odbctx_session *s = ctx;
    if (!odbctx_connstr_is_secret_key(pair->key, pair->key_len))
        return 0;
    char *value = malloc(pair->value_len + 1);
    if (!value)
        return ODBCTX_ENOMEM;
    odbctx_connstr_value(pair, value, pair->value_len + 1);
    int rc = odbctx__add_secret(s, value);
    /* The raw form too: a driver may echo the braces. */
    if (rc == 0 && pair->braced) {
        memcpy(value, pair->value, pair->value_len);
        value[pair->value_len] = '\0';
        rc = odbctx__add_secret(s, value);
    }
    memset(value, 0, pair->value_len);
    free(value);
    return rc;
}

static int truthy(const char *v)
{
    return strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
           strcasecmp(v, "on") == 0;
}

/* Options that would let the suite transaction slip away unseen. */
static int refuse_unsafe_options(odbctx_session *s, const char *conn)
{
    char v[64];
    if (odbctx_connstr_get(conn, "AUTO_RECONNECT", v, sizeof v) != (size_t)-1 && truthy(v))
        return odbctx__fail(s, ODBCTX_EREFUSED,
                            "AUTO_RECONNECT=%s: a reconnect silently loses the suite transaction "
                            "and everything isolated in it; remove the option", v);
    /* MariaDB Connector/ODBC's OPTION bit 22 is auto-reconnect. */
    if (odbctx_connstr_get(conn, "OPTION", v, sizeof v) != (size_t)-1 &&
        (strtoul(v, NULL, 10) & (1ul << 22)))
        return odbctx__fail(s, ODBCTX_EREFUSED,
                            "OPTION=%s turns on auto-reconnect (4194304), which silently loses "
                            "the suite transaction; clear that bit", v);
    return 0;
}

static int user_connection(odbctx_session *s, const char *conn)
{
    size_t bad = 0;
    int rc = odbctx_connstr_walk(conn, collect_secret, s, &bad);
    size_t n = odbctx_redact(conn, NULL, 0) + 1;
    if (!(s->connection = malloc(n)) || !(s->connect_string = strdup(conn)))
        return odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    odbctx_redact(conn, s->connection, n);
    if (rc == ODBCTX_ENOMEM)
        return odbctx__fail(s, rc, "out of memory");
    if (rc < 0)
        return odbctx__fail(s, ODBCTX_ECONNECT,
                            "bad connection string: the value at offset %zu opens '{' and never "
                            "closes it: %s",
                            bad, s->connection);
    return refuse_unsafe_options(s, conn);
}

/* ---- connecting ---- */

static int get_info_string(odbctx_session *s, SQLUSMALLINT what, char *out, size_t n)
{
    SQLSMALLINT len = 0;
    out[0] = '\0';
    if (!SQL_SUCCEEDED(REAL(SQLGetInfo)(s->dbc, what, out, (SQLSMALLINT)n, &len)))
        return odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_DBC, s->dbc, "SQLGetInfo");
    return 0;
}

static int allocate_handles(odbctx_session *s)
{
    SQLRETURN rc = REAL(SQLAllocHandle)(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &s->env);
    if (!SQL_SUCCEEDED(rc)) {
        s->env = SQL_NULL_HENV;
        return odbctx__fail(s, ODBCTX_ECONNECT, "cannot allocate an ODBC environment");
    }
    rc = REAL(SQLSetEnvAttr)(s->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    if (!SQL_SUCCEEDED(rc))
        return odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_ENV, s->env, "SQLSetEnvAttr");
    /* A pooled "disconnect" would leave the transaction open in the pool. */
    REAL(SQLSetEnvAttr)(s->env, SQL_ATTR_CONNECTION_POOLING, (SQLPOINTER)SQL_CP_OFF, 0);
    rc = REAL(SQLAllocHandle)(SQL_HANDLE_DBC, s->env, &s->dbc);
    if (!SQL_SUCCEEDED(rc)) {
        s->dbc = SQL_NULL_HDBC;
        return odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_ENV, s->env, "SQLAllocHandle");
    }
    return 0;
}

static int connect_driver(odbctx_session *s)
{
    SQLRETURN rc;
    if (!s->dbc && allocate_handles(s) != 0)
        return s->err.code;

    /* The completed string may carry a password from odbc.ini: learn it so
     * that it is redacted too, then wipe it. */
    SQLCHAR completed[2048];
    SQLSMALLINT len = 0;
    rc = REAL(SQLDriverConnect)(s->dbc, NULL, (SQLCHAR *)s->connect_string, SQL_NTS, completed,
                                sizeof completed, &len, SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        char what[600];
        snprintf(what, sizeof what, "cannot connect with \"%s\"",
                 s->tmpdir ? "the embedded SQLite default" : s->connection);
        return odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_DBC, s->dbc, what);
    }
    s->connected = 1;
    /* Process-wide, so that no later connection, of this session or another
     * opened at the same address, repeats it. */
    static unsigned long long last_connection_id;
    s->connection_id = __atomic_add_fetch(&last_connection_id, 1, __ATOMIC_RELAXED);
    completed[sizeof completed - 1] = '\0';
    odbctx_connstr_walk((char *)completed, collect_secret, s, NULL);
    memset(completed, 0, sizeof completed);
    return 0;
}

static int check_dbms(odbctx_session *s)
{
    char name[128];
    int rc = get_info_string(s, SQL_DBMS_NAME, name, sizeof name);
    if (rc == 0)
        rc = get_info_string(s, SQL_DBMS_VER, s->dbms_ver, sizeof s->dbms_ver);
    if (rc)
        return rc;
    if (odbctx__dialect_lookup(name, s->dbms_ver, &s->dialect, s->dbms, sizeof s->dbms))
        return odbctx__fail(s, ODBCTX_EDBMS,
                            "the DBMS \"%s\" (version %s) is not supported: odbctx knows how to "
                            "isolate tests with savepoints on SQLite, PostgreSQL, MariaDB and "
                            "MySQL only",
                            name, s->dbms_ver);
    SQLUSMALLINT txn = SQL_TC_NONE;
    if (!SQL_SUCCEEDED(REAL(SQLGetInfo)(s->dbc, SQL_TXN_CAPABLE, &txn, sizeof txn, NULL)))
        return odbctx__fail_odbc(s, ODBCTX_EDBMS, SQL_HANDLE_DBC, s->dbc,
                                 "SQLGetInfo(SQL_TXN_CAPABLE)");
    if (txn == SQL_TC_NONE)
        return odbctx__fail(s, ODBCTX_EDBMS,
                            "%s: the driver reports no transaction support (SQL_TXN_CAPABLE is "
                            "SQL_TC_NONE); odbctx cannot isolate tests without transactions",
                            s->dbms);
    return 0;
}

static int autocommit_off(odbctx_session *s)
{
    SQLRETURN rc = REAL(SQLSetConnectAttr)(s->dbc, SQL_ATTR_AUTOCOMMIT,
                                           (SQLPOINTER)SQL_AUTOCOMMIT_OFF, SQL_IS_UINTEGER);
    if (!SQL_SUCCEEDED(rc))
        return odbctx__fail_odbc(s, ODBCTX_ECONNECT, SQL_HANDLE_DBC, s->dbc,
                                 "switching autocommit off");
    return 0;
}

/* psqlODBC undoes a failed statement with a savepoint of its own
 * (Protocol=7.4-2, the default), so the transaction goes on. Protocol=7.4-1
 * rolls back the whole transaction, 7.4-0 leaves it aborted: either would
 * take the suite transaction with the first failed statement of a test.
 * Trying is the only check that also covers settings from odbc.ini. */
static int check_statement_rollback(odbctx_session *s)
{
    long long txid = 0;
    odbctx__probe(s, "SELECT odbctx_probe_for_statement_rollback()", NULL, 0);
    int rc = odbctx__query_int_real(s, "SELECT txid_current()", "odbctx", &txid);
    if (rc == 0 && txid == s->suite_txid)
        return 0;
    char protocol[32];
    if (odbctx_connstr_get(s->connect_string, "Protocol", protocol, sizeof protocol) ==
        (size_t)-1)
        snprintf(protocol, sizeof protocol, "(from the DSN)");
    return odbctx__fail(s, ODBCTX_EREFUSED,
                        "PostgreSQL: a failed statement %s the transaction (psqlODBC Protocol=%s): "
                        "the first failing statement of a test would end the suite transaction. "
                        "Use Protocol=7.4-2 (the default) or leave Protocol out",
                        rc == 0 ? "rolled back" : "aborted", protocol);
}

/* MariaDB runs "A; B" only with the connector's multi-statement option.
 * Prepared, not run directly: when Connector/ODBC 3.1 refuses such a string
 * in SQLExecDirect it leaves the connection's lock held, and the next call
 * from another thread then waits forever (seen); SQLPrepare refuses cleanly. */
static void detect_multi_statements(odbctx_session *s)
{
    SQLHSTMT st = SQL_NULL_HSTMT;
    s->multi_statements = 1;
    if (s->dialect != ODBCTX_DIALECT_MARIADB)
        return;
    s->multi_statements = 0;
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_STMT, s->dbc, &st)))
        return;
    SQLRETURN rc = REAL(SQLPrepare)(st, (SQLCHAR *)"DO 1; DO 1", SQL_NTS);
    int ok = SQL_SUCCEEDED(rc) && SQL_SUCCEEDED(rc = REAL(SQLExecute)(st));
    while (ok && SQL_SUCCEEDED(rc = REAL(SQLMoreResults)(st)))
        ;
    REAL(SQLFreeHandle)(SQL_HANDLE_STMT, st);
    s->multi_statements = ok;
}

static void destroy(odbctx_session *s)
{
    if (s->capture && odbctx__capture_release)
        odbctx__capture_release(s);
    if (s->connected) {
        /* SQLite refuses to disconnect inside a transaction. */
        odbctx__suite_end(s);
        odbctx__own_stmt_drop(s);
        REAL(SQLDisconnect)(s->dbc);
    }
    if (s->dbc)
        REAL(SQLFreeHandle)(SQL_HANDLE_DBC, s->dbc);
    if (s->env)
        REAL(SQLFreeHandle)(SQL_HANDLE_ENV, s->env);
    if (s->tmpdir)
        remove_tree(s->tmpdir);
    free(s->tmpdir);
    free(s->broken);
    free(s->connection);
    if (s->connect_string) {
        memset(s->connect_string, 0, strlen(s->connect_string));
        free(s->connect_string);
    }
    for (size_t i = 0; i < s->n_secrets; i++) {
        memset(s->secrets[i], 0, strlen(s->secrets[i]));
        free(s->secrets[i]);
    }
    free(s->secrets);
    for (size_t i = 0; i < s->n_journal; i++)
        free(s->journal[i].sql);
    free(s->journal);
    odbctx__schema_free(s);
    free(s->nested_ids);
    odbctx__trace_free(s);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* How long a statement may wait for a lock another connection holds (a
 * second connection to the SQLite file, a row lock on a server), before it
 * fails with an error that names the wait instead of hanging the suite.
 * ODBCTX_LOCK_TIMEOUT in milliseconds; 0 waits without limit. SQLite's
 * driver retries a busy database itself for its Timeout= key (ms), which
 * no PRAGMA changes: the embedded default sets it from this, a connection
 * string of the user's keeps its own. */
#define LOCK_TIMEOUT_DEFAULT_MS 10000L
#define SQLITE_DRIVER_DEFAULT_TIMEOUT_MS 100000L

static int lock_timeout_ms(odbctx_session *s, long *out)
{
    const char *v = getenv("ODBCTX_LOCK_TIMEOUT");
    long ms = LOCK_TIMEOUT_DEFAULT_MS;
    if (v && *v) {
        char *end;
        errno = 0;
        ms = strtol(v, &end, 10);
        if (*end || ms < 0 || errno || ms > 86400000L)
            return odbctx__fail(s, ODBCTX_EARG,
                                "ODBCTX_LOCK_TIMEOUT=%.40s: expected milliseconds from 0 (wait "
                                "without limit) to 86400000",
                                v);
    }
    *out = ms;
    return 0;
}

static int lock_timeout(odbctx_session *s)
{
    long ms;
    int rc = lock_timeout_ms(s, &ms);
    if (rc)
        return rc;
    s->lock_timeout_ms = ms;
    char sql[128];
    switch (s->dialect) {
    case ODBCTX_DIALECT_SQLITE: {
        char t[32];
        size_t n = odbctx_connstr_get(s->connect_string, "Timeout", t, sizeof t);
        s->lock_timeout_ms = n == (size_t)-1 ? SQLITE_DRIVER_DEFAULT_TIMEOUT_MS : atol(t);
        return 0;
    }
    case ODBCTX_DIALECT_POSTGRESQL:
        /* Sent while autocommit is still on: a SET inside the suite
         * transaction would be undone with it. */
        snprintf(sql, sizeof sql, "SET lock_timeout = %ld", ms);
        break;
    case ODBCTX_DIALECT_MARIADB:
        /* Whole seconds; 0 would mean "at once" there, so at least 1. With
         * no limit asked for, the largest value the server takes. */
        if (ms == 0)
            snprintf(sql, sizeof sql,
                     "SET SESSION innodb_lock_wait_timeout = 1073741824, lock_wait_timeout = 31536000");
        else
            snprintf(sql, sizeof sql,
                     "SET SESSION innodb_lock_wait_timeout = %ld, lock_wait_timeout = %ld",
                     (ms + 999) / 1000, (ms + 999) / 1000);
        break;
    }
    char why[256];
    if (!odbctx__probe(s, sql, why, sizeof why))
        return odbctx__fail(s, ODBCTX_ESQL, "setting the lock wait limit (%s): %s", sql, why);
    return 0;
}

int odbctx__connect(odbctx_session *s)
{
    /* A reconnect's SQLDisconnect freed the reused statement handle. */
    s->own_stmt = SQL_NULL_HSTMT;
    int rc = connect_driver(s);
    if (rc == 0)
        rc = check_dbms(s);
    if (rc == 0)
        rc = lock_timeout(s);
    if (rc == 0)
        rc = autocommit_off(s);
    if (rc == 0)
        detect_multi_statements(s);
    return rc;
}

static void wipe_free(char *secret)
{
    if (secret) {
        memset(secret, 0, strlen(secret));
        free(secret);
    }
}

static int open_session(odbctx_session *s, const char *conn)
{
    char *worker_conn = NULL;
    long worker = -1;
    int rc = odbctx__worker_number(s, &worker);
    if (rc == 0)
        rc = conn && *conn ? user_connection(s, conn) : embedded_default(s);
    if (rc == 0 && worker >= 0 && !s->tmpdir &&
        (rc = odbctx__worker_connection(s, s->connect_string, worker, &worker_conn)) == 0 &&
        worker_conn) {
        wipe_free(s->connect_string);
        free(s->connection);
        s->connect_string = s->connection = NULL;
        rc = user_connection(s, worker_conn);
        wipe_free(worker_conn);
    }
    if (rc == 0)
        rc = odbctx__connect(s);
    if (rc == 0)
        rc = odbctx__leftovers_open(s);
    if (rc)
        return rc;
    if ((rc = odbctx__suite_begin(s)) != 0)
        return rc;
    if (s->dialect == ODBCTX_DIALECT_POSTGRESQL)
        rc = check_statement_rollback(s);
    return rc;
}

int odbctx_open(odbctx_session **out, const char *conn, odbctx_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (!out) {
        if (err) {
            err->code = ODBCTX_EARG;
            snprintf(err->message, sizeof err->message, "odbctx_open: out is NULL");
        }
        return ODBCTX_EARG;
    }
    *out = NULL;

    odbctx_session *s = calloc(1, sizeof *s);
    if (!s) {
        if (err) {
            err->code = ODBCTX_ENOMEM;
            snprintf(err->message, sizeof err->message, "odbctx_open: out of memory");
        }
        return ODBCTX_ENOMEM;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&s->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    const char *trace = getenv("ODBCTX_TRACE");
    s->trace_print = trace && *trace && strcmp(trace, "0") != 0;

    int rc;
    if (!odbctx_real_load())
        rc = odbctx__fail(s, ODBCTX_ECONNECT, "%s", odbctx_real_error());
    else
        rc = open_session(s, conn);
    if (rc == 0)
        rc = registry_add(s) ? odbctx__fail(s, ODBCTX_ENOMEM, "out of memory") : 0;
    if (rc) {
        if (err)
            *err = s->err;
        destroy(s);
        return rc;
    }
    odbctx__trace_reset(s);
    *out = s;
    return 0;
}

void odbctx_close(odbctx_session *s)
{
    /* Out of the registry first, and out of the interposed entry points'
     * reach (levels.c): no new call can reach it. */
    odbctx__kept_forget_closing(s);
    if (!s || !registry_remove(s))
        return;
    pthread_mutex_lock(&s->lock);
    odbctx__in_call++;
    if (s->in_test)
        odbctx__end_test_locked(s);
    /* On MariaDB the schema lives outside the suite transaction; in a
     * broken session a breach may have committed it elsewhere too. */
    if (s->connected && (s->dialect == ODBCTX_DIALECT_MARIADB || s->broken)) {
        odbctx__suite_end(s);
        odbctx__schema_drop(s);
    }
    pthread_mutex_unlock(&s->lock);
    destroy(s);
    odbctx__in_call--;
}

SQLHDBC odbctx_hdbc(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return SQL_NULL_HDBC;
    SQLHDBC dbc = s->dbc;
    odbctx__leave(s);
    return dbc;
}

unsigned long long odbctx_connection_id(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return 0;
    unsigned long long id = s->connected ? s->connection_id : 0;
    odbctx__leave(s);
    return id;
}

SQLHENV odbctx_henv(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return SQL_NULL_HENV;
    SQLHENV env = s->env;
    odbctx__leave(s);
    return env;
}

const char *odbctx_dbms(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return NULL;
    const char *name = s->dbms;
    odbctx__leave(s);
    return name;
}

const char *odbctx_connection(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return NULL;
    const char *conn = s->connection;
    odbctx__leave(s);
    return conn;
}
