/*
 * The driver configuration that sends a program's connections to odbctx's
 * driver: odbctx-run writes it for the program it runs, a session's owner
 * for its children (owner.c).
 *
 * odbcinst.ini (named by ODBCSYSINI for unixODBC) and iodbcinst.ini (named
 * by SYSODBCINSTINI for iODBC) hold every installed driver as odbctx's
 * driver (the narrow one for iODBC, whose wide characters are UCS-4), the
 * real one kept under "NAME (odbctx target)" and named by OdbctxTarget, and
 * the same routing for every name and path of its library, since a
 * connection string may name a driver by its library (DRIVER=
 * libsqlite3odbc.so) and unixODBC looks that up in odbcinst.ini first.
 * System DSNs keep working: unixODBC reads odbc.ini beside odbcinst.ini,
 * so a link to the real one is put there; ~/.odbc.ini is read where it is.
 */
#include "share/share.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* The odbcinst.ini and system odbc.ini unixODBC would read (iODBC's
 * SYSODBCINSTINI / SYSODBCINI first, when set to a file). */
static void config_source(const char *name, const char *iodbc_var, char *out, size_t n)
{
    const char *v = getenv(iodbc_var);
    if (v && *v && readable(v)) {
        snprintf(out, n, "%s", v);
        return;
    }
    const char *dir = getenv("ODBCSYSINI");
    const char *file = strcmp(name, "odbcinst.ini") == 0 ? getenv("ODBCINSTINI") : NULL;
    if (file && file[0] == '/') {
        snprintf(out, n, "%s", file);
        return;
    }
    snprintf(out, n, "%s/%s", dir && *dir ? dir : "/etc", file && *file ? file : name);
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    size_t k = strspn(s, " \t");
    memmove(s, s + k, n - k + 1);
}

/* Names a driver library goes by: the Driver value as written, its file
 * name, and the paths it resolves to in the usual library folders. A
 * connection string may name any of them (DRIVER=libsqlite3odbc.so), and
 * unixODBC looks each up in odbcinst.ini before it loads it as a file. */
#define MAX_ALIASES 8
static size_t library_names(const char *value, char names[][PATH_MAX])
{
    static const char *const dirs[] = {"/usr/lib/x86_64-linux-gnu/odbc", "/usr/lib/x86_64-linux-gnu",
                                       "/usr/lib64", "/usr/lib/odbc", "/usr/local/lib", "/usr/lib"};
    size_t n = 0;
    const char *base = strrchr(value, '/');
    base = base ? base + 1 : value;
    snprintf(names[n++], PATH_MAX, "%s", value);
    if (strcmp(base, value) != 0)
        snprintf(names[n++], PATH_MAX, "%s", base);
    char path[PATH_MAX + 64], real[PATH_MAX];
    if (value[0] == '/' && realpath(value, real))
        snprintf(names[n++], PATH_MAX, "%s", real);
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs && n + 2 <= MAX_ALIASES; i++) {
        snprintf(path, sizeof path, "%s/%s", dirs[i], base);
        if (access(path, R_OK) != 0)
            continue;
        snprintf(names[n++], PATH_MAX, "%.4000s", path);
        if (realpath(path, real) && strcmp(real, path) != 0)
            snprintf(names[n++], PATH_MAX, "%s", real);
    }
    return n;
}

struct section {
    char name[1024];
    char driver[1024]; /* its Driver value */
    char *keys;        /* its lines, each ending in '\n' */
    size_t len;
};

static int read_sections(FILE *in, struct section **out, size_t *count)
{
    char line[4096];
    struct section *v = NULL;
    size_t n = 0;
    while (in && fgets(line, sizeof line, in)) {
        trim(line);
        if (line[0] == '[') {
            char *end = strchr(line, ']');
            if (!end)
                continue;
            *end = '\0';
            struct section *g = realloc(v, (n + 1) * sizeof *v);
            if (!g)
                goto oom;
            v = g;
            memset(&v[n], 0, sizeof v[n]);
            snprintf(v[n++].name, sizeof v->name, "%.1000s", line + 1);
            continue;
        }
        if (!line[0] || line[0] == '#' || line[0] == ';' || n == 0)
            continue;
        struct section *c = &v[n - 1];
        char *eq = strchr(line, '=');
        if (eq) {
            char key[64];
            snprintf(key, sizeof key, "%.*s", (int)(eq - line), line);
            trim(key);
            if (strcasecmp(key, "Driver") == 0 || (strcasecmp(key, "Driver64") == 0 && !c->driver[0])) {
                snprintf(c->driver, sizeof c->driver, "%s", eq + 1);
                trim(c->driver);
            }
        }
        size_t l = strlen(line);
        char *k = realloc(c->keys, c->len + l + 2);
        if (!k)
            goto oom;
        c->keys = k;
        memcpy(c->keys + c->len, line, l);
        c->len += l;
        c->keys[c->len++] = '\n';
        c->keys[c->len] = '\0';
    }
    *out = v;
    *count = n;
    return 0;
oom:
    for (size_t i = 0; i < n; i++)
        free(v[i].keys);
    free(v);
    return -1;
}

