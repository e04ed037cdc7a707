/*
 * Exported connection-level entry points: connecting (captured connections
 * join the session), disconnecting and freeing (the session survives),
 * transaction end (app-level restarts), autocommit (virtual), and every
 * call an application makes on a captured HDBC, which the driver manager
 * never connected and so could not answer: it is answered on the
 * session's HDBC instead.
 */
#include "capture/capture.h"
#include "sql/connstr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_dbc(const struct cap_handle *rec)
{
    return rec->kind == CAP_DBC && rec->conn;
}

/* Where a call on a captured HDBC really goes. */
static SQLHDBC target(odbctx_session *s, const struct cap_handle *rec)
{
    return is_dbc(rec) && rec->conn->alias ? s->dbc : rec->h;
}

/* ---- allocating and freeing ---- */

static SQLRETURN alloc_on(odbctx_session *s, struct cap_handle *rec, SQLSMALLINT type,
                          SQLHANDLE *out)
{
    SQLRETURN r = REAL(SQLAllocHandle)(type, s->dbc, out);
    if (SQL_SUCCEEDED(r) &&
        !odbctx__cap_add(type == SQL_HANDLE_DESC ? CAP_DESC : CAP_STMT, *out, rec->conn)) {
        REAL(SQLFreeHandle)(type, *out);
        *out = SQL_NULL_HANDLE;
        r = odbctx__cap_fail(rec, "HY001", "out of memory");
    }
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLAllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (type == SQL_HANDLE_DBC) {
        SQLRETURN r = REAL(SQLAllocHandle)(type, in, out);
        if (SQL_SUCCEEDED(r) && out)
            odbctx__cap_env_put(*out, in);
        return r;
    }
    if ((type != SQL_HANDLE_STMT && type != SQL_HANDLE_DESC) || !out || !CAPTURED(in, s, rec))
        return REAL(SQLAllocHandle)(type, in, out);
    SQLRETURN r;
    if (is_dbc(rec)) {
        odbctx__cap_clear_diag(rec);
        r = alloc_on(s, rec, type, out);
    } else {
        r = REAL(SQLAllocHandle)(type, in, out);
    }
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLAllocStmt(SQLHDBC dbc, SQLHSTMT *out)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (!out || !CAPTURED(dbc, s, rec))
        return REAL(SQLAllocStmt)(dbc, out);
    SQLRETURN r;
    if (is_dbc(rec)) {
        odbctx__cap_clear_diag(rec);
        r = alloc_on(s, rec, SQL_HANDLE_STMT, out);
    } else {
        r = REAL(SQLAllocStmt)(dbc, out);
    }
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLAllocConnect(SQLHENV env, SQLHDBC *out)
{
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    SQLRETURN r = REAL(SQLAllocConnect)(env, out);
    if (SQL_SUCCEEDED(r) && out)
        odbctx__cap_env_put(*out, env);
    return r;
}

/* A statement or descriptor of the session's: freed for real, forgotten. */
static SQLRETURN free_child(struct cap_handle *rec, SQLSMALLINT type, int drop)
{
    void *h = rec->h;
    SQLRETURN r = drop ? REAL(SQLFreeStmt)(h, SQL_DROP) : REAL(SQLFreeHandle)(type, h);
    if (SQL_SUCCEEDED(r))
        odbctx__cap_remove(h);
    return r;
}

/* The session's HDBC and HENV outlive whatever the application does with
 * them; a captured HDBC leaves the session and is freed for real. */
static SQLRETURN free_dbc(odbctx_session *s, struct cap_handle *rec, int odbc2)
{
    void *h = rec->h;
    if (!rec->conn->alias) {
        odbctx__trace_add(s, "captured", "SQLFreeHandle(SQL_HANDLE_DBC)", 1,
                          "ignored: the connection belongs to the odbctx session");
        return SQL_SUCCESS;
    }
    odbctx__cap_disconnect(s, rec->conn);
    odbctx__cap_env_del(h);
    return odbc2 ? REAL(SQLFreeConnect)(h) : REAL(SQLFreeHandle)(SQL_HANDLE_DBC, h);
}

static SQLRETURN free_env(odbctx_session *s, struct cap_handle *rec, int odbc2)
{
    void *h = rec->h;
    if (h == s->env)
        return SQL_SUCCESS;
    odbctx__cap_remove(h);
    return odbc2 ? REAL(SQLFreeEnv)(h) : REAL(SQLFreeHandle)(SQL_HANDLE_ENV, h);
}

ODBCTX_API SQLRETURN SQL_API SQLFreeHandle(SQLSMALLINT type, SQLHANDLE h)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (!CAPTURED(h, s, rec)) {
        if (type == SQL_HANDLE_DBC)
            odbctx__cap_env_del(h);
        return REAL(SQLFreeHandle)(type, h);
    }
    SQLRETURN r;
    if (type == SQL_HANDLE_DBC && is_dbc(rec))
        r = free_dbc(s, rec, 0);
    else if (type == SQL_HANDLE_ENV && rec->kind == CAP_ENV)
        r = free_env(s, rec, 0);
    else if ((type == SQL_HANDLE_STMT && rec->kind == CAP_STMT) ||
             (type == SQL_HANDLE_DESC && rec->kind == CAP_DESC))
        r = free_child(rec, type, 0);
    else
        r = REAL(SQLFreeHandle)(type, h);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLFreeStmt(SQLHSTMT h, SQLUSMALLINT option)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (option != SQL_DROP || !CAPTURED(h, s, rec))
        return REAL(SQLFreeStmt)(h, option);
    SQLRETURN r = rec->kind == CAP_STMT ? free_child(rec, SQL_HANDLE_STMT, 1)
                                        : REAL(SQLFreeStmt)(h, option);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLFreeConnect(SQLHDBC h)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (!CAPTURED(h, s, rec)) {
        odbctx__cap_env_del(h);
        return REAL(SQLFreeConnect)(h);
    }
    SQLRETURN r = is_dbc(rec) ? free_dbc(s, rec, 1) : REAL(SQLFreeConnect)(h);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLFreeEnv(SQLHENV h)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (!CAPTURED(h, s, rec))
        return REAL(SQLFreeEnv)(h);
    SQLRETURN r = rec->kind == CAP_ENV ? free_env(s, rec, 1) : REAL(SQLFreeEnv)(h);
    odbctx__cap_end(s);
    return r;
}

