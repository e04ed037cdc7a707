/*
 * The trace: the SQL the current test ran, one line per statement with
 * its outcome (odbctx_trace, breach reports, ODBCTX_TRACE).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A test that runs millions of statements must not grow the trace without
 * bound; the newest lines are the ones a failure report needs. */
#define TRACE_LIMIT (1u << 20)
/* Longer statements are cut in the trace (a bulk INSERT, say). */
#define SQL_SHOWN 2000

/* Copies sql into out with runs of whitespace collapsed to one blank. */
static void collapse(const char *sql, char *out, size_t n)
{
    size_t used = 0;
    int blank = 0;
    for (const char *p = sql; *p && used + 4 < n; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
            blank = used > 0;
            continue;
        }
        if (blank)
            out[used++] = ' ';
        blank = 0;
        out[used++] = *p;
    }
    if (sql[0] && used + 4 >= n && strlen(sql) > used) {
        memcpy(out + used, "...", 3);
        used += 3;
    }
    out[used] = '\0';
}

static void forget_repeats(struct odbctx_trace *t)
{
    free(t->rep_key);
    t->rep_key = NULL;
    t->rep_n = 0;
}

static void drop_front(struct odbctx_trace *t)
{
    forget_repeats(t);
    size_t cut = t->len / 2;
    char *nl = memchr(t->text + cut, '\n', t->len - cut);
    cut = nl ? (size_t)(nl - t->text) + 1 : t->len;
    /* memchr, not a loop over bytes: half a megabyte is counted at a time,
     * and a test that creates rows in a loop traces a line per row. */
    for (const char *p = t->text, *end = t->text + cut; (p = memchr(p, '\n', (size_t)(end - p)));
         p++)
        t->dropped++;
    memmove(t->text, t->text + cut, t->len - cut + 1);
    t->len -= cut;
    t->base += cut;
    if (t->mark >= cut) {
        t->mark -= cut;
    } else {
        t->mark_lost = 1; /* lines after the mark went */
        t->mark = 0;
    }
}

/* Appends str to line (length *len, capacity n), cut to fit. */
static void put(char *line, size_t n, size_t *len, const char *str)
{
    size_t add = strlen(str);
    if (add > n - 1 - *len)
        add = n - 1 - *len;
    memcpy(line + *len, str, add);
    *len += add;
    line[*len] = '\0';
}

void odbctx__trace_add(odbctx_session *s, const char *origin, const char *sql, int ok,
                       const char *message)
{
    char line[SQL_SHOWN + sizeof s->err.message + 64];
    struct odbctx_trace *t = &s->trace;
    size_t len = 0;

    /* The one place every statement run on the connection passes through,
     * so the one place that can tell the schema changed. */
    odbctx__schema_seen(s, origin, sql);

    /* Every statement passes here: the line is put together by hand, not
     * with snprintf, and the SQL collapsed straight into it. */
    line[0] = '\0';
    put(line, sizeof line, &len, ok ? "ok   [" : "FAIL [");
    put(line, sizeof line, &len, origin ? origin : "?");
    put(line, sizeof line, &len, "] ");
    size_t room = sizeof line - len;
    collapse(sql ? sql : "", line + len, room < SQL_SHOWN + 4 ? room : SQL_SHOWN + 4);
    len += strlen(line + len);
    if (message) {
        put(line, sizeof line, &len, " -> ");
        put(line, sizeof line, &len, message);
    }
    put(line, sizeof line, &len, "\n");
    /* odbctx's own statements are its savepoint SQL and constants: no
     * password to find, and redacting costs more than running them. */
    if (origin != odbctx__origin_own || !ok || message) {
        odbctx__redact_text(s, line, sizeof line);
        len = strlen(line);
    }
    if (len > 0 && line[len - 1] != '\n')
        line[len - 1] = '\n';

    if (s->trace_print)
        fprintf(stderr, "odbctx: %s", line);

    forget_repeats(t);
    if (t->len + len + 1 > TRACE_LIMIT && t->len > 0)
        drop_front(t);
    /* The trace is a diagnostic aid: losing a line beats failing the call. */
    if (odbctx__grow((void **)&t->text, &t->cap, t->len + len + 1, 1))
        return;
    memcpy(t->text + t->len, line, len + 1);
    t->len += len;
}

int odbctx__trace_repeat(odbctx_session *s, const char *origin, const char *sql, int ok)
{
    struct odbctx_trace *t = &s->trace;
    if (!ok || !t->rep_key || t->len == 0)
        return 0;
    size_t olen = strlen(origin);
    if (strncmp(t->rep_key, origin, olen) != 0 || t->rep_key[olen] != '\n' ||
        strcmp(t->rep_key + olen + 1, sql) != 0)
        return 0;
    char suffix[64];
    t->rep_n++;
    int w = snprintf(suffix, sizeof suffix, " (and %lu more like it)\n", t->rep_n);
    if (w < 0 || t->rep_at + (size_t)w + 1 > t->cap)
        return 0;
    memcpy(t->text + t->rep_at, suffix, (size_t)w + 1);
    t->len = t->rep_at + (size_t)w;
    return 1;
}

