#include "sql/classify.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Internal flag: classifying the text of a MySQL PREPARE, which must not
 * recurse again. */
#define NESTED 0x100u

enum tok_type { T_END, T_WORD, T_QIDENT, T_STRING, T_VAR, T_PARAM, T_SEMI, T_OPEN, T_CLOSE, T_PUNCT };

struct tok {
    enum tok_type type;
    size_t off, len;
};

struct lexer {
    const char *s;
    size_t n, i;
    unsigned flags;
    int exec_comment; /* inside a MySQL executable comment: its closing is blank */
};

/* The first tokens decide the kind; MAXT of them is more than any form needs. */
#define MAXT 16

struct stmt {
    struct tok t[MAXT];
    size_t nt;          /* tokens seen, may exceed MAXT */
    size_t off, end;
    int paren;
    int block;          /* open BEGIN/CASE bodies of a routine */
    int routine;        /* CREATE FUNCTION/PROCEDURE/TRIGGER/...: track its body */
    int routine_known;  /* decided whether this CREATE is a routine */
    int compound;       /* MySQL compound statement: runs to the end of the text */
    int risky;          /* a routine or compound body mentions transaction control */
    int params;
    int commas;         /* top-level commas: SET with several variables */
    int autocommit;     /* mentions of the autocommit variable */
    int plain;          /* INSERT, UPDATE, DELETE, SELECT, ...: past its second
                         * token only parentheses and parameters matter */
    enum tok_type prev_type;
};

/* Inline: the lexer looks at every byte of every statement capture sees. */
static inline int is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r'); /* \t \n \v \f \r */
}

/* These take at()'s int, where -1 (past the end) is none of them. */
static inline int is_digit(int c)
{
    return (unsigned)c - '0' < 10u;
}

static inline int is_alpha(int c)
{
    return (unsigned)(c | 0x20) - 'a' < 26u || c == '_' || (c >= 0x80 && c <= 0xff);
}

static inline int is_word(int c)
{
    return is_alpha(c) || is_digit(c) || c == '$';
}

static unsigned char upper(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c;
}

static int at(const struct lexer *lx, size_t i)
{
    return i < lx->n ? (unsigned char)lx->s[i] : -1;
}

static void skip_line(struct lexer *lx)
{
    while (lx->i < lx->n && lx->s[lx->i] != '\n')
        lx->i++;
}

/* PostgreSQL nests block comments; the others end at the first star-slash.
 * An unterminated comment runs to the end, as the servers read it. */
static void skip_block_comment(struct lexer *lx)
{
    int depth = 1;
    lx->i += 2;
    while (lx->i < lx->n) {
        if (at(lx, lx->i) == '*' && at(lx, lx->i + 1) == '/') {
            lx->i += 2;
            if (--depth == 0)
                return;
        } else if ((lx->flags & ODBCTX_SQL_POSTGRESQL) && at(lx, lx->i) == '/' &&
                   at(lx, lx->i + 1) == '*') {
            lx->i += 2;
            depth++;
        } else {
            lx->i++;
        }
    }
}

/* MySQL runs the text of slash-star-bang comments (and MariaDB's slash-star-M-bang),
 * optionally gated by a 5 or 6 digit version: a COMMIT there is real. */
static int enter_exec_comment(struct lexer *lx)
{
    size_t j = lx->i + 2;
    if (at(lx, j) == '!')
        j++;
    else if (upper((unsigned char)at(lx, j)) == 'M' && at(lx, j + 1) == '!')
        j += 2;
    else
        return 0;
    size_t d = 0;
    while (d < 6 && is_digit(at(lx, j + d)))
        d++;
    if (d >= 5)
        j += d;
    lx->i = j;
    lx->exec_comment = 1;
    return 1;
}

static void skip_blank(struct lexer *lx)
{
    while (lx->i < lx->n) {
        int c = at(lx, lx->i), c1 = at(lx, lx->i + 1);
        int mysql = (lx->flags & ODBCTX_SQL_MYSQL) != 0;
        if (is_space((unsigned char)c)) {
            lx->i++;
        } else if (c == '-' && c1 == '-' &&
                   (!mysql || lx->i + 2 >= lx->n || (unsigned char)lx->s[lx->i + 2] <= ' ')) {
            /* MySQL needs a blank after "--": "5--1" is five minus minus one. */
            skip_line(lx);
        } else if (c == '#' && mysql) {
            skip_line(lx);
        } else if (c == '/' && c1 == '*') {
            if (mysql && !lx->exec_comment && enter_exec_comment(lx))
                continue;
            skip_block_comment(lx);
        } else if (c == '*' && c1 == '/' && lx->exec_comment) {
            lx->i += 2;
            lx->exec_comment = 0;
        } else {
            return;
        }
    }
}

/* A quoted run ending at an undoubled q; backslash escapes when asked.
 * Unterminated: runs to the end. */