/* ---- connecting and disconnecting ---- */

/* Connects are rare: they take the slow road whenever capture is on. */
static int may_capture(void)
{
    return odbctx__cap_depth == 0 &&
           atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed) != NULL;
}

/* DSN, user and password of SQLConnect as a connection string (for the
 * session odbctx-run opens) and without the password (for the pattern). */
static int connect_strings(const char *dsn, const char *uid, const char *pwd, SQLHDBC h,
                           SQLRETURN *ret)
{
    size_t n = strlen(dsn) + strlen(uid) + strlen(pwd) + 32;
    char *conn = malloc(n), *match = malloc(n);
    int joined = 0;
    if (conn && match) {
        snprintf(match, n, "DSN=%s;%s%s%s", dsn, *uid ? "UID=" : "", uid, *uid ? ";" : "");
        snprintf(conn, n, "%s%s%s%s", match, *pwd ? "PWD=" : "", pwd, *pwd ? ";" : "");
        joined = odbctx__cap_connect(h, conn, match, ret);
    }
    odbctx__wipe_free(conn);
    free(match);
    return joined;
}

static SQLRETURN connect_narrow(SQLHDBC h, SQLCHAR *dsn, SQLSMALLINT l1, SQLCHAR *uid,
                                SQLSMALLINT l2, SQLCHAR *pwd, SQLSMALLINT l3, int *joined)
{
    size_t n;
    char *d = odbctx__cap_narrow(dsn, l1, &n), *u = odbctx__cap_narrow(uid, l2, &n),
         *p = odbctx__cap_narrow(pwd, l3, &n);
    SQLRETURN r = SQL_ERROR;
    *joined = d && u && p && connect_strings(d, u, p, h, &r);
    free(d);
    free(u);
    odbctx__wipe_free(p);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLConnect(SQLHDBC h, SQLCHAR *dsn, SQLSMALLINT l1, SQLCHAR *uid,
                                        SQLSMALLINT l2, SQLCHAR *pwd, SQLSMALLINT l3)
{
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    int joined = 0;
    SQLRETURN r = SQL_ERROR;
    if (may_capture())
        r = connect_narrow(h, dsn, l1, uid, l2, pwd, l3, &joined);
    return joined ? r : REAL(SQLConnect)(h, dsn, l1, uid, l2, pwd, l3);
}

ODBCTX_API SQLRETURN SQL_API SQLConnectA(SQLHDBC h, SQLCHAR *dsn, SQLSMALLINT l1, SQLCHAR *uid,
                                         SQLSMALLINT l2, SQLCHAR *pwd, SQLSMALLINT l3)
{
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    int joined = 0;
    SQLRETURN r = SQL_ERROR;
    if (may_capture())
        r = connect_narrow(h, dsn, l1, uid, l2, pwd, l3, &joined);
    return joined ? r : REAL(SQLConnectA)(h, dsn, l1, uid, l2, pwd, l3);
}

ODBCTX_API SQLRETURN SQL_API SQLConnectW(SQLHDBC h, SQLWCHAR *dsn, SQLSMALLINT l1, SQLWCHAR *uid,
                                         SQLSMALLINT l2, SQLWCHAR *pwd, SQLSMALLINT l3)
{
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    int joined = 0;
    SQLRETURN r = SQL_ERROR;
    if (may_capture()) {
        size_t n;
        char *d = odbctx__cap_from_wide(dsn, l1, &n), *u = odbctx__cap_from_wide(uid, l2, &n),
             *p = odbctx__cap_from_wide(pwd, l3, &n);
        joined = d && u && p && connect_strings(d, u, p, h, &r);
        free(d);
        free(u);
        odbctx__wipe_free(p);
    }
    return joined ? r : REAL(SQLConnectW)(h, dsn, l1, uid, l2, pwd, l3);
}

/* A captured SQLDriverConnect completes to the string it was given. */
static SQLRETURN complete_narrow(SQLRETURN r, const char *in, SQLCHAR *out, SQLSMALLINT max,
                                 SQLSMALLINT *len)
{
    SQLLEN full = 0;
    if (!SQL_SUCCEEDED(r))
        return r;
    int cut = odbctx__cap_put_narrow(in, out, max, &full);
    if (len)
        *len = (SQLSMALLINT)(full > 32767 ? 32767 : full);
    return cut && out ? SQL_SUCCESS_WITH_INFO : r;
}

/* A connection string for odbctx's driver (it names a Target=): the
 * driver manager loads the driver, and the driver joins the session. One
 * way in for each connection. */
static int for_the_driver(const char *conn)
{
    char v[8];
    return odbctx_connstr_get(conn, "TARGET", v, sizeof v) != (size_t)-1;
}

static SQLRETURN driver_connect_narrow(SQLHDBC h, SQLCHAR *in, SQLSMALLINT inlen, SQLCHAR *out,
                                       SQLSMALLINT max, SQLSMALLINT *len, int *joined)
{
    size_t n;
    char *conn = odbctx__cap_narrow(in, inlen, &n);
    SQLRETURN r = SQL_ERROR;
    *joined = conn && !for_the_driver(conn) && odbctx__cap_connect(h, conn, conn, &r);
    if (*joined)
        r = complete_narrow(r, conn, out, max, len);
    odbctx__wipe_free(conn);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLDriverConnect(SQLHDBC h, SQLHWND hwnd, SQLCHAR *in,
                                              SQLSMALLINT inlen, SQLCHAR *out, SQLSMALLINT max,
                                              SQLSMALLINT *len, SQLUSMALLINT completion)
{
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    int joined = 0;
    SQLRETURN r = SQL_ERROR;
    if (may_capture())
        r = driver_connect_narrow(h, in, inlen, out, max, len, &joined);
    return joined ? r : REAL(SQLDriverConnect)(h, hwnd, in, inlen, out, max, len, completion);
}

ODBCTX_API SQLRETURN SQL_API SQLDriverConnectA(SQLHDBC h, SQLHWND hwnd, SQLCHAR *in,
                                               SQLSMALLINT inlen, SQLCHAR *out, SQLSMALLINT max,
                                               SQLSMALLINT *len, SQLUSMALLINT completion)
{
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    int joined = 0;
    SQLRETURN r = SQL_ERROR;
    if (may_capture())
        r = driver_connect_narrow(h, in, inlen, out, max, len, &joined);
    return joined ? r : REAL(SQLDriverConnectA)(h, hwnd, in, inlen, out, max, len, completion);
}

ODBCTX_API SQLRETURN SQL_API SQLDriverConnectW(SQLHDBC h, SQLHWND hwnd, SQLWCHAR *in,
                                               SQLSMALLINT inlen, SQLWCHAR *out, SQLSMALLINT max,
                                               SQLSMALLINT *len, SQLUSMALLINT completion)
{
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    int joined = 0;
    SQLRETURN r = SQL_ERROR;
    if (may_capture()) {
        size_t n;
        char *conn = odbctx__cap_from_wide(in, inlen, &n);
        joined = conn && !for_the_driver(conn) && odbctx__cap_connect(h, conn, conn, &r);
        if (joined && SQL_SUCCEEDED(r)) {
            SQLLEN full = 0;
            int cut = odbctx__cap_put_wide(conn, out, max, &full, 0);
            if (len)
                *len = (SQLSMALLINT)(full > 32767 ? 32767 : full);
            if (cut && out)
                r = SQL_SUCCESS_WITH_INFO;
        }
        odbctx__wipe_free(conn);
    }
    return joined ? r : REAL(SQLDriverConnectW)(h, hwnd, in, inlen, out, max, len, completion);
}

ODBCTX_API SQLRETURN SQL_API SQLDisconnect(SQLHDBC h)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (!CAPTURED(h, s, rec))
        return REAL(SQLDisconnect)(h);
    SQLRETURN r;
    if (is_dbc(rec)) {
        int alias = rec->conn->alias;
        odbctx__cap_disconnect(s, rec->conn);
        odbctx__trace_add(s, "captured", "SQLDisconnect", 1,
                          alias ? "the captured connection left the session"
                                : "ignored: the connection belongs to the odbctx session");
        r = SQL_SUCCESS;
    } else {
        r = REAL(SQLDisconnect)(h);
    }
    odbctx__cap_end(s);
    return r;
}

/* ---- ending transactions ---- */

/* SQLEndTran on an environment: one app-level end for the session's
 * connections in it, and the driver manager's own for the others. */
static SQLRETURN end_tran_env(SQLHENV env, SQLSMALLINT op, int odbc2)
{
    odbctx_session *s = atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed);
    SQLRETURN r = SQL_SUCCESS;
    int involved = 0, own_env = 0;
    odbctx__cap_depth++;
    if (s && (s = odbctx__enter(s, 0)) != NULL) {
        if (atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed) == s && s->capture) {
            own_env = env == s->env;
            involved = own_env;
            for (struct cap_conn *c = s->capture->conns; c; c = c->next)
                involved |= c->alias && c->env == env;
        }
        if (involved) {
            struct cap_handle *rec = odbctx__cap_find(env);
            if (!rec)
                rec = odbctx__cap_add(CAP_ENV, env, NULL);
            if (rec)
                r = odbctx__cap_end_tran(s, rec, op);
            else
                r = SQL_ERROR;
        }
        odbctx__leave(s);
    }
    /* Other connections of a legacy environment end for real (the driver
     * manager skips the captured ones: it never connected them). */
    if (!own_env) {
        SQLRETURN r2 = odbc2 ? REAL(SQLTransact)(env, SQL_NULL_HDBC, (SQLUSMALLINT)op)
                             : REAL(SQLEndTran)(SQL_HANDLE_ENV, env, op);
        if (!involved || !SQL_SUCCEEDED(r2))
            r = r2;
    }
    odbctx__cap_depth--;
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLEndTran(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT op)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (type == SQL_HANDLE_ENV && odbctx__cap_watching())
        return end_tran_env(h, op, 0);
    if (type != SQL_HANDLE_DBC || !CAPTURED(h, s, rec))
        return REAL(SQLEndTran)(type, h, op);
    SQLRETURN r = is_dbc(rec) ? odbctx__cap_end_tran(s, rec, op) : REAL(SQLEndTran)(type, h, op);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLTransact(SQLHENV env, SQLHDBC dbc, SQLUSMALLINT op)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (dbc == SQL_NULL_HDBC) {
        if (odbctx__cap_watching())
            return end_tran_env(env, (SQLSMALLINT)op, 1);
        return REAL(SQLTransact)(env, dbc, op);
    }
    if (!CAPTURED(dbc, s, rec))
        return REAL(SQLTransact)(env, dbc, op);
    SQLRETURN r = is_dbc(rec) ? odbctx__cap_end_tran(s, rec, (SQLSMALLINT)op)
                              : REAL(SQLTransact)(env, dbc, op);
    odbctx__cap_end(s);
    return r;
}

