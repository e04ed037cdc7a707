/*
 * Capture's state: starting and stopping it, the table of captured
 * handles, errors posted on the application's handles, and run mode
 * (odbctx-run: the session opened at the program's first connection).
 */
#include "capture/capture.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

_Atomic(odbctx_session *) odbctx__cap_active;
_Thread_local int odbctx__cap_depth;
_Atomic int odbctx__cap_ready_flag;

/* Serialises starting and stopping capture (and odbctx-run's first connect):
 * never held across a forwarded call. */
static pthread_mutex_t cap_mu = PTHREAD_MUTEX_INITIALIZER;

int odbctx__cap_ready_slow(void)
{
    if (!odbctx_real_load())
        return 0;
    atomic_store_explicit(&odbctx__cap_ready_flag, 1, memory_order_release);
    return 1;
}

int odbctx_capture_active(odbctx_session *s)
{
    return s && atomic_load_explicit(&odbctx__cap_active, memory_order_acquire) == s;
}

/* ---- the handles capture looks after ----
 *
 * An open-addressing table of handle pointers that readers probe without a
 * lock: the fast path of every interposed statement call asks it whether a
 * handle is the session's. Writers hold table_mu (and the session's lock).
 * A table that grows is replaced, never freed: a reader may still be
 * probing it, and the sum of the old ones is smaller than the new one. */

#define TOMB ((uintptr_t)1)

struct slot {
    _Atomic(uintptr_t) key;
    struct cap_handle *rec;
};

struct table {
    size_t cap, used, live; /* used counts tombstones too */
    struct table *retired;  /* older tables, kept reachable */
    struct slot slots[];
};

static _Atomic(struct table *) table_now;
static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;

static size_t hash_ptr(uintptr_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k;
}

static struct slot *probe(struct table *t, uintptr_t k, int for_insert)
{
    size_t m = t->cap - 1;
    struct slot *tomb = NULL;
    for (size_t i = hash_ptr(k) & m, n = 0; n < t->cap; i = (i + 1) & m, n++) {
        uintptr_t v = atomic_load_explicit(&t->slots[i].key, memory_order_acquire);
        if (v == k)
            return &t->slots[i];
        if (v == TOMB && !tomb)
            tomb = &t->slots[i];
        if (v == 0)
            return for_insert ? (tomb ? tomb : &t->slots[i]) : NULL;
    }
    return for_insert ? tomb : NULL;
}

int odbctx__cap_known(const void *h)
{
    struct table *t = atomic_load_explicit(&table_now, memory_order_acquire);
    return t && h && probe(t, (uintptr_t)h, 0) != NULL;
}

struct cap_handle *odbctx__cap_find(const void *h)
{
    pthread_mutex_lock(&table_mu);
    struct table *t = atomic_load_explicit(&table_now, memory_order_relaxed);
    struct slot *sl = t && h ? probe(t, (uintptr_t)h, 0) : NULL;
    struct cap_handle *rec = sl ? sl->rec : NULL;
    pthread_mutex_unlock(&table_mu);
    return rec;
}

/* With table_mu held: a table with room for one more. */
static struct table *room_for_one(void)
{
    struct table *t = atomic_load_explicit(&table_now, memory_order_relaxed);
    if (t && (t->used + 1) * 2 <= t->cap)
        return t;
    size_t live = t ? t->live : 0, cap = 64;
    while (cap < (live + 1) * 4)
        cap *= 2;
    struct table *nt = calloc(1, sizeof *nt + cap * sizeof(struct slot));
    if (!nt)
        return NULL;
    nt->cap = cap;
    if (t) {
        for (size_t i = 0; i < t->cap; i++) {
            uintptr_t k = atomic_load_explicit(&t->slots[i].key, memory_order_relaxed);
            if (k == 0 || k == TOMB)
                continue;
            struct slot *sl = probe(nt, k, 1);
            sl->rec = t->slots[i].rec;
            atomic_store_explicit(&sl->key, k, memory_order_relaxed);
            nt->used++;
            nt->live++;
        }
        nt->retired = t;
    }
    atomic_store_explicit(&table_now, nt, memory_order_release);
    return nt;
}

