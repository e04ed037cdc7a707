/*
 * libFuzzer target for the script splitter (c/script.c).
 *
 * The first input byte picks the dialect flags, the rest is the script,
 * copied into a buffer of exactly its size so that ASan catches any read
 * past len. Besides "no crash", it checks what callers rely on:
 * - every statement lies inside the script, in order, without overlap, is
 *   not empty and starts and ends on something other than a blank or ';';
 * - its line number is 1 + the newlines before it;
 * - checking only (fn NULL) gives the same result as splitting;
 * - a callback that stops at statement k makes the splitter return its
 *   value at once;
 * - a statement split again on its own, followed by the ';' that ended it,
 *   is that one statement, unchanged, when the whole script split cleanly
 *   (the splitter starts every statement from the same state, so context
 *   cannot change it). The ';' matters: MySQL "--" at the very end of the
 *   input is a comment, but not when a character follows it.
 */
#include "sql/script.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAG_MASK 0x7u
#define MAX_SEEN 4096

struct seen {
    const char *base;
    size_t len;
    size_t count;
    size_t stop_at;  /* 1-based; 0 = never stop */
    const char *prev_end;
    unsigned prev_line;
    struct odbctx_script_stmt stmts[MAX_SEEN];
};

static void fail(const char *what)
{
    fprintf(stderr, "fuzz/script oracle: %s\n", what);
    abort();
}

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static unsigned line_at(const char *base, const char *at)
{
    unsigned line = 1;
    for (const char *p = base; p < at; p++)
        if (*p == '\n')
            line++;
    return line;
}

static int collect(void *ctx, const struct odbctx_script_stmt *st)
{
    struct seen *s = ctx;

    if (st->len == 0)
        fail("empty statement");
    if (st->text < s->base || st->text + st->len > s->base + s->len)
        fail("statement outside the script");
    if (s->prev_end && st->text < s->prev_end)
        fail("statements overlap or go backwards");
    if (st->line < s->prev_line)
        fail("line numbers go backwards");
    if (st->line != line_at(s->base, st->text))
        fail("wrong line number");
    if (is_blank((unsigned char)st->text[0]) || st->text[0] == ';')
        fail("statement starts with a blank or ';'");
    if (is_blank((unsigned char)st->text[st->len - 1]))
        fail("statement ends with a blank");
    s->prev_end = st->text + st->len;
    s->prev_line = st->line;
    if (s->count < MAX_SEEN)
        s->stmts[s->count] = *st;
    s->count++;
    if (s->stop_at && s->count == s->stop_at)
        return 7;
    return 0;
}

struct one {
    size_t count;
    struct odbctx_script_stmt first;
};

static int count_one(void *ctx, const struct odbctx_script_stmt *st)
{
    struct one *o = ctx;
    if (o->count++ == 0)
        o->first = *st;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct seen all, stopped;

    if (size < 1)
        return 0;
    unsigned flags = data[0] & FLAG_MASK;
    size_t len = size - 1;
    char *text = malloc(len ? len : 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, len);

    memset(&all, 0, sizeof all);
    all.base = text;
    all.len = len;
    struct odbctx_script_error err = {0, NULL};
    int rc = odbctx_script_split(text, len, flags, collect, &all, &err);
    if (rc != 0 && rc != -1)
        fail("unexpected return value");
    if (rc == -1 && (!err.what || err.line < 1 || err.line > line_at(text, text + len)))
        fail("error without a reason or with a line outside the script");

    struct odbctx_script_error err2 = {0, NULL};
    if (odbctx_script_split(text, len, flags, NULL, NULL, &err2) != rc)
        fail("checking and splitting disagree");
    if (rc == -1 && (err2.line != err.line || err2.what != err.what))
        fail("checking and splitting report different errors");

    if (all.count > 0) {
        memset(&stopped, 0, sizeof stopped);
        stopped.base = text;
        stopped.len = len;
        stopped.stop_at = 1 + (size_t)data[0] % all.count;
        if (odbctx_script_split(text, len, flags, collect, &stopped, NULL) != 7 ||
            stopped.count != stopped.stop_at)
            fail("a stopping callback did not stop the splitter");
    }

    if (rc == 0) {
        size_t n = all.count < MAX_SEEN ? all.count : MAX_SEEN;
        for (size_t k = 0; k < n; k++) {
            const struct odbctx_script_stmt *st = &all.stmts[k];
            char *copy = malloc(st->len + 1);
            if (!copy)
                break;
            memcpy(copy, st->text, st->len);
            copy[st->len] = ';';
            struct one o = {0, {NULL, 0, 0}};
            int rc2 = odbctx_script_split(copy, st->len + 1, flags, count_one, &o, NULL);
            if (rc2 != 0 || o.count != 1 || o.first.text != copy || o.first.len != st->len) {
                fprintf(stderr, "statement %zu (%zu bytes) re-split: rc %d, %zu statements\n",
                        k, st->len, rc2, o.count);
                fail("a statement split on its own is not itself");
            }
            free(copy);
        }
    }
    free(text);
    return 0;
}