/* ---- connection attributes and options ---- */

#define SET_ATTR(fn)                                                                          \
    ODBCTX_API SQLRETURN SQL_API fn(SQLHDBC h, SQLINTEGER attr, SQLPOINTER value,             \
                                    SQLINTEGER len)                                           \
    {                                                                                         \
        odbctx_session *s;                                                                    \
        struct cap_handle *rec;                                                               \
        if (!odbctx__cap_ready())                                                             \
            return SQL_ERROR;                                                                 \
        if (!CAPTURED(h, s, rec))                                                             \
            return REAL(fn)(h, attr, value, len);                                             \
        SQLRETURN r;                                                                          \
        if (is_dbc(rec) && attr == SQL_ATTR_AUTOCOMMIT)                                       \
            r = odbctx__cap_set_autocommit(s, rec,                                            \
                                           (SQLULEN)(uintptr_t)value == SQL_AUTOCOMMIT_ON);   \
        else                                                                                  \
            r = REAL(fn)(target(s, rec), attr, value, len);                                   \
        odbctx__cap_end(s);                                                                   \
        return r;                                                                             \
    }

SET_ATTR(SQLSetConnectAttr)
SET_ATTR(SQLSetConnectAttrA)
SET_ATTR(SQLSetConnectAttrW)

static void put_autocommit(const struct cap_handle *rec, SQLPOINTER value, SQLINTEGER *len)
{
    if (value)
        *(SQLUINTEGER *)value = rec->conn->autocommit ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF;
    if (len)
        *len = (SQLINTEGER)sizeof(SQLUINTEGER);
}