struct cap_handle *odbctx__cap_add(enum cap_kind kind, void *h, struct cap_conn *conn)
{
    struct cap_handle *rec = calloc(1, sizeof *rec);
    if (!rec)
        return NULL;
    rec->kind = kind;
    rec->h = h;
    rec->conn = conn;
    pthread_mutex_lock(&table_mu);
    struct table *t = room_for_one();
    struct slot *sl = t ? probe(t, (uintptr_t)h, 1) : NULL;
    if (!sl) {
        pthread_mutex_unlock(&table_mu);
        free(rec);
        return NULL;
    }
    uintptr_t old = atomic_load_explicit(&sl->key, memory_order_relaxed);
    struct cap_handle *stale = old == (uintptr_t)h ? sl->rec : NULL;
    if (old == 0)
        t->used++;
    if (old != (uintptr_t)h)
        t->live++;
    sl->rec = rec;
    atomic_store_explicit(&sl->key, (uintptr_t)h, memory_order_release);
    pthread_mutex_unlock(&table_mu);
    if (stale) {
        /* The driver manager reused the address of a handle freed behind
         * capture's back: the old record means nothing now. */
        free(stale->diag);
        free(stale->prepared);
        free(stale);
    }
    return rec;
}

void odbctx__cap_remove(const void *h)
{
    struct cap_handle *rec = NULL;
    pthread_mutex_lock(&table_mu);
    struct table *t = atomic_load_explicit(&table_now, memory_order_relaxed);
    struct slot *sl = t && h ? probe(t, (uintptr_t)h, 0) : NULL;
    if (sl) {
        rec = sl->rec;
        sl->rec = NULL;
        atomic_store_explicit(&sl->key, TOMB, memory_order_release);
        t->live--;
    }
    pthread_mutex_unlock(&table_mu);
    if (rec) {
        free(rec->diag);
        free(rec->prepared);
        free(rec);
    }
}

/* Removes every record matching (conn, kinds), or all when conn is NULL;
 * the STMT and DESC handles among them are handed to fn first. */
static void remove_where(struct cap_conn *conn, void (*fn)(struct cap_handle *))
{
    for (;;) {
        struct cap_handle *found = NULL;
        pthread_mutex_lock(&table_mu);
        struct table *t = atomic_load_explicit(&table_now, memory_order_relaxed);
        for (size_t i = 0; t && i < t->cap && !found; i++) {
            uintptr_t k = atomic_load_explicit(&t->slots[i].key, memory_order_relaxed);
            if (k == 0 || k == TOMB)
                continue;
            struct cap_handle *rec = t->slots[i].rec;
            if (!conn || (rec->conn == conn && (rec->kind == CAP_STMT || rec->kind == CAP_DESC)))
                found = rec;
        }
        pthread_mutex_unlock(&table_mu);
        if (!found)
            return;
        if (fn)
            fn(found);
        odbctx__cap_remove(found->h);
    }
}

/* ---- entering a captured call ---- */

odbctx_session *odbctx__cap_begin(const void *h, struct cap_handle **rec)
{
    odbctx_session *s = atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed);
    if (!s || odbctx__cap_depth || !odbctx__cap_known(h))
        return NULL;
    odbctx__cap_depth++;
    if (!odbctx__enter(s, 0)) {
        odbctx__cap_depth--;
        return NULL;
    }
    if (atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed) != s ||
        !(*rec = odbctx__cap_find(h))) {
        odbctx__leave(s);
        odbctx__cap_depth--;
        return NULL;
    }
    return s;
}

void odbctx__cap_end(odbctx_session *s)
{
    odbctx__leave(s);
    odbctx__cap_depth--;
}

