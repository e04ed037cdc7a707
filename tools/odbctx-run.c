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
 *
 * It fails closed: the program is never left to write uncaptured. With
 * --connect the session is opened here first, and when it cannot be the
 * program is not started. Otherwise the program runs as a child that this
 * process waits for; the preloaded library reports on a pipe
 * (ODBCTX_RUN_STATUS_FD) that it was loaded, and whether opening the
 * session failed (it then refuses every connection the program makes) or
 * a breach was found at exit. Exit status: the program's own when all went
 * well; RUN_ECAPTURE when capture failed in any of these ways, whatever the
 * program returned; 128+N when a signal N killed it (odbctx-run(1)).
 */
#include <odbctx.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Exit statuses of odbctx-run itself (the program's own pass through). */
#define RUN_EUSAGE 2     /* bad options */
#define RUN_ECAPTURE 125 /* capture could not be set up or was breached */
#define RUN_ENOEXEC 126  /* the program exists but cannot be run */
#define RUN_ENOENT 127   /* the program was not found */

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
            "      --version       the odbctx version\n"
            "\n"
            "Exit status: the program's own; 125 when capture could not be set up (the\n"
            "session cannot open: the program is not run with --connect, and its\n"
            "connections are refused otherwise) or a breach was found; 126/127 when the\n"
            "program cannot be run / is not found; 128+N when signal N killed it;\n"
            "2 for a usage error.\n");
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

/* --connect: the session must open before the program may start. */
static int check_session(const char *conn, const char *prog)
{
    odbctx_session *s = NULL;
    odbctx_error err;
    if (odbctx_open(&s, conn, &err) != 0) {
        fprintf(stderr, "odbctx-run: cannot open the session: %s; %s was not run\n", err.message,
                prog);
        return -1;
    }
    odbctx_close(s);
    return 0;
}

static volatile sig_atomic_t child_pid;

/* Termination requests go to the program, which then exits as it would;
 * odbctx-run reports its status. */
static void forward(int sig)
{
    if (child_pid > 0)
        kill((pid_t)child_pid, sig);
}

/* What the library reported; 1 when capture failed. */
static int read_status(int fd, int *loaded)
{
    char buf[4096];
    size_t used = 0;
    ssize_t n;
    while (used < sizeof buf - 1 && (n = read(fd, buf + used, sizeof buf - 1 - used)) > 0)
        used += (size_t)n;
    buf[used] = '\0';
    int failed = 0;
    for (char *line = buf; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strcmp(line, "loaded") == 0)
            *loaded = 1;
        else if (strncmp(line, "failed", 6) == 0 || strncmp(line, "breach", 6) == 0)
            failed = 1;
        if (!nl)
            break;
        line = nl + 1;
    }
    return failed;
}

static int run_child(char **args, int status[2])
{
    /* Ctrl-C reaches the program through the terminal; odbctx-run waits
     * for it to end (as system() does). */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTERM, forward);
    signal(SIGHUP, forward);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "odbctx-run: cannot fork: %s; %s was not run\n", strerror(errno), args[0]);
        return RUN_ECAPTURE;
    }
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        execvp(args[0], args);
        int e = errno;
        fprintf(stderr, "odbctx-run: cannot run %s: %s\n", args[0], strerror(e));
        _exit(e == ENOENT ? RUN_ENOENT : RUN_ENOEXEC);
    }
    child_pid = pid;
    close(status[1]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    /* Grandchildren may still hold the pipe: read what is there, no more. */
    fcntl(status[0], F_SETFL, O_NONBLOCK);
    int loaded = 0, failed = read_status(status[0], &loaded);
    close(status[0]);
    if (WIFEXITED(st) && (WEXITSTATUS(st) == RUN_ENOENT || WEXITSTATUS(st) == RUN_ENOEXEC) &&
        !loaded)
        return WEXITSTATUS(st);
    if (failed)
        return RUN_ECAPTURE;
    if (!loaded) {
        fprintf(stderr,
                "odbctx-run: %s ran without libodbctx (a static or setuid program, or one that "
                "clears LD_PRELOAD): what it wrote through ODBC was not captured\n",
                args[0]);
        return RUN_ECAPTURE;
    }
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WIFEXITED(st) ? WEXITSTATUS(st) : RUN_ECAPTURE;
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
                return RUN_EUSAGE;
            }
            setenv("ODBCTX_RUN_CONNECT", argv[i], 1);
        } else if (strncmp(a, "--connect=", 10) == 0) {
            setenv("ODBCTX_RUN_CONNECT", a + 10, 1);
        } else {
            fprintf(stderr, "odbctx-run: unknown option %s\n", a);
            usage(stderr);
            return RUN_EUSAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return RUN_EUSAGE;
    }
    char lib[PATH_MAX];
    if (find_library(lib, sizeof lib) != 0)
        return RUN_ECAPTURE;
    const char *forced = getenv("ODBCTX_RUN_CONNECT");
    if (forced && *forced && check_session(forced, argv[i]) != 0)
        return RUN_ECAPTURE;
    int status[2];
    if (pipe(status) != 0 || fcntl(status[0], F_SETFD, FD_CLOEXEC) != 0) {
        fprintf(stderr, "odbctx-run: cannot make a pipe: %s; %s was not run\n", strerror(errno),
                argv[i]);
        return RUN_ECAPTURE;
    }
    char fd[16];
    snprintf(fd, sizeof fd, "%d", status[1]);
    if (set_preload(lib) != 0 || setenv("ODBCTX_RUN", "1", 1) != 0 ||
        setenv("ODBCTX_RUN_STATUS_FD", fd, 1) != 0) {
        fprintf(stderr, "odbctx-run: cannot set the environment: %s; %s was not run\n",
                strerror(errno), argv[i]);
        return RUN_ECAPTURE;
    }
    return run_child(argv + i, status);
}
