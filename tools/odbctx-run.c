/*
 * odbctx-run: runs an unmodified ODBC program inside one odbctx session
 * and rolls back everything it wrote when it exits.
 *
 *   odbctx-run [--connect CONN] [--trace] [--] PROGRAM [ARGS...]
 *
 * It preloads libodbctx.so (LD_PRELOAD) and sets ODBCTX_RUN=1, then execs
 * PROGRAM. Inside the program, libodbctx opens the session at its first
 * SQLConnect / SQLDriverConnect, to the database that call names (or to
 * CONN with --connect; to ODBCTX_CONNECT when the call names none), and
 * captures every connection the program opens into it. The program's
 * commits and rollbacks behave as they would for real while it runs; when
 * it exits, everything is rolled back. When it crashes, the suite
 * transaction is never committed, so the server rolls it back.
 *
 * The library preloaded is the one this program runs with itself (found
 * through its rpath: ../lib/libodbctx.so.N once installed, ../ in the build
 * tree), so that the program cannot silently run without it; ODBCTX_LIB
 * overrides.
 */
#include <odbctx.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STR2(x) #x
#define STR(x) STR2(x)
#define SONAME "libodbctx.so." STR(ODBCTX_VERSION_MAJOR)

static void usage(FILE *to)
{
    fprintf(to,
            "usage: odbctx-run [--connect CONN] [--trace] [--] PROGRAM [ARGS...]\n"
            "\n"
            "Runs PROGRAM inside one odbctx session: every ODBC connection it opens\n"
            "joins one transaction, its commits become savepoint restarts, and all it\n"
            "wrote is rolled back when it exits (or crashes).\n"
            "\n"
            "  -c, --connect CONN  open the session on CONN instead of the database the\n"
            "                      program's first connection names\n"
            "  -t, --trace         print the SQL the program runs (ODBCTX_TRACE=1)\n"
            "  -h, --help          this text\n"
            "      --version       the odbctx version\n");
}

static int readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* The library that belongs to this program: beside it, not whatever the
 * dynamic linker would pick. */
static int find_library(char *out, size_t n)
{
    const char *forced = getenv("ODBCTX_LIB");
    if (forced && *forced) {
        if (!readable(forced)) {
            fprintf(stderr, "odbctx-run: ODBCTX_LIB=%s: %s\n", forced, strerror(errno));
            return -1;
        }
        snprintf(out, n, "%s", forced);
        return 0;
    }
    /* The library this program itself was linked with and loaded (its
     * rpath looks in ../lib and ..): the path the dynamic linker chose. */
    Dl_info info;
    char real[PATH_MAX];
    if (dladdr((void *)odbctx_strerror, &info) && info.dli_fname && info.dli_fname[0] == '/' &&
        realpath(info.dli_fname, real)) {
        snprintf(out, n, "%s", real);
        return 0;
    }
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        fprintf(stderr, "odbctx-run: cannot find my own path: %s\n", strerror(errno));
        return -1;
    }
    self[len] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    static const char *const candidates[] = {"/../lib/" SONAME, "/../" SONAME,
                                             "/../lib/libodbctx.so", "/../libodbctx.so"};
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s%s", self, candidates[i]);
        if (readable(path) && realpath(path, real)) {
            snprintf(out, n, "%s", real);
            return 0;
        }
    }
    fprintf(stderr, "odbctx-run: cannot find %s in %s/../lib or %s/..; set ODBCTX_LIB\n", SONAME,
            self, self);
    return -1;
}

/* LD_PRELOAD gets the library in front of what was there. A sanitizer
 * runtime (ODBCTX_SANITIZER_PRELOAD, set by `make check-asan`) must come
 * before everything else. */
static int set_preload(const char *lib)
{
    const char *san = getenv("ODBCTX_SANITIZER_PRELOAD");
    const char *old = getenv("LD_PRELOAD");
    size_t n = strlen(lib) + (san ? strlen(san) : 0) + (old ? strlen(old) : 0) + 3;
    char *value = malloc(n);
    if (!value)
        return -1;
    snprintf(value, n, "%s%s%s%s%s", san && *san ? san : "", san && *san ? " " : "", lib,
             old && *old ? " " : "", old && *old ? old : "");
    int rc = setenv("LD_PRELOAD", value, 1);
    free(value);
    return rc;
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-')
            break;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            printf("odbctx-run %s\n", ODBCTX_VERSION_STRING);
            return 0;
        }
        if (strcmp(a, "-t") == 0 || strcmp(a, "--trace") == 0) {
            setenv("ODBCTX_TRACE", "1", 1);
        } else if (strcmp(a, "-c") == 0 || strcmp(a, "--connect") == 0) {
            if (++i >= argc) {
                fprintf(stderr, "odbctx-run: %s needs a connection string\n", a);
                return 2;
            }
            setenv("ODBCTX_RUN_CONNECT", argv[i], 1);
        } else if (strncmp(a, "--connect=", 10) == 0) {
            setenv("ODBCTX_RUN_CONNECT", a + 10, 1);
        } else {
            fprintf(stderr, "odbctx-run: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    char lib[PATH_MAX];
    if (find_library(lib, sizeof lib) != 0)
        return 127;
    if (set_preload(lib) != 0 || setenv("ODBCTX_RUN", "1", 1) != 0) {
        fprintf(stderr, "odbctx-run: cannot set the environment: %s\n", strerror(errno));
        return 127;
    }
    execvp(argv[i], argv + i);
    fprintf(stderr, "odbctx-run: cannot run %s: %s\n", argv[i], strerror(errno));
    return 127;
}
