/*
 * odbctx as an ODBC driver: what libodbctx-driver.so's entry points call.
 *
 * A driver manager (unixODBC or iODBC) loads libodbctx-driver.so by name
 * from odbcinst.ini, as it loads any driver, whatever the program's own
 * binding (PHP's RTLD_DEEPBIND extensions, Perl, Qt, Python, static or
 * dlopen'd libodbc): nothing reaches the database around it. The driver's
 * handles are handles of the driver manager odbctx itself uses
 * (libodbc.so.2, "the inner one"): the program's driver manager hands them
 * back on every call, and the entry points it finds for them are the ones
 * libodbctx.so already exports for capture (SQLExecDirect, SQLEndTran, ...)
 * or, for what capture leaves alone (SQLFetch, SQLGetData, ...), the inner
 * driver manager's own: dlsym on the driver looks through its dependencies
 * in that order. Only what differs for a driver is defined here:
 * connecting, which names the real driver (the target), and one
 * environment attribute iODBC asks drivers.
 *
 * The target of a connection, in this order:
 *   TARGET=name    a driver in odbcinst.ini, else a DSN in odbc.ini, else a
 *                  driver library (a path, or a file name ending in .so) (an
 *                  explicit Driver=odbctx;Target=...; a DSN of odbctx's
 *                  driver says Target= in odbc.ini)
 *   DRIVER=name    whose odbcinst.ini section says OdbctxTarget=section (the
 *                  configuration odbctx-run generates)
 *   DSN=name       whose driver's section says OdbctxTarget=
 * The real connection string is DRIVER={target} followed by the DSN's keys
 * (when one is named) and the program's own, which win.
 *
 * Because the driver manager stays between the program and odbctx,
 * converting between the ANSI and wide calls and mapping ODBC 3 SQLSTATEs to
 * ODBC 2 ones for an ODBC 2 program are its own, as with any driver. The
 * session connects through the same form of the call as the program did.
 */
#include "capture/capture.h"
#include "sql/connstr.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* iODBC asks a driver what its wide characters are (iodbcext.h); unixODBC's
 * SQLWCHAR, which the inner driver manager takes, is UTF-16. */
#define IODBC_ATTR_DRIVER_UNICODE_TYPE 1065
#define IODBC_DM_CP_UTF16 1

/* ---- odbcinst.ini and odbc.ini ----
 * Read through unixODBC's own libodbcinst: a program on iODBC may have
 * iODBC's functions of the same names in the global scope. */

typedef int (*profile_fn)(const char *section, const char *key, const char *dflt, char *out,
                          int n, const char *file);
static profile_fn profile_string;
static pthread_once_t profile_once = PTHREAD_ONCE_INIT;

static void profile_load(void)
{
    void *lib = dlopen("libodbcinst.so.2", RTLD_NOW | RTLD_LOCAL);
    if (lib)
        profile_string = (profile_fn)dlsym(lib, "SQLGetPrivateProfileString");
}

/* The value of key in section of file ("ODBCINST.INI" or "ODBC.INI"),
 * or "" when absent. */
static const char *profile(const char *section, const char *key, const char *file, char *out,
                           size_t n)
{
    pthread_once(&profile_once, profile_load);
    out[0] = '\0';
    if (profile_string && section && *section)
        profile_string(section, key, "", out, (int)n, file);
    out[n - 1] = '\0';
    return out;
}

/* ---- the real connection string ---- */

struct buf {
    char *p;
    size_t len, cap;
    int failed;
};