static void scan_quoted(struct lexer *lx, char q, int backslash)
{
    lx->i++;
    while (lx->i < lx->n) {
        char c = lx->s[lx->i];
        if (backslash && c == '\\') {
            lx->i += 2;
        } else if (c == q) {
            if (at(lx, lx->i + 1) == q) {
                lx->i += 2;
            } else {
                lx->i++;
                return;
            }
        } else {
            lx->i++;
        }
    }
    if (lx->i > lx->n)
        lx->i = lx->n;
}

/* PostgreSQL $tag$...$tag$ (tag may be empty); returns 0 when the '$' does
 * not open one ($1 is a parameter, a$b an identifier). */
static int scan_dollar(struct lexer *lx)
{
    size_t start = lx->i, j = start + 1;
    if (at(lx, j) != '$') {
        if (!is_alpha(at(lx, j)))
            return 0;
        while (is_alpha(at(lx, j)) || is_digit(at(lx, j)))
            j++;
        if (at(lx, j) != '$')
            return 0;
    }
    size_t taglen = j + 1 - start;
    for (size_t k = j + 1; k + taglen <= lx->n; k++) {
        if (lx->s[k] == '$' && memcmp(lx->s + k, lx->s + start, taglen) == 0) {
            lx->i = k + taglen;
            return 1;
        }
    }
    lx->i = lx->n;
    return 1;
}

static struct tok next_token(struct lexer *lx)
{
    skip_blank(lx);
    struct tok t = {T_END, lx->i, 0};
    if (lx->i >= lx->n)
        return t;
    unsigned char c = (unsigned char)lx->s[lx->i];
    unsigned f = lx->flags;
    switch (c) {
    case ';': t.type = T_SEMI; lx->i++; break;
    case '(': t.type = T_OPEN; lx->i++; break;
    case ')': t.type = T_CLOSE; lx->i++; break;
    case '?': t.type = T_PARAM; lx->i++; break;
    case '\'':
        t.type = T_STRING;
        scan_quoted(lx, '\'', (f & ODBCTX_SQL_MYSQL) != 0);
        break;
    case '"':
        t.type = (f & ODBCTX_SQL_MYSQL) ? T_STRING : T_QIDENT;
        scan_quoted(lx, '"', (f & ODBCTX_SQL_MYSQL) != 0);
        break;
    case '`':
        if (f & (ODBCTX_SQL_MYSQL | ODBCTX_SQL_SQLITE)) {
            t.type = T_QIDENT;
            scan_quoted(lx, '`', 0);
        } else {
            t.type = T_PUNCT;
            lx->i++;
        }
        break;
    case '[':
        if (f & ODBCTX_SQL_SQLITE) {
            t.type = T_QIDENT;
            while (lx->i < lx->n && lx->s[lx->i] != ']')
                lx->i++;
            if (lx->i < lx->n)
                lx->i++;
        } else {
            t.type = T_PUNCT;
            lx->i++;
        }
        break;
    case '@':
        t.type = T_VAR;
        lx->i++;
        if (at(lx, lx->i) == '@')
            lx->i++;
        while (lx->i < lx->n && (is_word((unsigned char)lx->s[lx->i]) || lx->s[lx->i] == '.'))
            lx->i++;
        break;
    default:
        if (c == '$' && (f & ODBCTX_SQL_POSTGRESQL) && scan_dollar(lx)) {
            t.type = T_STRING;
        } else if (is_word(c)) {
            t.type = T_WORD;
            while (lx->i < lx->n && is_word((unsigned char)lx->s[lx->i]))
                lx->i++;
            /* PostgreSQL E'...' strings take backslash escapes. */
            if ((f & ODBCTX_SQL_POSTGRESQL) && lx->i - t.off == 1 && upper(c) == 'E' &&
                at(lx, lx->i) == '\'') {
                t.type = T_STRING;
                scan_quoted(lx, '\'', 1);
            }
        } else {
            t.type = T_PUNCT;
            lx->i++;
        }
    }
    t.len = lx->i - t.off;
    return t;
}

