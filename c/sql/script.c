#include "sql/script.h"

#include <string.h>
#include <strings.h>

static int ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || c >= 0x80;
}

static int word_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int word_is(const char *w, size_t n, const char *kw)
{
    return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

struct splitter {
    const char *text;
    size_t len;
    unsigned flags;
    size_t i;
    unsigned line;

    /* the statement being collected */
    int started;
    size_t start, end;
    unsigned start_line;
    int words;           /* words seen so far in the statement (capped) */
    int create;          /* first word is CREATE */
    int compound;        /* CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT: has a body */
    int plain;           /* CREATE TABLE/VIEW/...: never has a body */
    int depth;           /* BEGIN/CASE ... END nesting inside a body */
    int pending_end;     /* saw END; the next word says whether it closes a block */
};

static void advance(struct splitter *sp, size_t n)
{
    for (size_t k = 0; k < n && sp->i < sp->len; k++, sp->i++)
        if (sp->text[sp->i] == '\n')
            sp->line++;
}

static void token(struct splitter *sp, size_t from)
{
    if (!sp->started) {
        sp->started = 1;
        sp->start = from;
        sp->start_line = sp->line;
    }
}

static void apply_pending_end(struct splitter *sp)
{
    if (sp->pending_end && sp->depth > 0)
        sp->depth--;
    sp->pending_end = 0;
}

/* Decides from the words after CREATE whether the statement can have a
 * BEGIN ... END body with ';' inside it. */
static void classify_create(struct splitter *sp, const char *w, size_t n)
{
    static const char *const body[] = {"TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"};
    static const char *const no_body[] = {"TABLE", "VIEW", "INDEX", "SEQUENCE", "SCHEMA",
                                          "TYPE", "DATABASE", "DOMAIN", "USER", "ROLE",
                                          "EXTENSION"};
    for (size_t k = 0; k < sizeof body / sizeof body[0]; k++)
        if (word_is(w, n, body[k]))
            sp->compound = 1;
    for (size_t k = 0; k < sizeof no_body / sizeof no_body[0]; k++)
        if (word_is(w, n, no_body[k]))
            sp->plain = 1;
}

static void word(struct splitter *sp, const char *w, size_t n)
{
    if (sp->words < 8) {
        sp->words++;
        if (sp->words == 1)
            sp->create = word_is(w, n, "CREATE");
        else if (sp->create && !sp->compound && !sp->plain)
            classify_create(sp, w, n);
    }
    if (!sp->compound)
        return;
    if (sp->pending_end) {
        /* END IF / END LOOP / ... close blocks that were never counted. */
        int closes_uncounted = word_is(w, n, "IF") || word_is(w, n, "LOOP") ||
                               word_is(w, n, "WHILE") || word_is(w, n, "REPEAT") ||
                               word_is(w, n, "FOR");
        if (closes_uncounted) {
            sp->pending_end = 0;
            return;
        }
        int end_case = word_is(w, n, "CASE");
        apply_pending_end(sp);
        if (end_case)
            return;
    }
    if (word_is(w, n, "BEGIN") || word_is(w, n, "CASE"))
        sp->depth++;
    else if (word_is(w, n, "END"))
        sp->pending_end = 1;
}

static int emit(struct splitter *sp, odbctx_script_fn fn, void *ctx)
{
    int rc = 0;
    if (sp->started && fn) {
        struct odbctx_script_stmt st = {sp->text + sp->start, sp->end - sp->start, sp->start_line};
        rc = fn(ctx, &st);
    }
    sp->started = 0;
    sp->words = sp->create = sp->compound = sp->plain = sp->depth = sp->pending_end = 0;
    return rc;
}

static int fail(struct odbctx_script_error *err, unsigned line, const char *what)
{
    if (err) {
        err->line = line;
        err->what = what;
    }
    return -1;
}

/* Skips a quoted run starting at sp->i (the opening quote); returns 0 when
 * closed. close is the closing character; doubling it escapes it. */
static int skip_quoted(struct splitter *sp, char close, int backslash)
{
    advance(sp, 1);
    while (sp->i < sp->len) {
        char c = sp->text[sp->i];
        if (backslash && c == '\\') {
            advance(sp, 2);
            continue;
        }
        if (c == close) {
            if (sp->i + 1 < sp->len && sp->text[sp->i + 1] == close && close != ']') {
                advance(sp, 2);
                continue;
            }
            advance(sp, 1);
            return 0;
        }
        advance(sp, 1);
    }
    return -1;
}

/* Length of a dollar-quote delimiter ($tag$ or $$) at i, or 0. */
static size_t dollar_tag(const struct splitter *sp, size_t i)
{
    if (i > 0 && ident_char((unsigned char)sp->text[i - 1]))
        return 0;
    size_t k = i + 1;
    if (k < sp->len && word_start((unsigned char)sp->text[k]) && sp->text[k] != '$') {
        while (k < sp->len && ident_char((unsigned char)sp->text[k]) && sp->text[k] != '$')
            k++;
    }
    if (k < sp->len && sp->text[k] == '$')
        return k - i + 1;
    return 0;
}

/* MySQL runs the text of comments that open with an exclamation mark
 * (optionally after M), so they are code, not comments. */
static int executable_comment(const char *at, size_t left)
{
    return (left > 2 && at[2] == '!') || (left > 3 && at[2] == 'M' && at[3] == '!');
}

static size_t find(const char *hay, size_t hay_len, const char *needle, size_t n)
{
    if (n == 0 || hay_len < n)
        return (size_t)-1;
    for (size_t k = 0; k + n <= hay_len; k++)
        if (hay[k] == needle[0] && memcmp(hay + k, needle, n) == 0)
            return k;
    return (size_t)-1;
}

int odbctx_script_split(const char *text, size_t len, unsigned flags,
                        odbctx_script_fn fn, void *ctx, struct odbctx_script_error *err)
{
    struct splitter sp = {0};
    int mysql = (flags & ODBCTX_SQL_MYSQL) != 0;

    if (!text)
        return 0;
    sp.text = text;
    sp.len = len;
    sp.flags = flags;
    sp.line = 1;

    while (sp.i < len) {
        unsigned char c = (unsigned char)text[sp.i];
        unsigned char next = sp.i + 1 < len ? (unsigned char)text[sp.i + 1] : 0;
        size_t from = sp.i;
        unsigned line = sp.line;

        if (blank(c)) {
            advance(&sp, 1);
            continue;
        }
        if (c == '-' && next == '-' &&
            (!mysql || sp.i + 2 >= len || blank((unsigned char)text[sp.i + 2]) ||
             (unsigned char)text[sp.i + 2] < 0x20)) {
            while (sp.i < len && text[sp.i] != '\n')
                advance(&sp, 1);
            continue;
        }
        if (c == '#' && mysql) {
            while (sp.i < len && text[sp.i] != '\n')
                advance(&sp, 1);
            continue;
        }
        if (c == '/' && next == '*' &&
            !(mysql && executable_comment(text + sp.i, len - sp.i))) {
            int depth = 0;
            int closed = 0;
            while (sp.i < len) {
                if (text[sp.i] == '/' && sp.i + 1 < len && text[sp.i + 1] == '*') {
                    depth = (flags & ODBCTX_SQL_POSTGRESQL) ? depth + 1 : 1;
                    advance(&sp, 2);
                } else if (text[sp.i] == '*' && sp.i + 1 < len && text[sp.i + 1] == '/') {
                    advance(&sp, 2);
                    if (--depth == 0) {
                        closed = 1;
                        break;
                    }
                } else {
                    advance(&sp, 1);
                }
            }
            if (!closed)
                return fail(err, line, "unterminated /* comment");
            continue;
        }
        if (c == '/' && next == '*') {
            /* MySQL executable comment: code to the server, part of the
             * statement; it ends at the first star-slash. */
            token(&sp, from);
            size_t at = find(text + sp.i + 2, len - sp.i - 2, "*/", 2);
            if (at == (size_t)-1)
                return fail(err, line, "unterminated /*! comment");
            advance(&sp, at + 4);
            sp.end = sp.i;
            continue;
        }

        if (c == ';') {
            /* In a compound body, "END;" may close the last block. */
            if (sp.pending_end)
                apply_pending_end(&sp);
            advance(&sp, 1);
            if (sp.depth == 0) {
                int rc = emit(&sp, fn, ctx);
                if (rc)
                    return rc;
            }
            continue;
        }

        token(&sp, from);
        if (c == '\'' || c == '"' || c == '`' || (c == '[' && (flags & ODBCTX_SQL_SQLITE))) {
            int backslash = (flags & ODBCTX_SQL_MYSQL) && c != '`' && c != '[';
            /* PostgreSQL E'...' strings take backslash escapes. */
            if (c == '\'' && from > 0 && (text[from - 1] == 'E' || text[from - 1] == 'e') &&
                (from < 2 || !ident_char((unsigned char)text[from - 2])))
                backslash = 1;
            if (skip_quoted(&sp, c == '[' ? ']' : (char)c, backslash) != 0)
                return fail(err, line, c == '\'' ? "unterminated string" : "unterminated quoted identifier");
            sp.end = sp.i;
            continue;
        }
        if (c == '$' && (flags & ODBCTX_SQL_POSTGRESQL)) {
            size_t tag = dollar_tag(&sp, sp.i);
            if (tag) {
                size_t body = sp.i + tag;
                size_t at = find(text + body, len - body, text + sp.i, tag);
                if (at == (size_t)-1)
                    return fail(err, line, "unterminated dollar-quoted string");
                advance(&sp, tag + at + tag);
                sp.end = sp.i;
                continue;
            }
        }
        if (word_start(c) && (from == 0 || !ident_char((unsigned char)text[from - 1]))) {
            size_t k = sp.i;
            while (k < len && ident_char((unsigned char)text[k]))
                k++;
            word(&sp, text + from, k - from);
            advance(&sp, k - from);
            sp.end = sp.i;
            continue;
        }
        advance(&sp, 1);
        sp.end = sp.i;
    }
    if (sp.pending_end)
        apply_pending_end(&sp);
    return emit(&sp, fn, ctx);
}