#define GET_ATTR(fn)                                                                          \
    ODBCTX_API SQLRETURN SQL_API fn(SQLHDBC h, SQLINTEGER attr, SQLPOINTER value,             \
                                    SQLINTEGER max, SQLINTEGER *len)                          \
    {                                                                                         \
        odbctx_session *s;                                                                    \
        struct cap_handle *rec;                                                               \
        if (!odbctx__cap_ready())                                                             \
            return SQL_ERROR;                                                                 \
        if (!CAPTURED(h, s, rec))                                                             \
            return REAL(fn)(h, attr, value, max, len);                                        \
        SQLRETURN r = SQL_SUCCESS;                                                            \
        if (is_dbc(rec) && attr == SQL_ATTR_AUTOCOMMIT)                                       \
            put_autocommit(rec, value, len);                                                  \
        else                                                                                  \
            r = REAL(fn)(target(s, rec), attr, value, max, len);                              \
        odbctx__cap_end(s);                                                                   \
        return r;                                                                             \
    }

GET_ATTR(SQLGetConnectAttr)
GET_ATTR(SQLGetConnectAttrA)
GET_ATTR(SQLGetConnectAttrW)

#define SET_OPTION(fn)                                                                        \
    ODBCTX_API SQLRETURN SQL_API fn(SQLHDBC h, SQLUSMALLINT option, SQLULEN value)            \
    {                                                                                         \
        odbctx_session *s;                                                                    \
        struct cap_handle *rec;                                                               \
        if (!odbctx__cap_ready())                                                             \
            return SQL_ERROR;                                                                 \
        if (!CAPTURED(h, s, rec))                                                             \
            return REAL(fn)(h, option, value);                                                \
        SQLRETURN r;                                                                          \
        if (is_dbc(rec) && option == SQL_AUTOCOMMIT)                                          \
            r = odbctx__cap_set_autocommit(s, rec, value == SQL_AUTOCOMMIT_ON);               \
        else                                                                                  \
            r = REAL(fn)(target(s, rec), option, value);                                      \
        odbctx__cap_end(s);                                                                   \
        return r;                                                                             \
    }

