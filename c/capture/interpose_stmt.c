/*
 * Exported SQLExecDirect, SQLPrepare (plain, A and W) and SQLExecute.
 * On a statement of the capturing session the SQL is classified and its
 * transaction control emulated (capture/exec.c); anything else goes
 * straight to the driver manager.
 */
#include "capture/capture.h"

#include <stdlib.h>

static int is_stmt(const struct cap_handle *rec)
{
    return rec->kind == CAP_STMT;
}

/* narrow: the application's bytes, classified as they are. */
static SQLRETURN exec_narrow(odbctx_session *s, struct cap_handle *rec, SQLCHAR *sql,
                             SQLINTEGER len, int prepare)
{
    size_t n = 0;
    char *copy = odbctx__cap_narrow(sql, len, &n);
    if (!copy)
        return prepare ? REAL(SQLPrepare)(rec->h, sql, len) : REAL(SQLExecDirect)(rec->h, sql, len);
    struct cap_text t = {copy, n, 0};
    SQLRETURN r = prepare ? odbctx__cap_prepare(s, rec, &t, sql, len)
                          : odbctx__cap_exec_direct(s, rec, &t, sql, len);
    free(copy);
    return r;
}

static SQLRETURN exec_wide(odbctx_session *s, struct cap_handle *rec, SQLWCHAR *sql,
                           SQLINTEGER len, int prepare)
{
    size_t n = 0;
    char *copy = odbctx__cap_from_wide(sql, len, &n);
    if (!copy)
        return prepare ? REAL(SQLPrepareW)(rec->h, sql, len)
                       : REAL(SQLExecDirectW)(rec->h, sql, len);
    struct cap_text t = {copy, n, 1};
    SQLRETURN r = prepare ? odbctx__cap_prepare(s, rec, &t, sql, len)
                          : odbctx__cap_exec_direct(s, rec, &t, sql, len);
    free(copy);
    return r;
}

/* Every entry point that runs a statement first releases a test savepoint
 * kept between tests (levels.c), whoever calls it and on whatever handle:
 * one load of a pointer that is NULL inside tests. */
ODBCTX_API SQLRETURN SQL_API SQLExecDirect(SQLHSTMT h, SQLCHAR *sql, SQLINTEGER len)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    odbctx__settle_any();
    if (!CAPTURED(h, s, rec))
        return REAL(SQLExecDirect)(h, sql, len);
    SQLRETURN r = is_stmt(rec) ? exec_narrow(s, rec, sql, len, 0) : REAL(SQLExecDirect)(h, sql, len);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLExecDirectA(SQLHSTMT h, SQLCHAR *sql, SQLINTEGER len)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    odbctx__settle_any();
    if (!CAPTURED(h, s, rec))
        return REAL(SQLExecDirectA)(h, sql, len);
    SQLRETURN r = is_stmt(rec) ? exec_narrow(s, rec, sql, len, 0) : REAL(SQLExecDirectA)(h, sql, len);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLExecDirectW(SQLHSTMT h, SQLWCHAR *sql, SQLINTEGER len)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    odbctx__settle_any();
    if (!CAPTURED(h, s, rec))
        return REAL(SQLExecDirectW)(h, sql, len);
    SQLRETURN r = is_stmt(rec) ? exec_wide(s, rec, sql, len, 0) : REAL(SQLExecDirectW)(h, sql, len);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLPrepare(SQLHSTMT h, SQLCHAR *sql, SQLINTEGER len)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (!CAPTURED(h, s, rec))
        return REAL(SQLPrepare)(h, sql, len);
    SQLRETURN r = is_stmt(rec) ? exec_narrow(s, rec, sql, len, 1) : REAL(SQLPrepare)(h, sql, len);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLPrepareA(SQLHSTMT h, SQLCHAR *sql, SQLINTEGER len)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (!CAPTURED(h, s, rec))
        return REAL(SQLPrepareA)(h, sql, len);
    SQLRETURN r = is_stmt(rec) ? exec_narrow(s, rec, sql, len, 1) : REAL(SQLPrepareA)(h, sql, len);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLPrepareW(SQLHSTMT h, SQLWCHAR *sql, SQLINTEGER len)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    if (!CAPTURED(h, s, rec))
        return REAL(SQLPrepareW)(h, sql, len);
    SQLRETURN r = is_stmt(rec) ? exec_wide(s, rec, sql, len, 1) : REAL(SQLPrepareW)(h, sql, len);
    odbctx__cap_end(s);
    return r;
}

ODBCTX_API SQLRETURN SQL_API SQLExecute(SQLHSTMT h)
{
    odbctx_session *s;
    struct cap_handle *rec;
    if (!odbctx__cap_ready())
        return SQL_ERROR;
    odbctx__settle_any();
    if (!CAPTURED(h, s, rec))
        return REAL(SQLExecute)(h);
    SQLRETURN r = is_stmt(rec) ? odbctx__cap_execute(s, rec) : REAL(SQLExecute)(h);
    odbctx__cap_end(s);
    return r;
}
