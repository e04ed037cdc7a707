/*
 * The ledger module (../ledger.c) as an ordinary program, linked with
 * libodbc only: it knows nothing of odbctx. run.test.sh runs it through
 * odbctx-run and checks that nothing it wrote survives.
 *
 *   ledger-prog CONN PREFIX setup|teardown     create / drop the tables, for real
 *   ledger-prog CONN PREFIX count              prints "accounts N entries N"
 *   ledger-prog CONN PREFIX scenario           the module's habits, checked as it goes
 *   ledger-prog CONN PREFIX crash              writes, commits, then aborts
 *
 * Exit status 0 when every step did what it would do on a real database.
 */
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void expect(int cond, const char *what, struct ledger *l)
{
    if (!cond) {
        failures++;
        fprintf(stderr, "ledger-prog: FAILED: %s (%s)\n", what, l ? ledger_error(l) : "");
    }
}

static long balance(struct ledger *l, int account)
{
    long b = -1;
    expect(ledger_balance(l, account, &b) == LEDGER_OK, "balance", l);
    return b;
}

static int count(struct ledger *l)
{
    long a = -1, e = -1;
    int rc = ledger_count(l, "account", &a);
    if (rc == LEDGER_OK)
        rc = ledger_count(l, "entry", &e);
    printf("accounts %ld entries %ld\n", a, e);
    return rc == LEDGER_OK ? 0 : 1;
}

/* What a batch job does; each step checks what a real database would show. */
static void scenario(struct ledger *l, const char *conn, const char *prefix)
{
    expect(ledger_add_account(l, 1, "alice") == LEDGER_OK, "add account 1", l);
    expect(ledger_add_account(l, 2, "bob") == LEDGER_OK, "add account 2", l);
    expect(ledger_post(l, 1, 100) == LEDGER_OK, "post 100", l);
    expect(ledger_transfer(l, 1, 2, 500) == LEDGER_EFUNDS, "overdraft refused", l);
    expect(ledger_transfer(l, 1, 2, 30) == LEDGER_OK, "transfer 30", l);
    expect(ledger_transfer(l, 1, 99, 1) == LEDGER_EDB, "transfer to a missing account fails", l);
    expect(ledger_post_autocommit(l, 2, 5) == LEDGER_OK, "post with autocommit", l);
    /* Last of the writes: after a real COMMIT sent as text, sqliteodbc
     * believes a transaction is still open (docs/databases.md, "A textual
     * COMMIT"). */
    const int batch[] = {1, 2, 3};
    expect(ledger_post_batch(l, 2, batch, 3) == LEDGER_OK, "batch with COMMIT as text", l);
    expect(balance(l, 1) == 70, "balance of 1 is 70", l);
    expect(balance(l, 2) == 41, "balance of 2 is 41", l);

    /* A second connection of the program's own sees what it committed. */
    struct ledger *other = NULL;
    expect(ledger_open(&other, conn, prefix) == LEDGER_OK, "second connection", other);
    if (other) {
        expect(balance(other, 2) == 41, "the second connection sees the commits", other);
        ledger_close(other);
    }
    printf("balances 1=%ld 2=%ld\n", balance(l, 1), balance(l, 2));
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: ledger-prog CONN PREFIX setup|teardown|count|scenario|crash\n");
        return 2;
    }
    const char *conn = argv[1], *prefix = argv[2], *cmd = argv[3];
    struct ledger *l = NULL;
    if (ledger_open(&l, conn, prefix) != LEDGER_OK) {
        fprintf(stderr, "ledger-prog: cannot connect: %s\n", l ? ledger_error(l) : "");
        ledger_close(l);
        return 1;
    }
    int rc = 0;
    if (strcmp(cmd, "setup") == 0) {
        rc = ledger_create_tables(l) == LEDGER_OK ? 0 : 1;
    } else if (strcmp(cmd, "teardown") == 0) {
        rc = ledger_drop_tables(l) == LEDGER_OK ? 0 : 1;
    } else if (strcmp(cmd, "count") == 0) {
        rc = count(l);
    } else if (strcmp(cmd, "scenario") == 0) {
        scenario(l, conn, prefix);
        rc = failures ? 1 : 0;
    } else if (strcmp(cmd, "crash") == 0) {
        ledger_add_account(l, 1, "crash");
        ledger_post(l, 1, 1);
        fflush(stdout);
        abort();
    } else {
        fprintf(stderr, "ledger-prog: unknown command %s\n", cmd);
        rc = 2;
    }
    if (rc && l && ledger_error(l)[0])
        fprintf(stderr, "ledger-prog: %s\n", ledger_error(l));
    ledger_close(l);
    return rc;
}
