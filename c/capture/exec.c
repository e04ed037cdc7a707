/*
 * Captured SQL: a statement classified as transaction control is turned
 * into app-level savepoint restarts; anything else runs at the test's level.
 */
#include "capture/capture.h"
#include "extras/extras.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Transaction control is not sent, but the application's statement must
 * still end up executed without a result set, as after a real COMMIT: code
 * such as pyodbc asks SQLNumResultCols next, which the driver manager
 * refuses on a statement that never ran. These do nothing, return no rows
 * and leave the transaction alone. (MariaDB's connector refuses DO.) */

static int is_control(enum odbctx_sql_kind k)
{
    return k == ODBCTX_SQL_COMMIT || k == ODBCTX_SQL_ROLLBACK || k == ODBCTX_SQL_BEGIN ||
           k == ODBCTX_SQL_AUTOCOMMIT_ON || k == ODBCTX_SQL_AUTOCOMMIT_OFF;
}

static int is_refused(const struct odbctx_sql_stmt *st)
{
    return st->kind == ODBCTX_SQL_UNSUPPORTED || st->kind == ODBCTX_SQL_IMPLICIT_COMMIT ||
           st->clash;
}

static struct cap_conn *conn_of(odbctx_session *s, struct cap_handle *rec)
{
    return rec->conn ? rec->conn : s->capture->conns;
}

/* A NUL-terminated copy of part of the text, for the trace and messages. */
static char *piece(const struct cap_text *t, size_t off, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, t->sql + off, len);
        p[len] = '\0';
    }
    return p;
}

static void stmt_message(SQLHSTMT h, char *out, size_t n)
{
    SQLCHAR state[6] = "", msg[512] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (SQL_SUCCEEDED(REAL(SQLGetDiagRec)(SQL_HANDLE_STMT, h, 1, state, &native, msg,
                                          sizeof msg, &len)))
        snprintf(out, n, "%s (SQLSTATE %s)", (char *)msg, (char *)state);
    else
        snprintf(out, n, "failed (no diagnostic)");
}

static int ran_ok(SQLRETURN r)
{
    return SQL_SUCCEEDED(r) || r == SQL_NO_DATA || r == SQL_NEED_DATA || r == SQL_STILL_EXECUTING;
}

static void trace_stmt(odbctx_session *s, const char *sql, SQLRETURN r, SQLHSTMT h)
{
    char msg[700];
    int ok = ran_ok(r);
    if (!ok)
        stmt_message(h, msg, sizeof msg);
    odbctx__trace_add(s, "captured", sql, ok, ok ? NULL : msg);
}

static void trace_refusal(odbctx_session *s, const char *sql, struct cap_handle *rec)
{
    odbctx__trace_add(s, "captured", sql, 0, rec->diag ? rec->diag->message : "refused");
}

/* Connections share the session's one transaction: when c ends it (a
 * commit, a rollback, or its autocommit), what another connection has not
 * committed yet ends with it, which that connection's own rollback then no
 * longer undoes (commit) or does not expect (rollback). Said in the trace
 * at the statement where it happens, and so in a failure's report. */
static void shared_end(odbctx_session *s, struct cap_conn *c, int commit)
{
    for (struct cap_conn *o = s->capture->conns; o; o = o->next) {
        if (o == c || !o->pending)
            continue;
        char note[400];
        snprintf(note, sizeof note,
                 commit ? "connection %d's uncommitted work was committed with connection %d's "
                          "(one transaction under odbctx): a rollback on connection %d no longer "
                          "undoes it"
                        : "connection %d's uncommitted work was rolled back with connection "
                          "%d's (one transaction under odbctx), not by connection %d itself",
                 o->number, c->number, o->number);
        odbctx__trace_add(s, "odbctx", "two connections, one transaction", 1, note);
        o->pending = 0;
    }
    c->pending = 0;
}

