/*
 * The levels inside the suite transaction: the test savepoint
 * (odbctx_begin_test / odbctx_end_test), app commits and rollbacks as
 * savepoint restarts, and nested levels.
 */
#include "internal.h"
#include "extras/extras.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void odbctx__savepoint_name(odbctx_session *s, char kind, char *out, size_t n)
{
    snprintf(out, n, "odbctx_%c%lu", kind, ++s->serial);
}

/* Runs two statements in one round trip where the driver takes both in one
 * string (PostgreSQL, SQLite), else one after the other. */
static int run2(odbctx_session *s, const char *a, const char *b)
{
    if (s->multi_statements) {
        char both[160];
        snprintf(both, sizeof both, "%s; %s", a, b);
        return odbctx__exec_real(s, both, odbctx__origin_own);
    }
    int rc = odbctx__exec_real(s, a, odbctx__origin_own);
    return rc ? rc : odbctx__exec_real(s, b, odbctx__origin_own);
}

int odbctx__savepoint(odbctx_session *s, const char *name)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SAVEPOINT %s", name);
    return odbctx__exec_real(s, sql, odbctx__origin_own);
}

int odbctx__savepoint_release(odbctx_session *s, const char *name)
{
    char sql[64];
    snprintf(sql, sizeof sql, "RELEASE SAVEPOINT %s", name);
    return odbctx__exec_real(s, sql, odbctx__origin_own);
}

/* ROLLBACK TO keeps the savepoint on every supported DBMS; releasing it too
 * pops the level. */
int odbctx__savepoint_undo(odbctx_session *s, const char *name)
{
    char back[64], release[64];
    snprintf(back, sizeof back, "ROLLBACK TO SAVEPOINT %s", name);
    snprintf(release, sizeof release, "RELEASE SAVEPOINT %s", name);
    return run2(s, back, release);
}

/* Message of a breach: what failed, what in the test's trace explains it. */
static void describe_breach(odbctx_session *s, const char *doing)
{
    char suspects[640];
    odbctx__trace_breach_suspects(s, suspects, sizeof suspects);
    odbctx__copy(s->breach_detail, sizeof s->breach_detail, s->err.message);
    odbctx__fail(s, ODBCTX_EBREACH,
                 "%s: isolation breach: the suite transaction was lost during the test (%s); %s",
                 doing, s->breach_detail, suspects);
}

int odbctx__check_breach(odbctx_session *s, int rc, const char *doing)
{
    if (rc == 0 || rc == ODBCTX_ELOST || !odbctx__dialect_lost_savepoint(s))
        return rc;
    s->breach = 1;
    describe_breach(s, doing);
    return ODBCTX_EBREACH;
}

int odbctx__breached(odbctx_session *s, const char *doing)
{
    return odbctx__fail(s, ODBCTX_EBREACH,
                        "%s: the suite transaction was lost earlier in this test (%s); call "
                        "odbctx_end_test to recover",
                        doing, s->breach_detail);
}

static int need_test(odbctx_session *s, const char *doing)
{
    if (!s->in_test)
        return odbctx__fail(s, ODBCTX_ESTATE,
                            "%s: no test is running (call odbctx_begin_test first)", doing);
    if (s->breach)
        return odbctx__breached(s, doing);
    return 0;
}

/* ---- the test savepoint kept between tests (published in state.c) ---- */