SET_OPTION(SQLSetConnectOption)
SET_OPTION(SQLSetConnectOptionA)
SET_OPTION(SQLSetConnectOptionW)

#define GET_OPTION(fn)                                                                        \
    ODBCTX_API SQLRETURN SQL_API fn(SQLHDBC h, SQLUSMALLINT option, SQLPOINTER value)         \
    {                                                                                         \
        odbctx_session *s;                                                                    \
        struct cap_handle *rec;                                                               \
        if (!odbctx__cap_ready())                                                             \
            return SQL_ERROR;                                                                 \
        if (!CAPTURED(h, s, rec))                                                             \
            return REAL(fn)(h, option, value);                                                \
        SQLRETURN r = SQL_SUCCESS;                                                            \
        if (is_dbc(rec) && option == SQL_AUTOCOMMIT)                                          \
            put_autocommit(rec, value, NULL);                                                 \
        else                                                                                  \
            r = REAL(fn)(target(s, rec), option, value);                                      \
        odbctx__cap_end(s);                                                                   \
        return r;                                                                             \
    }

GET_OPTION(SQLGetConnectOption)
GET_OPTION(SQLGetConnectOptionA)
GET_OPTION(SQLGetConnectOptionW)

/* ---- calls that only need a connected HDBC ---- */

