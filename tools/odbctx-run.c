/*
 * odbctx-run: runs an unmodified ODBC program inside one odbctx session
 * and rolls back everything it wrote when it exits.
 *
 *   odbctx-run [--connect CONN] [--trace] [--] PROGRAM [ARGS...]
 *
 * It runs PROGRAM with a driver configuration of its own (a temporary
 * odbcinst.ini, named by ODBCSYSINI for unixODBC, and iodbcinst.ini, named
 * by SYSODBCINSTINI for iODBC) in which every installed driver is odbctx's
 * driver, libodbctx-driver.so (libodbctx-driver-narrow.so for iODBC), and
 * the real one is kept under "NAME (odbctx target)". Whatever binds libodbc for the program (PHP, Perl, Python,
 * Qt, C; linked, dlopen'd or with RTLD_DEEPBIND) loads its driver by name,
 * so every connection goes through odbctx. The driver opens the session
 * at the program's first connection, to the database that connection
 * names (or to CONN with --connect; to ODBCTX_CONNECT when it names none),
 * and every later connection joins it. The program's commits and
 * rollbacks behave as they would for real while it runs; when it exits,
 * everything is rolled back. When it crashes, the suite transaction is
 * never committed, so the server rolls it back. DSNs keep working: the
 * system odbc.ini is linked into the configuration, ~/.odbc.ini is read
 * where it is.
 *
 * The driver is the one beside the library this program runs with (found
 * through its rpath: ../lib once installed, ../ in the build tree);
 * ODBCTX_LIB names another libodbctx.so.N, beside which it is looked for.
 *
 * It fails closed: the program is never left to write uncaptured. With
 * --connect the session is opened here first, and when it cannot be the
 * program is not started. Otherwise the program runs as a child that this
 * process waits for; the driver reports on a pipe (ODBCTX_RUN_STATUS_FD)
 * whether opening the session failed (it then refuses every connection
 * the program makes) or a breach was found at exit. Exit status: the program's own when all went
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
#include <strings.h>
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

/* A sanitizer runtime (ODBCTX_SANITIZER_PRELOAD, set by `make
 * check-asan`) must be loaded first when a sanitized driver is. */
static int set_preload(void)
{
    const char *san = getenv("ODBCTX_SANITIZER_PRELOAD");
    if (!san || !*san)
        return 0;
    const char *old = getenv("LD_PRELOAD");
    size_t n = strlen(san) + (old ? strlen(old) : 0) + 2;
    char *value = malloc(n);
    if (!value)
        return -1;
    snprintf(value, n, "%s%s%s", san, old && *old ? " " : "", old && *old ? old : "");
    int rc = setenv("LD_PRELOAD", value, 1);
    free(value);
    return rc;
}

/* ---- the driver configuration (the library's: c/share/config.c) ---- */

int odbctx__driver_config(const char *dir, const char *driver, const char *narrow, char *why,
                          size_t wn);
int odbctx__driver_config_use(const char *dir);
void odbctx__driver_config_remove(const char *dir);
int odbctx__driver_config_active(void);

static char config_dir[PATH_MAX];

static void remove_config(void)
{
    if (!config_dir[0])
        return;
    odbctx__driver_config_remove(config_dir);
    rmdir(config_dir);
    config_dir[0] = '\0';
}

/* Makes the configuration and points the environment at it. */
static int make_config(const char *driver, const char *narrow, const char *prog)
{
    /* Run by a test, or by odbctx-run: the drivers are odbctx's already. */
    if (odbctx__driver_config_active())
        return 0;
    const char *tmp = getenv("TMPDIR");
    snprintf(config_dir, sizeof config_dir, "%s/odbctx-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(config_dir)) {
        fprintf(stderr, "odbctx-run: cannot make a directory in %s: %s; %s was not run\n",
                tmp && *tmp ? tmp : "/tmp", strerror(errno), prog);
        config_dir[0] = '\0';
        return -1;
    }
    char why[PATH_MAX + 200];
    if (odbctx__driver_config(config_dir, driver, narrow, why, sizeof why) != 0) {
        fprintf(stderr, "odbctx-run: %s; %s was not run\n", why, prog);
        return -1;
    }
    if (odbctx__driver_config_use(config_dir) != 0) {
        fprintf(stderr, "odbctx-run: cannot set the environment: %s; %s was not run\n",
                strerror(errno), prog);
        return -1;
    }
    return 0;
}