/* ---- diagnostics capture posts on the application's handles ---- */

void odbctx__cap_clear_diag(struct cap_handle *rec)
{
    free(rec->diag);
    rec->diag = NULL;
}

static SQLSMALLINT odbc_type(const struct cap_handle *rec)
{
    switch (rec->kind) {
    case CAP_ENV: return SQL_HANDLE_ENV;
    case CAP_DBC: return SQL_HANDLE_DBC;
    case CAP_STMT: return SQL_HANDLE_STMT;
    case CAP_DESC: return SQL_HANDLE_DESC;
    }
    return SQL_HANDLE_STMT;
}

/* Where the driver manager keeps the diagnostics of rec's handle. */
static SQLHANDLE dm_handle(const struct cap_handle *rec)
{
    odbctx_session *s = atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed);
    return rec->kind == CAP_DBC && rec->conn && rec->conn->alias && s ? s->dbc : rec->h;
}

/* The driver manager clears a handle's diagnostics at every call on it but
 * cannot clear odbctx's. So posting one first clears the driver manager's
 * (any harmless call does), and a record of the driver manager's seen later
 * means a newer call failed: odbctx's is stale then. */
static void dm_clear(const struct cap_handle *rec)
{
    SQLHANDLE h = dm_handle(rec);
    SQLULEN v = 0;
    switch (rec->kind) {
    case CAP_ENV: REAL(SQLGetEnvAttr)(h, SQL_ATTR_ODBC_VERSION, &v, 0, NULL); break;
    case CAP_DBC: REAL(SQLGetConnectAttr)(h, SQL_ATTR_AUTOCOMMIT, &v, 0, NULL); break;
    case CAP_STMT: REAL(SQLGetStmtAttr)(h, SQL_ATTR_ROW_ARRAY_SIZE, &v, 0, NULL); break;
    case CAP_DESC: REAL(SQLGetDescField)(h, 0, SQL_DESC_COUNT, &v, 0, NULL); break;
    }
}

int odbctx__cap_diag_current(struct cap_handle *rec)
{
    if (!rec->diag)
        return 0;
    SQLINTEGER n = 0;
    if (SQL_SUCCEEDED(REAL(SQLGetDiagField)(odbc_type(rec), dm_handle(rec), 0, SQL_DIAG_NUMBER,
                                            &n, 0, NULL)) &&
        n > 0) {
        odbctx__cap_clear_diag(rec);
        return 0;
    }
    return 1;
}

static SQLRETURN post(struct cap_handle *rec, const char *sqlstate, long native, const char *fmt,
                      va_list ap)
{
    dm_clear(rec);
    if (!rec->diag)
        rec->diag = calloc(1, sizeof *rec->diag);
    if (rec->diag) {
        snprintf(rec->diag->sqlstate, sizeof rec->diag->sqlstate, "%s", sqlstate);
        rec->diag->native = native;
        int n = snprintf(rec->diag->message, sizeof rec->diag->message, "[odbctx] ");
        vsnprintf(rec->diag->message + n, sizeof rec->diag->message - (size_t)n, fmt, ap);
    }
    return SQL_ERROR;
}

SQLRETURN odbctx__cap_fail(struct cap_handle *rec, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    SQLRETURN r = post(rec, sqlstate, 0, fmt, ap);
    va_end(ap);
    return r;
}

static SQLRETURN post_v(struct cap_handle *rec, const char *sqlstate, long native,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    SQLRETURN r = post(rec, sqlstate, native, fmt, ap);
    va_end(ap);
    return r;
}

SQLRETURN odbctx__cap_fail_session(odbctx_session *s, struct cap_handle *rec, const char *doing)
{
    const odbctx_error *e = &s->err;
    return post_v(rec, e->sqlstate[0] ? e->sqlstate : "HY000", e->native, "%s: %s (%s)", doing,
                  e->message, odbctx_strerror(e->code));
}

