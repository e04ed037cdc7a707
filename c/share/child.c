/*
 * A child process's side of sharing: odbctx's driver, loaded in a process
 * whose environment names another process's session (owner.c), forwards
 * the program's calls to that process over the socket instead of
 * connecting anywhere itself.
 *
 * The driver stub (driver/odbctx-driver.c) sends every entry point to
 * odbctx__rmt_NAME here; one that has none fails with a diagnostic naming
 * the call (odbctx__rmt_refuse). The handles the driver manager gets are
 * this file's records. What belongs to the program's memory stays here:
 * bound columns and parameters are kept on this side and travel with the
 * fetch or the execution that uses them; data at execution is gathered
 * here and sent with the execution; diagnostics come back with every reply
 * and are answered from the handle. One row at a time: arrays of rows or
 * parameters are refused, naming the attribute.
 */
#include "share/share.h"
#include "capture/capture.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RMT_MAGIC 0x726d7478u

enum rmt_kind { RMT_ENV = 1, RMT_DBC, RMT_STMT, RMT_DESC };

struct rmt_head {
    unsigned magic;
    enum rmt_kind kind;
    struct share_diag *diags;
    size_t n_diags;
    size_t error_next; /* SQLError returns each record once */
    SQLRETURN rc;      /* of the last call, for SQL_DIAG_RETURNCODE */
};

struct rmt_dbc;

struct rmt_env {
    struct rmt_head h;
    SQLINTEGER version;
    struct rmt_dbc *dbcs;
    pthread_mutex_t mu;
};

struct rmt_dbc {
    struct rmt_head h;
    struct rmt_env *env;
    struct rmt_dbc *next; /* in env->dbcs */
    int fd;               /* -1 when not connected */
    pthread_mutex_t mu;   /* one request at a time on the socket */
    uint32_t next_id;
    SQLULEN autocommit;   /* set before connecting, sent after */
    int autocommit_set;
    SQLULEN isolation;
    int isolation_set;
    struct rmt_stmt *stmts; /* freed at SQLDisconnect, as ODBC says */
};

struct rmt_param {
    SQLUSMALLINT num;
    SQLSMALLINT io, ctype, sqltype, digits;
    SQLULEN size;
    SQLPOINTER ptr;
    SQLLEN cap;
    SQLLEN *ind;
    /* data at execution, gathered by SQLPutData */
    char *data;
    size_t len, room;
    int is_null;
};

struct rmt_col {
    SQLUSMALLINT num;
    SQLSMALLINT ctype;
    SQLPOINTER ptr;
    SQLLEN cap;
    SQLLEN *ind;
};

struct rmt_desc {
    struct rmt_head h;
};

struct rmt_stmt {
    struct rmt_head h;
    struct rmt_dbc *dbc;
    uint32_t id;
    struct rmt_param *params;
    size_t n_params, cap_params;
    struct rmt_col *cols;
    size_t n_cols, cap_cols;
    int cols_sent;         /* the owner has these bindings */
    SQLSMALLINT ncols;
    SQLLEN rows;
    SQLULEN *row_offset, *param_offset, *rows_fetched, *params_done;
    SQLUSMALLINT *row_status, *param_status;
    /* data at execution: the execution waiting for it */
    int dae_op;            /* 0, OP_EXECUTE or OP_EXEC_DIRECT */
    char *dae_text;
    size_t dae_len;
    int dae_wide;
    long dae_at;           /* the parameter SQLPutData fills, -1 before the first */
    struct rmt_desc desc[4];
    struct rmt_stmt *next; /* in dbc->stmts */
};

/* ---- handles and diagnostics ---- */

static void head_init(struct rmt_head *h, enum rmt_kind kind)
{
    h->magic = RMT_MAGIC;
    h->kind = kind;
}

static struct rmt_head *as_head(SQLHANDLE p)
{
    struct rmt_head *h = p;
    return h && h->magic == RMT_MAGIC ? h : NULL;
}

static void *as(SQLHANDLE p, enum rmt_kind kind)
{
    struct rmt_head *h = as_head(p);
    return h && h->kind == kind ? h : NULL;
}

static void clear_diags(struct rmt_head *h)
{
    for (size_t i = 0; i < h->n_diags; i++)
        free(h->diags[i].message);
    free(h->diags);
    h->diags = NULL;
    h->n_diags = h->error_next = 0;
}

static SQLRETURN post(struct rmt_head *h, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static SQLRETURN post(struct rmt_head *h, const char *state, const char *fmt, ...)
{
    char msg[900];
    int k = snprintf(msg, sizeof msg, "[odbctx] ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
    va_end(ap);
    clear_diags(h);
    h->diags = calloc(1, sizeof *h->diags);
    if (h->diags && (h->diags->message = strdup(msg))) {
        snprintf(h->diags->state, sizeof h->diags->state, "%s", state);
        h->n_diags = 1;
    }
    return h->rc = SQL_ERROR;
}

ODBCTX_API SQLRETURN odbctx__rmt_refuse(const char *name, SQLHANDLE handle)
{
    struct rmt_head *h = as_head(handle);
    if (!h)
        return SQL_ERROR;
    return post(h, "IM001",
                "%s is not forwarded from a child process to the test's session (the calls "
                "that are: docs/children.md)",
                name);
}

ODBCTX_API int odbctx__drv_remote(void)
{
    return odbctx__share_child();
}

/* ---- requests ---- */

static SQLRETURN gone(struct rmt_head *h, struct rmt_dbc *d, int err)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    return post(h, "08S01",
                "the process that owns the test's session is gone or closed the session (%s); "
                "nothing of this connection's work was kept",
                err ? strerror(err) : "end of file");
}

/* Sends b and reads the reply into b: its SQLRETURN and diagnostics land on
 * h, b is left at the fields that follow. */
static SQLRETURN call(struct rmt_head *h, struct rmt_dbc *d, struct share_buf *b)
{
    clear_diags(h);
    if (b->bad)
        return post(h, "HY001", "out of memory");
    pthread_mutex_lock(&d->mu);
    if (d->fd < 0) {
        pthread_mutex_unlock(&d->mu);
        return post(h, "08003", "the connection is not open");
    }
    SQLRETURN r;
    if (share_send(d->fd, b) != 0 || share_recv(d->fd, b) <= 0) {
        r = gone(h, d, errno);
        pthread_mutex_unlock(&d->mu);
        return r;
    }
    pthread_mutex_unlock(&d->mu);
    r = (SQLRETURN)share_get_i64(b);
    size_t n = (size_t)share_get_i64(b);
    if (n && !b->bad && n < 64 && (h->diags = calloc(n, sizeof *h->diags))) {
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *state = share_get_bytes(b, &len);
            snprintf(h->diags[i].state, sizeof h->diags[i].state, "%.*s", (int)(len < 5 ? len : 5),
                     state ? state : "HY000");
            h->diags[i].native = share_get_i64(b);
            const char *msg = share_get_bytes(b, &len);
            /* Not strndup: the text is not NUL-terminated in the frame. */
            if (!msg)
                len = 0;
            if ((h->diags[i].message = malloc(len + 1))) {
                memcpy(h->diags[i].message, msg ? msg : "", len);
                h->diags[i].message[len] = '\0';
            }
            h->n_diags = i + 1;
        }
    }
    if (b->bad)
        return post(h, "08S01", "a malformed reply from the process that owns the session");
    return h->rc = r;
}

/* ---- text the program gives ---- */

static size_t wide_units(const SQLWCHAR *w)
{
    size_t n = 0;
    while (w[n])
        n++;
    return n;
}

/* Bytes of a text argument (len in characters, or SQL_NTS). */
static size_t text_bytes(const void *p, SQLINTEGER len, int wide)
{
    if (!p)
        return 0;
    if (len == SQL_NTS)
        return wide ? wide_units(p) * sizeof(SQLWCHAR) : strlen(p);
    return len < 0 ? 0 : (size_t)len * (wide ? sizeof(SQLWCHAR) : 1);
}

static void put_text(struct share_buf *b, const void *p, SQLINTEGER len, int wide)
{
    if (!p)
        share_put_null(b);
    else
        share_put_bytes(b, p, text_bytes(p, len, wide));
}

/* Copies what the owner wrote into a buffer of the program's (at most cap
 * bytes). */
static void copy_out(void *to, SQLLEN cap, const void *from, size_t n)
{
    if (!to || !from || cap <= 0)
        return;
    memcpy(to, from, n < (size_t)cap ? n : (size_t)cap);
}

/* ---- environments ---- */

static SQLRETURN alloc_env(SQLHANDLE *out)
{
    struct rmt_env *e = calloc(1, sizeof *e);
    if (!e)
        return SQL_ERROR;
    head_init(&e->h, RMT_ENV);
    e->version = SQL_OV_ODBC3;
    pthread_mutex_init(&e->mu, NULL);
    *out = e;
    return SQL_SUCCESS;
}

static SQLRETURN alloc_dbc(struct rmt_env *e, SQLHANDLE *out)
{
    struct rmt_dbc *d = calloc(1, sizeof *d);
    if (!d)
        return SQL_ERROR;
    head_init(&d->h, RMT_DBC);
    d->env = e;
    d->fd = -1;
    d->autocommit = SQL_AUTOCOMMIT_ON;
    pthread_mutex_init(&d->mu, NULL);
    pthread_mutex_lock(&e->mu);
    d->next = e->dbcs;
    e->dbcs = d;
    pthread_mutex_unlock(&e->mu);
    *out = d;
    return SQL_SUCCESS;
}

static SQLRETURN alloc_stmt(struct rmt_dbc *d, SQLHANDLE *out)
{
    clear_diags(&d->h);
    if (d->fd < 0)
        return post(&d->h, "08003", "the connection is not open");
    struct rmt_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return post(&d->h, "HY001", "out of memory");
    head_init(&st->h, RMT_STMT);
    for (int i = 0; i < 4; i++)
        head_init(&st->desc[i].h, RMT_DESC);
    st->dbc = d;
    pthread_mutex_lock(&d->mu);
    st->id = ++d->next_id;
    st->next = d->stmts;
    d->stmts = st;
    pthread_mutex_unlock(&d->mu);
    st->rows = -1;
    *out = st;
    return SQL_SUCCESS;
}

