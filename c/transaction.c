/*
 * The suite transaction: beginning and verifying it, the journal of what
 * ran at suite level (replayed when a breach forces a new one), and
 * settling the kept test savepoint before anything runs between tests.
 */
#include "internal.h"
#include "extras/extras.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int odbctx__journal_add(odbctx_session *s, enum odbctx_journal_kind kind, const char *sql,
                        size_t len)
{
    if (odbctx__grow((void **)&s->journal, &s->cap_journal, s->n_journal + 1, sizeof *s->journal))
        return ODBCTX_ENOMEM;
    char *copy = malloc(len + 1);
    if (!copy)
        return ODBCTX_ENOMEM;
    memcpy(copy, sql, len);
    copy[len] = '\0';
    s->journal[s->n_journal].kind = kind;
    s->journal[s->n_journal].sql = copy;
    s->n_journal++;
    return 0;
}

/* The SQLite driver begins its transaction lazily, at the first statement,
 * and keeps its own flag of whether one is open, which a COMMIT sent as text
 * leaves wrong. "BEGIN" fails exactly when a transaction is open, so it
 * tells the truth; and when it succeeds, the transaction it opened makes the
 * driver's stale flag right again. */
static int sqlite_in_transaction(odbctx_session *s, int *was_open)
{
    char msg[256];
    if (!odbctx__probe(s, "BEGIN", msg, sizeof msg)) {
        if (!strstr(msg, "within a transaction"))
            return odbctx__fail(s, ODBCTX_EDBMS, "SQLite: cannot check the transaction: %s", msg);
        *was_open = 1;
        return 0;
    }
    *was_open = 0;
    return 0;
}

static int sqlite_begin(odbctx_session *s)
{
    int open = 0;
    int rc = odbctx__exec_real(s, "SELECT 1", "odbctx");
    if (rc == 0)
        rc = sqlite_in_transaction(s, &open);
    if (rc || open)
        return rc;
    /* BEGIN just opened one; a statement now must not make the driver send
     * a BEGIN of its own (NoTXN=1 would not, which is fine too). */
    if (odbctx__exec_real(s, "SELECT 1", "odbctx") != 0)
        return odbctx__fail(s, ODBCTX_EDBMS,
                            "SQLite: the driver does not keep a transaction open: %s",
                            s->err.message);
    return 0;
}

static int postgresql_begin(odbctx_session *s)
{
    long long first = 0, second = 0;
    int rc = odbctx__query_int_real(s, "SELECT txid_current()", "odbctx", &first);
    if (rc == 0)
        rc = odbctx__query_int_real(s, "SELECT txid_current()", "odbctx", &second);
    if (rc)
        return rc;
    if (first != second)
        return odbctx__fail(s, ODBCTX_EDBMS,
                            "PostgreSQL: the driver commits after every statement although "
                            "autocommit is off; odbctx cannot hold a transaction open");
    s->suite_txid = first;
    return 0;
}

static int mariadb_begin(odbctx_session *s)
{
    long long in_trx = 0;
    int rc = odbctx__exec_real(s, "START TRANSACTION", "odbctx");
    if (rc == 0)
        rc = odbctx__query_int_real(s, "SELECT @@in_transaction", "odbctx", &in_trx);
    if (rc)
        return rc;
    if (in_trx != 1)
        return odbctx__fail(s, ODBCTX_EDBMS,
                            "%s: START TRANSACTION did not open a transaction (@@in_transaction "
                            "is %lld)", s->dbms, in_trx);
    return 0;
}

int odbctx__suite_begin(odbctx_session *s)
{
    int rc = 0;
    odbctx__kept_drop(s);
    switch (s->dialect) {
    case ODBCTX_DIALECT_SQLITE: rc = sqlite_begin(s); break;
    case ODBCTX_DIALECT_POSTGRESQL: rc = postgresql_begin(s); break;
    case ODBCTX_DIALECT_MARIADB: rc = mariadb_begin(s); break;
    }
    if (rc == 0)
        s->suite_open = 1;
    else
        odbctx__error_prefix(s, "cannot begin the suite transaction");
    return rc;
}

int odbctx__suite_verify(odbctx_session *s)
{
    long long v = 0;
    int open = 0, rc = 0;

    switch (s->dialect) {
    case ODBCTX_DIALECT_SQLITE:
        rc = sqlite_in_transaction(s, &open);
        if (rc == 0 && !open)
            rc = odbctx__fail(s, ODBCTX_EBREACH, "SQLite is no longer in a transaction");
        break;
    case ODBCTX_DIALECT_POSTGRESQL:
        rc = odbctx__query_int_real(s, "SELECT txid_current()", "odbctx", &v);
        if (rc == 0 && v != s->suite_txid)
            rc = odbctx__fail(s, ODBCTX_EBREACH,
                              "PostgreSQL is in transaction %lld, not in the suite's %lld", v,
                              s->suite_txid);
        break;
    case ODBCTX_DIALECT_MARIADB:
        rc = odbctx__query_int_real(s, "SELECT @@in_transaction", "odbctx", &v);
        if (rc == 0 && v != 1)
            rc = odbctx__fail(s, ODBCTX_EBREACH, "%s is no longer in a transaction", s->dbms);
        break;
    }
    if (rc && rc != ODBCTX_ELOST) {
        rc = ODBCTX_EBREACH;
        s->err.code = rc;
    }
    return rc;
}

