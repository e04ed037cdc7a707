/*
 * What the running test wrote, read from its trace: the writes that
 * production would not have committed (odbctx_uncommitted,
 * ODBCTX_UNCOMMITTED), and the tables a failing test's rows are kept from
 * (keep_rows.c).
 *
 * The trace is the one record of every statement run on the session's
 * connection, with its origin, so it is read here instead of keeping a
 * second list on the hot path: a test pays for this once, when it ends.
 */
#include "internal.h"
#include "extras/extras.h"
#include "sql/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int odbctx__uncommitted_mode(odbctx_session *s)
{
    const char *v = getenv("ODBCTX_UNCOMMITTED");
    if (!v || !*v || strcmp(v, "report") == 0)
        s->uncommitted_mode = ODBCTX__UNCOMMITTED_REPORT;
    else if (strcmp(v, "fail") == 0)
        s->uncommitted_mode = ODBCTX__UNCOMMITTED_FAIL;
    else if (strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
        s->uncommitted_mode = ODBCTX__UNCOMMITTED_OFF;
    else
        return odbctx__fail(s, ODBCTX_EARG,
                            "ODBCTX_UNCOMMITTED=%.40s: expected report (the default), fail, or 0 "
                            "(off)",
                            v);
    return 0;
}

void odbctx__writes_app_ended(odbctx_session *s, int by_setup)
{
    odbctx__trace_mark(s);
    if (!by_setup)
        s->app_ended = 1;
}

/* "... (and 4 more like it)" at the end of a line: 4 more. */
static unsigned long repeats(const char *line, size_t len)
{
    static const char tail[] = " more like it)";
    size_t tl = sizeof tail - 1;
    if (len < tl || memcmp(line + len - tl, tail, tl) != 0)
        return 0;
    const char *p = line + len - tl;
    while (p > line && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return p >= line + 5 && memcmp(p - 5, "(and ", 5) == 0 ? strtoul(p, NULL, 10) : 0;
}

static int in_spans(const struct odbctx_trace_span *spans, size_t n, size_t at)
{
    for (size_t i = 0; i < n; i++)
        if (at >= spans[i].from && at < spans[i].to)
            return 1;
    return 0;
}

static int undone(const odbctx_session *s, const char *line)
{
    size_t at = s->trace.base + (size_t)(line - s->trace.text);
    return in_spans(s->trace.undone, s->trace.n_undone, at);
}

/* The application's own savepoints, as captured code sent them: what a
 * ROLLBACK TO SAVEPOINT undid is a span of the trace, as a nested
 * rollback's is. Names compare without case (quoted ones exactly would be
 * rarer than this is wrong). */
struct app_savepoints {
    struct {
        const char *name;
        size_t len, at;
    } stack[32];
    size_t depth;
    struct odbctx_trace_span spans[64];
    size_t n_spans;
};

static void app_savepoint_line(const odbctx_session *s, struct app_savepoints *a, const char *line,
                               const char *sql, size_t len)
{
    struct odbctx_sql_stmt st;
    if (odbctx_classify(sql, len, odbctx__dialect(s->dialect)->lexis, &st, 1) != 1 ||
        st.name_len == 0)
        return;
    const char *name = sql + st.name_off;
    size_t at = s->trace.base + (size_t)(line - s->trace.text);
    size_t i = a->depth;
    if (st.kind == ODBCTX_SQL_SAVEPOINT) {
        if (a->depth < sizeof a->stack / sizeof *a->stack) {
            a->stack[a->depth].name = name;
            a->stack[a->depth].len = st.name_len;
            a->stack[a->depth].at = at;
            a->depth++;
        }
        return;
    }
    if (st.kind != ODBCTX_SQL_ROLLBACK_TO && st.kind != ODBCTX_SQL_RELEASE)
        return;
    while (i-- > 0)
        if (a->stack[i].len == st.name_len && strncasecmp(a->stack[i].name, name, st.name_len) == 0)
            break;
    if (i == (size_t)-1)
        return;
    if (st.kind == ODBCTX_SQL_ROLLBACK_TO) {
        if (a->n_spans < sizeof a->spans / sizeof *a->spans) {
            a->spans[a->n_spans].from = a->stack[i].at;
            a->spans[a->n_spans].to = at;
            a->n_spans++;
        }
        a->depth = i + 1; /* the savepoint stays, those after it go */
    } else {
        a->depth = i;
    }
}

static void app_savepoints_read(const odbctx_session *s, struct app_savepoints *a)
{
    a->depth = a->n_spans = 0;
    for (const char *line = s->trace.text ? s->trace.text : ""; *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        static const char ok[] = "ok   [captured] ";
        if ((size_t)(end - line) > sizeof ok && memcmp(line, ok, sizeof ok - 1) == 0)
            app_savepoint_line(s, a, line, line + sizeof ok - 1, (size_t)(end - line) - (sizeof ok - 1));
        line = *end ? end + 1 : end;
    }
}

size_t odbctx__writes_each(const odbctx_session *s, size_t from, odbctx__write_fn fn, void *ctx)
{
    const char *text = s->trace.text ? s->trace.text : "";
    size_t n = 0;
    unsigned lexis = odbctx__dialect(s->dialect)->lexis;
    for (const char *line = text + (from <= s->trace.len ? from : s->trace.len); *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        size_t len = (size_t)(end - line);
        const char *open = line + 5, *close = memchr(line, ']', len);
        /* "ok   [origin] SQL": failed statements wrote nothing, nor did
         * those a nested rollback undid. */
        if (len > 8 && memcmp(line, "ok   [", 6) == 0 && close && !undone(s, line)) {
            const char *sql = close + 2 <= end ? close + 2 : end;
            size_t off, nlen;
            if (odbctx_sql_write_target(sql, (size_t)(end - sql), lexis, &off, &nlen)) {
                struct odbctx__write w = {line, len, open + 1, (size_t)(close - open - 1), sql,
                                          (size_t)(end - sql), sql + off, nlen,
                                          1 + repeats(line, len)};
                n++;
                if (fn && fn(ctx, &w))
                    break;
            }
        }
        line = *end ? end + 1 : end;
    }
    return n;
}

static int origin_is(const struct odbctx__write *w, const char *name)
{
    return w->origin_len == strlen(name) && memcmp(w->origin, name, w->origin_len) == 0;
}

struct pending {
    odbctx_session *s;
    struct app_savepoints *sp;
    char *text;
    size_t len, cap;
    unsigned long statements;
    int failed; /* out of memory: the report is cut */
};

/* Which writes production would have lost, given that they come after the
 * app level's last commit or rollback. odbctx's, the suite's and the
 * factories' are test setup: never. The others, the session API's ("test")
 * and captured code's alike, are the test's or the application's, which
 * odbctx cannot tell apart (a pytest test writes its setup through the
 * same captured pyodbc connection as the code it tests): counted when the
 * test committed or rolled back the app level other than for setup, the
 * sign of code that manages its own transactions. */
static int pending_one(void *ctx, const struct odbctx__write *w)
{
    struct pending *p = ctx;
    odbctx_session *s = p->s;
    if (origin_is(w, "odbctx") || origin_is(w, "suite") || origin_is(w, "schema") ||
        origin_is(w, "factory"))
        return 0;
    if (!s->app_ended)
        return 0;
    if (in_spans(p->sp->spans, p->sp->n_spans, s->trace.base + (size_t)(w->line - s->trace.text)))
        return 0;
    /* MariaDB's TRUNCATE commits by itself in production (a test runs it
     * as DELETE inside the app level). */
    if (s->dialect == ODBCTX_DIALECT_MARIADB && w->sql_len >= 8 &&
        strncasecmp(w->sql, "TRUNCATE", 8) == 0)
        return 0;
    /* "[origin] SQL" without the outcome column. */
    const char *from = w->origin - 1;
    size_t len = (size_t)(w->line + w->line_len - from);
    if (odbctx__grow((void **)&p->text, &p->cap, p->len + len + 2, 1)) {
        p->failed = 1;
        return 1;
    }
    memcpy(p->text + p->len, from, len);
    p->len += len;
    p->text[p->len++] = '\n';
    p->text[p->len] = '\0';
    p->statements += w->count;
    return 0;
}

void odbctx__writes_test_end(odbctx_session *s)
{
    free(s->uncommitted);
    s->uncommitted = NULL;
    s->uncommitted_statements = 0;
    /* Every test ends here: one that never committed, or wrote nothing
     * since, costs two comparisons. */
    if (s->uncommitted_mode == ODBCTX__UNCOMMITTED_OFF || !s->app_ended ||
        s->trace.mark >= s->trace.len)
        return;
    struct app_savepoints *sp = malloc(sizeof *sp);
    if (!sp)
        return;
    app_savepoints_read(s, sp);
    struct pending p = {s, sp, NULL, 0, 0, 0, 0};
    odbctx__writes_each(s, s->trace.mark, pending_one, &p);
    free(sp);
    if (p.len == 0) {
        free(p.text);
        return;
    }
    if (s->trace.mark_lost) {
        static const char lost[] =
            "(the trace dropped lines of this test to bound its memory: writes among them are not "
            "listed)\n";
        char *with = malloc(sizeof lost + p.len);
        if (with) {
            memcpy(with, lost, sizeof lost - 1);
            memcpy(with + sizeof lost - 1, p.text, p.len + 1);
            free(p.text);
            p.text = with;
        }
    }
    s->uncommitted = p.text;
    s->uncommitted_statements = p.statements;
}

int odbctx__writes_verdict(odbctx_session *s)
{
    if (s->uncommitted_mode != ODBCTX__UNCOMMITTED_FAIL || !s->uncommitted)
        return 0;
    /* The first lines: the whole list is odbctx_uncommitted's. */
    char first[600];
    odbctx__copy(first, sizeof first, s->uncommitted);
    for (char *p = first; *p; p++)
        if (*p == '\n')
            *p = p[1] ? ' ' : '\0';
    return odbctx__fail(s, ODBCTX_EUNCOMMITTED,
                        "odbctx_end_test: %lu write%s of this test %s never committed: production "
                        "would have rolled %s back (ODBCTX_UNCOMMITTED=fail; the test itself was "
                        "discarded as always): %s",
                        s->uncommitted_statements, s->uncommitted_statements == 1 ? "" : "s",
                        s->uncommitted_statements == 1 ? "was" : "were",
                        s->uncommitted_statements == 1 ? "it" : "them", first);
}

const char *odbctx_uncommitted(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return "";
    const char *text = s->uncommitted ? s->uncommitted : "";
    odbctx__leave(s);
    return text;
}