/* App-level commit or rollback for the captured code. */
static SQLRETURN app_end(odbctx_session *s, struct cap_handle *rec, int commit, const char *what)
{
    if (!s->in_test)
        return odbctx__cap_fail(rec, "25000",
                                "%s outside a test: capture turns commits and rollbacks into "
                                "savepoint restarts inside a test; begin one first "
                                "(odbctx_begin_test). Nothing was committed",
                                what);
    shared_end(s, conn_of(s, rec), commit);
    int rc = commit ? odbctx__app_commit(s) : odbctx__app_rollback(s);
    if (rc)
        return odbctx__cap_fail_session(s, rec, what);
    return SQL_SUCCESS;
}

/* Virtual autocommit: after each statement the app level is committed
 * (released and opened anew) on success and rolled back on failure, which
 * also brings a PostgreSQL transaction that the failure aborted back. */
static SQLRETURN autocommit_after(odbctx_session *s, struct cap_handle *rec, SQLRETURN r,
                                  const char *sql)
{
    struct cap_conn *c = conn_of(s, rec);
    if (!c->autocommit || c->explicit_txn || !s->in_test) {
        if ((SQL_SUCCEEDED(r) || r == SQL_NO_DATA) && !odbctx_sql_only_reads(sql))
            c->pending = 1;
        return r;
    }
    if (r == SQL_NEED_DATA || r == SQL_STILL_EXECUTING || r == SQL_PARAM_DATA_AVAILABLE)
        return r;
    shared_end(s, c, SQL_SUCCEEDED(r) || r == SQL_NO_DATA);
    if (SQL_SUCCEEDED(r) || r == SQL_NO_DATA) {
        if (odbctx__app_commit(s) != 0)
            return odbctx__cap_fail_session(s, rec, "autocommit after the statement");
        return r;
    }
    odbctx__app_rollback(s);
    return r;
}

static SQLRETURN refuse(odbctx_session *s, struct cap_handle *rec, const struct cap_text *t,
                        const struct odbctx_sql_stmt *st)
{
    char *sql = piece(t, st->off, st->len);
    const char *shown = sql ? sql : "(statement)";
    if (st->clash)
        odbctx__cap_fail(rec, "3B001",
                         "%s: savepoint names beginning with \"" ODBCTX_SAVEPOINT_PREFIX
                         "\" are odbctx's own; rename the savepoint. Nothing was run",
                         shown);
    else if (st->kind == ODBCTX_SQL_IMPLICIT_COMMIT)
        odbctx__cap_fail(rec, "25000",
                         "%s: on MariaDB and MySQL this statement commits the transaction "
                         "implicitly, which would end the test's isolation. Create tables "
                         "before the tests (odbctx_schema_file) or use a TEMPORARY table. "
                         "Nothing was run",
                         shown);
    else
        odbctx__cap_fail(rec, "25000",
                         "%s: odbctx cannot emulate this transaction control inside a test "
                         "(two-phase commit, SET autocommit to an expression or together with "
                         "other variables, or transaction control inside a compound "
                         "statement). Nothing was run",
                         shown);
    trace_refusal(s, shown, rec);
    free(sql);
    return SQL_ERROR;
}

/* COMMIT, ROLLBACK, BEGIN, SET autocommit as the captured code sent them. */
static SQLRETURN control(odbctx_session *s, struct cap_handle *rec,
                         const struct odbctx_sql_stmt *st, const char *text)
{
    struct cap_conn *c = conn_of(s, rec);
    SQLRETURN r = SQL_SUCCESS;
    const char *did = "";
    int in_test = s->in_test;
    switch (st->kind) {
    case ODBCTX_SQL_COMMIT:
    case ODBCTX_SQL_ROLLBACK:
        r = app_end(s, rec, st->kind == ODBCTX_SQL_COMMIT, text);
        c->explicit_txn = st->chain && c->autocommit;
        did = st->kind == ODBCTX_SQL_COMMIT ? "app commit" : "app rollback";
        break;
    case ODBCTX_SQL_BEGIN:
        /* MariaDB commits what is pending when a transaction begins. */
        if (s->dialect == ODBCTX_DIALECT_MARIADB && in_test)
            r = app_end(s, rec, 1, text);
        if (c->autocommit)
            c->explicit_txn = 1;
        did = "begin (the test's transaction goes on)";
        break;
    case ODBCTX_SQL_AUTOCOMMIT_ON:
        if ((!c->autocommit || c->explicit_txn) && in_test)
            r = app_end(s, rec, 1, text);
        if (SQL_SUCCEEDED(r)) {
            c->autocommit = 1;
            c->explicit_txn = 0;
        }
        did = "autocommit on (virtual)";
        break;
    case ODBCTX_SQL_AUTOCOMMIT_OFF:
        c->autocommit = 0;
        c->explicit_txn = 0;
        did = "autocommit off (virtual)";
        break;
    default:
        break;
    }
    int ok = SQL_SUCCEEDED(r);
    odbctx__trace_add(s, "captured", text, ok, ok ? did : rec->diag ? rec->diag->message : NULL);
    return r;
}

