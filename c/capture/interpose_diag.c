/*
 * Exported diagnostics entry points. When capture refused something or an
 * emulated commit failed, the error is odbctx's, posted on the
 * application's handle (capture.c): it is reported as that handle's only
 * record, the way the driver manager would report its own. On a captured
 * HDBC the rest comes from the session's HDBC, where its calls really ran.
 */
#include "capture/capture.h"

#include <string.h>

static SQLHANDLE diag_target(odbctx_session *s, const struct cap_handle *rec)
{
    return rec->kind == CAP_DBC && rec->conn && rec->conn->alias ? s->dbc : rec->h;
}

static SQLRETURN rec_narrow(const struct cap_diag *d, SQLSMALLINT recno, SQLCHAR *state,
                            SQLINTEGER *native, SQLCHAR *msg, SQLSMALLINT max, SQLSMALLINT *len)
{
    if (recno < 1)
        return SQL_ERROR;
    if (recno > 1)
        return SQL_NO_DATA;
    if (state)
        memcpy(state, d->sqlstate, 6);
    if (native)
        *native = (SQLINTEGER)d->native;
    SQLLEN full = 0;
    int cut = odbctx__cap_put_narrow(d->message, msg, max, &full);
    if (len)
        *len = (SQLSMALLINT)full;
    return cut && msg ? SQL_SUCCESS_WITH_INFO : SQL_SUCCESS;
}

static SQLRETURN rec_wide(const struct cap_diag *d, SQLSMALLINT recno, SQLWCHAR *state,
                          SQLINTEGER *native, SQLWCHAR *msg, SQLSMALLINT max, SQLSMALLINT *len)
{
    if (recno < 1)
        return SQL_ERROR;
    if (recno > 1)
        return SQL_NO_DATA;
    if (state)
        odbctx__cap_put_wide(d->sqlstate, state, 6, NULL, 0);
    if (native)
        *native = (SQLINTEGER)d->native;
    SQLLEN full = 0;
    int cut = odbctx__cap_put_wide(d->message, msg, max, &full, 0);
    if (len)
        *len = (SQLSMALLINT)full;
    return cut && msg ? SQL_SUCCESS_WITH_INFO : SQL_SUCCESS;
}

#define GET_DIAG_REC(fn, CH, fill)                                                            \
    ODBCTX_API SQLRETURN SQL_API fn(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT recno,         \
                                    CH *state, SQLINTEGER *native, CH *msg, SQLSMALLINT max,  \
                                    SQLSMALLINT *len)                                         \
    {                                                                                         \
        odbctx_session *s;                                                                    \
        struct cap_handle *rec;                                                               \
        if (!odbctx__cap_ready())                                                             \
            return SQL_ERROR;                                                                 \
        if (!CAPTURED(h, s, rec))                                                             \
            return REAL(fn)(type, h, recno, state, native, msg, max, len);                    \
        SQLRETURN r;                                                                          \
        if (odbctx__cap_diag_current(rec))                                                    \
            r = fill(rec->diag, recno, state, native, msg, max, len);                         \
        else                                                                                  \
            r = REAL(fn)(type, diag_target(s, rec), recno, state, native, msg, max, len);     \
        odbctx__cap_end(s);                                                                   \
        return r;                                                                             \
    }

GET_DIAG_REC(SQLGetDiagRec, SQLCHAR, rec_narrow)
GET_DIAG_REC(SQLGetDiagRecA, SQLCHAR, rec_narrow)
GET_DIAG_REC(SQLGetDiagRecW, SQLWCHAR, rec_wide)

/* One field of odbctx's record. Strings are bytes in both forms (ODBC
 * counts SQLGetDiagFieldW's lengths in bytes). */
