/*
 * odbctx_open and odbctx_close, and the session's small accessors: the
 * one owner of struct odbctx_session.
 */
#include "internal.h"
#include "extras/extras.h"
#include "sql/connstr.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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
static int embedded_default(odbctx_session *s)
{
    long ms;
    int rc = odbctx__lock_timeout_ms(s, &ms);
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
    /* calloc: odbctx__session_free wipes the string, which must be terminated. */
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
    int rc = odbctx__learn_secrets(s, conn, &bad);
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

odbctx_session *odbctx__session_new(void)
{
    odbctx_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&s->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    const char *trace = getenv("ODBCTX_TRACE");
    s->trace_print = trace && *trace && strcmp(trace, "0") != 0;
    return s;
}

void odbctx__session_free(odbctx_session *s)
{
    if (s->capture && s->capture_release)
        s->capture_release(s);
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
    odbctx__ddl_free(s);
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
    free(s->nested_at);
    odbctx__trace_free(s);
    free(s->uncommitted);
    pthread_mutex_destroy(&s->lock);
    free(s);
}


static int open_session(odbctx_session *s, const char *conn)
{
    char *worker_conn = NULL;
    long worker = -1;
    int rc = odbctx__worker_number(s, &worker);
    if (rc == 0)
        rc = odbctx__uncommitted_mode(s);
    if (rc == 0)
        rc = conn && *conn ? user_connection(s, conn) : embedded_default(s);
    if (rc == 0 && worker >= 0 && !s->tmpdir &&
        (rc = odbctx__worker_connection(s, s->connect_string, worker, &worker_conn)) == 0 &&
        worker_conn) {
        odbctx__wipe_free(s->connect_string);
        free(s->connection);
        s->connect_string = s->connection = NULL;
        rc = user_connection(s, worker_conn);
        odbctx__wipe_free(worker_conn);
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
    return odbctx__open(out, conn, 0, err);
}

int odbctx__open(odbctx_session **out, const char *conn, int wide, odbctx_error *err)
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

    odbctx_session *s = odbctx__session_new();
    if (!s) {
        if (err) {
            err->code = ODBCTX_ENOMEM;
            snprintf(err->message, sizeof err->message, "odbctx_open: out of memory");
        }
        return ODBCTX_ENOMEM;
    }
    s->connect_wide = wide;
    int rc;
    if (!odbctx_real_load())
        rc = odbctx__fail(s, ODBCTX_ECONNECT, "%s", odbctx_real_error());
    else
        rc = open_session(s, conn);
    if (rc == 0)
        rc = odbctx__registry_add(s) ? odbctx__fail(s, ODBCTX_ENOMEM, "out of memory") : 0;
    if (rc == 0 && odbctx__on_open && (rc = odbctx__on_open(s)) != 0)
        odbctx__registry_remove(s);
    if (rc) {
        if (err)
            *err = s->err;
        odbctx__session_free(s);
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
    /* Children's calls finish first: they take the session's lock. */
    if (s && odbctx__on_close && odbctx__is_open(s))
        odbctx__on_close(s);
    if (!s || !odbctx__registry_remove(s))
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
    odbctx__session_free(s);
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

unsigned long long odbctx_schema_version(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return 0;
    unsigned long long v = s->connected ? s->schema_version : 0;
    odbctx__leave(s);
    return v;
}

int odbctx_schema_changed(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return ODBCTX_EARG;
    odbctx__schema_changed(s);
    s->schema_dirty = 1;
    odbctx__leave(s);
    return ODBCTX_OK;
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