/* Runs [off, off + len) of the text on the application's statement; the
 * application's own buffer when that is all of it. */
static SQLRETURN run_text(struct cap_handle *rec, const struct cap_text *t, size_t off, size_t len,
                          void *orig, SQLINTEGER orig_len, int whole)
{
    if (whole)
        return t->wide ? REAL(SQLExecDirectW)(rec->h, orig, orig_len)
                       : REAL(SQLExecDirect)(rec->h, orig, orig_len);
    if (!t->wide)
        return REAL(SQLExecDirect)(rec->h, (SQLCHAR *)t->sql + off, (SQLINTEGER)len);
    SQLINTEGER wl = 0;
    SQLWCHAR *w = odbctx__cap_to_wide(t->sql + off, len, &wl);
    if (!w)
        return odbctx__cap_fail(rec, "HY001", "out of memory");
    SQLRETURN r = REAL(SQLExecDirectW)(rec->h, w, wl);
    free(w);
    return r;
}

static SQLRETURN run_ordinary(odbctx_session *s, struct cap_handle *rec, const struct cap_text *t,
                              size_t off, size_t len, void *orig, SQLINTEGER orig_len, int whole)
{
    SQLRETURN r = run_text(rec, t, off, len, orig, orig_len, whole);
    char *sql = whole ? NULL : piece(t, off, len);
    const char *shown = whole ? t->sql : sql ? sql : "(statement)";
    trace_stmt(s, shown, r, rec->h);
    if (s->dialect == ODBCTX_DIALECT_MARIADB)
        odbctx__ddl_ran(s, shown, SQL_SUCCEEDED(r));
    r = autocommit_after(s, rec, r, shown);
    free(sql);
    return r;
}

static SQLRETURN run_noop(odbctx_session *s, struct cap_handle *rec)
{
    return REAL(SQLExecDirect)(rec->h, (SQLCHAR *)odbctx__dialect(s->dialect)->noop_sql, SQL_NTS);
}

/* MariaDB inside a test: table DDL, which would commit implicitly, runs as
 * temporary tables (extras/mariadb_ddl.c); the rest of it is refused. */
static int contains_ddl(const odbctx_session *s, const struct odbctx_sql_stmt *st)
{
    return st->kind == ODBCTX_SQL_IMPLICIT_COMMIT && s->in_test &&
           s->dialect == ODBCTX_DIALECT_MARIADB;
}

/* The whole text t is one such statement (else the plan refuses it). The
 * implicit commit becomes the app-level commit it is in production, and
 * like a COMMIT it ends a transaction begun explicitly. */
