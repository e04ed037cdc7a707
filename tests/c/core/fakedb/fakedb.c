/*
 * A minimal ODBC driver for a DBMS odbctx does not know: it connects, says
 * it is "FakeDB" (or what FAKEDB_NAME= in the connection string says) and
 * does nothing else. The core suite loads it with Driver=<path>/libodbctx_fakedb.so
 * to see odbctx refuse an unknown DBMS through the real connect path.
 *
 * Built by the Makefile into $(BUILD)/fakedb/; not linked against libodbc:
 * the driver manager finds these entry points by name in this library.
 */
#include <sql.h>
#include <sqlext.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXPORT __attribute__((visibility("default")))

struct fake_dbc {
    char dbms_name[64];
    int connected;
};

static void copy_out(const char *text, SQLPOINTER out, SQLSMALLINT n, SQLSMALLINT *len)
{
    size_t l = strlen(text);
    if (len)
        *len = (SQLSMALLINT)l;
    if (out && n > 0) {
        size_t c = l < (size_t)n - 1 ? l : (size_t)n - 1;
        memcpy(out, text, c);
        ((char *)out)[c] = '\0';
    }
}

EXPORT SQLRETURN SQLAllocHandle(SQLSMALLINT type, SQLHANDLE in, SQLHANDLE *out)
{
    (void)in;
    if (type == SQL_HANDLE_DBC) {
        struct fake_dbc *d = calloc(1, sizeof *d);
        strcpy(d->dbms_name, "FakeDB");
        *out = d;
    } else {
        *out = calloc(1, 16);
    }
    return *out ? SQL_SUCCESS : SQL_ERROR;
}

EXPORT SQLRETURN SQLFreeHandle(SQLSMALLINT type, SQLHANDLE h)
{
    (void)type;
    free(h);
    return SQL_SUCCESS;
}

EXPORT SQLRETURN SQLSetEnvAttr(SQLHENV env, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len)
{
    (void)env, (void)attr, (void)value, (void)len;
    return SQL_SUCCESS;
}

EXPORT SQLRETURN SQLSetConnectAttr(SQLHDBC dbc, SQLINTEGER attr, SQLPOINTER value, SQLINTEGER len)
{
    (void)dbc, (void)attr, (void)value, (void)len;
    return SQL_SUCCESS;
}

EXPORT SQLRETURN SQLDriverConnect(SQLHDBC dbc, SQLHWND wnd, SQLCHAR *in, SQLSMALLINT in_len,
                                  SQLCHAR *out, SQLSMALLINT out_max, SQLSMALLINT *out_len,
                                  SQLUSMALLINT completion)
{
    struct fake_dbc *d = dbc;
    (void)wnd, (void)completion;
    size_t n = in_len == SQL_NTS ? strlen((char *)in) : (size_t)in_len;
    const char *key = "FAKEDB_NAME=";
    for (size_t i = 0; i + strlen(key) <= n; i++) {
        if (strncasecmp((char *)in + i, key, strlen(key)) == 0) {
            size_t k = 0;
            for (i += strlen(key); i < n && in[i] != ';' && k + 1 < sizeof d->dbms_name; i++)
                d->dbms_name[k++] = (char)in[i];
            d->dbms_name[k] = '\0';
            break;
        }
    }
    d->connected = 1;
    copy_out("DRIVER=fakedb;", out, out_max, out_len);
    return SQL_SUCCESS;
}

EXPORT SQLRETURN SQLDisconnect(SQLHDBC dbc)
{
    ((struct fake_dbc *)dbc)->connected = 0;
    return SQL_SUCCESS;
}

EXPORT SQLRETURN SQLGetInfo(SQLHDBC dbc, SQLUSMALLINT what, SQLPOINTER out, SQLSMALLINT n,
                            SQLSMALLINT *len)
{
    struct fake_dbc *d = dbc;
    switch (what) {
    case SQL_DBMS_NAME:
        copy_out(d->dbms_name, out, n, len);
        return SQL_SUCCESS;
    case SQL_DBMS_VER:
        copy_out("01.00.0000", out, n, len);
        return SQL_SUCCESS;
    case SQL_DRIVER_ODBC_VER:
        copy_out("03.00", out, n, len);
        return SQL_SUCCESS;
    case SQL_TXN_CAPABLE:
        *(SQLUSMALLINT *)out = SQL_TC_ALL;
        return SQL_SUCCESS;
    default:
        return SQL_ERROR;
    }
}

EXPORT SQLRETURN SQLEndTran(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT op)
{
    (void)type, (void)h, (void)op;
    return SQL_SUCCESS;
}

EXPORT SQLRETURN SQLGetDiagRec(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT rec, SQLCHAR *state,
                               SQLINTEGER *native, SQLCHAR *msg, SQLSMALLINT n, SQLSMALLINT *len)
{
    (void)type, (void)h, (void)rec, (void)state, (void)native, (void)msg, (void)n, (void)len;
    return SQL_NO_DATA;
}