/* Ends whatever transaction the connection is in, whoever began it. */
static void rollback_everything(odbctx_session *s)
{
    s->suite_open = 0;
    odbctx__kept_drop(s);
    SQLRETURN rc = REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_ROLLBACK);
    switch (s->dialect) {
    case ODBCTX_DIALECT_SQLITE:
        if (!SQL_SUCCEEDED(rc)) {
            /* The driver believed in a transaction that a COMMIT sent as
             * text had ended. Opening one makes the two agree again, and the
             * driver's rollback then ends it and clears its flag. */
            odbctx__probe(s, "BEGIN", NULL, 0);
            REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_ROLLBACK);
        } else {
            /* A transaction begun as text that the driver did not know of. */
            odbctx__probe(s, "ROLLBACK", NULL, 0);
        }
        break;
    case ODBCTX_DIALECT_MARIADB:
        /* Code under test may have switched autocommit on as text, and
         * LOCK TABLES (or FLUSH TABLES WITH READ LOCK) outlives the
         * transaction it ended: while it holds, no other table can be
         * dropped, created or read, so no rebuild could succeed. */
        odbctx__probe(s, "UNLOCK TABLES", NULL, 0);
        odbctx__probe(s, "SET autocommit=0", NULL, 0);
        break;
    case ODBCTX_DIALECT_POSTGRESQL:
        /* A connection made again behind odbctx's back (through libodbc
         * itself) comes with the driver's default: autocommit on. */
        REAL(SQLSetConnectAttr)(s->dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF,
                                SQL_IS_UINTEGER);
        break;
    }
}

int odbctx__suite_end(odbctx_session *s)
{
    rollback_everything(s);
    return 0;
}

static int replay(odbctx_session *s, enum odbctx_journal_kind kind)
{
    for (size_t i = 0; i < s->n_journal; i++) {
        if (s->journal[i].kind != kind)
            continue;
        const char *sql = s->journal[i].sql;
        int rc = kind == ODBCTX_JOURNAL_SCHEMA || odbctx__schema_is_ddl(s, sql, strlen(sql))
                     ? odbctx__schema_run_recorded(s, sql)
                     : odbctx__exec_real(s, sql, "odbctx");
        if (rc) {
            odbctx__error_prefix(s, "replaying the suite setup");
            return rc;
        }
    }
    return 0;
}

int odbctx__suite_replay(odbctx_session *s, int schema)
{
    return replay(s, schema ? ODBCTX_JOURNAL_SCHEMA : ODBCTX_JOURNAL_SUITE);
}

int odbctx__suite_rebuild(odbctx_session *s, int after_breach)
{
    int rc = 0;

    if (s->rel.lost || s->rel.gave_up) {
        if ((rc = odbctx__reconnect(s)) != 0)
            return rc;
        /* Nothing of the schema survived where it was in the transaction. */
        after_breach = 0;
    }
    rollback_everything(s);
    if (after_breach && s->dialect == ODBCTX_DIALECT_MARIADB) {
        /* The breach committed the test's rows into the schema's tables:
         * create them afresh, outside the suite transaction as always. */
        rc = odbctx__schema_drop(s);
        if (rc == 0)
            rc = replay(s, ODBCTX_JOURNAL_SCHEMA);
        REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_COMMIT);
    } else if (after_breach && s->n_schema > 0) {
        /* A COMMIT may have made the schema permanent: drop what it made,
         * so that the replay below creates it inside the transaction again. */
        rc = odbctx__schema_drop(s);
    } else if (s->dialect != ODBCTX_DIALECT_MARIADB) {
        odbctx__schema_forget(s);
    }
    if (rc == 0)
        rc = odbctx__suite_begin(s);
    if (rc == 0 && s->dialect != ODBCTX_DIALECT_MARIADB)
        rc = replay(s, ODBCTX_JOURNAL_SCHEMA);
    if (rc == 0)
        rc = replay(s, ODBCTX_JOURNAL_SUITE);
    return rc;
}

/* Why a failed statement can take the transaction with it, per DBMS. */
static const char *loss_reason(const odbctx_session *s)
{
    switch (s->dialect) {
    case ODBCTX_DIALECT_POSTGRESQL:
        return " (psqlODBC rolls back the whole transaction when a statement sent with "
               "SQLExecDirect does not parse: its statement savepoint travels in the same "
               "query string; prepared statements are safe)";
    case ODBCTX_DIALECT_MARIADB:
        return " (MariaDB rolls back the whole transaction on a deadlock)";
    case ODBCTX_DIALECT_SQLITE:
        return " (SQLite rolls back the whole transaction on RAISE(ROLLBACK), ON CONFLICT "
               "ROLLBACK, a full disk or an I/O error)";
    }
    return "";
}