static void free_params(struct rmt_stmt *st)
{
    for (size_t i = 0; i < st->n_params; i++)
        free(st->params[i].data);
    st->n_params = 0;
}

static SQLRETURN free_stmt(struct rmt_stmt *st, SQLUSMALLINT how)
{
    clear_diags(&st->h);
    if (how == SQL_UNBIND) {
        st->n_cols = 0;
        st->cols_sent = 0;
        return SQL_SUCCESS;
    }
    if (how == SQL_RESET_PARAMS) {
        free_params(st);
        return SQL_SUCCESS;
    }
    struct share_buf b = {0};
    share_begin(&b, OP_FREE);
    share_put_i64(&b, st->id);
    share_put_i64(&b, how == SQL_DROP ? SQL_DROP : SQL_CLOSE);
    SQLRETURN r = st->dbc->fd >= 0 ? call(&st->h, st->dbc, &b) : SQL_SUCCESS;
    share_buf_free(&b);
    st->dae_op = 0;
    if (how == SQL_DROP) {
        pthread_mutex_lock(&st->dbc->mu);
        for (struct rmt_stmt **p = &st->dbc->stmts; *p; p = &(*p)->next)
            if (*p == st) {
                *p = st->next;
                break;
            }
        pthread_mutex_unlock(&st->dbc->mu);
        free_params(st);
        free(st->params);
        free(st->cols);
        free(st->dae_text);
        clear_diags(&st->h);
        for (int i = 0; i < 4; i++)
            clear_diags(&st->desc[i].h);
        st->h.magic = 0;
        free(st);
        return SQL_SUCCESS;
    }
    return r;
}

static SQLRETURN disconnect(struct rmt_dbc *d)
{
    clear_diags(&d->h);
    if (d->fd < 0)
        return post(&d->h, "08003", "the connection is not open");
    struct share_buf b = {0};
    share_begin(&b, OP_BYE);
    SQLRETURN r = call(&d->h, d, &b);
    share_buf_free(&b);
    pthread_mutex_lock(&d->mu);
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    pthread_mutex_unlock(&d->mu);
    /* Gone or not, the owner keeps nothing of the connection. */
    (void)r;
    clear_diags(&d->h);
    while (d->stmts)
        free_stmt(d->stmts, SQL_DROP);
    return SQL_SUCCESS;
}

/* ---- connecting ---- */

static SQLRETURN set_conn_attr(struct rmt_dbc *d, SQLINTEGER attr, SQLPOINTER value,
                               SQLINTEGER len, int wide);

static SQLRETURN join(struct rmt_dbc *d, const char *shown)
{
    clear_diags(&d->h);
    if (d->fd >= 0)
        return post(&d->h, "08002", "the connection is open already");
    const char *path = getenv(SHARE_ENV_SOCKET), *key = getenv(SHARE_ENV_KEY);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (!path || !key || strlen(path) >= sizeof addr.sun_path)
        return post(&d->h, "08001",
                    "this process was started by a test but its environment does not name the "
                    "test's session (%s, %s); it cannot connect",
                    SHARE_ENV_SOCKET, SHARE_ENV_KEY);
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return post(&d->h, "08001",
                    "cannot reach the test's session at %s (%s): the test that started this "
                    "process has ended; set ODBCTX_SHARE=0 in its environment to connect on "
                    "its own",
                    path, strerror(e));
    }
    d->fd = fd;
    struct share_buf b = {0};
    share_begin(&b, OP_HELLO);
    share_put_bytes(&b, key, strlen(key));
    share_put_i64(&b, getpid());
    share_put_bytes(&b, shown, strlen(shown));
    SQLRETURN r = call(&d->h, d, &b);
    share_buf_free(&b);
    if (!SQL_SUCCEEDED(r)) {
        if (d->fd >= 0)
            close(d->fd);
        d->fd = -1;
        return r;
    }
    if (d->autocommit_set &&
        !SQL_SUCCEEDED(set_conn_attr(d, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)d->autocommit, 0, 0)))
        return d->h.rc;
    if (d->isolation_set &&
        !SQL_SUCCEEDED(set_conn_attr(d, SQL_ATTR_TXN_ISOLATION, (SQLPOINTER)d->isolation, 0, 0)))
        return d->h.rc;
    return r;
}

/* The connection string as the owner's trace shows it: redacted. */
static SQLRETURN join_string(struct rmt_dbc *d, const char *conn)
{
    char shown[600];
    odbctx_redact(conn, shown, sizeof shown);
    return join(d, shown);
}

