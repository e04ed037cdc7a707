/*
 * What state a session is in, and who may touch it: the registry of open
 * sessions, each session's lock, the reasons a session refuses work (broken,
 * connection lost), and which session keeps its emptied test savepoint
 * between tests. Everything above reads and sets these through here.
 */
#include "internal.h"
#include "extras/extras.h"

#include <stdlib.h>
#include <string.h>

/* The open sessions. A pointer that is not here (NULL, closed, garbage that
 * happens to be readable) is refused before it is dereferenced. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static odbctx_session **registry;
static size_t n_registry, cap_registry;

static int registry_find(const odbctx_session *s)
{
    for (size_t i = 0; i < n_registry; i++)
        if (registry[i] == s)
            return (int)i;
    return -1;
}

int odbctx__is_open(const odbctx_session *s)
{
    if (!s)
        return 0;
    pthread_mutex_lock(&registry_lock);
    int found = registry_find(s) >= 0;
    pthread_mutex_unlock(&registry_lock);
    return found;
}

int odbctx__registry_add(odbctx_session *s)
{
    int rc = 0;
    pthread_mutex_lock(&registry_lock);
    rc = odbctx__grow((void **)&registry, &cap_registry, n_registry + 1, sizeof *registry);
    if (rc == 0)
        registry[n_registry++] = s;
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

int odbctx__registry_remove(odbctx_session *s)
{
    pthread_mutex_lock(&registry_lock);
    int i = registry_find(s);
    if (i >= 0)
        registry[i] = registry[--n_registry];
    pthread_mutex_unlock(&registry_lock);
    return i >= 0;
}

/* Using a session from one thread while another closes it is a caller bug
 * that this cannot make safe; everything else is. */
_Thread_local int odbctx__in_call;
int (*odbctx__on_open)(odbctx_session *s);
void (*odbctx__on_close)(odbctx_session *s);
char *(*odbctx__on_route)(const char *conn);

odbctx_session *odbctx__enter(odbctx_session *s, int clear)
{
    if (!odbctx__is_open(s))
        return NULL;
    pthread_mutex_lock(&s->lock);
    odbctx__in_call++;
    if (clear)
        odbctx__clear_error(s);
    return s;
}

void odbctx__leave(odbctx_session *s)
{
    odbctx__in_call--;
    pthread_mutex_unlock(&s->lock);
}

void odbctx__mark_broken(odbctx_session *s)
{
    if (!s->broken)
        s->broken = strdup(s->err.message[0] ? s->err.message : "an isolation breach could not be repaired");
}

int odbctx__refuse_broken(odbctx_session *s, const char *fn)
{
    if (!s->broken)
        return 0;
    return odbctx__fail(s, ODBCTX_EBROKEN,
                        "%s: refused: this session can no longer isolate tests, because an "
                        "isolation breach could not be repaired (%.600s). Close the session and "
                        "open a new one",
                        fn, s->broken);
}

static const odbctx_error no_session = {
    ODBCTX_EARG, "", 0, "not an open odbctx session (NULL, closed, or never opened)"};

const odbctx_error *odbctx_last_error(const odbctx_session *s)
{
    if (!odbctx__is_open(s))
        return &no_session;
    return &s->err;
}

void odbctx__lost_note(odbctx_session *s)
{
    if (!s->rel.lost)
        odbctx__copy(s->rel.lost_detail, sizeof s->rel.lost_detail, s->err.message);
    s->rel.lost = 1;
    s->suite_open = 0;
    odbctx__kept_drop(s);
}

/* ---- the test savepoint kept between tests ----
 *
 * A test ends with ROLLBACK TO its savepoint, which leaves the savepoint in
 * place and empty on every supported DBMS: the next test can start on it
 * without a statement, one round trip per test instead of two (PostgreSQL
 * and MariaDB; levels.c). What runs in between must not land inside it:
 * odbctx's own calls settle first, and so do the interposed entry points
 * that run statements, whoever calls them (transaction.c). Those are reached
 * through the session pointer published here, so one session at a time
 * keeps its savepoint; the others release it at the end of each test. */

_Atomic(odbctx_session *) odbctx__kept_session;

/* Held while the interposed path turns the published pointer into a locked
 * session, and by odbctx_close while it unpublishes: the session cannot be
 * freed between the two. */
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

/* Publishes s as the session that keeps its savepoint; 0 when another one
 * does. */
int odbctx__kept_claim(odbctx_session *s)
{
    odbctx_session *none = NULL;
    return atomic_compare_exchange_strong(&odbctx__kept_session, &none, s) || none == s;
}

void odbctx__kept_unpublish(odbctx_session *s)
{
    odbctx_session *me = s;
    atomic_compare_exchange_strong(&odbctx__kept_session, &me, NULL);
}

void odbctx__kept_drop(odbctx_session *s)
{
    if (!s->test_sp_kept)
        return;
    s->test_sp_kept = 0;
    odbctx__kept_unpublish(s);
}

void odbctx__kept_forget_closing(odbctx_session *s)
{
    pthread_mutex_lock(&kept_mu);
    odbctx__kept_unpublish(s);
    pthread_mutex_unlock(&kept_mu);
}

odbctx_session *odbctx__kept_enter(void)
{
    pthread_mutex_lock(&kept_mu);
    odbctx_session *s = atomic_load(&odbctx__kept_session);
    if (s && !odbctx__enter(s, 0))
        s = NULL;
    pthread_mutex_unlock(&kept_mu);
    return s;
}