/* One section routing name to odbctx's driver, once per name. */
static void route(FILE *out, const char *name, const char *driver, const char *target,
                  char (*done)[PATH_MAX], size_t *n_done, size_t max)
{
    for (size_t i = 0; i < *n_done; i++)
        if (strcmp(done[i], name) == 0)
            return;
    if (*n_done < max)
        snprintf(done[(*n_done)++], PATH_MAX, "%s", name);
    fprintf(out, "\n[%s]\nDriver = %s\nThreading = 0\nOdbctxTarget = %s (odbctx target)\n", name,
            driver, target);
}

/* Writes to out, for each [NAME] of in: [NAME] as odbctx's driver with
 * OdbctxTarget=NAME (odbctx target), [NAME (odbctx target)] with the
 * original keys, and the same routing for the names of its library.
 * [ODBC] (the driver manager's own settings) is copied. */
static int write_odbcinst(FILE *in, FILE *out, const char *driver)
{
    struct section *v;
    size_t n;
    if (read_sections(in, &v, &n) != 0)
        return -1;
    size_t max = n * (MAX_ALIASES + 1) + 1, n_done = 0;
    char (*done)[PATH_MAX] = calloc(max, PATH_MAX);
    if (!done) {
        for (size_t i = 0; i < n; i++)
            free(v[i].keys);
        free(v);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(v[i].name, "ODBC") == 0) {
            fprintf(out, "\n[ODBC]\n%s", v[i].keys ? v[i].keys : "");
            continue;
        }
        route(out, v[i].name, driver, v[i].name, done, &n_done, max);
        fprintf(out, "\n[%s (odbctx target)]\n%s", v[i].name, v[i].keys ? v[i].keys : "");
    }
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(v[i].name, "ODBC") == 0 || !v[i].driver[0])
            continue;
        char names[MAX_ALIASES][PATH_MAX];
        size_t k = library_names(v[i].driver, names);
        for (size_t j = 0; j < k; j++)
            route(out, names[j], driver, v[i].name, done, &n_done, max);
    }
    for (size_t i = 0; i < n; i++)
        free(v[i].keys);
    free(v);
    free(done);
    return ferror(out) ? -1 : 0;
}

static const char *const made[] = {"odbcinst.ini", "iodbcinst.ini", "odbc.ini"};

void odbctx__driver_config_remove(const char *dir)
{
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof made / sizeof *made; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        unlink(path);
    }
}

int odbctx__driver_config(const char *dir, const char *driver, const char *narrow, char *why,
                          size_t wn)
{
    char src[PATH_MAX], sys_ini[PATH_MAX], path[PATH_MAX + 32];
    config_source("odbcinst.ini", "SYSODBCINSTINI", src, sizeof src);
    config_source("odbc.ini", "SYSODBCINI", sys_ini, sizeof sys_ini);
    FILE *in = fopen(src, "r");
    if (!in && errno != ENOENT) {
        snprintf(why, wn, "cannot read %s: %s", src, strerror(errno));
        return -1;
    }
    /* unixODBC's configuration, and iODBC's with the narrow driver. */
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, i ? "iodbcinst.ini" : "odbcinst.ini");
        FILE *out = fopen(path, "w");
        if (in)
            rewind(in);
        rc = out ? write_odbcinst(in, out, i ? narrow : driver) : -1;
        if (out && fclose(out) != 0)
            rc = -1;
    }
    if (in)
        fclose(in);
    if (rc != 0) {
        snprintf(why, wn, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    char real_ini[PATH_MAX];
    snprintf(path, sizeof path, "%s/odbc.ini", dir);
    if (realpath(sys_ini, real_ini) && symlink(real_ini, path) != 0) {
        snprintf(why, wn, "cannot link %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int odbctx__driver_config_use(const char *dir)
{
    char sys_ini[PATH_MAX], path[PATH_MAX + 32];
    config_source("odbc.ini", "SYSODBCINI", sys_ini, sizeof sys_ini);
    snprintf(path, sizeof path, "%s/iodbcinst.ini", dir);
    if (setenv("ODBCSYSINI", dir, 1) != 0 || unsetenv("ODBCINSTINI") != 0 ||
        setenv("SYSODBCINSTINI", path, 1) != 0 || setenv("SYSODBCINI", sys_ini, 1) != 0)
        return -1;
    return 0;
}

int odbctx__driver_config_active(void)
{
    char src[PATH_MAX], line[4096];
    config_source("odbcinst.ini", "SYSODBCINSTINI", src, sizeof src);
    FILE *in = fopen(src, "r");
    int found = 0;
    while (in && !found && fgets(line, sizeof line, in))
        found = strncmp(line, "OdbctxTarget", 12) == 0;
    if (in)
        fclose(in);
    return found;
}