/* ---- the environment of every HDBC ----
 * SQLEndTran(SQL_HANDLE_ENV) must know which connections an environment
 * holds; ODBC cannot say, so every allocation is recorded. Connections
 * come and go rarely: a list under a mutex will do. */

struct env_pair {
    SQLHDBC dbc;
    SQLHENV env;
};
static pthread_mutex_t env_mu = PTHREAD_MUTEX_INITIALIZER;
static struct env_pair *env_pairs;
static size_t n_env_pairs, cap_env_pairs;

void odbctx__cap_env_put(SQLHDBC dbc, SQLHENV env)
{
    pthread_mutex_lock(&env_mu);
    size_t i = 0;
    while (i < n_env_pairs && env_pairs[i].dbc != dbc)
        i++;
    if (i == n_env_pairs)
        odbctx__grow((void **)&env_pairs, &cap_env_pairs, n_env_pairs + 1, sizeof *env_pairs);
    if (i < cap_env_pairs) {
        env_pairs[i].dbc = dbc;
        env_pairs[i].env = env;
        if (i == n_env_pairs)
            n_env_pairs++;
    }
    pthread_mutex_unlock(&env_mu);
}

void odbctx__cap_env_del(SQLHDBC dbc)
{
    pthread_mutex_lock(&env_mu);
    for (size_t i = 0; i < n_env_pairs; i++) {
        if (env_pairs[i].dbc == dbc) {
            env_pairs[i] = env_pairs[--n_env_pairs];
            break;
        }
    }
    pthread_mutex_unlock(&env_mu);
}

SQLHENV odbctx__cap_env_of(SQLHDBC dbc)
{
    SQLHENV env = NULL;
    pthread_mutex_lock(&env_mu);
    for (size_t i = 0; i < n_env_pairs; i++)
        if (env_pairs[i].dbc == dbc)
            env = env_pairs[i].env;
    pthread_mutex_unlock(&env_mu);
    return env;
}

/* ---- starting and stopping ---- */

static void free_capture(odbctx_session *s)
{
    struct odbctx_capture *cap = s->capture;
    if (!cap)
        return;
    remove_where(NULL, NULL);
    while (cap->conns) {
        struct cap_conn *c = cap->conns;
        cap->conns = c->next;
        free(c);
    }
    free(cap->pattern);
    free(cap);
    s->capture = NULL;
}

static void capture_release(odbctx_session *s);

/* Whether the program's calls by name reach capture. Linked with -lodbc
 * before -lodbctx, a program binds SQLEndTran and the rest to the driver
 * manager: its commits would commit for real, and would show only as a
 * breach at the end of the test. */
static int check_binding(odbctx_session *s)
{
    void *global = dlsym(RTLD_DEFAULT, "SQLEndTran");
    if (!global || global == (void *)odbctx__cap_SQLEndTran)
        return 0;
    Dl_info info;
    const char *lib = dladdr(global, &info) && info.dli_fname ? info.dli_fname : "another library";
    return odbctx__fail(s, ODBCTX_EREFUSED,
                        "odbctx_capture_start: this program's ODBC calls would not reach "
                        "capture: SQLEndTran resolves to %s, which comes before libodbctx, so "
                        "code that calls ODBC would commit for real. Link -lodbctx before -lodbc "
                        "(as pkg-config --libs odbctx does), or run with LD_PRELOAD=libodbctx.so; "
                        "programs and connections of their own can go through odbctx's driver "
                        "instead (docs/capture.md)",
                        lib);
}

int odbctx_capture_start(odbctx_session *s, const char *pattern)
{
    if (!odbctx__enter(s, 1))
        return ODBCTX_EARG;
    int rc = check_binding(s);
    odbctx__leave(s);
    return rc ? rc : odbctx__capture_begin(s, pattern);
}

