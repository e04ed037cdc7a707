/*
 * The safety guard of the schema lifecycle.
 *
 * odbctx_schema_* creates tables and, on MariaDB (or after an isolation
 * breach anywhere), drops them again. Pointed at a production database by
 * a wrong ODBCTX_CONNECT, that is how data gets lost; so, as Django does,
 * odbctx refuses unless the database's name says it is for tests, or the
 * user says explicitly that any database will do.
 */
#include "internal.h"
#include "extras/extras.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int odbctx__guard_name_ok(const char *name)
{
    return strcasestr(name, "test") != NULL;
}

static int allowed_by_env(void)
{
    const char *v = getenv("ODBCTX_ALLOW_ANY_DATABASE");
    return v && strcmp(v, "1") == 0;
}

/* The name the guard judges: the database on a server, the file name
 * (not its directories) on SQLite; "" for a private or temporary SQLite
 * database, which nothing else can see. */
static int database_name(odbctx_session *s, SQLHDBC dbc, enum odbctx_dialect d, char *out,
                         size_t n)
{
    int rc = odbctx__query_text(s, dbc, odbctx__dialect(d)->database_name_sql, out, n);
    if (rc)
        return rc;
    if (d == ODBCTX_DIALECT_SQLITE) {
        const char *base = strrchr(out, '/');
        if (base)
            memmove(out, base + 1, strlen(base + 1) + 1);
    }
    return 0;
}

int odbctx__guard_database(odbctx_session *s, SQLHDBC dbc, enum odbctx_dialect d)
{
    char name[512];

    if (allowed_by_env())
        return 0;
    int rc = database_name(s, dbc, d, name, sizeof name);
    if (rc) {
        odbctx__error_prefix(s, "cannot tell which database this is, so the schema is not "
                                "created (set ODBCTX_ALLOW_ANY_DATABASE=1 to skip this check)");
        return rc;
    }
    if (d == ODBCTX_DIALECT_SQLITE && !name[0])
        return 0;
    if (d == ODBCTX_DIALECT_MARIADB && !name[0])
        return odbctx__fail(s, ODBCTX_EREFUSED,
                            "refusing to create the schema: the connection has no current "
                            "database (add Database=<name with \"test\"> to the connection string)");
    if (odbctx__guard_name_ok(name))
        return 0;
    return odbctx__fail(s, ODBCTX_EREFUSED,
                        "refusing to create the schema in %s \"%.200s\": its name does not "
                        "contain \"test\", and odbctx creates and drops tables there. Use a "
                        "database meant for tests, or set ODBCTX_ALLOW_ANY_DATABASE=1 if this "
                        "one really is disposable",
                        d == ODBCTX_DIALECT_SQLITE ? "the SQLite file" : "database", name);
}

int odbctx__guard_schema(odbctx_session *s)
{
    return s->tmpdir ? 0 : odbctx__guard_database(s, s->dbc, s->dialect);
}
