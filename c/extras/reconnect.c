/*
 * Lost connections. When the server ends the session's connection (a
 * restart, pg_terminate_backend, KILL, a network cut), the test that was
 * running fails with ODBCTX_ELOST and a message that says what happened;
 * the suite transaction went with the connection, so nothing of it was
 * committed. Before the next use odbctx connects again on the same handle
 * (legacy code may hold it) and odbctx__suite_rebuild re-creates the schema
 * where it lived in the transaction and replays the suite's statements.
 *
 * A server that is gone for good must not turn every later test into a
 * slow, obscure failure: after ODBCTX_MAX_RECONNECTS (default 3) failures
 * in a row (lost tests and failed reconnects, counted until a test ends
 * cleanly) odbctx stops trying and every later call fails at once saying so.
 */
#include "internal.h"
#include "extras/extras.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_RECONNECTS 3

int odbctx__max_reconnects(void)
{
    const char *v = getenv("ODBCTX_MAX_RECONNECTS");
    if (!v || !*v)
        return DEFAULT_MAX_RECONNECTS;
    for (const char *p = v; *p; p++)
        if (!isdigit((unsigned char)*p))
            return DEFAULT_MAX_RECONNECTS;
    long n = strtol(v, NULL, 10);
    return n > 1000 ? 1000 : (int)n;
}

static int gave_up(odbctx_session *s)
{
    s->rel.gave_up = 1;
    return odbctx__fail(s, ODBCTX_ELOST,
                        "odbctx stopped after %d connection failures in a row "
                        "(ODBCTX_MAX_RECONNECTS=%d): the server is unreachable or keeps ending "
                        "the connection; every later call fails at once. First sign: %s",
                        s->rel.lost_in_a_row, odbctx__max_reconnects(),
                        s->rel.lost_detail[0] ? s->rel.lost_detail : "(none recorded)");
}

int odbctx__lost_end_test(odbctx_session *s)
{
    char detail[sizeof s->err.message];
    int max = odbctx__max_reconnects();

    odbctx__copy(detail, sizeof detail, s->err.message);
    odbctx__lost_note(s);
    s->rel.lost_in_a_row++;
    if (s->rel.lost_in_a_row >= max) {
        s->rel.gave_up = 1;
        return odbctx__fail(s, ODBCTX_ELOST,
                            "odbctx_end_test: the connection to the server was lost during the "
                            "test (%s); nothing of the test was committed. That is %d connection "
                            "failures in a row (ODBCTX_MAX_RECONNECTS=%d): odbctx stops here, and "
                            "every later call fails at once",
                            detail, s->rel.lost_in_a_row, max);
    }
    return odbctx__fail(s, ODBCTX_ELOST,
                        "odbctx_end_test: the connection to the server was lost during the test "
                        "(%s); nothing of the test was committed. odbctx reconnects and re-creates "
                        "the schema before the next test (failure %d in a row of at most "
                        "ODBCTX_MAX_RECONNECTS=%d)",
                        detail, s->rel.lost_in_a_row, max);
}

void odbctx__lost_test_passed(odbctx_session *s)
{
    s->rel.lost_in_a_row = 0;
}

int odbctx__connect_again(odbctx_session *s)
{
    /* The same handle, so that legacy code holding odbctx_hdbc() keeps a
     * valid one. Only when the driver manager will not let it go (the old
     * connection cannot even be disconnected) is it replaced. */
    s->suite_open = 0;
    odbctx__kept_drop(s);
    odbctx__own_stmt_drop(s);
    if (s->connected) {
        REAL(SQLEndTran)(SQL_HANDLE_DBC, s->dbc, SQL_ROLLBACK);
        if (!SQL_SUCCEEDED(REAL(SQLDisconnect)(s->dbc))) {
            REAL(SQLFreeHandle)(SQL_HANDLE_DBC, s->dbc);
            s->dbc = SQL_NULL_HDBC;
            if (!SQL_SUCCEEDED(REAL(SQLAllocHandle)(SQL_HANDLE_DBC, s->env, &s->dbc))) {
                s->dbc = SQL_NULL_HDBC;
                s->connected = 0;
                return odbctx__fail_odbc(s, ODBCTX_ELOST, SQL_HANDLE_ENV, s->env,
                                         "cannot allocate a new connection handle");
            }
        }
        s->connected = 0;
    }
    return odbctx__connect(s);
}

int odbctx__reconnect(odbctx_session *s)
{
    int max = odbctx__max_reconnects();

    if (s->rel.gave_up || s->rel.lost_in_a_row >= max)
        return gave_up(s);
    int rc = odbctx__connect_again(s);
    if (rc) {
        s->rel.lost_in_a_row++;
        if (s->rel.lost_in_a_row >= max) {
            char why[sizeof s->err.message];
            odbctx__copy(why, sizeof why, s->err.message);
            s->rel.gave_up = 1;
            return odbctx__fail(s, ODBCTX_ELOST,
                                "cannot reconnect to the server (%s); that is %d connection "
                                "failures in a row (ODBCTX_MAX_RECONNECTS=%d): odbctx stops "
                                "here, and every later call fails at once",
                                why, s->rel.lost_in_a_row, max);
        }
        odbctx__error_prefix(s, "cannot reconnect to the server (failure %d in a row of at most "
                                "ODBCTX_MAX_RECONNECTS=%d; odbctx tries again at the next test)",
                             s->rel.lost_in_a_row, max);
        s->err.code = ODBCTX_ELOST;
        return ODBCTX_ELOST;
    }
    s->rel.lost = 0;
    s->rel.lost_detail[0] = '\0';
    if (s->dialect == ODBCTX_DIALECT_MARIADB)
        odbctx__leftovers_reown(s);
    return 0;
}