static SQLRETURN run_contained(odbctx_session *s, struct cap_handle *rec, const struct cap_text *t)
{
    struct odbctx_ddl_plan p;
    if (odbctx__ddl_contain(s, t->sql, t->len, &p) != 0) {
        SQLRETURN r = odbctx__cap_fail(rec, s->err.sqlstate[0] ? s->err.sqlstate : "HY000", "%s",
                                       s->err.message);
        trace_refusal(s, t->sql, rec);
        return r;
    }
    SQLRETURN r = app_end(s, rec, 1, t->sql);
    if (SQL_SUCCEEDED(r))
        conn_of(s, rec)->explicit_txn = 0;
    if (!SQL_SUCCEEDED(r)) {
        trace_refusal(s, t->sql, rec);
    } else if (p.fails) {
        r = odbctx__cap_fail(rec, p.err.sqlstate, "%s", p.err.message);
        trace_refusal(s, t->sql, rec);
    } else if (!p.sql) {
        r = run_noop(s, rec);
        odbctx__trace_add(s, "captured", t->sql, SQL_SUCCEEDED(r), "nothing to do (the table exists)");
    } else {
        odbctx__trace_add(s, "odbctx", t->sql, 1,
                          "MariaDB DDL inside a test: runs as the next statement");
        struct cap_text instead = {p.sql, strlen(p.sql), t->wide};
        r = run_text(rec, &instead, 0, instead.len, NULL, 0, 0);
        trace_stmt(s, p.sql, r, rec->h);
        odbctx__ddl_ran(s, p.sql, SQL_SUCCEEDED(r));
    }
    free(p.sql);
    return r;
}

static void forget_prepared(struct cap_handle *rec)
{
    free(rec->prepared);
    rec->prepared = NULL;
    rec->prepared_control = 0;
}

/* Classifies into st (small, or allocated when there are more); returns
 * the count, or (size_t)-1 on ENOMEM. A plain statement (odbctx_sql_plain,
 * most of what programs send) is not looked into further: 0, as for a text
 * of blanks, which the callers pass on as it is. */
static size_t classify(odbctx_session *s, const struct cap_text *t, struct odbctx_sql_stmt *small,
                       size_t n_small, struct odbctx_sql_stmt **st)
{
    unsigned flags = odbctx__dialect(s->dialect)->lexis;
    *st = small;
    if (odbctx_sql_plain(t->sql, t->len, flags))
        return 0;
    size_t n = odbctx_classify(t->sql, t->len, flags, small, n_small);
    if (n > n_small) {
        if (!(*st = malloc(n * sizeof **st)))
            return (size_t)-1;
        odbctx_classify(t->sql, t->len, flags, *st, n);
    }
    return n;
}

/* MariaDB: a CALL of a procedure whose body commits or runs DDL would end
 * the test's transaction from inside the server; it is refused before it
 * is sent, like the statements themselves. */
static int commits_in_procedure(odbctx_session *s, struct cap_handle *rec,
                                const struct cap_text *t, const struct odbctx_sql_stmt *st,
                                SQLRETURN *r)
{
    if (st->kind != ODBCTX_SQL_OTHER ||
        !odbctx__procedure_commits(s, t->sql + st->off, st->len))
        return 0;
    *r = odbctx__cap_fail(rec, "25000",
                          "%.*s: the procedure controls the transaction or runs DDL, which would "
                          "end the test's isolation on %s. Nothing was run",
                          (int)(st->len > 200 ? 200 : st->len), t->sql + st->off, s->dbms);
    trace_refusal(s, t->sql, rec);
    return 1;
}

/* A broken session (odbctx__mark_broken) runs nothing captured code sends. */
static int broken(odbctx_session *s, struct cap_handle *rec, SQLRETURN *r)
{
    if (!s->broken)
        return 0;
    *r = odbctx__cap_fail(rec, "25000",
                          "odbctx: refused: the session can no longer isolate tests, because an "
                          "isolation breach could not be repaired (%.400s). Nothing was run",
                          s->broken);
    return 1;
}