static int begin_test(odbctx_session *s)
{
    char test[32], sql[64];

    if (s->in_test)
        return odbctx__fail(s, ODBCTX_ESTATE,
                            "odbctx_begin_test: a test is already running (call odbctx_end_test "
                            "first)");
    if (!s->suite_open) {
        int rc = odbctx__suite_rebuild(s, 0);
        if (rc)
            return rc;
    }
    /* Read again per test: a test program may change it between tests. */
    int rc0 = odbctx__uncommitted_mode(s);
    if (rc0)
        return rc0;
    odbctx__trace_reset(s);
    /* DDL before this test is not undone by its rollbacks (objects.c). */
    s->schema_dirty = 0;
    if (s->test_sp_kept) {
        /* The last test's savepoint, still set and empty: nothing to send. */
        odbctx__kept_drop(s);
    } else {
        if (odbctx__dialect(s->dialect)->reuses_savepoint_names && s->test_sp[0])
            memcpy(test, s->test_sp, sizeof test);
        else
            odbctx__savepoint_name(s, 't', test, sizeof test);
        snprintf(sql, sizeof sql, "SAVEPOINT %s", test);
        int rc = odbctx__exec_real(s, sql, odbctx__origin_own);
        if (rc)
            return rc;
        memcpy(s->test_sp, test, sizeof test);
    }
    /* The app level starts out as the test savepoint itself: rolling back to
     * either is the same until the first app commit, which then sets the app
     * savepoint. One statement per test start instead of two. */
    s->app_sp[0] = '\0';
    s->app_ended = 0;
    s->in_test = 1;
    s->nested = 0;
    s->breach = 0;
    return 0;
}

int odbctx_begin_test(odbctx_session *s)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc = odbctx__refuse_broken(s, "odbctx_begin_test");
    if (rc == 0)
        rc = begin_test(s);
    odbctx__leave(s);
    return rc;
}

/* Rolls back to the test savepoint, checking on the way that the suite
 * transaction is still the one odbctx began. The savepoint stays, emptied,
 * for the next test when this session keeps it (see above); otherwise it is
 * released, except on MariaDB, where the next test's SAVEPOINT replaces it. */
static int discard_test(odbctx_session *s, int keep)
{
    char back[64], release[64];
    snprintf(back, sizeof back, "ROLLBACK TO SAVEPOINT %s", s->test_sp);
    snprintf(release, sizeof release, "RELEASE SAVEPOINT %s", s->test_sp);

    switch (s->dialect) {
    case ODBCTX_DIALECT_POSTGRESQL: {
        /* One round trip, and the transaction id proves it is the suite's. */
        char sql[200];
        long long txid = 0;
        snprintf(sql, sizeof sql, "%s; %s%sSELECT txid_current()", back, keep ? "" : release,
                 keep ? "" : "; ");
        int rc = odbctx__query_int_real(s, sql, odbctx__origin_own, &txid);
        if (rc == 0 && txid != s->suite_txid)
            rc = odbctx__fail(s, ODBCTX_EBREACH,
                              "PostgreSQL is in transaction %lld, not in the suite's %lld", txid,
                              s->suite_txid);
        return rc;
    }
    case ODBCTX_DIALECT_SQLITE: {
        int rc = keep ? odbctx__exec_real(s, back, odbctx__origin_own) : run2(s, back, release);
        return rc ? rc : odbctx__suite_verify(s); /* in-process: microseconds */
    }
    case ODBCTX_DIALECT_MARIADB:
        return odbctx__exec_real(s, back, odbctx__origin_own);
    }
    return 0;
}

int odbctx__end_test_locked(odbctx_session *s)
{
    if (!s->in_test)
        return odbctx__fail(s, ODBCTX_ESTATE,
                            "odbctx_end_test: no test is running (odbctx_begin_test was not "
                            "called, or the test already ended)");
    int rc = 0;
    /* Read from the trace, which stays until the next test begins. */
    odbctx__writes_test_end(s);
    if (s->breach) {
        odbctx__fail(s, ODBCTX_EBREACH, "odbctx_end_test: isolation breach in this test: %s",
                     s->breach_detail);
    } else {
        /* MariaDB: the tables the test made go first; dropping them
         * commits nothing. */
        odbctx__ddl_test_end(s);
        int keep = odbctx__dialect(s->dialect)->keeps_test_savepoint && odbctx__kept_claim(s);
        rc = discard_test(s, keep);
        if (rc == 0 && keep)
            s->test_sp_kept = 1;
        else if (keep)
            odbctx__kept_unpublish(s);
        if (rc && rc != ODBCTX_ELOST) {
            s->breach = 1;
            describe_breach(s, "odbctx_end_test");
        }
    }
    s->in_test = 0;
    s->tests_ended++;
    s->nested = 0;
    if (!s->breach) {
        if (rc == ODBCTX_ELOST)
            return odbctx__lost_end_test(s);
        if (rc == 0) {
            odbctx__lost_test_passed(s);
            rc = odbctx__writes_verdict(s);
        }
        return rc;
    }

    char report[sizeof s->err.message];
    odbctx__copy(report, sizeof report, s->err.message);
    int again = odbctx__suite_rebuild(s, 1);
    s->breach = 0;
    if (again) {
        char why[sizeof s->err.message];
        odbctx__copy(why, sizeof why, s->err.message);
        odbctx__fail(s, ODBCTX_EBREACH,
                     "%s; beginning the suite transaction anew failed too: %s; the session is "
                     "broken: every later call fails until it is closed",
                     report, why);
        odbctx__mark_broken(s);
    } else {
        odbctx__fail(s, ODBCTX_EBREACH,
                     "%s; a new suite transaction was begun and the suite setup replayed", report);
    }
    return ODBCTX_EBREACH;
}