static int is_kw(const char *s, const struct tok *t, const char *kw)
{
    if (t->type != T_WORD)
        return 0;
    size_t n = strlen(kw);
    if (t->len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (upper((unsigned char)s[t->off + i]) != (unsigned char)kw[i])
            return 0;
    return 1;
}

static int is_kw_any(const char *s, const struct tok *t, const char *const *kws)
{
    for (; *kws; kws++)
        if (is_kw(s, t, *kws))
            return 1;
    return 0;
}

static int is_punct(const char *s, const struct tok *t, char c)
{
    return t->type == T_PUNCT && s[t->off] == c;
}

static int ieq(const char *a, size_t n, const char *kw)
{
    if (strlen(kw) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (upper((unsigned char)a[i]) != upper((unsigned char)kw[i]))
            return 0;
    return 1;
}

/* 1: the session's autocommit (autocommit, @@autocommit, @@session.x,
 * @@local.x, and the name in backticks); 2: @@global.autocommit; 0:
 * something else. */
static int autocommit_var(const char *s, const struct tok *t)
{
    if (is_kw(s, t, "AUTOCOMMIT"))
        return 1;
    if (t->type == T_QIDENT && t->len >= 2 && s[t->off] == '`' &&
        ieq(s + t->off + 1, t->len - 2, "AUTOCOMMIT"))
        return 1;
    if (t->type != T_VAR || t->len < 2 || s[t->off + 1] != '@')
        return 0;
    const char *v = s + t->off + 2;
    size_t n = t->len - 2;
    const char *dot = memchr(v, '.', n);
    if (!dot)
        return ieq(v, n, "AUTOCOMMIT");
    size_t scope = (size_t)(dot - v);
    if (!ieq(dot + 1, n - scope - 1, "AUTOCOMMIT"))
        return 0;
    if (ieq(v, scope, "GLOBAL"))
        return 2;
    return (ieq(v, scope, "SESSION") || ieq(v, scope, "LOCAL")) ? 1 : 0;
}

static const char *const kw_txn_words[] = {"COMMIT", "TRANSACTION", "XA", NULL};
static const char *const kw_ddl[] = {"CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME",
                                     "LOCK", "GRANT", "REVOKE", NULL};
static const char *const kw_routine[] = {"FUNCTION", "PROCEDURE", "TRIGGER", "EVENT", "PACKAGE", NULL};
static const char *const kw_not_routine[] = {"TABLE", "VIEW", "INDEX", "SCHEMA", "DATABASE",
                                             "SEQUENCE", "TYPE", "USER", "ROLE", NULL};
static const char *const kw_end_not_block[] = {"IF", "LOOP", "WHILE", "REPEAT", "FOR", NULL};
static const char *const kw_compound[] = {"IF", "CASE", "LOOP", "REPEAT", "WHILE", "FOR", NULL};
static const char *const kw_txn_noise[] = {"WORK", "TRANSACTION", "TRAN", NULL};
/* Statements that change the schema: odbctx_sql_is_ddl. */
static const char *const kw_schema_change[] = {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE",
                                               NULL};
/* MySQL's implicit commits: the schema changes above and more. */
static const char *const kw_implicit[] = {"ALTER", "CREATE", "DROP", "RENAME", "TRUNCATE",
                                          "GRANT", "REVOKE", "LOCK", "ANALYZE", "OPTIMIZE",
                                          "REPAIR", "CHECK", "FLUSH", "RESET", "CACHE",
                                          "INSTALL", "UNINSTALL", NULL};

/* Statements whose kind is ODBCTX_SQL_OTHER whatever follows their second
 * token (the second still decides a MySQL label, "select: LOOP ..."). */
static const char *const kw_plain[] = {"INSERT", "UPDATE", "DELETE", "SELECT", "VALUES", NULL};

static struct tok peek(const struct lexer *lx)
{
    struct lexer copy = *lx;
    return next_token(&copy);
}

/* Feeds one token of the current statement: remembers the first MAXT and
 * tracks what decides where the statement ends. */
static void feed(struct stmt *st, const struct lexer *lx, struct tok t)
{
    const char *s = lx->s;
    unsigned f = lx->flags;
    size_t k = st->nt;
    if (k == 0)
        st->off = t.off;
    st->end = t.off + t.len;
    if (k < MAXT)
        st->t[k] = t;
    st->nt++;

    if (t.type == T_OPEN)
        st->paren++;
    else if (t.type == T_CLOSE && st->paren > 0)
        st->paren--;
    else if (t.type == T_PARAM)
        st->params = 1;
    /* Every statement a program sends passes here (capture): the common
     * ones skip what only SET, CREATE and compound statements need. */
    if (k == 0)
        st->plain = is_kw_any(s, &t, kw_plain);
    else if (k >= 2 && st->plain) {
        st->prev_type = t.type;
        return;
    }
    if (is_punct(s, &t, ',') && st->paren == 0)
        st->commas++;
    if (autocommit_var(s, &t))
        st->autocommit++;

    if (k == 1 && (f & ODBCTX_SQL_MYSQL) && !(f & NESTED)) {
        /* MySQL runs BEGIN NOT ATOMIC ... END, IF ... END IF, label: LOOP ...
         * as one statement whose body holds ';'. Where it ends needs a full
         * parser; reading to the end of the text and refusing it when any of
         * it controls the transaction hides nothing. */
        if ((is_kw(s, &st->t[0], "BEGIN") && (is_kw(s, &t, "NOT") || is_kw(s, &t, "ATOMIC"))) ||
            is_kw_any(s, &st->t[0], kw_compound) ||
            (st->t[0].type == T_WORD && is_punct(s, &t, ':')))
            st->compound = 1;
    }
    if (st->compound)
        st->plain = 0;
    if (k > 0 && is_kw(s, &st->t[0], "CREATE") && !st->routine_known) {
        if (is_kw_any(s, &t, kw_routine))
            st->routine = st->routine_known = 1;
        else if (is_kw_any(s, &t, kw_not_routine) || t.type == T_OPEN || k > 12)
            st->routine_known = 1;
    }

    if (st->routine || st->compound) {
        /* Inside a body these never belong (SQLite's RAISE(ROLLBACK, ...)
         * aside): seeing one means the split went wrong or the body would
         * run it, so the statement is refused rather than passed on. */
        if (is_kw_any(s, &t, kw_txn_words) || autocommit_var(s, &t) ||
            (is_kw(s, &t, "ROLLBACK") && st->prev_type != T_OPEN) ||
            (st->compound && k > 0 && is_kw_any(s, &t, kw_ddl)))
            st->risky = 1;
    }
    if (st->routine) {
        /* The body of a routine ends at the END that closes its BEGIN;
         * CASE ... END nests inside. BEGIN opens only as the body's own
         * (SQLite triggers) or as BEGIN ATOMIC (PostgreSQL), so a column
         * named begin cannot swallow the statements after it. */
        if (is_kw(s, &t, "BEGIN")) {
            struct tok nx = peek(lx);
            if (st->block == 0 || is_kw(s, &nx, "ATOMIC") || (f & ODBCTX_SQL_MYSQL))
                st->block++;
        } else if (is_kw(s, &t, "CASE")) {
            st->block++;
        } else if (is_kw(s, &t, "END") && st->block > 0) {
            struct tok nx = peek(lx);
            if (!is_kw_any(s, &nx, kw_end_not_block))
                st->block--;
        }
    }
    st->prev_type = t.type;
}

static void set_name(struct odbctx_sql_stmt *o, const char *s, const struct stmt *st, size_t j)
{
    if (j >= st->nt || j >= MAXT)
        return;
    const struct tok *t = &st->t[j];
    if (t->type != T_WORD && t->type != T_QIDENT)
        return;
    o->name_off = t->off;
    o->name_len = t->len;
    const char *name = s + t->off;
    size_t n = t->len;
    if (t->type == T_QIDENT && n >= 2) {
        name++;
        n -= 2;
    }
    size_t pn = strlen(ODBCTX_SAVEPOINT_PREFIX);
    if (n >= pn && ieq(name, pn, ODBCTX_SAVEPOINT_PREFIX))
        o->clash = 1;
}

/* AND CHAIN (not AND NO CHAIN) anywhere among the first tokens. */
static int has_chain(const char *s, const struct stmt *st)
{
    size_t n = st->nt < MAXT ? st->nt : MAXT;
    for (size_t j = 1; j + 1 < n; j++)
        if (is_kw(s, &st->t[j], "AND") && is_kw(s, &st->t[j + 1], "CHAIN"))
            return 1;
    return 0;
}

static const struct tok *tok_at(const struct stmt *st, size_t j)
{
    static const struct tok none = {T_END, 0, 0};
    return (j < st->nt && j < MAXT) ? &st->t[j] : &none;
}

/* The variable a SET assigns, spelled as MariaDB reads it: "@@", a scope
 * and '.', and the name may stand in several tokens ("@@session . x",
 * "@@`x`", "@@session.`x`"). Returns 1 for the session's autocommit, 2
 * for the global one, 0 for another variable, -1 when the spelling is not
 * understood; *next is the token after the name. */
static int set_target(const char *s, const struct stmt *st, size_t j, size_t *next)
{
    char name[64];
    size_t used = 0;
    for (; j < st->nt && j < MAXT; j++) {
        const struct tok *t = tok_at(st, j);
        const char *p = s + t->off;
        size_t n = t->len;
        if (t->type == T_QIDENT && n >= 2) {
            p++;
            n -= 2;
        } else if (t->type == T_PUNCT && *p == '.') {
        } else if (t->type != T_VAR && t->type != T_WORD) {
            break;
        }
        /* A word after a complete name ends it (SET x TO 1). */
        if (t->type == T_WORD && used > 0 && name[used - 1] != '.' && name[used - 1] != '@')
            break;
        if (used + n >= sizeof name)
            return -1;
        memcpy(name + used, p, n);
        used += n;
    }
    *next = j;
    const char *v = name;
    size_t n = used;
    if (n >= 2 && v[0] == '@' && v[1] == '@') {
        v += 2;
        n -= 2;
    }
    const char *dot = memchr(v, '.', n);
    if (!dot)
        return ieq(v, n, "AUTOCOMMIT") ? 1 : 0;
    size_t scope = (size_t)(dot - v);
    if (!ieq(dot + 1, n - scope - 1, "AUTOCOMMIT"))
        return 0;
    if (ieq(v, scope, "GLOBAL"))
        return 2;
    return (ieq(v, scope, "SESSION") || ieq(v, scope, "LOCAL")) ? 1 : -1;
}

/* SET [SESSION|LOCAL] autocommit {=|:=|TO} value, alone in its statement. */
static enum odbctx_sql_kind classify_set(const char *s, const struct stmt *st)
{
    if (st->autocommit == 0)
        return ODBCTX_SQL_OTHER;
    size_t j = 1;
    if (is_kw(s, tok_at(st, j), "GLOBAL"))
        return st->commas ? ODBCTX_SQL_UNSUPPORTED : ODBCTX_SQL_OTHER;
    if (is_kw(s, tok_at(st, j), "SESSION") || is_kw(s, tok_at(st, j), "LOCAL"))
        j++;
    int var = set_target(s, st, j, &j);
    if (var == 2)
        return st->commas ? ODBCTX_SQL_UNSUPPORTED : ODBCTX_SQL_OTHER;
    if (var != 1 || st->autocommit != 1 || st->commas)
        return ODBCTX_SQL_UNSUPPORTED;
    if (is_punct(s, tok_at(st, j), ':'))
        j++;
    if (!is_punct(s, tok_at(st, j), '=') && !is_kw(s, tok_at(st, j), "TO"))
        return ODBCTX_SQL_UNSUPPORTED;
    j++;
    const struct tok *v = tok_at(st, j);
    if (j + 1 != st->nt)
        return ODBCTX_SQL_UNSUPPORTED;
    const char *p = s + v->off;
    size_t n = v->len;
    if (v->type == T_STRING && n >= 2) {
        p++;
        n -= 2;
    } else if (v->type != T_WORD) {
        return ODBCTX_SQL_UNSUPPORTED;
    }
    if (ieq(p, n, "1") || ieq(p, n, "ON") || ieq(p, n, "TRUE") ||
        (v->type == T_WORD && ieq(p, n, "DEFAULT")))
        return ODBCTX_SQL_AUTOCOMMIT_ON;
    if (ieq(p, n, "0") || ieq(p, n, "OFF") || ieq(p, n, "FALSE"))
        return ODBCTX_SQL_AUTOCOMMIT_OFF;
    return ODBCTX_SQL_UNSUPPORTED;
}

/* MySQL can PREPARE transaction control from a literal and EXECUTE it later:
 * refuse the PREPARE. A statement prepared from a variable is not seen. */
static enum odbctx_sql_kind classify_mysql_prepare(const char *s, const struct stmt *st, unsigned f)
{
    const struct tok *lit = tok_at(st, 3);
    if (!is_kw(s, tok_at(st, 2), "FROM") || lit->type != T_STRING || lit->len < 2)
        return ODBCTX_SQL_OTHER;
    struct odbctx_sql_stmt inner[4];
    size_t n = odbctx_classify(s + lit->off + 1, lit->len - 2, f | NESTED, inner, 4);
    for (size_t i = 0; i < n && i < 4; i++)
        if (inner[i].kind != ODBCTX_SQL_OTHER)
            return ODBCTX_SQL_UNSUPPORTED;
    return ODBCTX_SQL_OTHER;
}

static int mysql_implicit_commit(const char *s, const struct stmt *st)
{
    const struct tok *t0 = tok_at(st, 0), *t1 = tok_at(st, 1);
    if (is_kw(s, t0, "SET"))
        return is_kw(s, t1, "PASSWORD");
    if (is_kw(s, t0, "LOAD"))
        return is_kw(s, t1, "INDEX");
    if (is_kw(s, t0, "START") || is_kw(s, t0, "STOP") || is_kw(s, t0, "CHANGE"))
        return is_kw(s, t1, "SLAVE") || is_kw(s, t1, "REPLICA") || is_kw(s, t1, "MASTER");
    if (!is_kw_any(s, t0, kw_implicit))
        return 0;
    /* TEMPORARY tables are the exception: CREATE [OR REPLACE] TEMPORARY, DROP TEMPORARY. */
    size_t j = 1;
    if (is_kw(s, t0, "CREATE") && is_kw(s, tok_at(st, 1), "OR") && is_kw(s, tok_at(st, 2), "REPLACE"))
        j = 3;
    if ((is_kw(s, t0, "CREATE") || is_kw(s, t0, "DROP")) && is_kw(s, tok_at(st, j), "TEMPORARY"))
        return 0;
    return 1;
}

/* MariaDB's SET STATEMENT var = value [, ...] FOR statement runs the
 * statement after FOR with the variables set: it is what decides. The
 * values may hold parentheses and strings, so FOR is the first top-level
 * word FOR after the assignments; one that cannot be found is refused. */
static enum odbctx_sql_kind classify_set_statement(const char *s, const struct stmt *st,
                                                   unsigned f, struct odbctx_sql_stmt *o)
{
    struct lexer lx = {s, st->end, st->t[1].off + st->t[1].len, f, 0};
    int depth = 0;
    for (;;) {
        struct tok t = next_token(&lx);
        if (t.type == T_END || t.type == T_SEMI)
            return ODBCTX_SQL_UNSUPPORTED;
        if (t.type == T_OPEN)
            depth++;
        else if (t.type == T_CLOSE && depth > 0)
            depth--;
        else if (depth == 0 && is_kw(s, &t, "FOR"))
            break;
    }
    if (f & NESTED)
        return ODBCTX_SQL_UNSUPPORTED; /* SET STATEMENT ... FOR SET STATEMENT ...: refuse */
    struct odbctx_sql_stmt inner[2];
    size_t n = odbctx_classify(s + lx.i, st->end - lx.i, f | NESTED, inner, 2);
    if (n != 1)
        return n == 0 ? ODBCTX_SQL_OTHER : ODBCTX_SQL_UNSUPPORTED;
    o->name_off = inner[0].name_len ? inner[0].name_off + lx.i : 0;
    o->name_len = inner[0].name_len;
    o->clash = inner[0].clash;
    o->chain = inner[0].chain;
    o->params |= inner[0].params;
    return inner[0].kind;
}

static enum odbctx_sql_kind classify_stmt(const char *s, const struct stmt *st, unsigned f,
                                          struct odbctx_sql_stmt *o)
{
    const struct tok *t0 = tok_at(st, 0), *t1 = tok_at(st, 1);
    int mysql = (f & ODBCTX_SQL_MYSQL) != 0;

    if (mysql && is_kw(s, t0, "SET") && is_kw(s, t1, "STATEMENT"))
        return classify_set_statement(s, st, f, o);
    if (st->compound)
        return st->risky ? ODBCTX_SQL_UNSUPPORTED : ODBCTX_SQL_OTHER;
    if (mysql && mysql_implicit_commit(s, st))
        return ODBCTX_SQL_IMPLICIT_COMMIT;
    if (st->routine)
        return st->risky ? ODBCTX_SQL_UNSUPPORTED : ODBCTX_SQL_OTHER;
    if (t0->type != T_WORD)
        return ODBCTX_SQL_OTHER;

    if (is_kw(s, t0, "COMMIT")) {
        if (is_kw(s, t1, "PREPARED"))
            return ODBCTX_SQL_UNSUPPORTED;
        o->chain = (unsigned)has_chain(s, st);
        return ODBCTX_SQL_COMMIT;
    }
    if (is_kw(s, t0, "END"))
        return mysql ? ODBCTX_SQL_OTHER : ODBCTX_SQL_COMMIT;
    if (is_kw(s, t0, "ABORT"))
        return (f & (ODBCTX_SQL_MYSQL | ODBCTX_SQL_SQLITE)) ? ODBCTX_SQL_OTHER : ODBCTX_SQL_ROLLBACK;
    if (is_kw(s, t0, "ROLLBACK")) {
        if (is_kw(s, t1, "PREPARED"))
            return ODBCTX_SQL_UNSUPPORTED;
        size_t j = 1;
        if (is_kw_any(s, tok_at(st, j), kw_txn_noise))
            j++;
        if (is_kw(s, tok_at(st, j), "TO")) {
            j++;
            if (is_kw(s, tok_at(st, j), "SAVEPOINT"))
                j++;
            set_name(o, s, st, j);
            return ODBCTX_SQL_ROLLBACK_TO;
        }
        o->chain = (unsigned)has_chain(s, st);
        return ODBCTX_SQL_ROLLBACK;
    }
    if (is_kw(s, t0, "BEGIN"))
        return ODBCTX_SQL_BEGIN;
    if (is_kw(s, t0, "START"))
        return is_kw(s, t1, "TRANSACTION") ? ODBCTX_SQL_BEGIN : ODBCTX_SQL_OTHER;
    if (is_kw(s, t0, "SAVEPOINT")) {
        set_name(o, s, st, 1);
        return ODBCTX_SQL_SAVEPOINT;
    }
    if (is_kw(s, t0, "RELEASE")) {
        size_t j = 1;
        if (is_kw(s, t1, "SAVEPOINT"))
            j++;
        set_name(o, s, st, j);
        return ODBCTX_SQL_RELEASE;
    }
    if (is_kw(s, t0, "SET"))
        return classify_set(s, st);
    if (is_kw(s, t0, "PREPARE")) {
        if (is_kw(s, t1, "TRANSACTION"))
            return ODBCTX_SQL_UNSUPPORTED;
        if (mysql && !(f & NESTED))
            return classify_mysql_prepare(s, st, f);
        /* Inside SET STATEMENT ... FOR: the literal is not looked into. */
        if (mysql && is_kw(s, tok_at(st, 2), "FROM"))
            return ODBCTX_SQL_UNSUPPORTED;
        return ODBCTX_SQL_OTHER;
    }
    if (is_kw(s, t0, "XA"))
        return ODBCTX_SQL_UNSUPPORTED;
    return ODBCTX_SQL_OTHER;
}

size_t odbctx_classify(const char *sql, size_t len, unsigned flags,
                       struct odbctx_sql_stmt *out, size_t max)
{
    struct lexer lx = {sql, sql ? len : 0, 0, flags, 0};
    struct stmt st;
    size_t count = 0;
    memset(&st, 0, sizeof st);
    for (;;) {
        struct tok t = next_token(&lx);
        int ends = t.type == T_END ||
                   (t.type == T_SEMI && st.paren == 0 && st.block == 0 && !st.compound);
        if (!ends) {
            feed(&st, &lx, t);
            continue;
        }
        if (st.nt > 0) {
            struct odbctx_sql_stmt o;
            memset(&o, 0, sizeof o);
            o.off = st.off;
            o.len = st.end - st.off;
            o.params = (unsigned)st.params;
            o.kind = classify_stmt(sql, &st, flags, &o);
            if (count < max)
                out[count] = o;
            count++;
        }
        if (t.type == T_END)
            return count;
        memset(&st, 0, sizeof st);
    }
}


int odbctx_sql_plain(const char *sql, size_t len, unsigned flags)
{
    if (!sql || memchr(sql, ';', len))
        return 0;
    /* With no ';' anywhere the text is one statement, and odbctx_classify
     * decides a plain first word's kind by the first two tokens (feed). */
    struct lexer lx = {sql, len, 0, flags, 0};
    struct tok t0 = next_token(&lx), t1 = next_token(&lx);
    return is_kw_any(sql, &t0, kw_plain) && !is_punct(sql, &t1, ':');
}

size_t odbctx_sql_markers(const char *sql, size_t len, unsigned flags)
{
    struct lexer lx = {sql, sql ? len : 0, 0, flags, 0};
    size_t n = 0;
    for (struct tok t = next_token(&lx); t.type != T_END; t = next_token(&lx))
        if (t.type == T_PARAM)
            n++;
    return n;
}

/* ---- what a statement does to the schema ---- */

int odbctx_sql_is_ddl(const char *sql, size_t len, unsigned flags)
{
    struct lexer lx = {sql, sql ? len : 0, 0, flags, 0};
    struct tok t = next_token(&lx);
    return is_kw_any(sql, &t, kw_schema_change);
}

/* Objects whose CREATE makes nothing odbctx drops itself: they go with
 * their table or the connection, or are not the schema's. */
static const char *const kw_create_skipped[] = {
    "INDEX", "UNIQUE", "TRIGGER", "TYPE", "SCHEMA", "DATABASE", "USER", "ROLE", "EXTENSION",
    "DOMAIN", "EVENT", "SERVER", "RULE", "POLICY", "CAST", "COLLATION", "AGGREGATE", "PACKAGE",
    "SYNONYM", "TEMPORARY", "TEMP", NULL};

static int is_name(const struct tok *t)
{
    return t->type == T_WORD || t->type == T_QIDENT;
}

/* After t, the first part of a name: the whole name, schema.name, `db`.`t`,
 * "s"."t" (the parts touch their dots), in [*start, *end). */
static void read_name(struct lexer *lx, const char *sql, const struct tok *t, size_t *start,
                      size_t *end)
{
    *start = t->off;
    *end = t->off + t->len;
    for (;;) {
        struct lexer save = *lx;
        struct tok dot = next_token(lx), part = next_token(lx);
        if (!is_punct(sql, &dot, '.') || dot.off != *end || !is_name(&part) ||
            part.off != dot.off + 1) {
            *lx = save;
            return;
        }
        *end = part.off + part.len;
    }
}

static int is_end(const struct tok *t)
{
    return t->type == T_END || t->type == T_SEMI;
}

/* IF [NOT] EXISTS: 1 and t past it, 0 and t unchanged when absent, -1 when
 * malformed. */
static int if_exists(struct lexer *lx, const char *sql, struct tok *t, int with_not)
{
    if (!is_kw(sql, t, "IF"))
        return 0;
    struct tok u = next_token(lx);
    if (with_not) {
        if (!is_kw(sql, &u, "NOT"))
            return -1;
        u = next_token(lx);
    }
    if (!is_kw(sql, &u, "EXISTS"))
        return -1;
    *t = next_token(lx);
    return 1;
}

int odbctx_sql_table_ddl(const char *sql, size_t len, unsigned flags,
                         struct odbctx_sql_table_ddl *out)
{
    struct lexer lx = {sql, sql ? len : 0, 0, flags, 0};
    struct tok t = next_token(&lx);
    memset(out, 0, sizeof *out);
    int create = is_kw(sql, &t, "CREATE"), drop = is_kw(sql, &t, "DROP");
    if (is_kw(sql, &t, "TRUNCATE")) {
        out->op = ODBCTX_TABLE_TRUNCATE;
        t = next_token(&lx);
        if (is_kw(sql, &t, "TABLE"))
            t = next_token(&lx);
        if (!is_name(&t))
            return 0;
        size_t start, end;
        read_name(&lx, sql, &t, &start, &end);
        out->names[0].off = start;
        out->names[0].len = end - start;
        out->n_names = 1;
        t = next_token(&lx);
        return is_end(&t);
    }
    if (!create && !drop)
        return 0;
    t = next_token(&lx);
    if (create && is_kw(sql, &t, "OR")) {
        t = next_token(&lx);
        if (!is_kw(sql, &t, "REPLACE"))
            return 0;
        out->or_replace = 1;
        t = next_token(&lx);
    }
    if (is_kw(sql, &t, "TEMPORARY")) {
        out->temporary = 1;
        t = next_token(&lx);
    }
    if (!is_kw(sql, &t, "TABLE") && !(drop && is_kw(sql, &t, "TABLES")))
        return 0;
    out->op = create ? ODBCTX_TABLE_CREATE : ODBCTX_TABLE_DROP;
    out->insert_at = t.off;
    t = next_token(&lx);
    int ie = if_exists(&lx, sql, &t, create);
    if (ie < 0)
        return 0;
    out->if_exists = ie == 1;
    for (;;) {
        if (!is_name(&t) || out->n_names == ODBCTX_TABLE_NAMES)
            return 0;
        size_t start, end;
        read_name(&lx, sql, &t, &start, &end);
        out->names[out->n_names].off = start;
        out->names[out->n_names].len = end - start;
        out->n_names++;
        t = next_token(&lx);
        if (create || !is_punct(sql, &t, ','))
            break;
        t = next_token(&lx);
    }
    if (drop) {
        /* [WAIT n | NOWAIT] [RESTRICT | CASCADE] */
        if (is_kw(sql, &t, "WAIT")) {
            t = next_token(&lx);
            t = next_token(&lx);
        } else if (is_kw(sql, &t, "NOWAIT")) {
            t = next_token(&lx);
        }
        if (is_kw(sql, &t, "RESTRICT") || is_kw(sql, &t, "CASCADE"))
            t = next_token(&lx);
        return is_end(&t);
    }
    /* The rest of a CREATE: a REFERENCES anywhere is a foreign key. */
    for (; !is_end(&t); t = next_token(&lx))
        if (is_kw(sql, &t, "REFERENCES"))
            out->references = 1;
    return 1;
}

int odbctx_sql_creates(const char *sql, size_t len, unsigned flags, struct odbctx_sql_created *out)
{
    struct lexer lx = {sql, sql ? len : 0, 0, flags, 0};
    struct tok t = next_token(&lx);
    int materialized = 0;
    memset(out, 0, sizeof *out);
    if (!is_kw(sql, &t, "CREATE"))
        return 0;
    /* CREATE [OR REPLACE] [options ...] kind: the options are words. */
    for (int i = 0; i < 24 && !out->kind; i++) {
        t = next_token(&lx);
        if (t.type != T_WORD || is_kw_any(sql, &t, kw_create_skipped))
            return 0;
        if (is_kw(sql, &t, "MATERIALIZED"))
            materialized = 1;
        else if (is_kw(sql, &t, "TABLE"))
            out->kind = "TABLE";
        else if (is_kw(sql, &t, "VIEW"))
            out->kind = materialized ? "MATERIALIZED VIEW" : "VIEW";
        else if (is_kw(sql, &t, "SEQUENCE"))
            out->kind = "SEQUENCE";
        else if (is_kw(sql, &t, "PROCEDURE"))
            out->kind = "PROCEDURE";
        else if (is_kw(sql, &t, "FUNCTION"))
            out->kind = "FUNCTION";
    }
    if (!out->kind)
        return 0;
    t = next_token(&lx);
    if (is_kw(sql, &t, "IF")) {
        t = next_token(&lx);
        if (!is_kw(sql, &t, "NOT"))
            return 0;
        t = next_token(&lx);
        if (!is_kw(sql, &t, "EXISTS"))
            return 0;
        t = next_token(&lx);
        out->if_not_exists = 1;
    }
    if (!is_name(&t))
        return 0;
    size_t start, end;
    read_name(&lx, sql, &t, &start, &end);
    out->name_off = start;
    out->name_len = end - start;
    return 1;
}

int odbctx_sql_only_reads(const char *sql)
{
    static const char *const words[] = {"SELECT", "WITH", "SHOW", "VALUES", "EXPLAIN", "TABLE"};
    while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '(')
        sql++;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t n = strlen(words[i]);
        if (strncasecmp(sql, words[i], n) == 0 && !isalnum((unsigned char)sql[n]) && sql[n] != '_')
            return 1;
    }
    return 0;
}

