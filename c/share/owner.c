/*
 * The owner's side of sharing: child processes join the current test.
 *
 * When a session opens (and ODBCTX_SHARE is not 0), its process becomes the
 * owner: it makes a private directory (mode 0700, swept like the embedded
 * default's when the process is killed), a Unix socket in it (0600), a
 * 32-byte secret, and a driver configuration there in which every driver
 * is odbctx's (config.c); the environment then names all four
 * (docs/children.md). A child started from then on inherits them: its
 * driver manager loads odbctx's driver, which finds the socket in its
 * environment and, being another process, forwards its calls here
 * (child.c) after presenting the secret.
 *
 * Each child connection gets a thread here. Its calls run as a captured
 * connection of the session would run them in this process (a connection
 * joined with odbctx__cap_join, statements allocated on the session's
 * connection through the exported entry points), with the session's lock
 * held: they take turns with the owner's own calls, see the test's rows,
 * and their commits are app-level. A child connection belongs to the test
 * during which it connected (or the one that follows, when it connected
 * between tests): once that test has ended, every call on it fails, so it
 * can never write into the next test.
 *
 * The owner's own later connections are not affected: unixODBC reads the
 * configuration's location once, at the first connection (the session's),
 * and keeps it; share_open makes sure of that before changing it.
 *
 * The first session opened in a process is the one children join; when it
 * closes, the environment is set back and the next session to open takes
 * its place.
 */
#include "share/share.h"
#include "capture/capture.h"
#include "extras/extras.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- the entry points a child's calls are made through ----
 * libodbctx's own where it exports one (capture's), else the driver
 * manager's: looked up in libodbctx itself, as the driver stub does, since
 * a call by name from here could bind to the driver manager's first. */

#define OWN_FUNCTIONS(X) \
    X(SQLAllocHandle, (SQLSMALLINT, SQLHANDLE, SQLHANDLE *)) \
    X(SQLFreeHandle, (SQLSMALLINT, SQLHANDLE)) \
    X(SQLDisconnect, (SQLHDBC)) \
    X(SQLSetConnectAttr, (SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER)) \
    X(SQLSetConnectAttrW, (SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER)) \
    X(SQLGetConnectAttr, (SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER, SQLINTEGER *)) \
    X(SQLGetConnectAttrW, (SQLHDBC, SQLINTEGER, SQLPOINTER, SQLINTEGER, SQLINTEGER *)) \
    X(SQLGetInfo, (SQLHDBC, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *)) \
    X(SQLGetInfoW, (SQLHDBC, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *)) \
    X(SQLEndTran, (SQLSMALLINT, SQLHANDLE, SQLSMALLINT)) \
    X(SQLFreeStmt, (SQLHSTMT, SQLUSMALLINT)) \
    X(SQLCloseCursor, (SQLHSTMT)) \
    X(SQLExecDirect, (SQLHSTMT, SQLCHAR *, SQLINTEGER)) \
    X(SQLExecDirectW, (SQLHSTMT, SQLWCHAR *, SQLINTEGER)) \
    X(SQLPrepare, (SQLHSTMT, SQLCHAR *, SQLINTEGER)) \
    X(SQLPrepareW, (SQLHSTMT, SQLWCHAR *, SQLINTEGER)) \
    X(SQLExecute, (SQLHSTMT)) \
    X(SQLBindParameter, (SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLSMALLINT, SQLSMALLINT, SQLULEN, SQLSMALLINT, SQLPOINTER, SQLLEN, SQLLEN *)) \
    X(SQLBindCol, (SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLPOINTER, SQLLEN, SQLLEN *)) \
    X(SQLFetchScroll, (SQLHSTMT, SQLSMALLINT, SQLLEN)) \
    X(SQLFetch, (SQLHSTMT)) \
    X(SQLGetData, (SQLHSTMT, SQLUSMALLINT, SQLSMALLINT, SQLPOINTER, SQLLEN, SQLLEN *)) \
    X(SQLDescribeCol, (SQLHSTMT, SQLUSMALLINT, SQLCHAR *, SQLSMALLINT, SQLSMALLINT *, SQLSMALLINT *, SQLULEN *, SQLSMALLINT *, SQLSMALLINT *)) \
    X(SQLDescribeColW, (SQLHSTMT, SQLUSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLSMALLINT *, SQLSMALLINT *, SQLULEN *, SQLSMALLINT *, SQLSMALLINT *)) \
    X(SQLColAttribute, (SQLHSTMT, SQLUSMALLINT, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *, SQLLEN *)) \
    X(SQLColAttributeW, (SQLHSTMT, SQLUSMALLINT, SQLUSMALLINT, SQLPOINTER, SQLSMALLINT, SQLSMALLINT *, SQLLEN *)) \
    X(SQLNumResultCols, (SQLHSTMT, SQLSMALLINT *)) \
    X(SQLRowCount, (SQLHSTMT, SQLLEN *)) \
    X(SQLMoreResults, (SQLHSTMT)) \
    X(SQLSetStmtAttr, (SQLHSTMT, SQLINTEGER, SQLPOINTER, SQLINTEGER)) \
    X(SQLGetStmtAttr, (SQLHSTMT, SQLINTEGER, SQLPOINTER, SQLINTEGER, SQLINTEGER *)) \
    X(SQLNumParams, (SQLHSTMT, SQLSMALLINT *)) \
    X(SQLDescribeParam, (SQLHSTMT, SQLUSMALLINT, SQLSMALLINT *, SQLULEN *, SQLSMALLINT *, SQLSMALLINT *)) \
    X(SQLCancel, (SQLHSTMT)) \
    X(SQLGetDiagRec, (SQLSMALLINT, SQLHANDLE, SQLSMALLINT, SQLCHAR *, SQLINTEGER *, SQLCHAR *, SQLSMALLINT, SQLSMALLINT *)) \
    X(SQLGetTypeInfo, (SQLHSTMT, SQLSMALLINT)) \
    X(SQLGetTypeInfoW, (SQLHSTMT, SQLSMALLINT)) \
    X(SQLTables, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT)) \
    X(SQLTablesW, (SQLHSTMT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT)) \
    X(SQLColumns, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT)) \
    X(SQLColumnsW, (SQLHSTMT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT)) \
    X(SQLTablePrivileges, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT)) \
    X(SQLTablePrivilegesW, (SQLHSTMT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT)) \
    X(SQLColumnPrivileges, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT)) \
    X(SQLColumnPrivilegesW, (SQLHSTMT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT)) \
    X(SQLPrimaryKeys, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT)) \
    X(SQLPrimaryKeysW, (SQLHSTMT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT)) \
    X(SQLForeignKeys, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT)) \
    X(SQLForeignKeysW, (SQLHSTMT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT)) \
    X(SQLProcedures, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT)) \
    X(SQLProceduresW, (SQLHSTMT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT)) \
    X(SQLProcedureColumns, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT)) \
    X(SQLProcedureColumnsW, (SQLHSTMT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT)) \
    X(SQLStatistics, (SQLHSTMT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLUSMALLINT, SQLUSMALLINT)) \
    X(SQLStatisticsW, (SQLHSTMT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLUSMALLINT, SQLUSMALLINT)) \
    X(SQLSpecialColumns, (SQLHSTMT, SQLUSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLCHAR *, SQLSMALLINT, SQLUSMALLINT, SQLUSMALLINT)) \
    X(SQLSpecialColumnsW, (SQLHSTMT, SQLUSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLWCHAR *, SQLSMALLINT, SQLUSMALLINT, SQLUSMALLINT))