int odbctx_end_test(odbctx_session *s)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc = odbctx__end_test_locked(s);
    odbctx__leave(s);
    return rc;
}

int odbctx_in_test(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return 0;
    int in = s->in_test;
    odbctx__leave(s);
    return in;
}

static int commit(odbctx_session *s, int by_setup)
{
    char app[32], release[64], create[64];
    int rc = need_test(s, "odbctx_commit");
    if (rc)
        return rc;
    if (odbctx__dialect(s->dialect)->reuses_savepoint_names && s->app_sp[0])
        memcpy(app, s->app_sp, sizeof app);
    else
        odbctx__savepoint_name(s, 'a', app, sizeof app);
    snprintf(create, sizeof create, "SAVEPOINT %s", app);

    /* Releasing a savepoint releases the ones above it: the old app
     * savepoint takes the nested levels with it. Until the first commit the
     * app level is the test savepoint, which must stay; then the lowest
     * nested level is released instead. MariaDB replaces a savepoint set
     * again under its name, which is the release. */
    release[0] = '\0';
    if (s->nested > 0 && (!s->app_sp[0] || odbctx__dialect(s->dialect)->reuses_savepoint_names))
        snprintf(release, sizeof release, "RELEASE SAVEPOINT odbctx_n%lu", s->nested_ids[0]);
    else if (s->app_sp[0] && !odbctx__dialect(s->dialect)->reuses_savepoint_names)
        snprintf(release, sizeof release, "RELEASE SAVEPOINT %s", s->app_sp);

    /* PostgreSQL checks deferred constraints where production's COMMIT
     * would, in the same round trip (extras/deferred.c). */
    const char *check = odbctx__deferred_check_sql(s);
    if (check) {
        char all[400];
        snprintf(all, sizeof all, "%s; %s%s%s", check, release, release[0] ? "; " : "", create);
        rc = odbctx__exec_real(s, all, odbctx__origin_own);
        if (rc && odbctx__deferred_failed(s)) {
            /* As a failed COMMIT: the work since the last commit is gone. */
            odbctx_error why = s->err;
            char back[64];
            snprintf(back, sizeof back, "ROLLBACK TO SAVEPOINT %s", s->app_sp[0] ? s->app_sp : s->test_sp);
            if (odbctx__check_breach(s, odbctx__exec_real(s, back, odbctx__origin_own),
                                     "odbctx_commit") != 0)
                return s->err.code;
            s->nested = 0;
            odbctx__writes_app_ended(s, by_setup);
            s->err = why;
            odbctx__error_prefix(s, "odbctx_commit: a deferred constraint fails at this commit, "
                                    "as production's COMMIT would, and the work since the last "
                                    "commit was rolled back (ODBCTX_CHECK_DEFERRED=0 skips the "
                                    "check)");
            return why.code;
        }
    } else if (release[0]) {
        rc = run2(s, release, create);
    } else {
        rc = odbctx__exec_real(s, create, odbctx__origin_own);
    }
    rc = odbctx__check_breach(s, rc, "odbctx_commit");
    if (rc)
        return rc;
    memcpy(s->app_sp, app, sizeof app);
    s->nested = 0;
    odbctx__writes_app_ended(s, by_setup);
    return 0;
}