int odbctx__after_statement(odbctx_session *s, const char *sql, int rc, int may_end)
{
    if ((rc == 0 && !may_end) || rc == ODBCTX_ELOST || !s->suite_open || s->breach)
        return rc;
    odbctx_error failure = s->err;
    int v;
    if (rc == 0 && may_end == ODBCTX_ENDS_SURELY)
        v = odbctx__fail(s, ODBCTX_EBREACH,
                         "it commits whenever it runs on %s (an implicit commit, or transaction "
                         "control or DDL in the procedure it calls)",
                         s->dbms);
    else
        v = odbctx__suite_verify(s);
    if (v == 0) {
        s->err = failure;
        return rc;
    }
    if (v == ODBCTX_ELOST)
        return v;

    char what[sizeof s->err.message];
    if (rc)
        odbctx__format(what, sizeof what, "the failed statement took the suite transaction with it%s: %s",
                 loss_reason(s), failure.message);
    else
        odbctx__format(what, sizeof what, "\"%.300s\" ended the suite transaction (%s)", sql,
                 s->err.message);
    if (s->in_test) {
        s->breach = 1;
        odbctx__copy(s->breach_detail, sizeof s->breach_detail, what);
        odbctx__fail(s, ODBCTX_EBREACH,
                     "isolation breach: %s; the test's work is lost and odbctx_end_test begins a "
                     "new suite transaction",
                     what);
    } else {
        int again = odbctx__suite_rebuild(s, 1);
        char why[sizeof s->err.message];
        odbctx__copy(why, sizeof why, s->err.message);
        if (again) {
            odbctx__fail(s, ODBCTX_EBREACH,
                         "isolation breach: %s; odbctx could not restore the suite setup (%s); "
                         "the session is broken: every later call fails until it is closed",
                         what, why);
            odbctx__mark_broken(s);
        } else {
            odbctx__fail(s, ODBCTX_EBREACH,
                         "isolation breach: %s; odbctx began it anew and replayed the suite "
                         "setup. Let odbctx end transactions",
                         what);
        }
    }
    if (rc) {
        memcpy(s->err.sqlstate, failure.sqlstate, sizeof s->err.sqlstate);
        s->err.native = failure.native;
    }
    return ODBCTX_EBREACH;
}

int odbctx__settle(odbctx_session *s)
{
    if (!s->test_sp_kept || s->in_test)
        return 0;
    char sql[64];
    snprintf(sql, sizeof sql, "RELEASE SAVEPOINT %s", s->test_sp);
    odbctx__kept_drop(s);
    /* On MariaDB the name then lives on for the next SAVEPOINT to reuse. A
     * failure means something ended the suite transaction since the last
     * test's end: checked, reported and repaired as for any statement. */
    int rc = odbctx__exec_real(s, sql, odbctx__origin_own);
    return rc ? odbctx__after_statement(s, sql, rc, 1) : 0;
}

void odbctx__settle_slow(void)
{
    odbctx_session *s = odbctx__kept_enter();
    if (!s)
        return;
    /* The caller's own statement reports what is wrong with the
     * connection; a failure here is in the trace and the session's error. */
    odbctx__settle(s);
    odbctx__leave(s);
}

int odbctx__schema_journaled(odbctx_session *s, const char *sql, void *unused)
{
    (void)unused;
    int rc = odbctx__after_statement(s, sql, odbctx__schema_run_recorded(s, sql), 0);
    if (rc == 0 && odbctx__journal_add(s, ODBCTX_JOURNAL_SCHEMA, sql, strlen(sql)) != 0)
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    return rc;
}

/* MariaDB commits DDL implicitly, so the schema cannot live in the suite
 * transaction: that transaction is rolled back, the work runs and is
 * committed, and the suite transaction begins again with its suite-level
 * statements replayed. */
int odbctx__outside_suite(odbctx_session *s, int (*work)(odbctx_session *s, void *ctx), void *ctx)
{
    odbctx__suite_end(s);
    int rc = work(s, ctx);
    odbctx_error failure = s->err;
    int again = 0;
    if (!SQL_SUCCEEDED(REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_COMMIT)) && rc == 0)
        rc = odbctx__fail_sql(s, s->dbc, SQL_HANDLE_DBC, s->dbc, "committing the schema");
    else if (rc)
        s->err = failure;
    failure = s->err;
    again = odbctx__suite_begin(s);
    if (again == 0)
        again = odbctx__suite_replay(s, 0);
    if (rc)
        s->err = failure;
    return rc ? rc : again;
}

static int one_statement(odbctx_session *s, void *sql)
{
    return odbctx__schema_journaled(s, sql, NULL);
}

int odbctx__schema_statement(odbctx_session *s, const char *sql)
{
    if (odbctx__dialect(s->dialect)->ddl_commits)
        return odbctx__outside_suite(s, one_statement, (void *)sql);
    return odbctx__schema_journaled(s, sql, NULL);
}
