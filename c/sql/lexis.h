/*
 * The one set of lexical dialect flags that every reader of SQL text takes
 * (the script splitter, the statement classifier): which quotes, comments
 * and identifiers the DBMS the text goes to knows. 0 is standard SQL.
 * It matters: a quote or comment read the wrong way could hide a COMMIT,
 * or end a statement early.
 */
#ifndef ODBCTX_LEXIS_H
#define ODBCTX_LEXIS_H

/* MySQL, MariaDB: '...' and "..." with backslash escapes, `ident`, # and
 * "-- " (with a blank) comments, executable comments (slash, star, bang)
 * whose text runs. */
#define ODBCTX_SQL_MYSQL      1u
/* PostgreSQL: $tag$ dollar quoting, E'...' escapes, nested block comments. */
#define ODBCTX_SQL_POSTGRESQL 2u
/* SQLite: `ident` and [ident]. */
#define ODBCTX_SQL_SQLITE     4u

#endif