/* A driver library (file, e.g. libodbctx-driver.so) beside the library. */
static int find_driver(const char *lib, const char *file, char *out, size_t n)
{
    snprintf(out, n, "%s", lib);
    char *slash = strrchr(out, '/');
    if (!slash || (size_t)(slash - out) + strlen(file) + 2 > n)
        return -1;
    snprintf(slash, n - (size_t)(slash - out), "/%s", file);
    if (!readable(out)) {
        fprintf(stderr, "odbctx-run: cannot find odbctx's driver %s: %s\n", out, strerror(errno));
        return -1;
    }
    return 0;
}

/* --connect: the session must open before the program may start. With
 * sharing on (the default) it stays open here and the program, with every
 * process it starts, joins it as a child (*owned set); otherwise it was a
 * check, and the program's first connection opens the session. */
static int open_session(const char *conn, const char *prog, odbctx_session **owned)
{
    odbctx_session *s = NULL;
    odbctx_error err;
    *owned = NULL;
    if (odbctx_open(&s, conn, &err) != 0) {
        fprintf(stderr, "odbctx-run: cannot open the session: %s; %s was not run\n", err.message,
                prog);
        return -1;
    }
    const char *owner = getenv("ODBCTX_SHARE_OWNER");
    if (!owner || strtol(owner, NULL, 10) != (long)getpid()) {
        odbctx_close(s);
        return 0;
    }
    if (odbctx_begin_test(s) != 0) {
        fprintf(stderr, "odbctx-run: cannot begin: %s; %s was not run\n",
                odbctx_last_error(s)->message, prog);
        odbctx_close(s);
        return -1;
    }
    *owned = s;
    return 0;
}

/* After the program: everything it and its children wrote is rolled back;
 * a breach makes the run fail. */
static int close_session(odbctx_session *s, int rc)
{
    if (odbctx_end_test(s) == ODBCTX_EBREACH) {
        fprintf(stderr, "odbctx-run: isolation breach: %s\n", odbctx_last_error(s)->message);
        rc = RUN_ECAPTURE;
    }
    odbctx_close(s);
    return rc;
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
    char lib[PATH_MAX], driver[PATH_MAX], narrow[PATH_MAX];
    if (find_library(lib, sizeof lib) != 0 ||
        find_driver(lib, "libodbctx-driver.so", driver, sizeof driver) != 0 ||
        find_driver(lib, "libodbctx-driver-narrow.so", narrow, sizeof narrow) != 0)
        return RUN_ECAPTURE;
    const char *forced = getenv("ODBCTX_RUN_CONNECT");
    odbctx_session *owned = NULL;
    if (forced && *forced && open_session(forced, argv[i], &owned) != 0)
        return RUN_ECAPTURE;
    if (owned) {
        /* The session's sharing has pointed the environment at odbctx's
         * drivers: the program's connections join it from its process. */
        if (set_preload() != 0) {
            fprintf(stderr, "odbctx-run: cannot set the environment: %s; %s was not run\n",
                    strerror(errno), argv[i]);
            return close_session(owned, RUN_ECAPTURE);
        }
        int none[2];
        if (pipe(none) != 0)
            return close_session(owned, RUN_ECAPTURE);
        fcntl(none[0], F_SETFD, FD_CLOEXEC);
        fcntl(none[1], F_SETFD, FD_CLOEXEC);
        return close_session(owned, run_child(argv + i, none));
    }
    int status[2];
    if (pipe(status) != 0 || fcntl(status[0], F_SETFD, FD_CLOEXEC) != 0) {
        fprintf(stderr, "odbctx-run: cannot make a pipe: %s; %s was not run\n", strerror(errno),
                argv[i]);
        return RUN_ECAPTURE;
    }
    char fd[16];
    snprintf(fd, sizeof fd, "%d", status[1]);
    atexit(remove_config);
    if (make_config(driver, narrow, argv[i]) != 0)
        return RUN_ECAPTURE;
    if (set_preload() != 0 || setenv("ODBCTX_RUN", "1", 1) != 0 ||
        setenv("ODBCTX_RUN_STATUS_FD", fd, 1) != 0) {
        fprintf(stderr, "odbctx-run: cannot set the environment: %s; %s was not run\n",
                strerror(errno), argv[i]);
        return RUN_ECAPTURE;
    }
    return run_child(argv + i, status);
}
