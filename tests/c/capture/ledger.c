#include "ledger.h"

#include <sqlext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ledger {
    SQLHENV env; /* NULL when attached to someone else's connection */
    SQLHDBC dbc;
    char prefix[64];
    char sqlstate[6];
    char error[1024];
};

static int failed(struct ledger *l, SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    SQLCHAR state[6] = "", msg[900] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len);
    snprintf(l->sqlstate, sizeof l->sqlstate, "%s", (char *)state);
    snprintf(l->error, sizeof l->error, "%s: %s %s", what, (char *)state, (char *)msg);
    return LEDGER_EDB;
}

/* The error path every legacy function shares: remember why, roll back. */
static int rollback(struct ledger *l, int rc)
{
    SQLEndTran(SQL_HANDLE_DBC, l->dbc, SQL_ROLLBACK);
    return rc;
}

static int commit(struct ledger *l)
{
    if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, l->dbc, SQL_COMMIT)))
        return rollback(l, failed(l, SQL_HANDLE_DBC, l->dbc, "commit"));
    return LEDGER_OK;
}

static int exec(struct ledger *l, const char *sql)
{
    SQLHSTMT st;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, l->dbc, &st)))
        return failed(l, SQL_HANDLE_DBC, l->dbc, "SQLAllocHandle");
    int rc = LEDGER_OK;
    SQLRETURN r = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
    if (!SQL_SUCCEEDED(r) && r != SQL_NO_DATA)
        rc = failed(l, SQL_HANDLE_STMT, st, sql);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return rc;
}

static int query_long(struct ledger *l, const char *sql, long *out)
{
    SQLHSTMT st;
    SQLLEN v = 0, ind = 0;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, l->dbc, &st)))
        return failed(l, SQL_HANDLE_DBC, l->dbc, "SQLAllocHandle");
    int rc = LEDGER_OK;
    if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS)))
        rc = failed(l, SQL_HANDLE_STMT, st, sql);
    else if (!SQL_SUCCEEDED(SQLFetch(st)) ||
             !SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SLONG, &v, 0, &ind)))
        rc = failed(l, SQL_HANDLE_STMT, st, sql);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    *out = ind == SQL_NULL_DATA ? 0 : (long)(int)v;
    return rc;
}

static int setup(struct ledger *l, const char *prefix)
{
    snprintf(l->prefix, sizeof l->prefix, "%s", prefix ? prefix : "");
    if (!SQL_SUCCEEDED(SQLSetConnectAttr(l->dbc, SQL_ATTR_AUTOCOMMIT,
                                         (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0)))
        return failed(l, SQL_HANDLE_DBC, l->dbc, "autocommit off");
    return LEDGER_OK;
}

int ledger_open(struct ledger **out, const char *conn, const char *prefix)
{
    struct ledger *l = calloc(1, sizeof *l);
    *out = l;
    if (!l)
        return LEDGER_EDB;
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &l->env);
    SQLSetEnvAttr(l->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, l->env, &l->dbc);
    SQLRETURN r;
    if (strchr(conn, '='))
        r = SQLDriverConnect(l->dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
                             SQL_DRIVER_NOPROMPT);
    else
        r = SQLConnect(l->dbc, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL, 0);
    if (!SQL_SUCCEEDED(r))
        return failed(l, SQL_HANDLE_DBC, l->dbc, "connect");
    return setup(l, prefix);
}

int ledger_attach(struct ledger **out, SQLHDBC dbc, const char *prefix)
{
    struct ledger *l = calloc(1, sizeof *l);
    *out = l;
    if (!l)
        return LEDGER_EDB;
    l->dbc = dbc;
    return setup(l, prefix);
}

void ledger_close(struct ledger *l)
{
    if (!l)
        return;
    if (l->env) {
        /* What is not committed is dropped (SQLite refuses to disconnect
         * in the middle of a transaction). */
        SQLEndTran(SQL_HANDLE_DBC, l->dbc, SQL_ROLLBACK);
        SQLDisconnect(l->dbc);
        SQLFreeHandle(SQL_HANDLE_DBC, l->dbc);
        SQLFreeHandle(SQL_HANDLE_ENV, l->env);
    }
    free(l);
}

SQLHDBC ledger_dbc(struct ledger *l)
{
    return l->dbc;
}

SQLHENV ledger_env(struct ledger *l)
{
    return l->env;
}

int ledger_create_tables(struct ledger *l)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE TABLE %saccount (id INTEGER PRIMARY KEY, owner VARCHAR(40) NOT NULL)",
             l->prefix);
    int rc = exec(l, sql);
    if (rc == LEDGER_OK) {
        snprintf(sql, sizeof sql,
                 "CREATE TABLE %sentry (account INTEGER NOT NULL REFERENCES %saccount(id), "
                 "amount INTEGER NOT NULL)",
                 l->prefix, l->prefix);
        rc = exec(l, sql);
    }
    return rc == LEDGER_OK ? commit(l) : rollback(l, rc);
}

