/*
 * A small "legacy" module: C that talks raw ODBC and manages its own
 * transactions, the way old code does. It knows nothing of odbctx; the
 * capture tests run it unchanged, linked into a test binary and built into
 * a plain program (legacy/ledger_main.c) run through odbctx-run.
 *
 * Its habits: commits after every write (SQLEndTran), rolls back in error
 * paths, switches autocommit on for some work, sends "COMMIT" as text, and
 * opens a connection of its own from a DSN or a connection string.
 *
 * Tables (prefix + name): <p>account(id INTEGER PRIMARY KEY, owner
 * VARCHAR(40) NOT NULL) and <p>entry(account INTEGER NOT NULL REFERENCES
 * <p>account(id), amount INTEGER NOT NULL).
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <sql.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LEDGER_OK 0
#define LEDGER_EDB -1     /* a database call failed: ledger_error says which */
#define LEDGER_EFUNDS -2  /* a transfer would overdraw the account */

struct ledger;

/* Opens a connection of the ledger's own: conn is a connection string
 * ("DSN=x;..." or "Driver=...;...") or a bare DSN name (SQLConnect). */
int ledger_open(struct ledger **out, const char *conn, const char *prefix);
/* Uses a connection someone else opened; ledger_close does not free it
 * but, being legacy code, disconnects it all the same. */
int ledger_attach(struct ledger **out, SQLHDBC dbc, const char *prefix);
void ledger_close(struct ledger *l);
SQLHDBC ledger_dbc(struct ledger *l);
/* NULL when attached. */
SQLHENV ledger_env(struct ledger *l);

/* DDL for the tables, committed (for programs that set them up). */
int ledger_create_tables(struct ledger *l);
int ledger_drop_tables(struct ledger *l);

/* Each commits on success and rolls back on failure. */
int ledger_add_account(struct ledger *l, int id, const char *owner);
int ledger_post(struct ledger *l, int account, int amount);
/* Debit and credit in one transaction; LEDGER_EFUNDS (rolled back) when
 * the debit would overdraw, LEDGER_EDB (rolled back) when a statement fails. */
int ledger_transfer(struct ledger *l, int from, int to, int amount);
/* Posts with autocommit switched on for the duration. */
int ledger_post_autocommit(struct ledger *l, int account, int amount);
/* Posts several amounts, then sends "COMMIT" as SQL text. */
int ledger_post_batch(struct ledger *l, int account, const int *amounts, int n);
/* With autocommit on: "BEGIN" (or START TRANSACTION), posts, "COMMIT". */
int ledger_post_explicit(struct ledger *l, int account, int amount, const char *begin);

/* Sum of an account's entries; sets *out. */
int ledger_balance(struct ledger *l, int account, long *out);
/* Rows in a table ("account" or "entry"); sets *out. */
int ledger_count(struct ledger *l, const char *table, long *out);
/* Runs one statement as it is (no commit); for the tests' odd cases. */
int ledger_exec(struct ledger *l, const char *sql);

/* The last error: "SQLSTATE message", "" when none. */
const char *ledger_error(const struct ledger *l);
const char *ledger_sqlstate(const struct ledger *l);

#ifdef __cplusplus
}
#endif

#endif