static void add(struct buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (odbctx__grow((void **)&b->p, &b->cap, b->len + n + 1, 1)) {
        b->failed = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void add_str(struct buf *b, const char *s)
{
    add(b, s, strlen(s));
}

/* A value the way a connection string holds it: in braces ("}" doubled)
 * only when it must be, since some drivers (SQLite's) take braces
 * literally. */
static void add_value(struct buf *b, const char *v)
{
    size_t n = strlen(v);
    if (!strpbrk(v, ";{}") && (n == 0 || (v[0] != ' ' && v[n - 1] != ' '))) {
        add(b, v, n);
        return;
    }
    add_str(b, "{");
    for (; *v; v++) {
        add(b, v, 1);
        if (*v == '}')
            add(b, v, 1);
    }
    add_str(b, "}");
}

static int key_is(const struct odbctx_connstr_pair *p, const char *key)
{
    return p->key_len == strlen(key) && strncasecmp(p->key, key, p->key_len) == 0;
}

/* What the driver manager and odbctx read, not the real driver. */
static int routing_key(const struct odbctx_connstr_pair *p)
{
    return key_is(p, "DRIVER") || key_is(p, "DSN") || key_is(p, "TARGET") ||
           key_is(p, "FILEDSN") || key_is(p, "SAVEFILE");
}

static int copy_pair(void *ctx, const struct odbctx_connstr_pair *p)
{
    struct buf *b = ctx;
    if (p->key_len == 0 || routing_key(p))
        return 0;
    add(b, p->key, p->key_len);
    add_str(b, "=");
    add(b, p->value, p->value_len);
    add_str(b, ";");
    return 0;
}

/* The DSN's keys that the program's string does not set itself. */
static void add_dsn_keys(struct buf *b, const char *dsn, const char *app)
{
    char keys[4096], value[1024], mine[8];
    pthread_once(&profile_once, profile_load);
    memset(keys, 0, sizeof keys);
    if (!profile_string || profile_string(dsn, NULL, "", keys, sizeof keys - 1, "ODBC.INI") < 0)
        return;
    for (const char *k = keys; *k; k += strlen(k) + 1) {
        if (strcasecmp(k, "Driver") == 0 || strcasecmp(k, "Description") == 0 ||
            odbctx_connstr_get(app, k, mine, sizeof mine) != (size_t)-1)
            continue;
        profile(dsn, k, "ODBC.INI", value, sizeof value);
        add_str(b, k);
        add_str(b, "=");
        add_value(b, value);
        add_str(b, ";");
    }
}

/* A driver name as the inner driver manager must see it: the section
 * odbctx-run's configuration keeps the real driver in, when it says so. */
static void real_driver(const char *name, char *out, size_t n)
{
    char t[512];
    profile(name, "OdbctxTarget", "ODBCINST.INI", t, sizeof t);
    snprintf(out, n, "%s", *t ? t : name);
}

static int skip_pair(void *ctx, const struct odbctx_connstr_pair *p)
{
    (void)ctx;
    (void)p;
    return 0;
}

/* The real connection string for the program's, or NULL with why set. */
static char *target_string(const char *app, char *why, size_t wn)
{
    char target[512], driver[512], dsn[512], tmp[512];
    driver[0] = dsn[0] = '\0';
    if (odbctx_connstr_walk(app, skip_pair, NULL, NULL) < 0) {
        snprintf(why, wn, "the connection string is malformed (an unterminated '{')");
        return NULL;
    }
    /* A DSN of odbctx's driver says its Target= in odbc.ini. */
    char named[512];
    target[0] = '\0';
    if (odbctx_connstr_get(app, "TARGET", target, sizeof target) == (size_t)-1 &&
        odbctx_connstr_get(app, "DRIVER", tmp, sizeof tmp) == (size_t)-1 &&
        odbctx_connstr_get(app, "DSN", named, sizeof named) != (size_t)-1)
        profile(named, "Target", "ODBC.INI", target, sizeof target);
    if (*target) {
        if (*profile(target, "Driver", "ODBCINST.INI", tmp, sizeof tmp))
            real_driver(target, driver, sizeof driver);
        else if (*profile(target, "Driver", "ODBC.INI", tmp, sizeof tmp)) {
            snprintf(dsn, sizeof dsn, "%s", target);
            real_driver(tmp, driver, sizeof driver);
        } else if (strchr(target, '/') || strstr(target, ".so"))
            /* A driver library, by path or by file name, as DRIVER= takes. */
            snprintf(driver, sizeof driver, "%s", target);
        else {
            snprintf(why, wn,
                     "Target=%s names no driver in odbcinst.ini, no data source in odbc.ini "
                     "and no driver library path",
                     target);
            return NULL;
        }
    } else if (odbctx_connstr_get(app, "DRIVER", tmp, sizeof tmp) != (size_t)-1 && *tmp) {
        profile(tmp, "OdbctxTarget", "ODBCINST.INI", driver, sizeof driver);
        if (!*driver) {
            snprintf(why, wn,
                     "no Target= says which driver odbctx's driver opens (Driver=%s;"
                     "Target=PostgreSQL Unicode;..., or a DSN)",
                     tmp);
            return NULL;
        }
    } else if (odbctx_connstr_get(app, "DSN", dsn, sizeof dsn) != (size_t)-1 && *dsn) {
        if (!*profile(dsn, "Driver", "ODBC.INI", tmp, sizeof tmp)) {
            snprintf(why, wn, "the data source \"%s\" is not in odbc.ini", dsn);
            return NULL;
        }
        profile(tmp, "OdbctxTarget", "ODBCINST.INI", driver, sizeof driver);
        if (!*driver) {
            snprintf(why, wn,
                     "the data source \"%s\" names odbctx's driver without a Target= (its "
                     "driver \"%s\" has no OdbctxTarget)",
                     dsn, tmp);
            return NULL;
        }
    } else {
        snprintf(why, wn, "the connection string names no Target=, DRIVER= or DSN=");
        return NULL;
    }
    struct buf b = {0};
    add_str(&b, "DRIVER=");
    add_value(&b, driver);
    add_str(&b, ";");
    if (*dsn)
        add_dsn_keys(&b, dsn, app);
    odbctx_connstr_walk(app, copy_pair, &b, NULL);
    if (b.failed) {
        free(b.p);
        snprintf(why, wn, "out of memory");
        return NULL;
    }
    return b.p;
}

char *odbctx__drv_target(const char *conn)
{
    char why[700];
    return conn ? target_string(conn, why, sizeof why) : NULL;
}

static SQLRETURN refuse(SQLHDBC dbc, const char *why)
{
    fprintf(stderr, "odbctx: driver: %s\n", why);
    return odbctx__cap_refuse(dbc, why);
}

/* A connection string that names no database: SQLConnect with an empty DSN. */
static int names_nothing(const char *conn)
{
    return !conn || !*conn || strcasecmp(conn, "DSN=") == 0 || strcasecmp(conn, "DSN=;") == 0 ||
           strcasecmp(conn, "DSN={};") == 0;
}

/* What the session opens, should this connection be the one to open it:
 * odbctx-run's --connect (ODBCTX_RUN_CONNECT), else the program's, else
 * ODBCTX_CONNECT; routed to the real driver as the program's is, and as it
 * is when nothing routes it (a connection string of the real driver's). */
static char *session_string(const char *app, char *why, size_t wn)
{
    const char *forced = getenv("ODBCTX_RUN_CONNECT");
    const char *use = forced && *forced ? forced : app;
    if (names_nothing(use) && getenv("ODBCTX_CONNECT"))
        use = getenv("ODBCTX_CONNECT");
    if (use == app)
        return target_string(app, why, wn);
    char *routed = target_string(use, why, wn);
    return routed ? routed : strdup(use);
}

static SQLRETURN connect_string(SQLHDBC dbc, const char *app, int wide)
{
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    char why[700];
    char *conn = session_string(app, why, sizeof why);
    if (!conn)
        return refuse(dbc, why);
    SQLRETURN r = odbctx__cap_connect_driver(dbc, conn, app, wide);
    odbctx__wipe_free(conn);
    return r;
}

SQLRETURN odbctx__drv_complete(SQLRETURN r, const char *in, void *out, SQLSMALLINT max,
                          SQLSMALLINT *len, int wide)
{
    SQLLEN full = 0;
    if (!SQL_SUCCEEDED(r))
        return r;
    int cut = wide ? odbctx__cap_put_wide(in, out, max, &full, 0)
                   : odbctx__cap_put_narrow(in, out, max, &full);
    if (len)
        *len = (SQLSMALLINT)(full > 32767 ? 32767 : full);
    return cut && out ? SQL_SUCCESS_WITH_INFO : r;
}

ODBCTX_API SQLRETURN odbctx__drv_SQLDriverConnect(SQLHDBC dbc, SQLHWND hwnd, SQLCHAR *in,
                                                  SQLSMALLINT inlen, SQLCHAR *out,
                                                  SQLSMALLINT max, SQLSMALLINT *len,
                                                  SQLUSMALLINT completion)
{
    (void)hwnd;
    (void)completion;
    size_t n;
    char *app = odbctx__cap_narrow(in, inlen, &n);
    if (!app)
        return SQL_ERROR;
    SQLRETURN r = odbctx__drv_complete(connect_string(dbc, app, 0), app, out, max, len, 0);
    odbctx__wipe_free(app);
    return r;
}

ODBCTX_API SQLRETURN odbctx__drv_SQLDriverConnectW(SQLHDBC dbc, SQLHWND hwnd, SQLWCHAR *in,
                                                   SQLSMALLINT inlen, SQLWCHAR *out,
                                                   SQLSMALLINT max, SQLSMALLINT *len,
                                                   SQLUSMALLINT completion)
{
    (void)hwnd;
    (void)completion;
    size_t n;
    char *app = odbctx__cap_from_wide(in, inlen, &n);
    if (!app)
        return SQL_ERROR;
    SQLRETURN r = odbctx__drv_complete(connect_string(dbc, app, 1), app, out, max, len, 1);
    odbctx__wipe_free(app);
    return r;
}

/* SQLConnect(DSN, user, password) as DSN=...;UID=...;PWD=... */
static SQLRETURN connect_dsn(SQLHDBC dbc, char *dsn, char *uid, char *pwd, int wide)
{
    SQLRETURN r = SQL_ERROR;
    struct buf b = {0};
    if (dsn && uid && pwd) {
        add_str(&b, "DSN=");
        add_value(&b, dsn);
        add_str(&b, ";");
        if (*uid) {
            add_str(&b, "UID=");
            add_value(&b, uid);
            add_str(&b, ";");
        }
        if (*pwd) {
            add_str(&b, "PWD=");
            add_value(&b, pwd);
            add_str(&b, ";");
        }
        r = b.failed ? SQL_ERROR : connect_string(dbc, b.p, wide);
    }
    odbctx__wipe_free(b.p);
    free(dsn);
    free(uid);
    odbctx__wipe_free(pwd);
    return r;
}

ODBCTX_API SQLRETURN odbctx__drv_SQLConnect(SQLHDBC dbc, SQLCHAR *dsn, SQLSMALLINT l1,
                                            SQLCHAR *uid, SQLSMALLINT l2, SQLCHAR *pwd,
                                            SQLSMALLINT l3)
{
    size_t n;
    return connect_dsn(dbc, odbctx__cap_narrow(dsn, l1, &n), odbctx__cap_narrow(uid, l2, &n),
                       odbctx__cap_narrow(pwd, l3, &n), 0);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLConnectW(SQLHDBC dbc, SQLWCHAR *dsn, SQLSMALLINT l1,
                                             SQLWCHAR *uid, SQLSMALLINT l2, SQLWCHAR *pwd,
                                             SQLSMALLINT l3)
{
    size_t n;
    return connect_dsn(dbc, odbctx__cap_from_wide(dsn, l1, &n),
                       odbctx__cap_from_wide(uid, l2, &n), odbctx__cap_from_wide(pwd, l3, &n), 1);
}

/* ---- the driver's environments ----
 * unixODBC allocates a driver's environment while holding its own list
 * lock, so the inner environment cannot be allocated then (the same
 * libodbc would wait for itself): the driver's HENV is odbctx's record,
 * and the inner one is made at the first connection allocated on it.
 * Connections, statements and descriptors are the inner driver manager's
 * handles themselves. */

#define DRV_ENV_MAGIC 0x6f647478u

struct drv_env {
    unsigned magic;
    SQLHENV inner;
    SQLINTEGER version;
    pthread_mutex_t mu;
};

static struct drv_env *as_env(SQLHANDLE h)
{
    struct drv_env *e = h;
    return e && e->magic == DRV_ENV_MAGIC ? e : NULL;
}

/* The inner environment; NULL (nothing to forward to) before a connection. */
static SQLHENV inner_of(SQLHANDLE h)
{
    struct drv_env *e = as_env(h);
    return e ? e->inner : h;
}

/* Inner environments of freed driver environments, by ODBC version. */
#define KEPT_MAX 8
static struct {
    SQLHENV env;
    SQLINTEGER version;
} kept[KEPT_MAX];
static size_t n_kept;
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

static void keep_inner(SQLHENV env, SQLINTEGER version)
{
    pthread_mutex_lock(&kept_mu);
    if (n_kept < KEPT_MAX) {
        kept[n_kept].env = env;
        kept[n_kept++].version = version;
    }
    /* More environments at once than that is a program that makes one per
     * connection and keeps them: those few handles stay allocated. */
    pthread_mutex_unlock(&kept_mu);
}

static SQLHENV take_kept(SQLINTEGER version)
{
    SQLHENV env = SQL_NULL_HENV;
    pthread_mutex_lock(&kept_mu);
    for (size_t i = 0; i < n_kept; i++) {
        if (kept[i].version == version) {
            env = kept[i].env;
            kept[i] = kept[--n_kept];
            break;
        }
    }
    pthread_mutex_unlock(&kept_mu);
    return env;
}

static SQLRETURN env_ready(struct drv_env *e)
{
    SQLRETURN r = SQL_SUCCESS;
    pthread_mutex_lock(&e->mu);
    if (!e->inner && !(e->inner = take_kept(e->version))) {
        r = REAL(SQLAllocHandle)(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &e->inner);
        if (SQL_SUCCEEDED(r))
            REAL(SQLSetEnvAttr)(e->inner, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)(intptr_t)e->version, 0);
        else
            e->inner = SQL_NULL_HENV;
    }
    pthread_mutex_unlock(&e->mu);
    return r;
}

ODBCTX_API SQLRETURN odbctx__drv_SQLAllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
    if (!odbctx__cap_ready() || !out)
        return SQL_ERROR;
    if (type == SQL_HANDLE_ENV) {
        struct drv_env *e = calloc(1, sizeof *e);
        if (!e)
            return SQL_ERROR;
        e->magic = DRV_ENV_MAGIC;
        e->version = SQL_OV_ODBC3;
        pthread_mutex_init(&e->mu, NULL);
        *out = e;
        return SQL_SUCCESS;
    }
    if (type == SQL_HANDLE_DBC) {
        struct drv_env *e = as_env(in);
        if (!e)
            return SQL_INVALID_HANDLE;
        SQLRETURN r = env_ready(e);
        return SQL_SUCCEEDED(r) ? odbctx__cap_SQLAllocHandle(type, e->inner, out) : r;
    }
    return odbctx__cap_SQLAllocHandle(type, in, out);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLFreeHandle(SQLSMALLINT type, SQLHANDLE h)
{
    if (type != SQL_HANDLE_ENV)
        return odbctx__cap_SQLFreeHandle(type, h);
    struct drv_env *e = as_env(h);
    if (!e)
        return SQL_INVALID_HANDLE;
    /* unixODBC frees a driver's environment under its list lock too: the
     * inner one is kept for the next environment of the same version. */
    if (e->inner)
        keep_inner(e->inner, e->version);
    e->magic = 0;
    pthread_mutex_destroy(&e->mu);
    free(e);
    return SQL_SUCCESS;
}

/* What a driver manager calls for a program that asked for ODBC 2. */
ODBCTX_API SQLRETURN odbctx__drv_SQLAllocConnect(SQLHENV env, SQLHDBC *out)
{
    return odbctx__drv_SQLAllocHandle(SQL_HANDLE_DBC, env, out);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLFreeEnv(SQLHENV env)
{
    return odbctx__drv_SQLFreeHandle(SQL_HANDLE_ENV, env);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLSetEnvAttr(SQLHENV env, SQLINTEGER attr, SQLPOINTER value,
                                               SQLINTEGER len)
{
    struct drv_env *e = as_env(env);
    if (!e)
        return SQL_INVALID_HANDLE;
    if (attr == SQL_ATTR_ODBC_VERSION)
        e->version = (SQLINTEGER)(intptr_t)value;
    /* Before the first connection there is nothing to set it on; pooling
     * and the like are the program's driver manager's business anyway. */
    return e->inner ? REAL(SQLSetEnvAttr)(e->inner, attr, value, len) : SQL_SUCCESS;
}

ODBCTX_API SQLRETURN odbctx__drv_SQLGetEnvAttr(SQLHENV env, SQLINTEGER attr, SQLPOINTER value,
                                               SQLINTEGER max, SQLINTEGER *len)
{
    struct drv_env *e = as_env(env);
    if (!e)
        return SQL_INVALID_HANDLE;
    if (attr == IODBC_ATTR_DRIVER_UNICODE_TYPE || attr == SQL_ATTR_ODBC_VERSION) {
        if (value)
            *(SQLINTEGER *)value =
                attr == SQL_ATTR_ODBC_VERSION ? e->version : IODBC_DM_CP_UTF16;
        if (len)
            *len = sizeof(SQLINTEGER);
        return SQL_SUCCESS;
    }
    return e->inner ? REAL(SQLGetEnvAttr)(e->inner, attr, value, max, len) : SQL_ERROR;
}

ODBCTX_API SQLRETURN odbctx__drv_SQLEndTran(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT op)
{
    if (type == SQL_HANDLE_ENV && !(h = inner_of(h)))
        return SQL_SUCCESS;
    return odbctx__cap_SQLEndTran(type, h, op);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLTransact(SQLHENV env, SQLHDBC dbc, SQLUSMALLINT op)
{
    if (!dbc && !(env = inner_of(env)))
        return SQL_SUCCESS;
    return odbctx__cap_SQLTransact(env ? inner_of(env) : env, dbc, op);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLGetDiagRec(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT i,
                                               SQLCHAR *state, SQLINTEGER *native, SQLCHAR *msg,
                                               SQLSMALLINT max, SQLSMALLINT *len)
{
    if (type == SQL_HANDLE_ENV && !(h = inner_of(h)))
        return SQL_NO_DATA;
    return odbctx__cap_SQLGetDiagRec(type, h, i, state, native, msg, max, len);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLGetDiagRecW(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT i,
                                                SQLWCHAR *state, SQLINTEGER *native,
                                                SQLWCHAR *msg, SQLSMALLINT max, SQLSMALLINT *len)
{
    if (type == SQL_HANDLE_ENV && !(h = inner_of(h)))
        return SQL_NO_DATA;
    return odbctx__cap_SQLGetDiagRecW(type, h, i, state, native, msg, max, len);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLGetDiagField(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT i,
                                                 SQLSMALLINT id, SQLPOINTER info,
                                                 SQLSMALLINT max, SQLSMALLINT *len)
{
    if (type == SQL_HANDLE_ENV && !(h = inner_of(h)))
        return SQL_NO_DATA;
    return odbctx__cap_SQLGetDiagField(type, h, i, id, info, max, len);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLGetDiagFieldW(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT i,
                                                  SQLSMALLINT id, SQLPOINTER info,
                                                  SQLSMALLINT max, SQLSMALLINT *len)
{
    if (type == SQL_HANDLE_ENV && !(h = inner_of(h)))
        return SQL_NO_DATA;
    return odbctx__cap_SQLGetDiagFieldW(type, h, i, id, info, max, len);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLError(SQLHENV env, SQLHDBC dbc, SQLHSTMT stmt,
                                          SQLCHAR *state, SQLINTEGER *native, SQLCHAR *msg,
                                          SQLSMALLINT max, SQLSMALLINT *len)
{
    if (!dbc && !stmt && !(env = inner_of(env)))
        return SQL_NO_DATA;
    return odbctx__cap_SQLError(env ? inner_of(env) : env, dbc, stmt, state, native, msg, max,
                                len);
}

ODBCTX_API SQLRETURN odbctx__drv_SQLErrorW(SQLHENV env, SQLHDBC dbc, SQLHSTMT stmt,
                                           SQLWCHAR *state, SQLINTEGER *native, SQLWCHAR *msg,
                                           SQLSMALLINT max, SQLSMALLINT *len)
{
    if (!dbc && !stmt && !(env = inner_of(env)))
        return SQL_NO_DATA;
    return odbctx__cap_SQLErrorW(env ? inner_of(env) : env, dbc, stmt, state, native, msg, max,
                                 len);
}