static int rollback(odbctx_session *s)
{
    char sql[64];
    int rc = need_test(s, "odbctx_rollback");
    if (rc)
        return rc;
    /* The savepoint survives ROLLBACK TO, so one statement restarts the
     * app level; the nested levels above it are gone with it. */
    snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT %s", s->app_sp[0] ? s->app_sp : s->test_sp);
    rc = odbctx__check_breach(s, odbctx__exec_real(s, sql, odbctx__origin_own), "odbctx_rollback");
    if (rc)
        return rc;
    s->nested = 0;
    odbctx__writes_app_ended(s, 0);
    return 0;
}

static int nested_begin(odbctx_session *s)
{
    char name[32];
    int rc = need_test(s, "odbctx_nested_begin");
    if (rc)
        return rc;
    if (odbctx__grow((void **)&s->nested_ids, &s->nested_cap, (size_t)s->nested + 1,
                     sizeof *s->nested_ids) ||
        odbctx__grow((void **)&s->nested_at, &s->nested_at_cap, (size_t)s->nested + 1,
                     sizeof *s->nested_at)) {
        return odbctx__fail(s, ODBCTX_ENOMEM, "odbctx_nested_begin: out of memory");
    }
    odbctx__savepoint_name(s, 'n', name, sizeof name);
    rc = odbctx__check_breach(s, odbctx__savepoint(s, name), "odbctx_nested_begin");
    if (rc)
        return rc;
    s->nested_at[s->nested] = odbctx__trace_pos(s);
    s->nested_ids[s->nested++] = s->serial;
    return 0;
}

static int nested_end(odbctx_session *s, int keep)
{
    const char *doing = keep ? "odbctx_nested_commit" : "odbctx_nested_rollback";
    char name[32];
    int rc = need_test(s, doing);
    if (rc)
        return rc;
    if (s->nested == 0)
        return odbctx__fail(s, ODBCTX_ESTATE,
                            "%s: no nested level is open (call odbctx_nested_begin first)", doing);
    snprintf(name, sizeof name, "odbctx_n%lu", s->nested_ids[s->nested - 1]);
    rc = keep ? odbctx__savepoint_release(s, name) : odbctx__savepoint_undo(s, name);
    rc = odbctx__check_breach(s, rc, doing);
    if (rc)
        return rc;
    if (!keep)
        odbctx__trace_undone(s, s->nested_at[s->nested - 1]);
    s->nested--;
    return 0;
}

#define LEVEL_API(fn, body) \
    int fn(odbctx_session *s) \
    { \
        if (!odbctx__enter(s, 1)) \
            return ODBCTX_EARG; \
        int rc = odbctx__refuse_broken(s, #fn); \
        if (rc == 0) \
            rc = body; \
        odbctx__leave(s); \
        return rc; \
    }

LEVEL_API(odbctx_commit, commit(s, 0))
LEVEL_API(odbctx_commit_setup, commit(s, 1))
LEVEL_API(odbctx_rollback, rollback(s))

/* For capture, which holds the lock already and must not clear the
 * session's error as a new call of the API would. */
int odbctx__app_commit(odbctx_session *s)
{
    int rc = odbctx__refuse_broken(s, "odbctx_commit");
    return rc ? rc : commit(s, 0);
}

int odbctx__app_rollback(odbctx_session *s)
{
    int rc = odbctx__refuse_broken(s, "odbctx_rollback");
    return rc ? rc : rollback(s);
}
LEVEL_API(odbctx_nested_begin, nested_begin(s))
LEVEL_API(odbctx_nested_commit, nested_end(s, 1))
LEVEL_API(odbctx_nested_rollback, nested_end(s, 0))

int odbctx_nested_depth(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return -1;
    int depth = s->nested;
    odbctx__leave(s);
    return depth;
}