int odbctx__capture_begin(odbctx_session *s, const char *pattern)
{
    if (!(s = odbctx__enter(s, 1)))
        return ODBCTX_EARG;
    int rc = 0;
    if (!odbctx__cap_ready()) {
        rc = odbctx__fail(s, ODBCTX_ECONNECT, "%s", odbctx_real_error());
        odbctx__leave(s);
        return rc;
    }
    pthread_mutex_lock(&cap_mu);
    odbctx_session *cur = atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed);
    char *pat = NULL;
    if (cur && cur != s) {
        rc = odbctx__fail(s, ODBCTX_ESTATE,
                          "odbctx_capture_start: another session is capturing already; one "
                          "session captures at a time (odbctx_capture_stop it first)");
    } else if (pattern && !(pat = strdup(pattern))) {
        rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
    } else if (s->capture) {
        free(s->capture->pattern);
        s->capture->pattern = pat;
    } else {
        struct odbctx_capture *cap = calloc(1, sizeof *cap);
        struct cap_conn *self = calloc(1, sizeof *self);
        if (cap && self) {
            /* The session's connection really is in a transaction; a legacy
             * caller that wants autocommit says so. */
            self->h = s->dbc;
            self->env = s->env;
            self->number = cap->connections = 1;
            cap->conns = self;
            cap->pattern = pat;
            s->capture = cap;
            s->capture_release = capture_release;
            if (!odbctx__cap_add(CAP_DBC, s->dbc, self) || !odbctx__cap_add(CAP_ENV, s->env, NULL)) {
                free_capture(s);
                cap = NULL;
                self = NULL;
                rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
            }
        } else {
            free(cap);
            free(self);
            free(pat);
            rc = odbctx__fail(s, ODBCTX_ENOMEM, "out of memory");
        }
    }
    if (rc == 0)
        atomic_store_explicit(&odbctx__cap_active, s, memory_order_release);
    pthread_mutex_unlock(&cap_mu);
    odbctx__leave(s);
    return rc;
}

static void release(odbctx_session *s)
{
    pthread_mutex_lock(&cap_mu);
    if (atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed) == s)
        atomic_store_explicit(&odbctx__cap_active, NULL, memory_order_release);
    free_capture(s);
    pthread_mutex_unlock(&cap_mu);
}

/* What odbctx_close calls, through the session's capture_release, before
 * it disconnects. */
static void capture_release(odbctx_session *s)
{
    pthread_mutex_lock(&s->lock);
    release(s);
    pthread_mutex_unlock(&s->lock);
}

int odbctx_capture_stop(odbctx_session *s)
{
    if (!(s = odbctx__enter(s, 1)))
        return ODBCTX_EARG;
    release(s);
    odbctx__leave(s);
    return 0;
}


/* ---- connections ---- */

static void free_handle(struct cap_handle *rec)
{
    REAL(SQLFreeHandle)(rec->kind == CAP_DESC ? SQL_HANDLE_DESC : SQL_HANDLE_STMT, rec->h);
}