SQLRETURN odbctx__cap_exec_direct(odbctx_session *s, struct cap_handle *rec,
                                  const struct cap_text *t, void *orig, SQLINTEGER orig_len)
{
    odbctx__cap_clear_diag(rec);
    SQLRETURN refused;
    if (broken(s, rec, &refused))
        return refused;
    forget_prepared(rec);
    struct odbctx_sql_stmt small[16], *st;
    size_t n = classify(s, t, small, 16, &st);
    if (n == (size_t)-1)
        return odbctx__cap_fail(rec, "HY001", "out of memory");
    SQLRETURN r = SQL_SUCCESS;
    size_t controls = 0;
    int params = 0;
    for (size_t i = 0; i < n; i++) {
        if (contains_ddl(s, &st[i])) {
            r = run_contained(s, rec, t);
            goto out;
        }
        if (is_refused(&st[i])) {
            r = refuse(s, rec, t, &st[i]);
            goto out;
        }
        if (commits_in_procedure(s, rec, t, &st[i], &r))
            goto out;
        controls += is_control(st[i].kind);
        params |= st[i].params;
    }
    if (controls == 0) {
        r = run_ordinary(s, rec, t, 0, t->len, orig, orig_len, 1);
        goto out;
    }
    if (n > 1 && params) {
        r = odbctx__cap_fail(rec, "25000",
                             "transaction control in a string of several statements with "
                             "parameter markers: send it as a statement of its own. Nothing "
                             "was run");
        trace_refusal(s, t->sql, rec);
        goto out;
    }
    /* Runs of ordinary statements go to the driver as they are, in one
     * call each; the transaction control between them becomes restarts.
     * Only the last run's result sets remain on the statement. */
    int ran = 0;
    for (size_t i = 0; i < n && (SQL_SUCCEEDED(r) || r == SQL_NO_DATA); i++) {
        if (is_control(st[i].kind)) {
            if (!ran) {
                /* Also finds an open cursor, as a real COMMIT would. */
                r = run_noop(s, rec);
                ran = 1;
                if (!SQL_SUCCEEDED(r)) {
                    char *sql = piece(t, st[i].off, st[i].len);
                    trace_stmt(s, sql ? sql : t->sql, r, rec->h);
                    free(sql);
                    break;
                }
            }
            char *sql = piece(t, st[i].off, st[i].len);
            r = control(s, rec, &st[i], sql ? sql : "(transaction control)");
            free(sql);
            continue;
        }
        size_t j = i;
        while (j + 1 < n && !is_control(st[j + 1].kind))
            j++;
        if (ran)
            REAL(SQLFreeStmt)(rec->h, SQL_CLOSE);
        r = run_ordinary(s, rec, t, st[i].off, st[j].off + st[j].len - st[i].off, orig, orig_len,
                         0);
        ran = 1;
        i = j;
    }
out:
    if (st != small)
        free(st);
    return r;
}

SQLRETURN odbctx__cap_prepare(odbctx_session *s, struct cap_handle *rec, const struct cap_text *t,
                              void *orig, SQLINTEGER orig_len)
{
    odbctx__cap_clear_diag(rec);
    SQLRETURN refused;
    if (broken(s, rec, &refused))
        return refused;
    forget_prepared(rec);
    struct odbctx_sql_stmt small[16], *st;
    size_t n = classify(s, t, small, 16, &st);
    if (n == (size_t)-1)
        return odbctx__cap_fail(rec, "HY001", "out of memory");
    SQLRETURN r;
    size_t controls = 0;
    for (size_t i = 0; i < n; i++) {
        if (contains_ddl(s, &st[i])) {
            /* Judged and run at each SQLExecute: what it finds (the
             * test's tables) may change in between. */
            r = REAL(SQLPrepare)(rec->h, (SQLCHAR *)odbctx__dialect(s->dialect)->noop_sql, SQL_NTS);
            if (SQL_SUCCEEDED(r)) {
                rec->control = st[i];
                rec->prepared_control = 1;
                rec->prepared = strdup(t->sql);
            }
            goto out;
        }
        if (is_refused(&st[i])) {
            r = refuse(s, rec, t, &st[i]);
            goto out;
        }
        if (commits_in_procedure(s, rec, t, &st[i], &r))
            goto out;
        controls += is_control(st[i].kind);
    }
    if (controls && n > 1) {
        r = odbctx__cap_fail(rec, "25000",
                             "transaction control prepared together with other statements: "
                             "prepare it as a statement of its own");
        trace_refusal(s, t->sql, rec);
        goto out;
    }
    if (controls) {
        r = REAL(SQLPrepare)(rec->h, (SQLCHAR *)odbctx__dialect(s->dialect)->noop_sql, SQL_NTS);
        if (SQL_SUCCEEDED(r)) {
            rec->control = st[0];
            rec->prepared_control = 1;
        }
    } else {
        r = t->wide ? REAL(SQLPrepareW)(rec->h, orig, orig_len)
                    : REAL(SQLPrepare)(rec->h, orig, orig_len);
    }
    if (SQL_SUCCEEDED(r))
        rec->prepared = strdup(t->sql);
out:
    if (st != small)
        free(st);
    return r;
}