/* ---- what a statement writes to ---- */

int odbctx_sql_write_target(const char *sql, size_t len, unsigned flags, size_t *name_off,
                            size_t *name_len)
{
    struct lexer lx = {sql, sql ? len : 0, 0, flags, 0};
    struct tok t = next_token(&lx);
    *name_off = *name_len = 0;
    /* The word after which the table's name comes, and the words that may
     * stand between (MariaDB's modifiers, PostgreSQL's ONLY). */
    static const char *const modifiers[] = {"LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE",
                                            "QUICK", "ONLY", NULL};
    const char *before = NULL;
    if (is_kw(sql, &t, "INSERT") || is_kw(sql, &t, "REPLACE") || is_kw(sql, &t, "MERGE"))
        before = "INTO";
    else if (is_kw(sql, &t, "DELETE"))
        before = "FROM";
    else if (is_kw(sql, &t, "TRUNCATE"))
        before = "TABLE";
    else if (!is_kw(sql, &t, "UPDATE"))
        return 0;
    t = next_token(&lx);
    for (int i = 0; i < 4 && is_kw_any(sql, &t, modifiers); i++)
        t = next_token(&lx);
    /* INTO is optional in MariaDB's INSERT and REPLACE, TABLE in TRUNCATE,
     * FROM in neither DELETE form this reads (DELETE t FROM ... joins: no
     * single target). */
    if (before && is_kw(sql, &t, before))
        t = next_token(&lx);
    else if (before && strcmp(before, "FROM") == 0)
        return 1;
    while (is_kw_any(sql, &t, modifiers))
        t = next_token(&lx);
    if (!is_name(&t))
        return 1;
    size_t start, end;
    read_name(&lx, sql, &t, &start, &end);
    *name_off = start;
    *name_len = end - start;
    return 1;
}