void odbctx__cap_disconnect(odbctx_session *s, struct cap_conn *c)
{
    /* ODBC frees a connection's statements when it disconnects. */
    remove_where(c, free_handle);
    if (!c->alias)
        return;
    odbctx__cap_remove(c->h);
    for (struct cap_conn **p = &s->capture->conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    free(c);
}

static int pattern_matches(const char *pattern, const char *what)
{
    if (!pattern)
        return 0;
    if (strcmp(pattern, "*") == 0)
        return 1;
    return what && strcasestr(what, pattern) != NULL;
}

/* ---- odbctx-run ---- */

static odbctx_session *run_session;
static pid_t run_pid;

/* Set when the session could not be opened: from then on every connection
 * the program makes is refused, so none reaches the database uncaptured. */
static int run_failed;

/* Tells odbctx-run, which waits for the program, what happened: one line
 * on the pipe it passed in ODBCTX_RUN_STATUS_FD ("loaded", "failed ...",
 * "breach ..."). Without that variable (LD_PRELOAD set by hand) it only
 * goes to stderr. */
static void run_status(const char *kind, const char *detail)
{
    const char *v = getenv("ODBCTX_RUN_STATUS_FD");
    char *end;
    long fd = v && *v ? strtol(v, &end, 10) : -1;
    if (fd < 0 || *end)
        return;
    char line[1100];
    int n = snprintf(line, sizeof line, "%s%s%.1000s\n", kind, detail ? " " : "", detail ? detail : "");
    if (n > 0 && write((int)fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0) {
        /* odbctx-run is gone; stderr has the message already. */
    }
}

/* At exit everything the program wrote is rolled back; a forked child that
 * exits must not touch the parent's connection. */
static void run_exit(void)
{
    odbctx_session *s = run_session;
    if (!s || getpid() != run_pid)
        return;
    run_session = NULL;
    odbctx__cap_depth++;
    int rc = odbctx_end_test(s);
    if (rc == ODBCTX_EBREACH) {
        fprintf(stderr, "odbctx-run: isolation breach: %s\n", odbctx_last_error(s)->message);
        run_status("breach", odbctx_last_error(s)->message);
    }
    odbctx_close(s);
    odbctx__cap_depth--;
}

__attribute__((constructor)) static void run_init(void)
{
    const char *v = getenv("ODBCTX_RUN");
    if (v && *v && strcmp(v, "0") != 0)
        run_status("loaded", NULL);
}

SQLRETURN odbctx__cap_refuse(SQLHDBC dbc, const char *why)
{
    /* The driver named is a path that cannot exist, and the driver
     * manager's "Can't open lib" diagnostic carries it: braces in why would
     * end the value early. */
    char conn[700];
    int n = snprintf(conn, sizeof conn, "DRIVER={/odbctx refused this connection: %.600s", why);
    for (char *p = conn + 8; *p; p++)
        if (*p == '{' || *p == '}')
            *p = *p == '{' ? '(' : ')';
    snprintf(conn + n, sizeof conn - (size_t)n, "};");
    if (SQL_SUCCEEDED(REAL(SQLDriverConnect)(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
                                             SQL_DRIVER_NOPROMPT)))
        REAL(SQLDisconnect)(dbc); /* cannot happen: no such library */
    return SQL_ERROR;
}

static SQLRETURN run_refuse(SQLHDBC dbc)
{
    return odbctx__cap_refuse(dbc, "the odbctx session could not be opened (see stderr)");
}

/* The first connection through odbctx's driver opens the process's
 * session, to conn (driver.c chose it: odbctx-run's --connect, the
 * program's, or ODBCTX_CONNECT). wide: the program connected through
 * SQLDriverConnectW / SQLConnectW, and so does the session. It captures
 * only its own HDBC by pattern: the driver's connections join it anyway,
 * and a program linked with libodbctx connects through the driver too. */
static void run_open(const char *conn, int wide)
{
    pthread_mutex_lock(&cap_mu);
    int have = atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed) != NULL;
    pthread_mutex_unlock(&cap_mu);
    if (have || run_session)
        return;
    odbctx_session *s = NULL;
    odbctx_error err;
    int rc = odbctx__open(&s, conn, wide, &err);
    if (rc) {
        fprintf(stderr,
                "odbctx: cannot open the session: %s; the program's connections are "
                "refused\n",
                err.message);
        run_status("failed", err.message);
        run_failed = 1;
        return;
    }
    /* The program's calls come through the driver, whatever it linked. */
    if ((rc = odbctx__capture_begin(s, NULL)) == 0)
        rc = odbctx_begin_test(s);
    if (rc) {
        fprintf(stderr, "odbctx: cannot begin: %s; the program's connections are refused\n",
                odbctx_last_error(s)->message);
        run_status("failed", odbctx_last_error(s)->message);
        run_failed = 1;
        odbctx_close(s);
        return;
    }
    static int registered;
    run_session = s;
    run_pid = getpid();
    if (!registered++)
        atexit(run_exit);
}

/* With no session capturing, opens the process's own (run_open) the first
 * time; 0 when the connection must be refused. */
static int run_ready(const char *conn, int wide)
{
    static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&run_mu);
    if (!run_failed)
        run_open(conn, wide);
    int failed = run_failed;
    pthread_mutex_unlock(&run_mu);
    return !failed;
}