int ledger_drop_tables(struct ledger *l)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP TABLE %sentry", l->prefix);
    int rc = exec(l, sql);
    snprintf(sql, sizeof sql, "DROP TABLE %saccount", l->prefix);
    int rc2 = exec(l, sql);
    commit(l);
    return rc ? rc : rc2;
}

int ledger_add_account(struct ledger *l, int id, const char *owner)
{
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO %saccount (id, owner) VALUES (%d, '%s')", l->prefix, id,
             owner);
    int rc = exec(l, sql);
    return rc == LEDGER_OK ? commit(l) : rollback(l, rc);
}

/* A prepared INSERT with bound parameters, as careful legacy code does. */
static int insert_entry(struct ledger *l, int account, int amount)
{
    char sql[256];
    SQLHSTMT st;
    SQLINTEGER a = account, m = amount;
    snprintf(sql, sizeof sql, "INSERT INTO %sentry (account, amount) VALUES (?, ?)", l->prefix);
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, l->dbc, &st)))
        return failed(l, SQL_HANDLE_DBC, l->dbc, "SQLAllocHandle");
    int rc = LEDGER_OK;
    if (!SQL_SUCCEEDED(SQLPrepare(st, (SQLCHAR *)sql, SQL_NTS)) ||
        !SQL_SUCCEEDED(SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &a,
                                        0, NULL)) ||
        !SQL_SUCCEEDED(SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &m,
                                        0, NULL)) ||
        !SQL_SUCCEEDED(SQLExecute(st)))
        rc = failed(l, SQL_HANDLE_STMT, st, sql);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return rc;
}

int ledger_post(struct ledger *l, int account, int amount)
{
    int rc = insert_entry(l, account, amount);
    return rc == LEDGER_OK ? commit(l) : rollback(l, rc);
}

int ledger_transfer(struct ledger *l, int from, int to, int amount)
{
    long balance = 0;
    int rc = insert_entry(l, from, -amount);
    if (rc == LEDGER_OK)
        rc = ledger_balance(l, from, &balance);
    if (rc == LEDGER_OK && balance < 0) {
        snprintf(l->error, sizeof l->error, "account %d would be overdrawn", from);
        return rollback(l, LEDGER_EFUNDS);
    }
    if (rc == LEDGER_OK)
        rc = insert_entry(l, to, amount);
    return rc == LEDGER_OK ? commit(l) : rollback(l, rc);
}

int ledger_post_autocommit(struct ledger *l, int account, int amount)
{
    if (!SQL_SUCCEEDED(SQLSetConnectAttr(l->dbc, SQL_ATTR_AUTOCOMMIT,
                                         (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0)))
        return failed(l, SQL_HANDLE_DBC, l->dbc, "autocommit on");
    int rc = insert_entry(l, account, amount);
    SQLSetConnectAttr(l->dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0);
    return rc;
}

int ledger_post_batch(struct ledger *l, int account, const int *amounts, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = insert_entry(l, account, amounts[i]);
        if (rc != LEDGER_OK) {
            exec(l, "ROLLBACK");
            return rc;
        }
    }
    return exec(l, "COMMIT");
}

int ledger_post_explicit(struct ledger *l, int account, int amount, const char *begin)
{
    if (!SQL_SUCCEEDED(SQLSetConnectAttr(l->dbc, SQL_ATTR_AUTOCOMMIT,
                                         (SQLPOINTER)SQL_AUTOCOMMIT_ON, 0)))
        return failed(l, SQL_HANDLE_DBC, l->dbc, "autocommit on");
    int rc = exec(l, begin);
    if (rc == LEDGER_OK)
        rc = insert_entry(l, account, amount);
    if (rc == LEDGER_OK)
        rc = exec(l, "COMMIT");
    else
        exec(l, "ROLLBACK");
    SQLSetConnectAttr(l->dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0);
    return rc;
}

int ledger_balance(struct ledger *l, int account, long *out)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COALESCE(SUM(amount), 0) FROM %sentry WHERE account = %d",
             l->prefix, account);
    return query_long(l, sql, out);
}

int ledger_count(struct ledger *l, const char *table, long *out)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s%s", l->prefix, table);
    return query_long(l, sql, out);
}

int ledger_exec(struct ledger *l, const char *sql)
{
    l->sqlstate[0] = l->error[0] = '\0';
    return exec(l, sql);
}

const char *ledger_error(const struct ledger *l)
{
    return l->error;
}

const char *ledger_sqlstate(const struct ledger *l)
{
    return l->sqlstate;
}
