/*
 * odbctx_schema_file and odbctx_schema_script: the suite's schema, run
 * outside tests, inside the suite transaction where DDL is transactional
 * and before it where DDL commits (MariaDB).
 */
#include "internal.h"
#include "extras/extras.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <sys/stat.h>

struct whole_script {
    const char *script, *name;
};

static int run_whole(odbctx_session *s, void *ctx)
{
    struct whole_script *w = ctx;
    return odbctx__run_script(s, w->script, w->name, odbctx__schema_journaled, NULL, -1);
}

/* A failed script leaves what ran committed on MariaDB; it is recorded and
 * so dropped by odbctx_close all the same. */
static int mariadb_schema(odbctx_session *s, const char *script, const char *name)
{
    struct whole_script w = {script, name};
    return odbctx__outside_suite(s, run_whole, &w);
}

/* Two test processes creating one schema in one database at once: on
 * MariaDB the second finds the tables the first made (they commit), on
 * PostgreSQL it waits for the first's locks until ODBCTX_LOCK_TIMEOUT, or
 * loses a race in the catalog. Say what fixes it. */
static int concurrent_hint(odbctx_session *s, int rc)
{
    if (rc != ODBCTX_ESQL)
        return rc;
    const char *st = s->err.sqlstate;
    int clash = s->dialect == ODBCTX_DIALECT_MARIADB
                    ? s->err.native == 1050 || s->err.native == 1205 || strcmp(st, "42S01") == 0
                    : s->dialect == ODBCTX_DIALECT_POSTGRESQL &&
                          (strcmp(st, "55P03") == 0 || strcmp(st, "42P07") == 0 ||
                           strcmp(st, "23505") == 0);
    if (clash)
        odbctx__error_suffix(s, "; if another test process uses this database at the same time, "
                                "give each a database of its own with ODBCTX_WORKER=N (GoogleTest "
                                "shards and pytest-xdist workers get one by themselves)");
    return rc;
}

static int schema_run(odbctx_session *s, const char *script, const char *name)
{
    int broken = odbctx__refuse_broken(s, "odbctx_schema_*");
    if (broken)
        return broken;
    if (s->in_test)
        return odbctx__fail(s, ODBCTX_ESTATE,
                            "odbctx_schema_*: called inside a test; create the schema before "
                            "odbctx_begin_test (or after odbctx_end_test)");
    int refused = odbctx__guard_schema(s);
    if (refused)
        return refused;
    if (s->suite_open && (refused = odbctx__settle(s)) != 0)
        return refused;
    if (s->dialect == ODBCTX_DIALECT_MARIADB)
        return concurrent_hint(s, mariadb_schema(s, script, name));
    if (!s->suite_open) {
        int rc = odbctx__suite_rebuild(s, 0);
        if (rc)
            return rc;
    }
    return concurrent_hint(s, odbctx__run_script(s, script, name, odbctx__schema_journaled, NULL,
                                                 ODBCTX_JOURNAL_SCHEMA));
}

int odbctx_schema_script(odbctx_session *s, const char *script, const char *name)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    if (!script || !*script)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_schema_script: script is NULL or empty");
    else
        rc = schema_run(s, script, name && *name ? name : "schema");
    odbctx__leave(s);
    return rc;
}

/* The file a schema path names on this session's DBMS: every {dbms}
 * replaced by the dialect's key, and a directory read as <dir>/<key>.sql.
 * Into out (n bytes); ODBCTX_EARG when it does not fit. */
static int schema_path(odbctx_session *s, const char *fn, const char *path, char *out, size_t n)
{
    static const char mark[] = "{dbms}";
    const char *key = odbctx__dialect(s->dialect)->key;
    size_t used = 0, need = 0;
    for (const char *p = path; *p;) {
        const char *at = strstr(p, mark);
        size_t lit = at ? (size_t)(at - p) : strlen(p);
        need += lit + (at ? strlen(key) : 0);
        if (need < n) {
            memcpy(out + used, p, lit);
            used += lit;
            if (at) {
                memcpy(out + used, key, strlen(key));
                used += strlen(key);
            }
        }
        p = at ? at + sizeof mark - 1 : p + lit;
    }
    struct stat st;
    if (need < n) {
        out[used] = '\0';
        if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
            need += (size_t)snprintf(out + used, n - used, "%s%s.sql", out[used - 1] == '/' ? "" : "/", key);
    }
    if (need >= n)
        return odbctx__fail(s, ODBCTX_EARG,
                            "%s: the path is longer than %zu bytes with {dbms} as \"%s\": %.200s", fn,
                            n - 1, key, path);
    return 0;
}

int odbctx_schema_path(odbctx_session *s, const char *path, char *out, size_t n)
{
    if (!odbctx__enter(s, 0))
        return ODBCTX_EARG;
    int rc;
    if (!path || !*path || !out || n == 0)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_schema_path: path is NULL or empty, or no room for the result");
    else
        rc = schema_path(s, "odbctx_schema_path", path, out, n);
    odbctx__leave(s);
    return rc;
}

int odbctx_schema_file(odbctx_session *s, const char *path)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc;
    char *text = NULL;
    char file[PATH_MAX];
    if (!path || !*path)
        rc = odbctx__fail(s, ODBCTX_EARG, "odbctx_schema_file: path is NULL or empty");
    else if ((rc = schema_path(s, "odbctx_schema_file", path, file, sizeof file)) == 0 &&
             (rc = odbctx__read_file(s, file, &text)) == 0)
        rc = schema_run(s, text, file);
    free(text);
    odbctx__leave(s);
    return rc;
}