#define OWN_FIELD(name, params) SQLRETURN(SQL_API *name) params;
static struct {
    OWN_FUNCTIONS(OWN_FIELD)
} F;
#undef OWN_FIELD

static int resolve_own(void)
{
    Dl_info self;
    if (!dladdr((void *)&resolve_own, &self) || !self.dli_fname)
        return -1;
    void *lib = dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    void *dm = dlopen("libodbc.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (!lib || !dm)
        return -1;
    int missing = 0;
    /* A handle's lookup finds only what libodbctx itself defines. */
#define OWN_RESOLVE(name, params) \
    if (!(*(void **)&F.name = dlsym(lib, #name)) && !(*(void **)&F.name = dlsym(dm, #name))) \
        missing = 1;
    OWN_FUNCTIONS(OWN_RESOLVE)
#undef OWN_RESOLVE
    dlclose(lib);
    dlclose(dm);
    return missing ? -1 : 0;
}

/* ---- a child's connection ---- */

struct own_col {
    SQLUSMALLINT num;
    SQLSMALLINT ctype;
    SQLLEN cap;
    void *buf;
    SQLLEN ind;
};

struct own_stmt {
    uint32_t id;
    SQLHSTMT h;
    void **param_bufs;
    SQLLEN *param_inds;
    size_t n_params;
    struct own_col *cols;
    size_t n_cols;
};

struct client {
    int fd;
    pthread_t thread;
    int done;            /* the thread has finished */
    pid_t pid;           /* the child's, for the trace */
    SQLHENV env;
    SQLHDBC dbc;
    int joined;
    unsigned long test;  /* s->tests_ended when it joined */
    struct own_stmt *stmts;
    size_t n_stmts, cap_stmts;
    struct share_buf in, out;
    struct client *next;
};

static struct {
    pthread_mutex_t mu;
    odbctx_session *s;   /* the session children join; NULL when none */
    char dir[PATH_MAX];
    char sock[PATH_MAX + 16];
    char key[SHARE_KEY_HEX + 1];
    int listen_fd;
    pthread_t acceptor;
    struct client *clients;
    /* The environment before share_open changed it, set back at close. */
    char *saved[7];
} share = {.mu = PTHREAD_MUTEX_INITIALIZER, .listen_fd = -1};

static const char *const shared_vars[7] = {SHARE_ENV_SOCKET, SHARE_ENV_KEY, SHARE_ENV_OWNER,
                                           "ODBCSYSINI", "ODBCINSTINI", "SYSODBCINSTINI",
                                           "SYSODBCINI"};

int odbctx__share_child(void)
{
    const char *on = getenv("ODBCTX_SHARE");
    const char *owner = getenv(SHARE_ENV_OWNER);
    const char *sock = getenv(SHARE_ENV_SOCKET);
    if ((on && strcmp(on, "0") == 0) || !owner || !*owner || !sock || !*sock)
        return 0;
    return strtol(owner, NULL, 10) != (long)getpid();
}

/* ---- replies ---- */

static void put_diags(struct share_buf *b, SQLSMALLINT type, SQLHANDLE h, SQLRETURN rc)
{
    SQLCHAR state[6], msg[1024];
    SQLINTEGER native;
    SQLSMALLINT len;
    int n = 0;
    if (rc != SQL_SUCCESS && rc != SQL_NO_DATA && h)
        while (n < 16 && SQL_SUCCEEDED(F.SQLGetDiagRec(type, h, (SQLSMALLINT)(n + 1), state,
                                                       &native, msg, sizeof msg, &len)))
            n++;
    share_put_i64(b, rc);
    share_put_i64(b, n);
    for (int i = 1; i <= n; i++) {
        F.SQLGetDiagRec(type, h, (SQLSMALLINT)i, state, &native, msg, sizeof msg, &len);
        share_put_bytes(b, state, 5);
        share_put_i64(b, native);
        share_put_bytes(b, msg, strnlen((char *)msg, sizeof msg));
    }
}

/* A reply from odbctx itself: SQL_ERROR with one diagnostic. */
static void put_error(struct share_buf *b, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void put_error(struct share_buf *b, const char *state, const char *fmt, ...)
{
    char msg[900];
    int k = snprintf(msg, sizeof msg, "[odbctx] ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
    va_end(ap);
    share_put_i64(b, SQL_ERROR);
    share_put_i64(b, 1);
    share_put_bytes(b, state, 5);
    share_put_i64(b, 0);
    share_put_bytes(b, msg, strlen(msg));
}

/* ---- statements ---- */

static void free_binds(struct own_stmt *st)
{
    for (size_t i = 0; i < st->n_params; i++)
        free(st->param_bufs[i]);
    free(st->param_bufs);
    free(st->param_inds);
    st->param_bufs = NULL;
    st->param_inds = NULL;
    st->n_params = 0;
}

static void free_cols(struct own_stmt *st)
{
    for (size_t i = 0; i < st->n_cols; i++)
        free(st->cols[i].buf);
    free(st->cols);
    st->cols = NULL;
    st->n_cols = 0;
}

static struct own_stmt *find_stmt(struct client *c, uint32_t id, int make)
{
    for (size_t i = 0; i < c->n_stmts; i++)
        if (c->stmts[i].id == id)
            return &c->stmts[i];
    if (!make || odbctx__grow((void **)&c->stmts, &c->cap_stmts, c->n_stmts + 1, sizeof *c->stmts))
        return NULL;
    struct own_stmt *st = &c->stmts[c->n_stmts];
    memset(st, 0, sizeof *st);
    st->id = id;
    if (!SQL_SUCCEEDED(F.SQLAllocHandle(SQL_HANDLE_STMT, c->dbc, &st->h)))
        return NULL;
    c->n_stmts++;
    return st;
}

static void drop_stmt(struct client *c, struct own_stmt *st)
{
    if (st->h)
        F.SQLFreeHandle(SQL_HANDLE_STMT, st->h);
    free_binds(st);
    free_cols(st);
    *st = c->stmts[--c->n_stmts];
}

/* Bytes a C type fills, or 0 for the variable ones (text and binary), -1
 * for a type this does not know. */
int odbctx__share_ctype_size(SQLSMALLINT t)
{
    switch (t) {
    case SQL_C_CHAR: case SQL_C_WCHAR: case SQL_C_BINARY: return 0;
    case SQL_C_BIT: case SQL_C_TINYINT: case SQL_C_STINYINT: case SQL_C_UTINYINT: return 1;
    case SQL_C_SHORT: case SQL_C_SSHORT: case SQL_C_USHORT: return 2;
    case SQL_C_LONG: case SQL_C_SLONG: case SQL_C_ULONG: case SQL_C_FLOAT: return 4;
    case SQL_C_DOUBLE: case SQL_C_SBIGINT: case SQL_C_UBIGINT: return 8;
    case SQL_C_NUMERIC: return sizeof(SQL_NUMERIC_STRUCT);
    case SQL_C_DATE: case SQL_C_TYPE_DATE: return sizeof(DATE_STRUCT);
    case SQL_C_TIME: case SQL_C_TYPE_TIME: return sizeof(TIME_STRUCT);
    case SQL_C_TIMESTAMP: case SQL_C_TYPE_TIMESTAMP: return sizeof(TIMESTAMP_STRUCT);
    case SQL_C_GUID: return sizeof(SQLGUID);
    default:
        if (t >= SQL_C_INTERVAL_YEAR && t <= SQL_C_INTERVAL_MINUTE_TO_SECOND)
            return sizeof(SQL_INTERVAL_STRUCT);
        return -1;
    }
}

/* What a driver wrote into a buffer of cap bytes of C type t, given the
 * length or indicator it returned. */
static size_t written(SQLSMALLINT t, SQLLEN cap, SQLLEN ind)
{
    int fixed = odbctx__share_ctype_size(t);
    if (ind == SQL_NULL_DATA || cap <= 0)
        return fixed > 0 && cap > 0 && ind != SQL_NULL_DATA ? (size_t)fixed : 0;
    if (fixed > 0)
        return (size_t)fixed;
    SQLLEN unit = t == SQL_C_CHAR ? 1 : t == SQL_C_WCHAR ? 2 : 0;
    SQLLEN room = unit ? (cap / unit - 1) * unit : cap;
    if (room < 0)
        return 0;
    SQLLEN n = ind == SQL_NO_TOTAL || ind > room ? room : ind;
    return (size_t)(n + unit);
}

/* Parameters as the child sent them: bound to copies kept until the next
 * execution. */
static int bind_params(struct own_stmt *st, struct share_buf *in, struct share_buf *out)
{
    F.SQLFreeStmt(st->h, SQL_RESET_PARAMS);
    free_binds(st);
    size_t n = (size_t)share_get_i64(in);
    if (in->bad || n > 32767) {
        put_error(out, "HY000", "malformed parameters");
        return -1;
    }
    st->param_bufs = calloc(n ? n : 1, sizeof *st->param_bufs);
    st->param_inds = calloc(n ? n : 1, sizeof *st->param_inds);
    if (!st->param_bufs || !st->param_inds) {
        put_error(out, "HY001", "out of memory");
        return -1;
    }
    st->n_params = n;
    for (size_t i = 0; i < n; i++) {
        SQLUSMALLINT num = (SQLUSMALLINT)share_get_i64(in);
        SQLSMALLINT ctype = (SQLSMALLINT)share_get_i64(in);
        SQLSMALLINT sqltype = (SQLSMALLINT)share_get_i64(in);
        SQLULEN size = (SQLULEN)share_get_i64(in);
        SQLSMALLINT digits = (SQLSMALLINT)share_get_i64(in);
        SQLLEN ind = (SQLLEN)share_get_i64(in);
        size_t len;
        const void *data = share_get_bytes(in, &len);
        if (in->bad) {
            put_error(out, "HY000", "malformed parameters");
            return -1;
        }
        st->param_bufs[i] = malloc(len + 2);
        if (!st->param_bufs[i]) {
            put_error(out, "HY001", "out of memory");
            return -1;
        }
        if (len)
            memcpy(st->param_bufs[i], data, len);
        memset((char *)st->param_bufs[i] + len, 0, 2);
        st->param_inds[i] = ind == SQL_NULL_DATA ? SQL_NULL_DATA : (SQLLEN)len;
        SQLRETURN r = F.SQLBindParameter(st->h, num, SQL_PARAM_INPUT, ctype, sqltype, size, digits,
                                         st->param_bufs[i], (SQLLEN)len, &st->param_inds[i]);
        if (!SQL_SUCCEEDED(r)) {
            put_diags(out, SQL_HANDLE_STMT, st->h, r);
            return -1;
        }
    }
    return 0;
}

/* After an execution: the shape of its result. */
static void put_result(struct share_buf *out, struct own_stmt *st, SQLRETURN r)
{
    put_diags(out, SQL_HANDLE_STMT, st->h, r);
    SQLSMALLINT cols = 0;
    SQLLEN rows = -1;
    if (SQL_SUCCEEDED(r) || r == SQL_NO_DATA) {
        F.SQLNumResultCols(st->h, &cols);
        F.SQLRowCount(st->h, &rows);
    }
    share_put_i64(out, cols);
    share_put_i64(out, rows);
}

static int bind_cols(struct own_stmt *st, struct share_buf *in, struct share_buf *out)
{
    F.SQLFreeStmt(st->h, SQL_UNBIND);
    free_cols(st);
    size_t n = (size_t)share_get_i64(in);
    if (in->bad || n > 32767 || !(st->cols = calloc(n ? n : 1, sizeof *st->cols))) {
        put_error(out, "HY001", "out of memory or malformed bindings");
        return -1;
    }
    st->n_cols = n;
    for (size_t i = 0; i < n; i++) {
        struct own_col *c = &st->cols[i];
        c->num = (SQLUSMALLINT)share_get_i64(in);
        c->ctype = (SQLSMALLINT)share_get_i64(in);
        c->cap = (SQLLEN)share_get_i64(in);
        if (in->bad || c->cap < 0 || c->cap > (SQLLEN)SHARE_FRAME_MAX / 4 ||
            !(c->buf = calloc(1, (size_t)c->cap + 2))) {
            put_error(out, "HY001", "out of memory or malformed bindings");
            return -1;
        }
        SQLRETURN r = F.SQLBindCol(st->h, c->num, c->ctype, c->buf, c->cap, &c->ind);
        if (!SQL_SUCCEEDED(r)) {
            put_diags(out, SQL_HANDLE_STMT, st->h, r);
            return -1;
        }
    }
    return 0;
}

/* Text the child sent, in the form it was given (wide: UTF-16 units). */
struct text {
    void *p;
    SQLINTEGER len; /* characters; SQL_NULL_DATA-like -1 never: NULL p instead */
};

static struct text get_text(struct share_buf *in, int wide)
{
    size_t n;
    const void *p = share_get_bytes(in, &n);
    struct text t = {(void *)p, (SQLINTEGER)(wide ? n / 2 : n)};
    return t;
}

static void op_catalog(struct own_stmt *st, struct share_buf *in, struct share_buf *out)
{
    int fn = (int)share_get_i64(in), wide = (int)share_get_i64(in);
    struct text t[6];
    for (int i = 0; i < 6; i++)
        t[i] = get_text(in, wide);
    SQLUSMALLINT n1 = (SQLUSMALLINT)share_get_i64(in), n2 = (SQLUSMALLINT)share_get_i64(in),
                 n3 = (SQLUSMALLINT)share_get_i64(in);
    if (in->bad) {
        put_error(out, "HY000", "malformed request");
        return;
    }
#define A(i) (SQLCHAR *)t[i].p, (SQLSMALLINT)t[i].len
#define W(i) (SQLWCHAR *)t[i].p, (SQLSMALLINT)t[i].len
    SQLRETURN r = SQL_ERROR;
    switch (fn) {
    case SQL_API_SQLTABLES:
        r = wide ? F.SQLTablesW(st->h, W(0), W(1), W(2), W(3)) : F.SQLTables(st->h, A(0), A(1), A(2), A(3));
        break;
    case SQL_API_SQLCOLUMNS:
        r = wide ? F.SQLColumnsW(st->h, W(0), W(1), W(2), W(3)) : F.SQLColumns(st->h, A(0), A(1), A(2), A(3));
        break;
    case SQL_API_SQLCOLUMNPRIVILEGES:
        r = wide ? F.SQLColumnPrivilegesW(st->h, W(0), W(1), W(2), W(3))
                 : F.SQLColumnPrivileges(st->h, A(0), A(1), A(2), A(3));
        break;
    case SQL_API_SQLTABLEPRIVILEGES:
        r = wide ? F.SQLTablePrivilegesW(st->h, W(0), W(1), W(2))
                 : F.SQLTablePrivileges(st->h, A(0), A(1), A(2));
        break;
    case SQL_API_SQLPRIMARYKEYS:
        r = wide ? F.SQLPrimaryKeysW(st->h, W(0), W(1), W(2)) : F.SQLPrimaryKeys(st->h, A(0), A(1), A(2));
        break;
    case SQL_API_SQLFOREIGNKEYS:
        r = wide ? F.SQLForeignKeysW(st->h, W(0), W(1), W(2), W(3), W(4), W(5))
                 : F.SQLForeignKeys(st->h, A(0), A(1), A(2), A(3), A(4), A(5));
        break;
    case SQL_API_SQLPROCEDURES:
        r = wide ? F.SQLProceduresW(st->h, W(0), W(1), W(2)) : F.SQLProcedures(st->h, A(0), A(1), A(2));
        break;
    case SQL_API_SQLPROCEDURECOLUMNS:
        r = wide ? F.SQLProcedureColumnsW(st->h, W(0), W(1), W(2), W(3))
                 : F.SQLProcedureColumns(st->h, A(0), A(1), A(2), A(3));
        break;
    case SQL_API_SQLSTATISTICS:
        r = wide ? F.SQLStatisticsW(st->h, W(0), W(1), W(2), n1, n2)
                 : F.SQLStatistics(st->h, A(0), A(1), A(2), n1, n2);
        break;
    case SQL_API_SQLSPECIALCOLUMNS:
        r = wide ? F.SQLSpecialColumnsW(st->h, n1, W(0), W(1), W(2), n2, n3)
                 : F.SQLSpecialColumns(st->h, n1, A(0), A(1), A(2), n2, n3);
        break;
    case SQL_API_SQLGETTYPEINFO:
        r = wide ? F.SQLGetTypeInfoW(st->h, (SQLSMALLINT)n1) : F.SQLGetTypeInfo(st->h, (SQLSMALLINT)n1);
        break;
    default:
        put_error(out, "IM001", "catalog function %d is not forwarded", fn);
        return;
    }
#undef A
#undef W
    put_result(out, st, r);
}

/* One statement-level request. */
static void op_stmt(struct client *c, int op, struct share_buf *in, struct share_buf *out)
{
    uint32_t id = (uint32_t)share_get_i64(in);
    struct own_stmt *st = find_stmt(c, id, op != OP_FREE);
    if (op == OP_FREE) {
        SQLUSMALLINT how = (SQLUSMALLINT)share_get_i64(in);
        SQLRETURN r = SQL_SUCCESS;
        if (st && how == SQL_DROP)
            drop_stmt(c, st);
        else if (st)
            r = F.SQLFreeStmt(st->h, how);
        if (st && how != SQL_DROP)
            put_diags(out, SQL_HANDLE_STMT, st->h, r);
        else
            put_diags(out, 0, NULL, r);
        return;
    }
    if (!st) {
        put_diags(out, SQL_HANDLE_DBC, c->dbc, SQL_ERROR);
        return;
    }
    SQLRETURN r;
    switch (op) {
    case OP_EXEC_DIRECT:
    case OP_PREPARE: {
        int wide = (int)share_get_i64(in);
        struct text t = get_text(in, wide);
        if (op == OP_EXEC_DIRECT && bind_params(st, in, out) != 0)
            return;
        if (in->bad || !t.p) {
            put_error(out, "HY009", "no SQL text");
            return;
        }
        if (op == OP_PREPARE)
            r = wide ? F.SQLPrepareW(st->h, t.p, t.len) : F.SQLPrepare(st->h, t.p, t.len);
        else
            r = wide ? F.SQLExecDirectW(st->h, t.p, t.len) : F.SQLExecDirect(st->h, t.p, t.len);
        put_result(out, st, r);
        return;
    }
    case OP_EXECUTE:
        if (bind_params(st, in, out) != 0)
            return;
        put_result(out, st, F.SQLExecute(st->h));
        return;
    case OP_MORE_RESULTS:
        put_result(out, st, F.SQLMoreResults(st->h));
        return;
    case OP_CATALOG:
        op_catalog(st, in, out);
        return;
    case OP_FETCH: {
        SQLSMALLINT orient = (SQLSMALLINT)share_get_i64(in);
        SQLLEN offset = (SQLLEN)share_get_i64(in);
        if (share_get_i64(in) && bind_cols(st, in, out) != 0)
            return;
        r = orient == SQL_FETCH_NEXT ? F.SQLFetch(st->h) : F.SQLFetchScroll(st->h, orient, offset);
        put_diags(out, SQL_HANDLE_STMT, st->h, r);
        for (size_t i = 0; i < st->n_cols && SQL_SUCCEEDED(r); i++) {
            struct own_col *col = &st->cols[i];
            share_put_i64(out, col->ind);
            share_put_bytes(out, col->buf, written(col->ctype, col->cap, col->ind));
        }
        return;
    }
    case OP_GET_DATA: {
        SQLUSMALLINT col = (SQLUSMALLINT)share_get_i64(in);
        SQLSMALLINT ctype = (SQLSMALLINT)share_get_i64(in);
        SQLLEN cap = (SQLLEN)share_get_i64(in);
        if (cap < 0 || cap > (SQLLEN)SHARE_FRAME_MAX / 4)
            cap = (SQLLEN)SHARE_FRAME_MAX / 4;
        void *buf = calloc(1, (size_t)cap + 2);
        SQLLEN ind = 0;
        r = buf ? F.SQLGetData(st->h, col, ctype, buf, cap, &ind) : SQL_ERROR;
        put_diags(out, SQL_HANDLE_STMT, st->h, r);
        share_put_i64(out, ind);
        share_put_bytes(out, buf, SQL_SUCCEEDED(r) ? written(ctype, cap, ind) : 0);
        free(buf);
        return;
    }
    case OP_DESCRIBE: {
        SQLUSMALLINT col = (SQLUSMALLINT)share_get_i64(in);
        int wide = (int)share_get_i64(in);
        SQLSMALLINT cap = (SQLSMALLINT)share_get_i64(in), len = 0, type = 0, digits = 0, nul = 0;
        SQLULEN size = 0;
        size_t unit = wide ? sizeof(SQLWCHAR) : 1;
        void *name = calloc((size_t)(cap > 0 ? cap : 1) + 1, unit);
        r = wide ? F.SQLDescribeColW(st->h, col, name, cap, &len, &type, &size, &digits, &nul)
                 : F.SQLDescribeCol(st->h, col, name, cap, &len, &type, &size, &digits, &nul);
        put_diags(out, SQL_HANDLE_STMT, st->h, r);
        size_t chars = cap > 0 ? (size_t)(len < cap ? len : cap - 1) + 1 : 0;
        share_put_bytes(out, name, SQL_SUCCEEDED(r) && name ? chars * unit : 0);
        share_put_i64(out, len);
        share_put_i64(out, type);
        share_put_i64(out, (int64_t)size);
        share_put_i64(out, digits);
        share_put_i64(out, nul);
        free(name);
        return;
    }
    case OP_COL_ATTR: {
        SQLUSMALLINT col = (SQLUSMALLINT)share_get_i64(in);
        SQLUSMALLINT field = (SQLUSMALLINT)share_get_i64(in);
        int wide = (int)share_get_i64(in);
        SQLSMALLINT cap = (SQLSMALLINT)share_get_i64(in), len = 0;
        SQLLEN num = 0;
        size_t unit = wide ? sizeof(SQLWCHAR) : 1;
        char *text = calloc((size_t)(cap > 0 ? cap : 0) + 2 * unit, 1);
        r = wide ? F.SQLColAttributeW(st->h, col, field, text, cap, &len, &num)
                 : F.SQLColAttribute(st->h, col, field, text, cap, &len, &num);
        put_diags(out, SQL_HANDLE_STMT, st->h, r);
        size_t bytes = cap > 0 && len >= 0 ? (size_t)(len < cap - (SQLSMALLINT)unit ? len : cap - (SQLSMALLINT)unit) + unit : 0;
        share_put_bytes(out, text, SQL_SUCCEEDED(r) && text ? bytes : 0);
        share_put_i64(out, len);
        share_put_i64(out, num);
        free(text);
        return;
    }
    case OP_SET_STMT: {
        SQLINTEGER attr = (SQLINTEGER)share_get_i64(in);
        SQLULEN v = (SQLULEN)share_get_i64(in);
        put_diags(out, SQL_HANDLE_STMT, st->h, F.SQLSetStmtAttr(st->h, attr, (SQLPOINTER)v, 0));
        return;
    }
    case OP_GET_STMT: {
        SQLINTEGER attr = (SQLINTEGER)share_get_i64(in);
        SQLULEN v = 0;
        r = F.SQLGetStmtAttr(st->h, attr, &v, sizeof v, NULL);
        put_diags(out, SQL_HANDLE_STMT, st->h, r);
        share_put_i64(out, (int64_t)v);
        return;
    }
    case OP_NUM_PARAMS: {
        SQLSMALLINT n = 0;
        r = F.SQLNumParams(st->h, &n);
        put_diags(out, SQL_HANDLE_STMT, st->h, r);
        share_put_i64(out, n);
        return;
    }
    case OP_DESCRIBE_PARAM: {
        SQLUSMALLINT num = (SQLUSMALLINT)share_get_i64(in);
        SQLSMALLINT type = 0, digits = 0, nul = 0;
        SQLULEN size = 0;
        r = F.SQLDescribeParam(st->h, num, &type, &size, &digits, &nul);
        put_diags(out, SQL_HANDLE_STMT, st->h, r);
        share_put_i64(out, type);
        share_put_i64(out, (int64_t)size);
        share_put_i64(out, digits);
        share_put_i64(out, nul);
        return;
    }
    case OP_CANCEL:
        put_diags(out, SQL_HANDLE_STMT, st->h, F.SQLCancel(st->h));
        return;
    }
    put_error(out, "HY000", "unknown request %d", op);
}

/* Connection attributes whose values are text. */
static int text_attr(SQLINTEGER attr)
{
    return attr == SQL_ATTR_CURRENT_CATALOG || attr == SQL_ATTR_TRACEFILE ||
           attr == SQL_ATTR_TRANSLATE_LIB;
}

static void op_conn(struct client *c, int op, struct share_buf *in, struct share_buf *out)
{
    SQLRETURN r;
    switch (op) {
    case OP_SET_CONN: {
        SQLINTEGER attr = (SQLINTEGER)share_get_i64(in);
        int wide = (int)share_get_i64(in);
        int64_t v = share_get_i64(in);
        size_t n;
        const void *p = share_get_bytes(in, &n);
        SQLPOINTER value = text_attr(attr) ? (SQLPOINTER)p : (SQLPOINTER)(intptr_t)v;
        SQLINTEGER len = text_attr(attr) ? (SQLINTEGER)n : 0;
        r = wide ? F.SQLSetConnectAttrW(c->dbc, attr, value, len)
                 : F.SQLSetConnectAttr(c->dbc, attr, value, len);
        put_diags(out, SQL_HANDLE_DBC, c->dbc, r);
        return;
    }
    case OP_GET_CONN: {
        SQLINTEGER attr = (SQLINTEGER)share_get_i64(in);
        int wide = (int)share_get_i64(in);
        SQLINTEGER cap = (SQLINTEGER)share_get_i64(in), len = 0;
        if (cap < 0 || cap > 65536)
            cap = 65536;
        char *buf = calloc((size_t)cap + 8, 1);
        r = !buf ? SQL_ERROR
            : wide ? F.SQLGetConnectAttrW(c->dbc, attr, buf, cap, &len)
                   : F.SQLGetConnectAttr(c->dbc, attr, buf, cap, &len);
        put_diags(out, SQL_HANDLE_DBC, c->dbc, r);
        size_t unit = wide ? 2 : 1;
        size_t bytes = !SQL_SUCCEEDED(r) ? 0
                       : !text_attr(attr) ? sizeof(SQLULEN)
                       : cap > 0 ? (size_t)(len < cap - (SQLINTEGER)unit ? len : cap - (SQLINTEGER)unit) + unit : 0;
        share_put_bytes(out, buf, bytes);
        share_put_i64(out, len);
        free(buf);
        return;
    }
    case OP_INFO: {
        SQLUSMALLINT type = (SQLUSMALLINT)share_get_i64(in);
        int size = (int)share_get_i64(in), wide = (int)share_get_i64(in);
        SQLSMALLINT cap = (SQLSMALLINT)share_get_i64(in), len = 0;
        if (cap < 0)
            cap = 0;
        char *buf = calloc((size_t)cap + 8, 1);
        r = !buf ? SQL_ERROR
            : wide ? F.SQLGetInfoW(c->dbc, type, buf, size ? 8 : cap, &len)
                   : F.SQLGetInfo(c->dbc, type, buf, size ? 8 : cap, &len);
        put_diags(out, SQL_HANDLE_DBC, c->dbc, r);
        size_t unit = wide ? 2 : 1;
        size_t bytes = !SQL_SUCCEEDED(r) ? 0
                       : size ? (size_t)size
                       : cap > 0 ? (size_t)(len < cap - (SQLSMALLINT)unit ? len : cap - (SQLSMALLINT)unit) + unit : 0;
        share_put_bytes(out, buf, bytes);
        share_put_i64(out, len);
        free(buf);
        return;
    }
    case OP_END_TRAN:
        r = F.SQLEndTran(SQL_HANDLE_DBC, c->dbc, (SQLSMALLINT)share_get_i64(in));
        put_diags(out, SQL_HANDLE_DBC, c->dbc, r);
        return;
    }
    op_stmt(c, op, in, out);
}

/* ---- the connection's life ---- */

static void leave(struct client *c)
{
    while (c->n_stmts)
        drop_stmt(c, &c->stmts[c->n_stmts - 1]);
    free(c->stmts);
    c->stmts = NULL;
    c->cap_stmts = 0;
    if (c->joined)
        F.SQLDisconnect(c->dbc);
    c->joined = 0;
    if (c->dbc)
        F.SQLFreeHandle(SQL_HANDLE_DBC, c->dbc);
    if (c->env)
        REAL(SQLFreeHandle)(SQL_HANDLE_ENV, c->env);
    c->dbc = c->env = NULL;
}

/* Constant time: how long a wrong key takes says nothing of the right one. */
static int key_ok(const void *p, size_t n)
{
    if (n != SHARE_KEY_HEX)
        return 0;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= ((const unsigned char *)p)[i] ^ (unsigned char)share.key[i];
    return d == 0;
}

static void hello(odbctx_session *s, struct client *c, struct share_buf *in, struct share_buf *out)
{
    size_t n, shown_len;
    const void *key = share_get_bytes(in, &n);
    c->pid = (pid_t)share_get_i64(in);
    const char *shown = share_get_bytes(in, &shown_len);
    if (in->bad || !key_ok(key, n)) {
        put_error(out, "28000", "this process did not present the secret of the session it "
                                "tried to join");
        return;
    }
    odbctx_session *cur = atomic_load_explicit(&odbctx__cap_active, memory_order_acquire);
    if (cur && cur != s) {
        put_error(out, "08004", "another session of the test process is capturing; a child "
                                "process joins the first session opened, which is not that one");
        return;
    }
    if (!cur && odbctx__capture_begin(s, NULL) != 0) {
        put_error(out, "08004", "cannot capture the child's connection: %s",
                  odbctx_last_error(s)->message);
        return;
    }
    char what[600];
    snprintf(what, sizeof what, "child process %ld: %.*s", (long)c->pid,
             (int)(shown_len > 500 ? 500 : shown_len), shown ? shown : "");
    if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &c->env)) ||
        !SQL_SUCCEEDED(REAL(SQLSetEnvAttr)(c->env, SQL_ATTR_ODBC_VERSION,
                                           (SQLPOINTER)SQL_OV_ODBC3, 0)) ||
        !SQL_SUCCEEDED(F.SQLAllocHandle(SQL_HANDLE_DBC, c->env, &c->dbc)) ||
        odbctx__cap_join(c->dbc, what) != 0) {
        put_error(out, "08004", "the child's connection could not join the session");
        return;
    }
    c->joined = 1;
    c->test = s->tests_ended;
    put_diags(out, 0, NULL, SQL_SUCCESS);
}

static void *serve(void *arg)
{
    struct client *c = arg;
    for (;;) {
        int op = share_recv(c->fd, &c->in);
        if (op <= 0)
            break;
        share_begin(&c->out, (enum share_op)op);
        odbctx_session *s = share.s ? odbctx__enter(share.s, 0) : NULL;
        if (!s) {
            put_error(&c->out, "08S01", "the test's session is closed");
        } else if (op == OP_HELLO) {
            if (c->joined)
                put_error(&c->out, "08002", "connected already");
            else
                hello(s, c, &c->in, &c->out);
        } else if (!c->joined) {
            put_error(&c->out, "08003", "not connected");
        } else if (op == OP_BYE) {
            leave(c);
            put_diags(&c->out, 0, NULL, SQL_SUCCESS);
        } else if (c->test != s->tests_ended) {
            put_error(&c->out, "08S01",
                      "the test this connection of process %ld joined has ended: it cannot "
                      "write into the next one (connect again in the next test)",
                      (long)c->pid);
        } else {
            op_conn(c, op, &c->in, &c->out);
        }
        if (s)
            odbctx__leave(s);
        if (share_send(c->fd, &c->out) != 0)
            break;
    }
    /* The child disconnected, exited or was killed: what it left open
     * goes, the session stays as the statements left it. */
    odbctx_session *s = share.s ? odbctx__enter(share.s, 0) : NULL;
    if (s) {
        leave(c);
        odbctx__leave(s);
    }
    share_buf_free(&c->in);
    share_buf_free(&c->out);
    return NULL;
}

static void reap(int all)
{
    for (struct client **p = &share.clients; *p;) {
        struct client *c = *p;
        if (!all && !__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
            p = &c->next;
            continue;
        }
        if (all)
            shutdown(c->fd, SHUT_RDWR);
        pthread_join(c->thread, NULL);
        close(c->fd);
        *p = c->next;
        free(c);
    }
}

static void *serve_and_mark(void *arg)
{
    serve(arg);
    __atomic_store_n(&((struct client *)arg)->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void *accept_children(void *arg)
{
    (void)arg;
    for (;;) {
        int fd = accept4(share.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            break;
        }
        pthread_mutex_lock(&share.mu);
        reap(0);
        struct client *c = calloc(1, sizeof *c);
        if (!share.s || !c) {
            close(fd);
            free(c);
        } else {
            c->fd = fd;
            if (pthread_create(&c->thread, NULL, serve_and_mark, c) != 0) {
                close(fd);
                free(c);
            } else {
                c->next = share.clients;
                share.clients = c;
            }
        }
        pthread_mutex_unlock(&share.mu);
    }
    return NULL;
}

/* ---- opening and closing ---- */

static void restore_env(void)
{
    for (size_t i = 0; i < 7; i++) {
        if (share.saved[i]) {
            setenv(shared_vars[i], share.saved[i], 1);
            free(share.saved[i]);
            share.saved[i] = NULL;
        } else {
            unsetenv(shared_vars[i]);
        }
    }
}

static void remove_dir(void)
{
    if (!share.dir[0])
        return;
    char path[PATH_MAX + 32];
    odbctx__driver_config_remove(share.dir);
    unlink(share.sock);
    snprintf(path, sizeof path, "%s/odbctx-owner", share.dir);
    unlink(path);
    rmdir(share.dir);
    share.dir[0] = '\0';
}

/* odbctx's drivers, beside this library. */
static int drivers(char *wide, char *narrow, size_t n)
{
    Dl_info self;
    if (!dladdr((void *)&drivers, &self) || !self.dli_fname)
        return -1;
    char real[PATH_MAX];
    if (!realpath(self.dli_fname, real))
        return -1;
    char *slash = strrchr(real, '/');
    *slash = '\0';
    snprintf(wide, n, "%s/libodbctx-driver.so", real);
    snprintf(narrow, n, "%s/libodbctx-driver-narrow.so", real);
    return access(wide, R_OK) == 0 && access(narrow, R_OK) == 0 ? 0 : -1;
}

/* unixODBC keeps where its configuration is from the first time it looks;
 * looking now keeps this process's own from the children's. */
static void settle_own_config(void)
{
    typedef int (*profile_fn)(const char *, const char *, const char *, char *, int, const char *);
    void *lib = dlopen("libodbcinst.so.2", RTLD_NOW | RTLD_LOCAL);
    profile_fn get = lib ? (profile_fn)dlsym(lib, "SQLGetPrivateProfileString") : NULL;
    char buf[8];
    if (get) {
        get("ODBC", "Trace", "", buf, sizeof buf, "ODBCINST.INI");
        get("ODBC", "Trace", "", buf, sizeof buf, "ODBC.INI");
    }
    /* lib stays loaded: libodbc holds it anyway. */
}

static int open_failed(odbctx_session *s, const char *what)
{
    int e = errno;
    if (share.listen_fd >= 0)
        close(share.listen_fd);
    share.listen_fd = -1;
    remove_dir();
    share.s = NULL;
    return odbctx__fail(s, ODBCTX_ECONNECT,
                        "cannot let child processes join the session (%s: %s); set "
                        "ODBCTX_SHARE=0 to run without (then a child's connections reach the "
                        "database for real)",
                        what, e ? strerror(e) : "failed");
}

static int share_open(odbctx_session *s)
{
    const char *on = getenv("ODBCTX_SHARE");
    if (on && strcmp(on, "0") == 0)
        return 0;
    pthread_mutex_lock(&share.mu);
    if (share.s) {
        pthread_mutex_unlock(&share.mu);
        return 0;
    }
    share.s = s;
    int rc = 0;
    char wide[PATH_MAX], narrow[PATH_MAX], why[PATH_MAX + 200];
    const char *tmp = getenv("TMPDIR");
    unsigned char raw[SHARE_KEY_HEX / 2];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    errno = 0;
    if (resolve_own() != 0) {
        rc = open_failed(s, "libodbctx's entry points");
        goto out;
    }
    if (drivers(wide, narrow, sizeof wide) != 0) {
        rc = open_failed(s, "odbctx's driver is not beside libodbctx");
        goto out;
    }
    odbctx__tmpdir_sweep(tmp && *tmp ? tmp : "/tmp");
    snprintf(share.dir, sizeof share.dir, "%s/odbctx-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(share.dir)) {
        share.dir[0] = '\0';
        rc = open_failed(s, "a private directory");
        goto out;
    }
    odbctx__tmpdir_mark(share.dir);
    /* Under odbctx-run, or in a child that opens a session of its own, the
     * drivers are odbctx's already: children keep that configuration. */
    int routed = odbctx__driver_config_active();
    if (!routed && odbctx__driver_config(share.dir, wide, narrow, why, sizeof why) != 0) {
        rc = open_failed(s, why);
        goto out;
    }
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        rc = open_failed(s, "a secret");
        goto out;
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(share.key + 2 * i, 3, "%02x", raw[i]);
    snprintf(share.sock, sizeof share.sock, "%s/socket", share.dir);
    if (strlen(share.sock) >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        rc = open_failed(s, share.sock);
        goto out;
    }
    memcpy(addr.sun_path, share.sock, strlen(share.sock) + 1);
    share.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (share.listen_fd < 0 || bind(share.listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        chmod(share.sock, 0600) != 0 || listen(share.listen_fd, 64) != 0) {
        rc = open_failed(s, "a socket");
        goto out;
    }
    settle_own_config();
    for (size_t i = 0; i < 7; i++) {
        const char *v = getenv(shared_vars[i]);
        share.saved[i] = v ? strdup(v) : NULL;
    }
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    if ((!routed && odbctx__driver_config_use(share.dir) != 0) || setenv(SHARE_ENV_SOCKET, share.sock, 1) ||
        setenv(SHARE_ENV_KEY, share.key, 1) || setenv(SHARE_ENV_OWNER, pid, 1)) {
        restore_env();
        rc = open_failed(s, "the environment");
        goto out;
    }
    if ((errno = pthread_create(&share.acceptor, NULL, accept_children, NULL)) != 0) {
        restore_env();
        rc = open_failed(s, "a thread");
        goto out;
    }
out:
    pthread_mutex_unlock(&share.mu);
    return rc;
}

static void share_close(odbctx_session *s)
{
    pthread_mutex_lock(&share.mu);
    if (share.s != s) {
        pthread_mutex_unlock(&share.mu);
        return;
    }
    restore_env();
    shutdown(share.listen_fd, SHUT_RDWR);
    pthread_mutex_unlock(&share.mu);
    pthread_join(share.acceptor, NULL);
    pthread_mutex_lock(&share.mu);
    close(share.listen_fd);
    share.listen_fd = -1;
    /* Each child's thread ends at its next read; the children get an error
     * at their next call. */
    reap(1);
    share.s = NULL;
    memset(share.key, 0, sizeof share.key);
    remove_dir();
    pthread_mutex_unlock(&share.mu);
}

/* A forked child that never execs has the owner's socket and threads' state
 * but not its threads: it must not serve. */
static void forked(void)
{
    share.s = NULL;
    share.clients = NULL;
    share.listen_fd = -1;
    share.dir[0] = '\0';
}

static char *route(const char *conn)
{
    return odbctx__driver_config_active() ? odbctx__drv_target(conn) : NULL;
}

__attribute__((constructor)) static void share_init(void)
{
    odbctx__on_route = route;
    odbctx__on_open = share_open;
    odbctx__on_close = share_close;
    pthread_atfork(NULL, NULL, forked);
}
