/*
 * The statement classifier: finds the transaction control in SQL text that
 * captured code sends, so that capture can turn it into savepoint restarts
 * instead of letting it end the test's transaction.
 *
 * Pure: no ODBC, no allocation, no global state; reads exactly len bytes
 * (the text need not be NUL-terminated). Safe to call from any thread.
 */
#ifndef ODBCTX_CLASSIFY_H
#define ODBCTX_CLASSIFY_H

#include "sql/lexis.h"

#include <stddef.h>

/* Every savepoint odbctx creates is named "odbctx_<kind><serial>" (levels.c);
 * captured SQL that names a savepoint with this prefix is refused, so legacy
 * code cannot release or roll back odbctx's own levels. */
#define ODBCTX_SAVEPOINT_PREFIX "odbctx_"

enum odbctx_sql_kind {
    ODBCTX_SQL_OTHER,          /* anything that does not control the transaction */
    ODBCTX_SQL_COMMIT,         /* COMMIT [WORK|TRANSACTION], END (PostgreSQL, SQLite) */
    ODBCTX_SQL_ROLLBACK,       /* ROLLBACK [WORK|TRANSACTION], ABORT (PostgreSQL) */
    ODBCTX_SQL_BEGIN,          /* BEGIN [WORK|TRANSACTION|DEFERRED|...], START TRANSACTION */
    ODBCTX_SQL_AUTOCOMMIT_ON,  /* SET [SESSION] autocommit = 1|ON|TRUE|DEFAULT, SET @@autocommit ... */
    ODBCTX_SQL_AUTOCOMMIT_OFF, /* SET [SESSION] autocommit = 0|OFF|FALSE */
    ODBCTX_SQL_SAVEPOINT,      /* SAVEPOINT name */
    ODBCTX_SQL_RELEASE,        /* RELEASE [SAVEPOINT] name */
    ODBCTX_SQL_ROLLBACK_TO,    /* ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] name */
    /* Transaction control that cannot be emulated: two-phase commit
     * (PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED, XA), SET autocommit to
     * an expression or together with other variables, MySQL PREPARE of
     * transaction control, MySQL compound statements that contain it. */
    ODBCTX_SQL_UNSUPPORTED,
    /* Only with ODBCTX_SQL_MYSQL: statements that commit implicitly before
     * they run (DDL except on TEMPORARY tables, LOCK TABLES, GRANT, ...). */
    ODBCTX_SQL_IMPLICIT_COMMIT,
};

struct odbctx_sql_stmt {
    enum odbctx_sql_kind kind;
    size_t off, len;           /* first to last token, without the ';' */
    size_t name_off, name_len; /* savepoint name as written (quotes included); len 0 if none */
    unsigned clash : 1;        /* the name starts with ODBCTX_SAVEPOINT_PREFIX */
    unsigned params : 1;       /* contains '?' parameter markers */
    unsigned chain : 1;        /* COMMIT/ROLLBACK AND CHAIN: a new transaction begins at once */
};

/* Splits sql[0..len) into statements at top-level ';' (not inside quotes,
 * comments, parentheses or the BEGIN ... END body of a routine or compound
 * statement) and classifies each; empty statements are skipped. Stores the
 * first max of them in out (out may be NULL when max is 0) and returns how
 * many there are, which may be more than max. */
size_t odbctx_classify(const char *sql, size_t len, unsigned flags,
                       struct odbctx_sql_stmt *out, size_t max);

/* 1 when sql[0..len) is one statement that odbctx_classify would call
 * ODBCTX_SQL_OTHER whatever its parameters: no ';' in the text and a first
 * word INSERT, UPDATE, DELETE, SELECT or VALUES (not a MySQL label). Reads
 * two tokens instead of the whole text: capture asks it first for every
 * statement a program sends. */
int odbctx_sql_plain(const char *sql, size_t len, unsigned flags);

/* 1 when the NUL-terminated sql begins (after blanks and opening
 * parentheses) with a word of a statement that only reads: SELECT, WITH,
 * SHOW, VALUES, EXPLAIN, TABLE. Capture uses it to tell which statements
 * leave work for a commit to keep. */
int odbctx_sql_only_reads(const char *sql);

/* The '?' parameter markers in sql[0..len): outside quotes, comments and
 * identifiers, as the classifier reads them. */
size_t odbctx_sql_markers(const char *sql, size_t len, unsigned flags);
/* 1 when the first statement of sql changes the schema (CREATE, ALTER,
 * DROP, RENAME, TRUNCATE). */
int odbctx_sql_is_ddl(const char *sql, size_t len, unsigned flags);

/* What a CREATE statement makes that odbctx may have to drop itself:
 * tables, views, sequences and routines (indexes and triggers go with
 * their table, TEMPORARY objects with the connection). */
struct odbctx_sql_created {
    const char *kind;          /* the DROP keyword: "TABLE", "VIEW", "MATERIALIZED VIEW",
                                  "SEQUENCE", "PROCEDURE", "FUNCTION" */
    size_t name_off, name_len; /* the name as written, quotes and schema included */
    int if_not_exists;
};
/* 1 and *out filled when the first statement of sql creates one of those. */
int odbctx_sql_creates(const char *sql, size_t len, unsigned flags, struct odbctx_sql_created *out);

/* MariaDB's table DDL, which a test runs as temporary tables
 * (extras/mariadb_ddl.c):
 *   CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] name ...
 *   DROP [TEMPORARY] TABLE[S] [IF EXISTS] name [, name ...] [WAIT n|NOWAIT]
 *        [RESTRICT|CASCADE]
 *   TRUNCATE [TABLE] name */
enum odbctx_sql_table_op { ODBCTX_TABLE_CREATE = 1, ODBCTX_TABLE_DROP, ODBCTX_TABLE_TRUNCATE };
#define ODBCTX_TABLE_NAMES 16
struct odbctx_sql_table_ddl {
    enum odbctx_sql_table_op op;
    unsigned temporary : 1;
    unsigned or_replace : 1;
    unsigned if_exists : 1;  /* IF NOT EXISTS (CREATE), IF EXISTS (DROP) */
    unsigned references : 1; /* CREATE: a REFERENCES clause (a foreign key) */
    size_t insert_at;        /* CREATE, DROP: the offset of TABLE, where TEMPORARY goes */
    size_t n_names;
    struct {
        size_t off, len;     /* as written, quotes and schema included */
    } names[ODBCTX_TABLE_NAMES];
};
/* 1 and *out filled when the first statement of sql is one of those forms,
 * read to its end (a DROP of more than ODBCTX_TABLE_NAMES tables, or
 * anything after a TRUNCATE's name, is not). */
int odbctx_sql_table_ddl(const char *sql, size_t len, unsigned flags,
                         struct odbctx_sql_table_ddl *out);

/* 1 when the first statement of sql writes rows: INSERT, REPLACE, MERGE,
 * UPDATE, DELETE, TRUNCATE. *name_off and *name_len: the table it writes to, as
 * written (quotes and schema included), or length 0 when the form names none
 * this reads (a DELETE of a join, say). */
int odbctx_sql_write_target(const char *sql, size_t len, unsigned flags, size_t *name_off,
                            size_t *name_len);

#endif