static SQLRETURN field(const struct cap_diag *d, SQLSMALLINT recno, SQLSMALLINT id,
                       SQLPOINTER value, SQLSMALLINT max, SQLSMALLINT *len, int wide)
{
    const char *text = NULL;
    switch (id) {
    case SQL_DIAG_NUMBER:
        if (value)
            *(SQLINTEGER *)value = 1;
        return SQL_SUCCESS;
    case SQL_DIAG_RETURNCODE:
        if (value)
            *(SQLRETURN *)value = SQL_ERROR;
        return SQL_SUCCESS;
    case SQL_DIAG_ROW_COUNT:
    case SQL_DIAG_CURSOR_ROW_COUNT:
        if (value)
            *(SQLLEN *)value = 0;
        return SQL_SUCCESS;
    case SQL_DIAG_DYNAMIC_FUNCTION_CODE:
        if (value)
            *(SQLINTEGER *)value = SQL_DIAG_UNKNOWN_STATEMENT;
        return SQL_SUCCESS;
    case SQL_DIAG_DYNAMIC_FUNCTION:
        text = "";
        break;
    default:
        if (recno < 1)
            return SQL_ERROR;
        if (recno > 1)
            return SQL_NO_DATA;
        switch (id) {
        case SQL_DIAG_SQLSTATE: text = d->sqlstate; break;
        case SQL_DIAG_MESSAGE_TEXT: text = d->message; break;
        case SQL_DIAG_CLASS_ORIGIN:
        case SQL_DIAG_SUBCLASS_ORIGIN: text = "ISO 9075"; break;
        case SQL_DIAG_CONNECTION_NAME:
        case SQL_DIAG_SERVER_NAME: text = ""; break;
        case SQL_DIAG_NATIVE:
            if (value)
                *(SQLINTEGER *)value = (SQLINTEGER)d->native;
            return SQL_SUCCESS;
        case SQL_DIAG_COLUMN_NUMBER:
            if (value)
                *(SQLINTEGER *)value = SQL_NO_COLUMN_NUMBER;
            return SQL_SUCCESS;
        case SQL_DIAG_ROW_NUMBER:
            if (value)
                *(SQLLEN *)value = SQL_NO_ROW_NUMBER;
            return SQL_SUCCESS;
        default:
            return SQL_ERROR;
        }
    }
    SQLLEN full = 0;
    int cut = wide ? odbctx__cap_put_wide(text, value, max, &full, 1)
                   : odbctx__cap_put_narrow(text, value, max, &full);
    if (len)
        *len = (SQLSMALLINT)full;
    return cut && value ? SQL_SUCCESS_WITH_INFO : SQL_SUCCESS;
}

#define GET_DIAG_FIELD(fn, wide)                                                              \
    ODBCTX_API SQLRETURN SQL_API fn(SQLSMALLINT type, SQLHANDLE h, SQLSMALLINT recno,         \
                                    SQLSMALLINT id, SQLPOINTER value, SQLSMALLINT max,        \
                                    SQLSMALLINT *len)                                         \
    {                                                                                         \
        odbctx_session *s;                                                                    \
        struct cap_handle *rec;                                                               \
        if (!odbctx__cap_ready())                                                             \
            return SQL_ERROR;                                                                 \
        if (!CAPTURED(h, s, rec))                                                             \
            return REAL(fn)(type, h, recno, id, value, max, len);                             \
        SQLRETURN r = odbctx__cap_diag_current(rec)                                           \
                          ? field(rec->diag, recno, id, value, max, len, wide)                \
                                : REAL(fn)(type, diag_target(s, rec), recno, id, value, max,  \
                                           len);                                              \
        odbctx__cap_end(s);                                                                   \
        return r;                                                                             \
    }

GET_DIAG_FIELD(SQLGetDiagField, 0)
GET_DIAG_FIELD(SQLGetDiagFieldA, 0)
GET_DIAG_FIELD(SQLGetDiagFieldW, 1)

/* ODBC 2: SQLError reports the most specific handle given and removes the
 * record it returns. */
#define SQL_ERROR_FN(fn, CH, fill)                                                            \
    ODBCTX_API SQLRETURN SQL_API fn(SQLHENV env, SQLHDBC dbc, SQLHSTMT stmt, CH *state,       \
                                    SQLINTEGER *native, CH *msg, SQLSMALLINT max,             \
                                    SQLSMALLINT *len)                                         \
    {                                                                                         \
        odbctx_session *s;                                                                    \
        struct cap_handle *rec;                                                               \
        SQLHANDLE h = stmt ? stmt : dbc ? dbc : env;                                          \
        if (!odbctx__cap_ready())                                                             \
            return SQL_ERROR;                                                                 \
        if (!CAPTURED(h, s, rec))                                                             \
            return REAL(fn)(env, dbc, stmt, state, native, msg, max, len);                    \
        SQLRETURN r;                                                                          \
        if (odbctx__cap_diag_current(rec)) {                                                  \
            r = fill(rec->diag, 1, state, native, msg, max, len);                             \
            odbctx__cap_clear_diag(rec);                                                      \
        } else if (!stmt && dbc && h == dbc) {                                                \
            r = REAL(fn)(SQL_NULL_HENV, diag_target(s, rec), SQL_NULL_HSTMT, state, native,   \
                         msg, max, len);                                                      \
        } else {                                                                              \
            r = REAL(fn)(env, dbc, stmt, state, native, msg, max, len);                       \
        }                                                                                     \
        odbctx__cap_end(s);                                                                   \
        return r;                                                                             \
    }

SQL_ERROR_FN(SQLError, SQLCHAR, rec_narrow)
SQL_ERROR_FN(SQLErrorA, SQLCHAR, rec_narrow)
SQL_ERROR_FN(SQLErrorW, SQLWCHAR, rec_wide)

/* odbctx__cap_<name> for driver.c (capture.h) */
CAP_ALIAS(SQLGetDiagRec)
CAP_ALIAS(SQLGetDiagRecW)
CAP_ALIAS(SQLGetDiagField)
CAP_ALIAS(SQLGetDiagFieldW)
CAP_ALIAS(SQLError)
CAP_ALIAS(SQLErrorW)
