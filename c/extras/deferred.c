/*
 * PostgreSQL: deferred constraints checked at each app-level commit.
 *
 * An app commit is a savepoint restart, so a constraint declared
 * DEFERRABLE (or deferred with SET CONSTRAINTS) would be checked only when
 * the suite transaction ends, that is never: production's COMMIT would
 * have failed, the test passes. At each app commit, when the schema has
 * deferrable constraints, the restart is preceded in the same string by
 *   SAVEPOINT odbctx_c; SET CONSTRAINTS ALL IMMEDIATE;
 *   ROLLBACK TO SAVEPOINT odbctx_c; RELEASE SAVEPOINT odbctx_c
 * SET CONSTRAINTS ALL IMMEDIATE runs the pending checks now; rolling the
 * savepoint back restores every constraint's mode, and the checks stay
 * pending for the real end. A violation fails the commit with the
 * driver's SQLSTATE (23...), and the work since the last commit is rolled
 * back, as a failed COMMIT does. ODBCTX_CHECK_DEFERRED=0 turns it off.
 */
#include "internal.h"
#include "extras/extras.h"

#include <stdlib.h>
#include <string.h>

static int wanted_by_environment(void)
{
    const char *v = getenv("ODBCTX_CHECK_DEFERRED");
    return !(v && strcmp(v, "0") == 0);
}

const char *odbctx__deferred_check_sql(odbctx_session *s)
{
    if (s->dialect != ODBCTX_DIALECT_POSTGRESQL || !s->multi_statements || !wanted_by_environment())
        return NULL;
    /* Counted once per schema version: the constraints change with DDL only. */
    if (s->deferrable_version != s->schema_version) {
        long long n = 1;
        odbctx_error keep = s->err;
        /* Unknown (the query failed): checking costs little, missing a
         * violation is what this is for. */
        if (odbctx__query_int_real(s, "SELECT COUNT(*) FROM pg_catalog.pg_constraint WHERE condeferrable",
                                   odbctx__origin_own, &n) != 0)
            n = 1;
        s->err = keep;
        s->deferrable = n > 0;
        s->deferrable_version = s->schema_version;
    }
    if (!s->deferrable)
        return NULL;
    return "SAVEPOINT odbctx_c; SET CONSTRAINTS ALL IMMEDIATE; ROLLBACK TO SAVEPOINT odbctx_c; "
           "RELEASE SAVEPOINT odbctx_c";
}

int odbctx__deferred_failed(const odbctx_session *s)
{
    return s->err.code == ODBCTX_ESQL && strncmp(s->err.sqlstate, "23", 2) == 0;
}
