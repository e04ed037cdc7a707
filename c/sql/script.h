/*
 * The script splitter behind odbctx_exec_file and odbctx_schema_*.
 *
 * Statements end at ';' outside quotes, comments and compound bodies:
 *   'strings' with '' (and, for MariaDB, backslash escapes; E'...' on
 *   PostgreSQL), "identifiers", `backtick identifiers`, -- and block
 *   comments, PostgreSQL $tag$ dollar quotes, and the BEGIN ... END body of
 *   CREATE TRIGGER / PROCEDURE / FUNCTION / EVENT (SQLite triggers, MariaDB
 *   routines without DELIMITER, PostgreSQL BEGIN ATOMIC).
 * Client commands (psql's \i, mysql's DELIMITER) are not understood.
 *
 * Pure and allocation-free, so a fuzz target can call it on any bytes.
 */
#ifndef ODBCTX_SCRIPT_H
#define ODBCTX_SCRIPT_H

#include "sql/lexis.h"

#include <stddef.h>

/* One statement: text points into the script (not terminated), from its
 * first token to its last, without the ';' and without comments around it. */
struct odbctx_script_stmt {
    const char *text;
    size_t len;
    unsigned line; /* 1-based line of the first token */
};

/* Why the script cannot be split; what is a static string. */
struct odbctx_script_error {
    unsigned line;
    const char *what;
};

/* Return nonzero to stop; that value becomes the splitter's result. */
typedef int (*odbctx_script_fn)(void *ctx, const struct odbctx_script_stmt *stmt);

/* Splits text[0..len) (NUL bytes are ordinary characters) and calls fn for
 * each non-empty statement in order; fn may be NULL to only check the script.
 * Returns 0, the callback's nonzero value, or -1 when a quote, comment or
 * dollar quote is not closed, with *err (when not NULL) saying where.
 * On -1 the statements before the broken one have already been passed to fn:
 * call once with fn NULL first to run all or nothing. */
/* flags: the lexis (sql/lexis.h) of the DBMS the script goes to. */
int odbctx_script_split(const char *text, size_t len, unsigned flags,
                        odbctx_script_fn fn, void *ctx, struct odbctx_script_error *err);

#endif