#define GET_INFO(fn)                                                                          \
    ODBCTX_API SQLRETURN SQL_API fn(SQLHDBC h, SQLUSMALLINT info, SQLPOINTER value,           \
                                    SQLSMALLINT max, SQLSMALLINT *len)                        \
    {                                                                                         \
        odbctx_session *s;                                                                    \
        struct cap_handle *rec;                                                               \
        if (!odbctx__cap_ready())                                                             \
            return SQL_ERROR;                                                                 \
        if (!CAPTURED(h, s, rec))                                                             \
            return REAL(fn)(h, info, value, max, len);                                        \
        SQLRETURN r = REAL(fn)(target(s, rec), info, value, max, len);                        \
        odbctx__cap_end(s);                                                                   \
        return r;                                                                             \
    }

GET_INFO(SQLGetInfo)
GET_INFO(SQLGetInfoA)
GET_INFO(SQLGetInfoW)

ODBCTX_API SQLRETURN SQL_API SQLGetFunctions(SQLHDBC h, SQLUSMALLINT id, SQLUSMALLINT *supported)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (!CAPTURED(h, s, rec))
        return REAL(SQLGetFunctions)(h, id, supported);
    SQLRETURN r = REAL(SQLGetFunctions)(target(s, rec), id, supported);
    odbctx__cap_end(s);
    return r;
}

#define NATIVE_SQL(fn, CH)                                                                    \
    ODBCTX_API SQLRETURN SQL_API fn(SQLHDBC h, CH *in, SQLINTEGER inlen, CH *out,             \
                                    SQLINTEGER max, SQLINTEGER *len)                          \
    {                                                                                         \
        odbctx_session *s;                                                                    \
        struct cap_handle *rec;                                                               \
        if (!odbctx__cap_ready())                                                             \
            return SQL_ERROR;                                                                 \
        if (!CAPTURED(h, s, rec))                                                             \
            return REAL(fn)(h, in, inlen, out, max, len);                                     \
        SQLRETURN r = REAL(fn)(target(s, rec), in, inlen, out, max, len);                     \
        odbctx__cap_end(s);                                                                   \
        return r;                                                                             \
    }

NATIVE_SQL(SQLNativeSql, SQLCHAR)
NATIVE_SQL(SQLNativeSqlA, SQLCHAR)
NATIVE_SQL(SQLNativeSqlW, SQLWCHAR)

/* odbctx__cap_<name> for driver.c (capture.h) */
CAP_ALIAS(SQLAllocHandle)
CAP_ALIAS(SQLFreeHandle)
CAP_ALIAS(SQLEndTran)
CAP_ALIAS(SQLTransact)