/* With s locked: makes dbc a captured connection of s (force: whatever the
 * pattern says). 1 and *ret set when it joined or was refused, 0 when the
 * driver manager must connect it. */
static int join(odbctx_session *s, SQLHDBC dbc, const char *match, int force, SQLRETURN *ret)
{
    struct cap_handle *rec = odbctx__cap_find(dbc);
    if (atomic_load_explicit(&odbctx__cap_active, memory_order_relaxed) != s || !s->capture ||
        dbc == s->dbc)
        /* Not capturing any more, or the session's own HDBC: the driver
         * manager answers (it is connected already). */
        return 0;
    if (rec && rec->kind == CAP_DBC) {
        *ret = odbctx__cap_fail(rec, "08002", "the connection is open already (it was "
                                              "captured into the odbctx session)");
        return 1;
    }
    if (!force && !pattern_matches(s->capture->pattern, match))
        return 0;
    struct cap_conn *c = calloc(1, sizeof *c);
    SQLUINTEGER ac = SQL_AUTOCOMMIT_ON;
    /* The driver manager keeps what was set before connecting. */
    REAL(SQLGetConnectAttr)(dbc, SQL_ATTR_AUTOCOMMIT, &ac, 0, NULL);
    if (c) {
        c->h = dbc;
        c->env = odbctx__cap_env_of(dbc);
        c->alias = 1;
        c->autocommit = ac == SQL_AUTOCOMMIT_ON;
        c->number = ++s->capture->connections;
    }
    if (c && odbctx__cap_add(CAP_DBC, dbc, c)) {
        c->next = s->capture->conns->next;
        s->capture->conns->next = c;
        *ret = SQL_SUCCESS;
        char note[64];
        snprintf(note, sizeof note, "connection %d joined the session", c->number);
        odbctx__trace_add(s, "captured", match, 1, note);
    } else {
        free(c);
        *ret = SQL_ERROR;
    }
    return 1;
}

static int connect_to(SQLHDBC dbc, const char *match, int force, SQLRETURN *ret)
{
    int joined = 0;
    odbctx_session *s = atomic_load_explicit(&odbctx__cap_active, memory_order_acquire);
    if (s && (s = odbctx__enter(s, 0)) != NULL) {
        joined = join(s, dbc, match, force, ret);
        odbctx__leave(s);
    }
    return joined;
}

int odbctx__cap_connect(SQLHDBC dbc, const char *conn, const char *match, SQLRETURN *ret)
{
    (void)conn;
    odbctx__cap_depth++;
    int joined = connect_to(dbc, match, 0, ret);
    odbctx__cap_depth--;
    return joined;
}

SQLRETURN odbctx__cap_connect_driver(SQLHDBC dbc, const char *conn, const char *shown, int wide)
{
    SQLRETURN r = SQL_ERROR;
    odbctx__cap_depth++;
    if (!run_ready(conn, wide) || !connect_to(dbc, shown, 1, &r))
        r = run_refuse(dbc);
    odbctx__cap_depth--;
    return r;
}

int odbctx__cap_join(SQLHDBC dbc, const char *shown)
{
    SQLRETURN r = SQL_ERROR;
    odbctx__cap_depth++;
    int joined = connect_to(dbc, shown, 1, &r);
    odbctx__cap_depth--;
    return joined && SQL_SUCCEEDED(r) ? 0 : -1;
}