static SQLRETURN driver_connect(SQLHDBC dbc, void *in, SQLSMALLINT inlen, void *out,
                                SQLSMALLINT max, SQLSMALLINT *len, int wide)
{
    struct rmt_dbc *d = as(dbc, RMT_DBC);
    if (!d)
        return SQL_INVALID_HANDLE;
    size_t n;
    char *conn = wide ? odbctx__cap_from_wide(in, inlen, &n) : odbctx__cap_narrow(in, inlen, &n);
    if (!conn)
        return post(&d->h, "HY001", "out of memory");
    SQLRETURN r = odbctx__drv_complete(join_string(d, conn), conn, out, max, len, wide);
    odbctx__wipe_free(conn);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLDriverConnect(SQLHDBC dbc, SQLHWND w, SQLCHAR *in,
                                                  SQLSMALLINT inlen, SQLCHAR *out,
                                                  SQLSMALLINT max, SQLSMALLINT *len,
                                                  SQLUSMALLINT how)
{
    (void)w;
    (void)how;
    return driver_connect(dbc, in, inlen, out, max, len, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLDriverConnectW(SQLHDBC dbc, SQLHWND w, SQLWCHAR *in,
                                                   SQLSMALLINT inlen, SQLWCHAR *out,
                                                   SQLSMALLINT max, SQLSMALLINT *len,
                                                   SQLUSMALLINT how)
{
    (void)w;
    (void)how;
    return driver_connect(dbc, in, inlen, out, max, len, 1);
}

static SQLRETURN dsn_connect(SQLHDBC dbc, char *dsn, char *uid, char *pwd)
{
    struct rmt_dbc *d = as(dbc, RMT_DBC);
    SQLRETURN r = SQL_INVALID_HANDLE;
    if (d) {
        char shown[600];
        /* The password stays here: the owner's connection is its own. */
        snprintf(shown, sizeof shown, "DSN=%.200s;UID=%.200s;", dsn ? dsn : "", uid ? uid : "");
        r = join(d, shown);
    }
    free(dsn);
    free(uid);
    odbctx__wipe_free(pwd);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLConnect(SQLHDBC dbc, SQLCHAR *dsn, SQLSMALLINT l1,
                                            SQLCHAR *uid, SQLSMALLINT l2, SQLCHAR *pwd,
                                            SQLSMALLINT l3)
{
    size_t n;
    return dsn_connect(dbc, odbctx__cap_narrow(dsn, l1, &n), odbctx__cap_narrow(uid, l2, &n),
                       odbctx__cap_narrow(pwd, l3, &n));
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLConnectW(SQLHDBC dbc, SQLWCHAR *dsn, SQLSMALLINT l1,
                                             SQLWCHAR *uid, SQLSMALLINT l2, SQLWCHAR *pwd,
                                             SQLSMALLINT l3)
{
    size_t n;
    return dsn_connect(dbc, odbctx__cap_from_wide(dsn, l1, &n), odbctx__cap_from_wide(uid, l2, &n),
                       odbctx__cap_from_wide(pwd, l3, &n));
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLDisconnect(SQLHDBC dbc)
{
    struct rmt_dbc *d = as(dbc, RMT_DBC);
    return d ? disconnect(d) : SQL_INVALID_HANDLE;
}

/* ---- allocating and freeing ---- */

ODBCTX_API SQLRETURN odbctx__rmt_SQLAllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
    if (!out)
        return SQL_ERROR;
    struct rmt_env *e;
    struct rmt_dbc *d;
    switch (type) {
    case SQL_HANDLE_ENV:
        return alloc_env(out);
    case SQL_HANDLE_DBC:
        return (e = as(in, RMT_ENV)) ? alloc_dbc(e, out) : SQL_INVALID_HANDLE;
    case SQL_HANDLE_STMT:
        return (d = as(in, RMT_DBC)) ? alloc_stmt(d, out) : SQL_INVALID_HANDLE;
    default:
        return odbctx__rmt_refuse("SQLAllocHandle(SQL_HANDLE_DESC)", in);
    }
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLAllocEnv(SQLHENV *out)
{
    return out ? alloc_env(out) : SQL_ERROR;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLAllocConnect(SQLHENV env, SQLHDBC *out)
{
    return odbctx__rmt_SQLAllocHandle(SQL_HANDLE_DBC, env, out);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLAllocStmt(SQLHDBC dbc, SQLHSTMT *out)
{
    return odbctx__rmt_SQLAllocHandle(SQL_HANDLE_STMT, dbc, out);
}

static SQLRETURN free_dbc(struct rmt_dbc *d)
{
    if (d->fd >= 0)
        disconnect(d);
    struct rmt_env *e = d->env;
    pthread_mutex_lock(&e->mu);
    for (struct rmt_dbc **p = &e->dbcs; *p; p = &(*p)->next)
        if (*p == d) {
            *p = d->next;
            break;
        }
    pthread_mutex_unlock(&e->mu);
    clear_diags(&d->h);
    pthread_mutex_destroy(&d->mu);
    d->h.magic = 0;
    free(d);
    return SQL_SUCCESS;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLFreeHandle(SQLSMALLINT type, SQLHANDLE h)
{
    struct rmt_head *head = as_head(h);
    if (!head)
        return SQL_INVALID_HANDLE;
    switch (type) {
    case SQL_HANDLE_ENV: {
        struct rmt_env *e = as(h, RMT_ENV);
        if (!e)
            return SQL_INVALID_HANDLE;
        if (e->dbcs)
            return post(&e->h, "HY010", "the environment still has connections");
        clear_diags(&e->h);
        pthread_mutex_destroy(&e->mu);
        e->h.magic = 0;
        free(e);
        return SQL_SUCCESS;
    }
    case SQL_HANDLE_DBC: {
        struct rmt_dbc *d = as(h, RMT_DBC);
        return d ? free_dbc(d) : SQL_INVALID_HANDLE;
    }
    case SQL_HANDLE_STMT: {
        struct rmt_stmt *st = as(h, RMT_STMT);
        return st ? free_stmt(st, SQL_DROP) : SQL_INVALID_HANDLE;
    }
    default:
        return odbctx__rmt_refuse("SQLFreeHandle(SQL_HANDLE_DESC)", h);
    }
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLFreeEnv(SQLHENV env)
{
    return odbctx__rmt_SQLFreeHandle(SQL_HANDLE_ENV, env);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLFreeConnect(SQLHDBC dbc)
{
    return odbctx__rmt_SQLFreeHandle(SQL_HANDLE_DBC, dbc);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLFreeStmt(SQLHSTMT stmt, SQLUSMALLINT how)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    return st ? free_stmt(st, how) : SQL_INVALID_HANDLE;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLCloseCursor(SQLHSTMT stmt)
{
    return odbctx__rmt_SQLFreeStmt(stmt, SQL_CLOSE);
}

/* ---- environment and connection attributes ---- */

/* iODBC asks a driver what its wide characters are (as driver.c says). */
#define IODBC_ATTR_DRIVER_UNICODE_TYPE 1065
#define IODBC_DM_CP_UTF16 1

ODBCTX_API SQLRETURN odbctx__rmt_SQLSetEnvAttr(SQLHENV env, SQLINTEGER attr, SQLPOINTER value,
                                               SQLINTEGER len)
{
    (void)len;
    struct rmt_env *e = as(env, RMT_ENV);
    if (!e)
        return SQL_INVALID_HANDLE;
    if (attr == SQL_ATTR_ODBC_VERSION)
        e->version = (SQLINTEGER)(intptr_t)value;
    return SQL_SUCCESS;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetEnvAttr(SQLHENV env, SQLINTEGER attr, SQLPOINTER value,
                                               SQLINTEGER max, SQLINTEGER *len)
{
    (void)max;
    struct rmt_env *e = as(env, RMT_ENV);
    if (!e)
        return SQL_INVALID_HANDLE;
    SQLINTEGER v = attr == SQL_ATTR_ODBC_VERSION ? e->version
                   : attr == IODBC_ATTR_DRIVER_UNICODE_TYPE ? IODBC_DM_CP_UTF16
                   : attr == SQL_ATTR_OUTPUT_NTS ? SQL_TRUE : 0;
    if (value)
        *(SQLINTEGER *)value = v;
    if (len)
        *len = sizeof v;
    return SQL_SUCCESS;
}

static int text_attr(SQLINTEGER attr)
{
    return attr == SQL_ATTR_CURRENT_CATALOG || attr == SQL_ATTR_TRACEFILE ||
           attr == SQL_ATTR_TRANSLATE_LIB;
}

static SQLRETURN set_conn_attr(struct rmt_dbc *d, SQLINTEGER attr, SQLPOINTER value,
                               SQLINTEGER len, int wide)
{
    clear_diags(&d->h);
    if (d->fd < 0) {
        /* Before connecting: what matters to the test is sent once joined. */
        if (attr == SQL_ATTR_AUTOCOMMIT) {
            d->autocommit = (SQLULEN)value;
            d->autocommit_set = 1;
        } else if (attr == SQL_ATTR_TXN_ISOLATION) {
            d->isolation = (SQLULEN)value;
            d->isolation_set = 1;
        }
        return SQL_SUCCESS;
    }
    struct share_buf b = {0};
    share_begin(&b, OP_SET_CONN);
    share_put_i64(&b, attr);
    share_put_i64(&b, wide);
    share_put_i64(&b, (int64_t)(intptr_t)value);
    if (text_attr(attr))
        put_text(&b, value, len, wide);
    else
        share_put_null(&b);
    SQLRETURN r = call(&d->h, d, &b);
    share_buf_free(&b);
    if (SQL_SUCCEEDED(r) && attr == SQL_ATTR_AUTOCOMMIT)
        d->autocommit = (SQLULEN)value;
    return r;
}

static SQLRETURN get_conn_attr(struct rmt_dbc *d, SQLINTEGER attr, SQLPOINTER value,
                               SQLINTEGER max, SQLINTEGER *len, int wide)
{
    clear_diags(&d->h);
    if (d->fd < 0) {
        if (attr != SQL_ATTR_AUTOCOMMIT && attr != SQL_ATTR_CONNECTION_DEAD)
            return post(&d->h, "08003", "the connection is not open");
        if (value)
            *(SQLUINTEGER *)value =
                attr == SQL_ATTR_AUTOCOMMIT ? (SQLUINTEGER)d->autocommit : SQL_CD_TRUE;
        return SQL_SUCCESS;
    }
    struct share_buf b = {0};
    share_begin(&b, OP_GET_CONN);
    share_put_i64(&b, attr);
    share_put_i64(&b, wide);
    share_put_i64(&b, text_attr(attr) ? max : 0);
    SQLRETURN r = call(&d->h, d, &b);
    if (SQL_SUCCEEDED(r)) {
        size_t n;
        const void *p = share_get_bytes(&b, &n);
        SQLINTEGER l = (SQLINTEGER)share_get_i64(&b);
        if (text_attr(attr))
            copy_out(value, max, p, n);
        else if (value && p && n >= sizeof(SQLUINTEGER))
            /* 32-bit attributes are what programs pass room for. */
            memcpy(value, p, sizeof(SQLUINTEGER));
        if (len)
            *len = l;
    }
    share_buf_free(&b);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLSetConnectAttr(SQLHDBC dbc, SQLINTEGER attr, SQLPOINTER v,
                                                   SQLINTEGER len)
{
    struct rmt_dbc *d = as(dbc, RMT_DBC);
    return d ? set_conn_attr(d, attr, v, len, 0) : SQL_INVALID_HANDLE;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLSetConnectAttrW(SQLHDBC dbc, SQLINTEGER attr, SQLPOINTER v,
                                                    SQLINTEGER len)
{
    struct rmt_dbc *d = as(dbc, RMT_DBC);
    return d ? set_conn_attr(d, attr, v, len / (SQLINTEGER)sizeof(SQLWCHAR), 1)
             : SQL_INVALID_HANDLE;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetConnectAttr(SQLHDBC dbc, SQLINTEGER attr, SQLPOINTER v,
                                                   SQLINTEGER max, SQLINTEGER *len)
{
    struct rmt_dbc *d = as(dbc, RMT_DBC);
    return d ? get_conn_attr(d, attr, v, max, len, 0) : SQL_INVALID_HANDLE;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetConnectAttrW(SQLHDBC dbc, SQLINTEGER attr, SQLPOINTER v,
                                                    SQLINTEGER max, SQLINTEGER *len)
{
    struct rmt_dbc *d = as(dbc, RMT_DBC);
    return d ? get_conn_attr(d, attr, v, max, len, 1) : SQL_INVALID_HANDLE;
}

/* ODBC 2's forms of the same. */
ODBCTX_API SQLRETURN odbctx__rmt_SQLSetConnectOption(SQLHDBC dbc, SQLUSMALLINT opt, SQLULEN v)
{
    return odbctx__rmt_SQLSetConnectAttr(dbc, opt, (SQLPOINTER)v, SQL_NTS);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLSetConnectOptionW(SQLHDBC dbc, SQLUSMALLINT opt, SQLULEN v)
{
    return odbctx__rmt_SQLSetConnectAttrW(dbc, opt, (SQLPOINTER)v, SQL_NTS);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetConnectOption(SQLHDBC dbc, SQLUSMALLINT opt, SQLPOINTER v)
{
    return odbctx__rmt_SQLGetConnectAttr(dbc, opt, v, 512, NULL);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetConnectOptionW(SQLHDBC dbc, SQLUSMALLINT opt, SQLPOINTER v)
{
    return odbctx__rmt_SQLGetConnectAttrW(dbc, opt, v, 1024, NULL);
}

/* ---- SQLGetInfo ---- */

/* How an information type's value is returned: 0 text, else its size;
 * -1 for the driver's own handles, which cannot cross processes. */
static int info_size(SQLUSMALLINT t)
{
    switch (t) {
    case SQL_DRIVER_HDBC: case SQL_DRIVER_HENV: case SQL_DRIVER_HSTMT: case SQL_DRIVER_HLIB:
    case SQL_DRIVER_HDESC:
        return -1;
    case SQL_ACCESSIBLE_PROCEDURES: case SQL_ACCESSIBLE_TABLES: case SQL_CATALOG_NAME:
    case SQL_CATALOG_NAME_SEPARATOR: case SQL_CATALOG_TERM: case SQL_COLLATION_SEQ:
    case SQL_COLUMN_ALIAS: case SQL_DATA_SOURCE_NAME: case SQL_DATA_SOURCE_READ_ONLY:
    case SQL_DATABASE_NAME: case SQL_DBMS_NAME: case SQL_DBMS_VER: case SQL_DESCRIBE_PARAMETER:
    case SQL_DM_VER: case SQL_DRIVER_NAME: case SQL_DRIVER_ODBC_VER: case SQL_DRIVER_VER:
    case SQL_EXPRESSIONS_IN_ORDERBY: case SQL_IDENTIFIER_QUOTE_CHAR: case SQL_INTEGRITY:
    case SQL_KEYWORDS: case SQL_LIKE_ESCAPE_CLAUSE: case SQL_MAX_ROW_SIZE_INCLUDES_LONG:
    case SQL_MULT_RESULT_SETS: case SQL_MULTIPLE_ACTIVE_TXN: case SQL_NEED_LONG_DATA_LEN:
    case SQL_ODBC_VER: case SQL_ORDER_BY_COLUMNS_IN_SELECT: case SQL_OUTER_JOINS:
    case SQL_PROCEDURE_TERM: case SQL_PROCEDURES: case SQL_ROW_UPDATES: case SQL_SCHEMA_TERM:
    case SQL_SEARCH_PATTERN_ESCAPE: case SQL_SERVER_NAME: case SQL_SPECIAL_CHARACTERS:
    case SQL_TABLE_TERM: case SQL_USER_NAME: case SQL_XOPEN_CLI_YEAR:
        return 0;
    case SQL_ACTIVE_ENVIRONMENTS: case SQL_CATALOG_LOCATION: case SQL_CONCAT_NULL_BEHAVIOR:
    case SQL_CORRELATION_NAME: case SQL_CURSOR_COMMIT_BEHAVIOR: case SQL_CURSOR_ROLLBACK_BEHAVIOR:
    case SQL_FILE_USAGE: case SQL_GROUP_BY: case SQL_IDENTIFIER_CASE:
    case SQL_MAX_CATALOG_NAME_LEN: case SQL_MAX_COLUMN_NAME_LEN: case SQL_MAX_COLUMNS_IN_GROUP_BY:
    case SQL_MAX_COLUMNS_IN_INDEX: case SQL_MAX_COLUMNS_IN_ORDER_BY:
    case SQL_MAX_COLUMNS_IN_SELECT: case SQL_MAX_COLUMNS_IN_TABLE:
    case SQL_MAX_CONCURRENT_ACTIVITIES: case SQL_MAX_CURSOR_NAME_LEN:
    case SQL_MAX_DRIVER_CONNECTIONS: case SQL_MAX_IDENTIFIER_LEN: case SQL_MAX_PROCEDURE_NAME_LEN:
    case SQL_MAX_SCHEMA_NAME_LEN: case SQL_MAX_TABLE_NAME_LEN: case SQL_MAX_TABLES_IN_SELECT:
    case SQL_MAX_USER_NAME_LEN: case SQL_NON_NULLABLE_COLUMNS: case SQL_NULL_COLLATION:
    case SQL_QUOTED_IDENTIFIER_CASE: case SQL_TXN_CAPABLE: case SQL_ODBC_API_CONFORMANCE:
    case SQL_ODBC_SQL_CONFORMANCE: case SQL_ODBC_SAG_CLI_CONFORMANCE:
        return 2;
    default:
        return 4;
    }
}

static SQLRETURN get_info(SQLHDBC dbc, SQLUSMALLINT type, SQLPOINTER value, SQLSMALLINT max,
                          SQLSMALLINT *len, int wide)
{
    struct rmt_dbc *d = as(dbc, RMT_DBC);
    if (!d)
        return SQL_INVALID_HANDLE;
    int size = info_size(type);
    if (size < 0)
        return post(&d->h, "HY096",
                    "SQLGetInfo(%u) asks for a handle of the driver, which a child process "
                    "cannot have",
                    type);
    struct share_buf b = {0};
    share_begin(&b, OP_INFO);
    share_put_i64(&b, type);
    share_put_i64(&b, size);
    share_put_i64(&b, wide);
    share_put_i64(&b, size ? 8 : max);
    SQLRETURN r = call(&d->h, d, &b);
    if (SQL_SUCCEEDED(r)) {
        size_t n;
        const void *p = share_get_bytes(&b, &n);
        SQLSMALLINT l = (SQLSMALLINT)share_get_i64(&b);
        if (size && value && p)
            memcpy(value, p, (size_t)size < n ? (size_t)size : n);
        else if (!size)
            copy_out(value, max, p, n);
        if (len)
            *len = size ? (SQLSMALLINT)size : l;
    }
    share_buf_free(&b);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetInfo(SQLHDBC dbc, SQLUSMALLINT type, SQLPOINTER v,
                                            SQLSMALLINT max, SQLSMALLINT *len)
{
    return get_info(dbc, type, v, max, len, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetInfoW(SQLHDBC dbc, SQLUSMALLINT type, SQLPOINTER v,
                                             SQLSMALLINT max, SQLSMALLINT *len)
{
    return get_info(dbc, type, v, max, len, 1);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetFunctions(SQLHDBC dbc, SQLUSMALLINT fn, SQLUSMALLINT *out)
{
    (void)dbc;
    /* All of them: a call outside what is forwarded then reaches
     * odbctx__rmt_refuse, which names it, instead of the driver manager's
     * anonymous "driver does not support this function". */
    if (!out)
        return SQL_ERROR;
    if (fn == SQL_API_ODBC3_ALL_FUNCTIONS)
        for (int i = 0; i < SQL_API_ODBC3_ALL_FUNCTIONS_SIZE; i++)
            out[i] = 0xFFFF;
    else if (fn == SQL_API_ALL_FUNCTIONS)
        for (int i = 0; i < 100; i++)
            out[i] = SQL_TRUE;
    else
        *out = SQL_TRUE;
    return SQL_SUCCESS;
}

/* ---- transactions ---- */

static SQLRETURN end_tran_dbc(struct rmt_dbc *d, SQLSMALLINT op)
{
    struct share_buf b = {0};
    share_begin(&b, OP_END_TRAN);
    share_put_i64(&b, op);
    SQLRETURN r = call(&d->h, d, &b);
    share_buf_free(&b);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLEndTran(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT op)
{
    if (type == SQL_HANDLE_DBC) {
        struct rmt_dbc *d = as(h, RMT_DBC);
        return d ? end_tran_dbc(d, op) : SQL_INVALID_HANDLE;
    }
    struct rmt_env *e = as(h, RMT_ENV);
    if (!e)
        return SQL_INVALID_HANDLE;
    SQLRETURN r = SQL_SUCCESS;
    pthread_mutex_lock(&e->mu);
    for (struct rmt_dbc *d = e->dbcs; d; d = d->next)
        if (d->fd >= 0 && !SQL_SUCCEEDED(end_tran_dbc(d, op)))
            r = SQL_ERROR;
    pthread_mutex_unlock(&e->mu);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLTransact(SQLHENV env, SQLHDBC dbc, SQLUSMALLINT op)
{
    return dbc ? odbctx__rmt_SQLEndTran(SQL_HANDLE_DBC, dbc, (SQLSMALLINT)op)
               : odbctx__rmt_SQLEndTran(SQL_HANDLE_ENV, env, (SQLSMALLINT)op);
}

/* ---- parameters ---- */

static struct rmt_param *param_slot(struct rmt_stmt *st, SQLUSMALLINT num)
{
    for (size_t i = 0; i < st->n_params; i++)
        if (st->params[i].num == num)
            return &st->params[i];
    if (odbctx__grow((void **)&st->params, &st->cap_params, st->n_params + 1, sizeof *st->params))
        return NULL;
    struct rmt_param *p = &st->params[st->n_params++];
    memset(p, 0, sizeof *p);
    p->num = num;
    return p;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLBindParameter(SQLHSTMT stmt, SQLUSMALLINT num, SQLSMALLINT io,
                                                  SQLSMALLINT ctype, SQLSMALLINT sqltype,
                                                  SQLULEN size, SQLSMALLINT digits,
                                                  SQLPOINTER ptr, SQLLEN cap, SQLLEN *ind)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    if (io != SQL_PARAM_INPUT)
        return post(&st->h, "HYC00",
                    "SQLBindParameter: output parameters (parameter %u) are not forwarded from "
                    "a child process",
                    num);
    if (ctype == SQL_C_DEFAULT || odbctx__share_ctype_size(ctype) < 0)
        return post(&st->h, "HYC00",
                    "SQLBindParameter: C type %d (parameter %u) is not forwarded from a child "
                    "process; name the C type",
                    ctype, num);
    struct rmt_param *p = param_slot(st, num);
    if (!p)
        return post(&st->h, "HY001", "out of memory");
    free(p->data);
    *p = (struct rmt_param){num, io, ctype, sqltype, digits, size, ptr, cap, ind, NULL, 0, 0, 0};
    return SQL_SUCCESS;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLBindParam(SQLHSTMT stmt, SQLUSMALLINT num, SQLSMALLINT ctype,
                                              SQLSMALLINT sqltype, SQLULEN size,
                                              SQLSMALLINT digits, SQLPOINTER ptr, SQLLEN *ind)
{
    return odbctx__rmt_SQLBindParameter(stmt, num, SQL_PARAM_INPUT, ctype, sqltype, size, digits,
                                        ptr, SQL_SETPARAM_VALUE_MAX, ind);
}

/* ODBC 2's form. The ODBC 3 mapping makes it an input-output parameter,
 * which is not forwarded; the programs that still call it bind input
 * values with it, so it binds an input one, as SQLBindParam does. */
ODBCTX_API SQLRETURN odbctx__rmt_SQLSetParam(SQLHSTMT stmt, SQLUSMALLINT num, SQLSMALLINT ctype,
                                             SQLSMALLINT sqltype, SQLULEN size,
                                             SQLSMALLINT digits, SQLPOINTER ptr, SQLLEN *ind)
{
    return odbctx__rmt_SQLBindParameter(stmt, num, SQL_PARAM_INPUT, ctype, sqltype, size, digits,
                                        ptr, SQL_SETPARAM_VALUE_MAX, ind);
}

static int is_dae(SQLLEN ind)
{
    return ind == SQL_DATA_AT_EXEC || ind <= SQL_LEN_DATA_AT_EXEC_OFFSET;
}

static void *at(void *p, const SQLULEN *offset)
{
    return p && offset ? (char *)p + *offset : p;
}

/* The bound parameters' values, as they are now. */
static void put_params(struct rmt_stmt *st, struct share_buf *b)
{
    share_put_i64(b, (int64_t)st->n_params);
    for (size_t i = 0; i < st->n_params; i++) {
        struct rmt_param *p = &st->params[i];
        SQLLEN *indp = at(p->ind, st->param_offset);
        const char *v = at(p->ptr, st->param_offset);
        SQLLEN ind = indp ? *indp : p->ctype == SQL_C_CHAR || p->ctype == SQL_C_WCHAR ? SQL_NTS : p->cap;
        share_put_i64(b, p->num);
        share_put_i64(b, p->ctype);
        share_put_i64(b, p->sqltype);
        share_put_i64(b, (int64_t)p->size);
        share_put_i64(b, p->digits);
        int fixed = odbctx__share_ctype_size(p->ctype);
        if (is_dae(ind)) {
            share_put_i64(b, p->is_null ? SQL_NULL_DATA : (int64_t)p->len);
            if (p->is_null)
                share_put_null(b);
            else
                share_put_bytes(b, p->data ? p->data : "", p->len);
            continue;
        }
        share_put_i64(b, ind);
        if (ind == SQL_NULL_DATA || !v) {
            share_put_null(b);
        } else if (fixed > 0) {
            share_put_bytes(b, v, (size_t)fixed);
        } else if (ind == SQL_NTS) {
            share_put_bytes(b, v, p->ctype == SQL_C_WCHAR ? wide_units((const SQLWCHAR *)v) * 2
                                                          : strlen(v));
        } else {
            share_put_bytes(b, v, ind < 0 ? 0 : (size_t)ind);
        }
    }
}

/* ---- running statements ---- */

static void take_result(struct rmt_stmt *st, struct share_buf *b, SQLRETURN r)
{
    SQLSMALLINT cols = (SQLSMALLINT)share_get_i64(b);
    SQLLEN rows = (SQLLEN)share_get_i64(b);
    if (SQL_SUCCEEDED(r) || r == SQL_NO_DATA) {
        st->ncols = cols;
        st->rows = rows;
        if (st->params_done)
            *st->params_done = 1;
        if (st->param_status)
            st->param_status[0] = SQL_SUCCEEDED(r) ? SQL_PARAM_SUCCESS : SQL_PARAM_ERROR;
    }
}

static SQLRETURN run(struct rmt_stmt *st, int op, const void *text, size_t len, int wide)
{
    struct share_buf b = {0};
    share_begin(&b, (enum share_op)op);
    share_put_i64(&b, st->id);
    if (op != OP_EXECUTE) {
        share_put_i64(&b, wide);
        share_put_bytes(&b, text, len);
    }
    if (op != OP_PREPARE)
        put_params(st, &b);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    take_result(st, &b, r);
    share_buf_free(&b);
    return r;
}

static int needs_data(struct rmt_stmt *st)
{
    for (size_t i = 0; i < st->n_params; i++) {
        SQLLEN *ind = at(st->params[i].ind, st->param_offset);
        if (ind && is_dae(*ind))
            return 1;
    }
    return 0;
}

/* An execution whose parameters come at execution time waits for them. */
static SQLRETURN run_or_wait(struct rmt_stmt *st, int op, const void *text, size_t len, int wide)
{
    clear_diags(&st->h);
    st->dae_op = 0;
    if (!needs_data(st))
        return run(st, op, text, len, wide);
    free(st->dae_text);
    st->dae_text = NULL;
    if (text && !(st->dae_text = malloc(len ? len : 1)))
        return post(&st->h, "HY001", "out of memory");
    if (text)
        memcpy(st->dae_text, text, len);
    st->dae_len = len;
    st->dae_wide = wide;
    st->dae_op = op;
    st->dae_at = -1;
    for (size_t i = 0; i < st->n_params; i++) {
        free(st->params[i].data);
        st->params[i].data = NULL;
        st->params[i].len = st->params[i].room = 0;
        st->params[i].is_null = 0;
    }
    return st->h.rc = SQL_NEED_DATA;
}

static SQLRETURN exec_direct(SQLHSTMT stmt, const void *sql, SQLINTEGER len, int wide)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    return run_or_wait(st, OP_EXEC_DIRECT, sql, text_bytes(sql, len, wide), wide);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLExecDirect(SQLHSTMT stmt, SQLCHAR *sql, SQLINTEGER len)
{
    return exec_direct(stmt, sql, len, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLExecDirectW(SQLHSTMT stmt, SQLWCHAR *sql, SQLINTEGER len)
{
    return exec_direct(stmt, sql, len, 1);
}

static SQLRETURN prepare(SQLHSTMT stmt, const void *sql, SQLINTEGER len, int wide)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    return run(st, OP_PREPARE, sql, text_bytes(sql, len, wide), wide);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLPrepare(SQLHSTMT stmt, SQLCHAR *sql, SQLINTEGER len)
{
    return prepare(stmt, sql, len, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLPrepareW(SQLHSTMT stmt, SQLWCHAR *sql, SQLINTEGER len)
{
    return prepare(stmt, sql, len, 1);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLExecute(SQLHSTMT stmt)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    return st ? run_or_wait(st, OP_EXECUTE, NULL, 0, 0) : SQL_INVALID_HANDLE;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLParamData(SQLHSTMT stmt, SQLPOINTER *token)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    if (!st->dae_op)
        return post(&st->h, "HY010", "SQLParamData: no execution is waiting for data");
    for (size_t i = (size_t)(st->dae_at + 1); i < st->n_params; i++) {
        SQLLEN *ind = at(st->params[i].ind, st->param_offset);
        if (ind && is_dae(*ind)) {
            st->dae_at = (long)i;
            if (token)
                *token = at(st->params[i].ptr, st->param_offset);
            return st->h.rc = SQL_NEED_DATA;
        }
    }
    int op = st->dae_op;
    st->dae_op = 0;
    return run(st, op, st->dae_text, st->dae_len, st->dae_wide);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLPutData(SQLHSTMT stmt, SQLPOINTER data, SQLLEN len)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    if (!st->dae_op || st->dae_at < 0)
        return post(&st->h, "HY010", "SQLPutData: no parameter is waiting for data");
    struct rmt_param *p = &st->params[st->dae_at];
    if (len == SQL_NULL_DATA) {
        p->is_null = 1;
        return SQL_SUCCESS;
    }
    int fixed = odbctx__share_ctype_size(p->ctype);
    size_t n = fixed > 0 ? (size_t)fixed
               : len == SQL_NTS ? (p->ctype == SQL_C_WCHAR ? wide_units(data) * 2 : strlen(data))
               : len < 0 ? 0 : (size_t)len;
    if (p->len + n > SHARE_FRAME_MAX / 2)
        return post(&st->h, "HY001", "SQLPutData: more than %u bytes for one parameter",
                    SHARE_FRAME_MAX / 2);
    if (odbctx__grow((void **)&p->data, &p->room, p->len + n + 1, 1))
        return post(&st->h, "HY001", "out of memory");
    if (n)
        memcpy(p->data + p->len, data, n);
    p->len += n;
    return SQL_SUCCESS;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLNumParams(SQLHSTMT stmt, SQLSMALLINT *out)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    struct share_buf b = {0};
    share_begin(&b, OP_NUM_PARAMS);
    share_put_i64(&b, st->id);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    SQLSMALLINT n = (SQLSMALLINT)share_get_i64(&b);
    if (SQL_SUCCEEDED(r) && out)
        *out = n;
    share_buf_free(&b);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLDescribeParam(SQLHSTMT stmt, SQLUSMALLINT num,
                                                  SQLSMALLINT *type, SQLULEN *size,
                                                  SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    struct share_buf b = {0};
    share_begin(&b, OP_DESCRIBE_PARAM);
    share_put_i64(&b, st->id);
    share_put_i64(&b, num);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    SQLSMALLINT t = (SQLSMALLINT)share_get_i64(&b);
    SQLULEN z = (SQLULEN)share_get_i64(&b);
    SQLSMALLINT dg = (SQLSMALLINT)share_get_i64(&b), nl = (SQLSMALLINT)share_get_i64(&b);
    if (SQL_SUCCEEDED(r)) {
        if (type) *type = t;
        if (size) *size = z;
        if (digits) *digits = dg;
        if (nullable) *nullable = nl;
    }
    share_buf_free(&b);
    return r;
}

/* ---- results ---- */

ODBCTX_API SQLRETURN odbctx__rmt_SQLNumResultCols(SQLHSTMT stmt, SQLSMALLINT *out)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    if (out)
        *out = st->ncols;
    return SQL_SUCCESS;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLRowCount(SQLHSTMT stmt, SQLLEN *out)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    if (out)
        *out = st->rows;
    return SQL_SUCCESS;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLMoreResults(SQLHSTMT stmt)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    struct share_buf b = {0};
    share_begin(&b, OP_MORE_RESULTS);
    share_put_i64(&b, st->id);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    take_result(st, &b, r);
    share_buf_free(&b);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLBindCol(SQLHSTMT stmt, SQLUSMALLINT num, SQLSMALLINT ctype,
                                            SQLPOINTER ptr, SQLLEN cap, SQLLEN *ind)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    size_t i = 0;
    while (i < st->n_cols && st->cols[i].num != num)
        i++;
    st->cols_sent = 0;
    if (!ptr && !ind) {
        if (i < st->n_cols)
            st->cols[i] = st->cols[--st->n_cols];
        return SQL_SUCCESS;
    }
    int fixed = odbctx__share_ctype_size(ctype);
    if (ctype == SQL_C_DEFAULT || fixed < 0)
        return post(&st->h, "HYC00",
                    "SQLBindCol: C type %d (column %u) is not forwarded from a child process; "
                    "name the C type",
                    ctype, num);
    if (i == st->n_cols) {
        if (odbctx__grow((void **)&st->cols, &st->cap_cols, st->n_cols + 1, sizeof *st->cols))
            return post(&st->h, "HY001", "out of memory");
        st->n_cols++;
    }
    st->cols[i] = (struct rmt_col){num, ctype, ptr, fixed > 0 ? fixed : (ptr ? cap : 0), ind};
    return SQL_SUCCESS;
}

static SQLRETURN set_stmt_attr(SQLHSTMT stmt, SQLINTEGER attr, SQLPOINTER v);

static SQLRETURN fetch(struct rmt_stmt *st, SQLSMALLINT orient, SQLLEN offset)
{
    clear_diags(&st->h);
    struct share_buf b = {0};
    share_begin(&b, OP_FETCH);
    share_put_i64(&b, st->id);
    share_put_i64(&b, orient);
    share_put_i64(&b, offset);
    share_put_i64(&b, !st->cols_sent);
    if (!st->cols_sent) {
        share_put_i64(&b, (int64_t)st->n_cols);
        for (size_t i = 0; i < st->n_cols; i++) {
            share_put_i64(&b, st->cols[i].num);
            share_put_i64(&b, st->cols[i].ctype);
            share_put_i64(&b, st->cols[i].cap);
        }
    }
    SQLRETURN r = call(&st->h, st->dbc, &b);
    if (st->h.rc != SQL_ERROR || r != SQL_ERROR)
        st->cols_sent = 1;
    if (SQL_SUCCEEDED(r)) {
        for (size_t i = 0; i < st->n_cols && !b.bad; i++) {
            struct rmt_col *c = &st->cols[i];
            SQLLEN ind = (SQLLEN)share_get_i64(&b);
            size_t n;
            const void *p = share_get_bytes(&b, &n);
            copy_out(at(c->ptr, st->row_offset), c->cap, p, n);
            SQLLEN *indp = at(c->ind, st->row_offset);
            if (indp)
                *indp = ind;
        }
    }
    if (st->rows_fetched)
        *st->rows_fetched = SQL_SUCCEEDED(r) ? 1 : 0;
    if (st->row_status && SQL_SUCCEEDED(r))
        st->row_status[0] = r == SQL_SUCCESS ? SQL_ROW_SUCCESS : SQL_ROW_SUCCESS_WITH_INFO;
    share_buf_free(&b);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLFetch(SQLHSTMT stmt)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    return st ? fetch(st, SQL_FETCH_NEXT, 0) : SQL_INVALID_HANDLE;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLFetchScroll(SQLHSTMT stmt, SQLSMALLINT orient, SQLLEN offset)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    return st ? fetch(st, orient, offset) : SQL_INVALID_HANDLE;
}

/* ODBC 2's fetch, which PHP's odbc extension uses whenever the driver can
 * fetch at an absolute position (PostgreSQL's can): SQLFetchScroll with the
 * row count and status in the caller's arguments instead of the statement's
 * attributes, one row at a time as everywhere here. */
ODBCTX_API SQLRETURN odbctx__rmt_SQLExtendedFetch(SQLHSTMT stmt, SQLUSMALLINT orient,
                                                  SQLLEN offset, SQLULEN *rows,
                                                  SQLUSMALLINT *status)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    SQLULEN *rows_attr = st->rows_fetched;
    SQLUSMALLINT *status_attr = st->row_status;
    st->rows_fetched = rows;
    st->row_status = status;
    SQLRETURN r = fetch(st, (SQLSMALLINT)orient, offset);
    st->rows_fetched = rows_attr;
    st->row_status = status_attr;
    return r;
}

/* ODBC 2's parameter arrays: one set at a time is forwarded, as with
 * SQL_ATTR_PARAMSET_SIZE. */
ODBCTX_API SQLRETURN odbctx__rmt_SQLParamOptions(SQLHSTMT stmt, SQLULEN sets, SQLULEN *done)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    SQLRETURN r = set_stmt_attr(stmt, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)(uintptr_t)sets);
    if (SQL_SUCCEEDED(r))
        st->params_done = done;
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetData(SQLHSTMT stmt, SQLUSMALLINT col, SQLSMALLINT ctype,
                                            SQLPOINTER ptr, SQLLEN cap, SQLLEN *ind)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    int fixed = odbctx__share_ctype_size(ctype);
    if (ctype == SQL_C_DEFAULT || fixed < 0)
        return post(&st->h, "HYC00",
                    "SQLGetData: C type %d (column %u) is not forwarded from a child process; "
                    "name the C type",
                    ctype, col);
    if (fixed > 0)
        cap = fixed;
    struct share_buf b = {0};
    share_begin(&b, OP_GET_DATA);
    share_put_i64(&b, st->id);
    share_put_i64(&b, col);
    share_put_i64(&b, ctype);
    share_put_i64(&b, ptr ? cap : 0);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    if (SQL_SUCCEEDED(r)) {
        SQLLEN v = (SQLLEN)share_get_i64(&b);
        size_t n;
        const void *p = share_get_bytes(&b, &n);
        copy_out(ptr, cap, p, n);
        if (ind)
            *ind = v;
    }
    share_buf_free(&b);
    return r;
}

static SQLRETURN describe(SQLHSTMT stmt, SQLUSMALLINT col, void *name, SQLSMALLINT max,
                          SQLSMALLINT *len, SQLSMALLINT *type, SQLULEN *size,
                          SQLSMALLINT *digits, SQLSMALLINT *nullable, int wide)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    struct share_buf b = {0};
    share_begin(&b, OP_DESCRIBE);
    share_put_i64(&b, st->id);
    share_put_i64(&b, col);
    share_put_i64(&b, wide);
    share_put_i64(&b, name ? max : 0);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    if (SQL_SUCCEEDED(r)) {
        size_t n;
        const void *p = share_get_bytes(&b, &n);
        copy_out(name, (SQLLEN)max * (wide ? 2 : 1), p, n);
        SQLSMALLINT l = (SQLSMALLINT)share_get_i64(&b), t = (SQLSMALLINT)share_get_i64(&b);
        SQLULEN z = (SQLULEN)share_get_i64(&b);
        SQLSMALLINT dg = (SQLSMALLINT)share_get_i64(&b), nl = (SQLSMALLINT)share_get_i64(&b);
        if (len) *len = l;
        if (type) *type = t;
        if (size) *size = z;
        if (digits) *digits = dg;
        if (nullable) *nullable = nl;
    }
    share_buf_free(&b);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLDescribeCol(SQLHSTMT stmt, SQLUSMALLINT col, SQLCHAR *name,
                                                SQLSMALLINT max, SQLSMALLINT *len,
                                                SQLSMALLINT *type, SQLULEN *size,
                                                SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
    return describe(stmt, col, name, max, len, type, size, digits, nullable, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLDescribeColW(SQLHSTMT stmt, SQLUSMALLINT col, SQLWCHAR *name,
                                                 SQLSMALLINT max, SQLSMALLINT *len,
                                                 SQLSMALLINT *type, SQLULEN *size,
                                                 SQLSMALLINT *digits, SQLSMALLINT *nullable)
{
    return describe(stmt, col, name, max, len, type, size, digits, nullable, 1);
}

/* Fields of SQLColAttribute whose values are text. */
static int text_field(SQLUSMALLINT f)
{
    switch (f) {
    case SQL_COLUMN_NAME: case SQL_DESC_TYPE_NAME: case SQL_DESC_TABLE_NAME:
    case SQL_DESC_SCHEMA_NAME: case SQL_DESC_CATALOG_NAME: case SQL_DESC_LABEL:
    case SQL_DESC_BASE_COLUMN_NAME: case SQL_DESC_BASE_TABLE_NAME: case SQL_DESC_LITERAL_PREFIX:
    case SQL_DESC_LITERAL_SUFFIX: case SQL_DESC_LOCAL_TYPE_NAME: case SQL_DESC_NAME:
        return 1;
    default:
        return 0;
    }
}

static SQLRETURN col_attr(SQLHSTMT stmt, SQLUSMALLINT col, SQLUSMALLINT field, SQLPOINTER text,
                          SQLSMALLINT max, SQLSMALLINT *len, SQLLEN *num, int wide)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    struct share_buf b = {0};
    share_begin(&b, OP_COL_ATTR);
    share_put_i64(&b, st->id);
    share_put_i64(&b, col);
    share_put_i64(&b, field);
    share_put_i64(&b, wide);
    share_put_i64(&b, text_field(field) && text ? max : 0);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    if (SQL_SUCCEEDED(r)) {
        size_t n;
        const void *p = share_get_bytes(&b, &n);
        SQLSMALLINT l = (SQLSMALLINT)share_get_i64(&b);
        SQLLEN v = (SQLLEN)share_get_i64(&b);
        if (text_field(field)) {
            copy_out(text, max, p, n);
            if (len)
                *len = l;
        } else if (num) {
            *num = v;
        }
    }
    share_buf_free(&b);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLColAttribute(SQLHSTMT stmt, SQLUSMALLINT col,
                                                 SQLUSMALLINT field, SQLPOINTER text,
                                                 SQLSMALLINT max, SQLSMALLINT *len, SQLLEN *num)
{
    return col_attr(stmt, col, field, text, max, len, num, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLColAttributeW(SQLHSTMT stmt, SQLUSMALLINT col,
                                                  SQLUSMALLINT field, SQLPOINTER text,
                                                  SQLSMALLINT max, SQLSMALLINT *len, SQLLEN *num)
{
    return col_attr(stmt, col, field, text, max, len, num, 1);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLColAttributes(SQLHSTMT stmt, SQLUSMALLINT col,
                                                  SQLUSMALLINT field, SQLPOINTER text,
                                                  SQLSMALLINT max, SQLSMALLINT *len, SQLLEN *num)
{
    return col_attr(stmt, col, field, text, max, len, num, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLColAttributesW(SQLHSTMT stmt, SQLUSMALLINT col,
                                                   SQLUSMALLINT field, SQLPOINTER text,
                                                   SQLSMALLINT max, SQLSMALLINT *len, SQLLEN *num)
{
    return col_attr(stmt, col, field, text, max, len, num, 1);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLCancel(SQLHSTMT stmt)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    if (st->dae_op) {
        st->dae_op = 0;
        return SQL_SUCCESS;
    }
    struct share_buf b = {0};
    share_begin(&b, OP_CANCEL);
    share_put_i64(&b, st->id);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    share_buf_free(&b);
    return r;
}

/* ---- catalog functions ---- */

struct cat_args {
    const void *t[6];
    SQLSMALLINT l[6];
    SQLUSMALLINT n[3];
};

static SQLRETURN catalog(SQLHSTMT stmt, int fn, int wide, const struct cat_args *a)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    struct share_buf b = {0};
    share_begin(&b, OP_CATALOG);
    share_put_i64(&b, st->id);
    share_put_i64(&b, fn);
    share_put_i64(&b, wide);
    for (int i = 0; i < 6; i++)
        put_text(&b, a->t[i], a->l[i], wide);
    for (int i = 0; i < 3; i++)
        share_put_i64(&b, a->n[i]);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    take_result(st, &b, r);
    share_buf_free(&b);
    return r;
}

#define CAT4(name, fn) \
    ODBCTX_API SQLRETURN odbctx__rmt_##name(SQLHSTMT s, SQLCHAR *a, SQLSMALLINT la, SQLCHAR *b, \
                                            SQLSMALLINT lb, SQLCHAR *c, SQLSMALLINT lc, \
                                            SQLCHAR *d, SQLSMALLINT ld) \
    { \
        struct cat_args x = {{a, b, c, d}, {la, lb, lc, ld}, {0}}; \
        return catalog(s, fn, 0, &x); \
    } \
    ODBCTX_API SQLRETURN odbctx__rmt_##name##W(SQLHSTMT s, SQLWCHAR *a, SQLSMALLINT la, \
                                               SQLWCHAR *b, SQLSMALLINT lb, SQLWCHAR *c, \
                                               SQLSMALLINT lc, SQLWCHAR *d, SQLSMALLINT ld) \
    { \
        struct cat_args x = {{a, b, c, d}, {la, lb, lc, ld}, {0}}; \
        return catalog(s, fn, 1, &x); \
    }
#define CAT3(name, fn) \
    ODBCTX_API SQLRETURN odbctx__rmt_##name(SQLHSTMT s, SQLCHAR *a, SQLSMALLINT la, SQLCHAR *b, \
                                            SQLSMALLINT lb, SQLCHAR *c, SQLSMALLINT lc) \
    { \
        struct cat_args x = {{a, b, c}, {la, lb, lc}, {0}}; \
        return catalog(s, fn, 0, &x); \
    } \
    ODBCTX_API SQLRETURN odbctx__rmt_##name##W(SQLHSTMT s, SQLWCHAR *a, SQLSMALLINT la, \
                                               SQLWCHAR *b, SQLSMALLINT lb, SQLWCHAR *c, \
                                               SQLSMALLINT lc) \
    { \
        struct cat_args x = {{a, b, c}, {la, lb, lc}, {0}}; \
        return catalog(s, fn, 1, &x); \
    }
CAT4(SQLTables, SQL_API_SQLTABLES)
CAT4(SQLColumns, SQL_API_SQLCOLUMNS)
CAT4(SQLColumnPrivileges, SQL_API_SQLCOLUMNPRIVILEGES)
CAT4(SQLProcedureColumns, SQL_API_SQLPROCEDURECOLUMNS)
CAT3(SQLTablePrivileges, SQL_API_SQLTABLEPRIVILEGES)
CAT3(SQLPrimaryKeys, SQL_API_SQLPRIMARYKEYS)
CAT3(SQLProcedures, SQL_API_SQLPROCEDURES)
#undef CAT4
#undef CAT3

ODBCTX_API SQLRETURN odbctx__rmt_SQLForeignKeys(SQLHSTMT s, SQLCHAR *a, SQLSMALLINT la, SQLCHAR *b,
                                                SQLSMALLINT lb, SQLCHAR *c, SQLSMALLINT lc,
                                                SQLCHAR *d, SQLSMALLINT ld, SQLCHAR *e,
                                                SQLSMALLINT le, SQLCHAR *f, SQLSMALLINT lf)
{
    struct cat_args x = {{a, b, c, d, e, f}, {la, lb, lc, ld, le, lf}, {0}};
    return catalog(s, SQL_API_SQLFOREIGNKEYS, 0, &x);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLForeignKeysW(SQLHSTMT s, SQLWCHAR *a, SQLSMALLINT la,
                                                 SQLWCHAR *b, SQLSMALLINT lb, SQLWCHAR *c,
                                                 SQLSMALLINT lc, SQLWCHAR *d, SQLSMALLINT ld,
                                                 SQLWCHAR *e, SQLSMALLINT le, SQLWCHAR *f,
                                                 SQLSMALLINT lf)
{
    struct cat_args x = {{a, b, c, d, e, f}, {la, lb, lc, ld, le, lf}, {0}};
    return catalog(s, SQL_API_SQLFOREIGNKEYS, 1, &x);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLStatistics(SQLHSTMT s, SQLCHAR *a, SQLSMALLINT la, SQLCHAR *b,
                                               SQLSMALLINT lb, SQLCHAR *c, SQLSMALLINT lc,
                                               SQLUSMALLINT unique, SQLUSMALLINT reserved)
{
    struct cat_args x = {{a, b, c}, {la, lb, lc}, {unique, reserved, 0}};
    return catalog(s, SQL_API_SQLSTATISTICS, 0, &x);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLStatisticsW(SQLHSTMT s, SQLWCHAR *a, SQLSMALLINT la,
                                                SQLWCHAR *b, SQLSMALLINT lb, SQLWCHAR *c,
                                                SQLSMALLINT lc, SQLUSMALLINT unique,
                                                SQLUSMALLINT reserved)
{
    struct cat_args x = {{a, b, c}, {la, lb, lc}, {unique, reserved, 0}};
    return catalog(s, SQL_API_SQLSTATISTICS, 1, &x);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLSpecialColumns(SQLHSTMT s, SQLUSMALLINT id, SQLCHAR *a,
                                                   SQLSMALLINT la, SQLCHAR *b, SQLSMALLINT lb,
                                                   SQLCHAR *c, SQLSMALLINT lc, SQLUSMALLINT scope,
                                                   SQLUSMALLINT nullable)
{
    struct cat_args x = {{a, b, c}, {la, lb, lc}, {id, scope, nullable}};
    return catalog(s, SQL_API_SQLSPECIALCOLUMNS, 0, &x);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLSpecialColumnsW(SQLHSTMT s, SQLUSMALLINT id, SQLWCHAR *a,
                                                    SQLSMALLINT la, SQLWCHAR *b, SQLSMALLINT lb,
                                                    SQLWCHAR *c, SQLSMALLINT lc,
                                                    SQLUSMALLINT scope, SQLUSMALLINT nullable)
{
    struct cat_args x = {{a, b, c}, {la, lb, lc}, {id, scope, nullable}};
    return catalog(s, SQL_API_SQLSPECIALCOLUMNS, 1, &x);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetTypeInfo(SQLHSTMT s, SQLSMALLINT type)
{
    struct cat_args x = {{0}, {0}, {(SQLUSMALLINT)type, 0, 0}};
    return catalog(s, SQL_API_SQLGETTYPEINFO, 0, &x);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetTypeInfoW(SQLHSTMT s, SQLSMALLINT type)
{
    struct cat_args x = {{0}, {0}, {(SQLUSMALLINT)type, 0, 0}};
    return catalog(s, SQL_API_SQLGETTYPEINFO, 1, &x);
}

/* ---- statement attributes ---- */

static SQLRETURN set_stmt_attr(SQLHSTMT stmt, SQLINTEGER attr, SQLPOINTER v)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    SQLULEN n = (SQLULEN)v;
    switch (attr) {
    /* Pointers into the program's memory stay here. */
    case SQL_ATTR_ROW_BIND_OFFSET_PTR: st->row_offset = v; return SQL_SUCCESS;
    case SQL_ATTR_PARAM_BIND_OFFSET_PTR: st->param_offset = v; return SQL_SUCCESS;
    case SQL_ATTR_ROWS_FETCHED_PTR: st->rows_fetched = v; return SQL_SUCCESS;
    case SQL_ATTR_PARAMS_PROCESSED_PTR: st->params_done = v; return SQL_SUCCESS;
    case SQL_ATTR_ROW_STATUS_PTR: st->row_status = v; return SQL_SUCCESS;
    case SQL_ATTR_PARAM_STATUS_PTR: st->param_status = v; return SQL_SUCCESS;
    case SQL_ATTR_ROW_BIND_TYPE:
    case SQL_ATTR_PARAM_BIND_TYPE:
        /* With one row, row-wise binding is column-wise binding. */
        return SQL_SUCCESS;
    case SQL_ATTR_ROW_ARRAY_SIZE:
    case SQL_ROWSET_SIZE:
    case SQL_ATTR_PARAMSET_SIZE:
        if (n <= 1)
            return SQL_SUCCESS;
        return post(&st->h, "HYC00",
                    "SQLSetStmtAttr(%s=%lu): arrays of %s are not forwarded from a child "
                    "process; one at a time is",
                    attr == SQL_ATTR_PARAMSET_SIZE ? "SQL_ATTR_PARAMSET_SIZE"
                                                   : "SQL_ATTR_ROW_ARRAY_SIZE",
                    (unsigned long)n, attr == SQL_ATTR_PARAMSET_SIZE ? "parameters" : "rows");
    case SQL_ATTR_APP_ROW_DESC:
    case SQL_ATTR_APP_PARAM_DESC:
        return odbctx__rmt_refuse("SQLSetStmtAttr(an application descriptor)", stmt);
    }
    struct share_buf b = {0};
    share_begin(&b, OP_SET_STMT);
    share_put_i64(&b, st->id);
    share_put_i64(&b, attr);
    share_put_i64(&b, (int64_t)n);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    share_buf_free(&b);
    return r;
}

static SQLRETURN get_stmt_attr(SQLHSTMT stmt, SQLINTEGER attr, SQLPOINTER v, SQLINTEGER *len)
{
    struct rmt_stmt *st = as(stmt, RMT_STMT);
    if (!st)
        return SQL_INVALID_HANDLE;
    clear_diags(&st->h);
    void *local = NULL;
    int is_local = 1;
    switch (attr) {
    case SQL_ATTR_APP_ROW_DESC: local = &st->desc[0]; break;
    case SQL_ATTR_APP_PARAM_DESC: local = &st->desc[1]; break;
    case SQL_ATTR_IMP_ROW_DESC: local = &st->desc[2]; break;
    case SQL_ATTR_IMP_PARAM_DESC: local = &st->desc[3]; break;
    case SQL_ATTR_ROW_BIND_OFFSET_PTR: local = st->row_offset; break;
    case SQL_ATTR_PARAM_BIND_OFFSET_PTR: local = st->param_offset; break;
    case SQL_ATTR_ROWS_FETCHED_PTR: local = st->rows_fetched; break;
    case SQL_ATTR_PARAMS_PROCESSED_PTR: local = st->params_done; break;
    case SQL_ATTR_ROW_STATUS_PTR: local = st->row_status; break;
    case SQL_ATTR_PARAM_STATUS_PTR: local = st->param_status; break;
    case SQL_ATTR_ROW_ARRAY_SIZE: case SQL_ROWSET_SIZE: case SQL_ATTR_PARAMSET_SIZE:
        local = (void *)(uintptr_t)1;
        break;
    case SQL_ATTR_ROW_BIND_TYPE: case SQL_ATTR_PARAM_BIND_TYPE:
        local = (void *)(uintptr_t)SQL_BIND_BY_COLUMN;
        break;
    default: is_local = 0;
    }
    if (is_local) {
        if (v)
            *(void **)v = local;
        if (len)
            *len = sizeof(void *);
        return SQL_SUCCESS;
    }
    struct share_buf b = {0};
    share_begin(&b, OP_GET_STMT);
    share_put_i64(&b, st->id);
    share_put_i64(&b, attr);
    SQLRETURN r = call(&st->h, st->dbc, &b);
    SQLULEN n = (SQLULEN)share_get_i64(&b);
    if (SQL_SUCCEEDED(r)) {
        /* Integer attributes: 32-bit ones are read as SQLUINTEGER. */
        if (v)
            memcpy(v, &n, attr == SQL_ATTR_QUERY_TIMEOUT || attr == SQL_ATTR_MAX_ROWS ||
                                  attr == SQL_ATTR_MAX_LENGTH || attr == SQL_ATTR_KEYSET_SIZE ||
                                  attr == SQL_ATTR_ROW_NUMBER
                              ? sizeof(SQLULEN)
                              : sizeof(SQLUINTEGER));
        if (len)
            *len = sizeof(SQLULEN);
    }
    share_buf_free(&b);
    return r;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLSetStmtAttr(SQLHSTMT s, SQLINTEGER attr, SQLPOINTER v,
                                                SQLINTEGER len)
{
    (void)len;
    return set_stmt_attr(s, attr, v);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLSetStmtAttrW(SQLHSTMT s, SQLINTEGER attr, SQLPOINTER v,
                                                 SQLINTEGER len)
{
    (void)len;
    return set_stmt_attr(s, attr, v);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLSetStmtOption(SQLHSTMT s, SQLUSMALLINT opt, SQLULEN v)
{
    return set_stmt_attr(s, opt, (SQLPOINTER)v);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetStmtAttr(SQLHSTMT s, SQLINTEGER attr, SQLPOINTER v,
                                                SQLINTEGER max, SQLINTEGER *len)
{
    (void)max;
    return get_stmt_attr(s, attr, v, len);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetStmtAttrW(SQLHSTMT s, SQLINTEGER attr, SQLPOINTER v,
                                                 SQLINTEGER max, SQLINTEGER *len)
{
    (void)max;
    return get_stmt_attr(s, attr, v, len);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetStmtOption(SQLHSTMT s, SQLUSMALLINT opt, SQLPOINTER v)
{
    return get_stmt_attr(s, opt, v, NULL);
}

/* ---- diagnostics ---- */

static SQLRETURN put_string(const char *s, void *buf, SQLSMALLINT max, SQLSMALLINT *len, int wide,
                            int bytes)
{
    SQLLEN full = 0;
    int cut = wide ? odbctx__cap_put_wide(s, buf, max, &full, bytes)
                   : odbctx__cap_put_narrow(s, buf, max, &full);
    if (len)
        *len = (SQLSMALLINT)(full > 32767 ? 32767 : full);
    return cut && buf ? SQL_SUCCESS_WITH_INFO : SQL_SUCCESS;
}

static SQLRETURN diag_rec(SQLHANDLE handle, SQLSMALLINT i, void *state, SQLINTEGER *native,
                          void *msg, SQLSMALLINT max, SQLSMALLINT *len, int wide)
{
    struct rmt_head *h = as_head(handle);
    if (!h)
        return SQL_INVALID_HANDLE;
    if (i < 1)
        return SQL_ERROR;
    if ((size_t)i > h->n_diags)
        return SQL_NO_DATA;
    struct share_diag *d = &h->diags[i - 1];
    if (state)
        put_string(d->state, state, 6, NULL, wide, 0);
    if (native)
        *native = (SQLINTEGER)d->native;
    return put_string(d->message ? d->message : "", msg, max, len, wide, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetDiagRec(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT i,
                                               SQLCHAR *state, SQLINTEGER *native, SQLCHAR *msg,
                                               SQLSMALLINT max, SQLSMALLINT *len)
{
    (void)type;
    return diag_rec(h, i, state, native, msg, max, len, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetDiagRecW(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT i,
                                                SQLWCHAR *state, SQLINTEGER *native,
                                                SQLWCHAR *msg, SQLSMALLINT max, SQLSMALLINT *len)
{
    (void)type;
    return diag_rec(h, i, state, native, msg, max, len, 1);
}

static SQLRETURN diag_field(SQLHANDLE handle, SQLSMALLINT i, SQLSMALLINT id, SQLPOINTER out,
                            SQLSMALLINT max, SQLSMALLINT *len, int wide)
{
    struct rmt_head *h = as_head(handle);
    if (!h)
        return SQL_INVALID_HANDLE;
    struct rmt_stmt *st = h->kind == RMT_STMT ? (struct rmt_stmt *)h : NULL;
    switch (id) {
    case SQL_DIAG_NUMBER:
        if (out)
            *(SQLINTEGER *)out = (SQLINTEGER)h->n_diags;
        return SQL_SUCCESS;
    case SQL_DIAG_RETURNCODE:
        if (out)
            *(SQLRETURN *)out = h->rc;
        return SQL_SUCCESS;
    case SQL_DIAG_ROW_COUNT:
    case SQL_DIAG_CURSOR_ROW_COUNT:
        if (out)
            *(SQLLEN *)out = st ? st->rows : 0;
        return SQL_SUCCESS;
    case SQL_DIAG_DYNAMIC_FUNCTION:
        return put_string("", out, max, len, wide, 1);
    case SQL_DIAG_DYNAMIC_FUNCTION_CODE:
        if (out)
            *(SQLINTEGER *)out = SQL_DIAG_UNKNOWN_STATEMENT;
        return SQL_SUCCESS;
    }
    if (i < 1 || (size_t)i > h->n_diags)
        return SQL_NO_DATA;
    struct share_diag *d = &h->diags[i - 1];
    switch (id) {
    case SQL_DIAG_SQLSTATE: return put_string(d->state, out, max, len, wide, 1);
    case SQL_DIAG_MESSAGE_TEXT: return put_string(d->message ? d->message : "", out, max, len, wide, 1);
    case SQL_DIAG_CLASS_ORIGIN:
    case SQL_DIAG_SUBCLASS_ORIGIN:
        return put_string(strncmp(d->state, "IM", 2) == 0 ? "ODBC 3.0" : "ISO 9075", out, max,
                          len, wide, 1);
    case SQL_DIAG_CONNECTION_NAME:
    case SQL_DIAG_SERVER_NAME:
        return put_string("", out, max, len, wide, 1);
    case SQL_DIAG_NATIVE:
        if (out)
            *(SQLINTEGER *)out = (SQLINTEGER)d->native;
        return SQL_SUCCESS;
    case SQL_DIAG_ROW_NUMBER:
        if (out)
            *(SQLLEN *)out = SQL_ROW_NUMBER_UNKNOWN;
        return SQL_SUCCESS;
    case SQL_DIAG_COLUMN_NUMBER:
        if (out)
            *(SQLINTEGER *)out = SQL_COLUMN_NUMBER_UNKNOWN;
        return SQL_SUCCESS;
    }
    return SQL_ERROR;
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetDiagField(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT i,
                                                 SQLSMALLINT id, SQLPOINTER out, SQLSMALLINT max,
                                                 SQLSMALLINT *len)
{
    (void)type;
    return diag_field(h, i, id, out, max, len, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLGetDiagFieldW(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT i,
                                                  SQLSMALLINT id, SQLPOINTER out,
                                                  SQLSMALLINT max, SQLSMALLINT *len)
{
    (void)type;
    return diag_field(h, i, id, out, max, len, 1);
}

static SQLRETURN error(SQLHENV env, SQLHDBC dbc, SQLHSTMT stmt, void *state, SQLINTEGER *native,
                       void *msg, SQLSMALLINT max, SQLSMALLINT *len, int wide)
{
    SQLHANDLE handle = stmt ? stmt : dbc ? dbc : env;
    struct rmt_head *h = as_head(handle);
    if (!h)
        return SQL_INVALID_HANDLE;
    if (h->error_next >= h->n_diags)
        return SQL_NO_DATA;
    return diag_rec(handle, (SQLSMALLINT)++h->error_next, state, native, msg, max, len, wide);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLError(SQLHENV env, SQLHDBC dbc, SQLHSTMT stmt, SQLCHAR *state,
                                          SQLINTEGER *native, SQLCHAR *msg, SQLSMALLINT max,
                                          SQLSMALLINT *len)
{
    return error(env, dbc, stmt, state, native, msg, max, len, 0);
}

ODBCTX_API SQLRETURN odbctx__rmt_SQLErrorW(SQLHENV env, SQLHDBC dbc, SQLHSTMT stmt,
                                           SQLWCHAR *state, SQLINTEGER *native, SQLWCHAR *msg,
                                           SQLSMALLINT max, SQLSMALLINT *len)
{
    return error(env, dbc, stmt, state, native, msg, max, len, 1);
}