SQLRETURN odbctx__cap_execute(odbctx_session *s, struct cap_handle *rec)
{
    odbctx__cap_clear_diag(rec);
    SQLRETURN refused;
    if (broken(s, rec, &refused))
        return refused;
    /* DDL prepared inside a test, whenever it is executed: outside a test
     * the implicit commit it stands for is refused (app_end), never
     * passed over as the no-op prepared in its place. */
    if (rec->prepared_control && rec->prepared &&
        rec->control.kind == ODBCTX_SQL_IMPLICIT_COMMIT) {
        struct cap_text t = {rec->prepared, strlen(rec->prepared), 0};
        return run_contained(s, rec, &t);
    }
    SQLRETURN r = REAL(SQLExecute)(rec->h);
    const char *sql = rec->prepared ? rec->prepared : "(prepared statement)";
    if (rec->prepared_control) {
        if (!SQL_SUCCEEDED(r)) {
            trace_stmt(s, sql, r, rec->h);
            return r;
        }
        return control(s, rec, &rec->control, sql);
    }
    trace_stmt(s, sql, r, rec->h);
    return autocommit_after(s, rec, r, sql);
}

SQLRETURN odbctx__cap_end_tran(odbctx_session *s, struct cap_handle *rec, SQLSMALLINT op)
{
    odbctx__cap_clear_diag(rec);
    const char *what = op == SQL_COMMIT ? "SQLEndTran(SQL_COMMIT)" : "SQLEndTran(SQL_ROLLBACK)";
    struct cap_conn *c = rec->kind == CAP_DBC ? conn_of(s, rec) : NULL;
    if (op != SQL_COMMIT && op != SQL_ROLLBACK)
        return odbctx__cap_fail(rec, "HY012", "%s: invalid transaction operation code %d", what,
                                (int)op);
    if (c && c->autocommit && !c->explicit_txn) {
        /* Autocommit committed everything already: nothing is pending. */
        odbctx__trace_add(s, "captured", what, 1, "nothing to do (autocommit is on)");
        return SQL_SUCCESS;
    }
    SQLRETURN r = app_end(s, rec, op == SQL_COMMIT, what);
    if (c)
        c->explicit_txn = 0;
    int ok = SQL_SUCCEEDED(r);
    odbctx__trace_add(s, "captured", what, ok,
                      ok ? (op == SQL_COMMIT ? "app commit" : "app rollback")
                         : rec->diag ? rec->diag->message : NULL);
    return r;
}

SQLRETURN odbctx__cap_set_autocommit(odbctx_session *s, struct cap_handle *rec, int on)
{
    odbctx__cap_clear_diag(rec);
    struct cap_conn *c = conn_of(s, rec);
    const char *what = on ? "SQLSetConnectAttr(SQL_ATTR_AUTOCOMMIT, SQL_AUTOCOMMIT_ON)"
                          : "SQLSetConnectAttr(SQL_ATTR_AUTOCOMMIT, SQL_AUTOCOMMIT_OFF)";
    SQLRETURN r = SQL_SUCCESS;
    /* Switching autocommit on commits what is pending (ODBC says so). */
    if (on && (!c->autocommit || c->explicit_txn) && s->in_test)
        r = app_end(s, rec, 1, what);
    if (SQL_SUCCEEDED(r)) {
        c->autocommit = on;
        c->explicit_txn = 0;
    }
    int ok = SQL_SUCCEEDED(r);
    odbctx__trace_add(s, "captured", what, ok,
                      ok ? (on ? "autocommit on (virtual)" : "autocommit off (virtual)")
                         : rec->diag ? rec->diag->message : NULL);
    return r;
}