void odbctx__trace_repeatable(odbctx_session *s, const char *origin, const char *sql)
{
    struct odbctx_trace *t = &s->trace;
    forget_repeats(t);
    if (t->len == 0 || t->text[t->len - 1] != '\n')
        return;
    size_t olen = strlen(origin), slen = strlen(sql);
    /* Room for the longest count, so that a repeat never reallocates. */
    if (odbctx__grow((void **)&t->text, &t->cap, t->len + 64, 1))
        return;
    if (!(t->rep_key = malloc(olen + slen + 2)))
        return;
    memcpy(t->rep_key, origin, olen);
    t->rep_key[olen] = '\n';
    memcpy(t->rep_key + olen + 1, sql, slen + 1);
    t->rep_at = t->len - 1; /* before the newline */
    t->rep_n = 0;
}

void odbctx__trace_reset(odbctx_session *s)
{
    forget_repeats(&s->trace);
    s->trace.len = 0;
    s->trace.dropped = 0;
    s->trace.mark = 0;
    s->trace.mark_lost = 0;
    s->trace.base = 0;
    s->trace.n_undone = 0;
    if (s->trace.text)
        s->trace.text[0] = '\0';
}

void odbctx__trace_mark(odbctx_session *s)
{
    /* A repeat rewrites the line before the mark: the count would land
     * after it. */
    forget_repeats(&s->trace);
    s->trace.mark = s->trace.len;
    s->trace.mark_lost = 0;
}

size_t odbctx__trace_pos(odbctx_session *s)
{
    /* A repeat rewrites the last line, which would move the end. */
    forget_repeats(&s->trace);
    return s->trace.base + s->trace.len;
}

void odbctx__trace_undone(odbctx_session *s, size_t from)
{
    struct odbctx_trace *t = &s->trace;
    forget_repeats(t);
    /* Losing a span makes the report list writes that were undone: a
     * diagnostic aid, so the call does not fail for it. */
    if (odbctx__grow((void **)&t->undone, &t->cap_undone, t->n_undone + 1, sizeof *t->undone))
        return;
    t->undone[t->n_undone].from = from;
    t->undone[t->n_undone].to = t->base + t->len;
    t->n_undone++;
}

void odbctx__trace_free(odbctx_session *s)
{
    free(s->trace.undone);
    free(s->trace.rep_key);
    free(s->trace.text);
    memset(&s->trace, 0, sizeof s->trace);
}

/* Start of the SQL in a trace line ("ok   [origin] SQL"), and whether odbctx
 * itself ran it. */
static const char *line_sql(const char *line, const char *end, int *ours)
{
    const char *close = memchr(line, ']', (size_t)(end - line));
    *ours = strncmp(line + 5, "[odbctx]", 8) == 0;
    return close && close + 2 <= end ? close + 2 : end;
}

void odbctx__trace_breach_suspects(const odbctx_session *s, char *out, size_t n)
{
    const char *text = s->trace.text ? s->trace.text : "";
    const char *first_suspect = NULL, *suspect_end = NULL, *call_suspect = NULL, *call_end = NULL;
    const char *starts[3] = {NULL, NULL, NULL};
    size_t used;

    out[0] = '\0';
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        int ours;
        const char *sql = line_sql(line, end, &ours);
        if (!ours) {
            if (!first_suspect && odbctx__dialect_ends_transaction(s->dialect, sql, (size_t)(end - sql))) {
                first_suspect = line;
                suspect_end = end;
            }
            if (!call_suspect && odbctx__dialect_call(sql, (size_t)(end - sql))) {
                call_suspect = line;
                call_end = end;
            }
            starts[0] = starts[1];
            starts[1] = starts[2];
            starts[2] = line;
        }
        line = *end ? end + 1 : end;
    }
    if (first_suspect)
        used = (size_t)snprintf(out, n, "the statement that ended it: %.*s",
                                (int)(suspect_end - first_suspect), first_suspect);
    else if (call_suspect)
        used = (size_t)snprintf(out, n,
                                "most likely %.*s (no statement in the trace ends a transaction "
                                "by itself, and a stored procedure can commit inside)",
                                (int)(call_end - call_suspect), call_suspect);
    else if (starts[2])
        used = (size_t)snprintf(out, n,
                                "most likely the test's last statement, %.*s (no statement in the "
                                "trace ends a transaction by itself: a commit through a "
                                "connection odbctx does not capture, a trigger or event, a "
                                "reconnect or a lost connection would look like this)",
                                (int)((strchr(starts[2], '\n') ? strchr(starts[2], '\n')
                                                               : starts[2] + strlen(starts[2])) -
                                      starts[2]),
                                starts[2]);
    else
        used = (size_t)snprintf(out, n,
                                "no statement in the trace ends a transaction: the test ran "
                                "none of its own, so it ended outside the trace (a commit "
                                "through a connection odbctx does not capture, a reconnect or a "
                                "lost connection)");
    const char *sep = "; last statements: ";
    for (int i = 0; i < 3 && used < n; i++) {
        if (!starts[i])
            continue;
        const char *end = strchr(starts[i], '\n');
        int len = end ? (int)(end - starts[i]) : (int)strlen(starts[i]);
        used += (size_t)snprintf(out + used, n - used, "%s%.*s", sep, len, starts[i]);
        sep = " | ";
    }
}

const char *odbctx_trace(odbctx_session *s)
{
    if (!odbctx__enter(s, 0))
        return "";
    const char *text = s->trace.text ? s->trace.text : "";
    odbctx__leave(s);
    return text;
}

const char odbctx__origin_own[] = "odbctx";
