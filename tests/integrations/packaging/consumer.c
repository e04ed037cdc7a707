/* Built against the installed odbctx by tests/integrations/packaging/install.test.sh:
 * isolation through the C API on the database of ODBCTX_CONNECT. */
#include <odbctx.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int check(odbctx_session *s, int rc, const char *what)
{
    if (rc != ODBCTX_OK)
        fprintf(stderr, "%s: %s\n", what, odbctx_last_error(s)->message);
    return rc == ODBCTX_OK;
}

int main(void)
{
    odbctx_session *s = NULL;
    odbctx_error err;
    const char *conn = getenv("ODBCTX_CONNECT");
    if (odbctx_open(&s, conn ? conn : "", &err) != ODBCTX_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return 1;
    }
    char create[128], insert[128], count[128];
    snprintf(create, sizeof create, "CREATE TABLE consumer_c_%ld (v INTEGER)", (long)getpid());
    snprintf(insert, sizeof insert, "INSERT INTO consumer_c_%ld (v) VALUES (1)", (long)getpid());
    snprintf(count, sizeof count, "SELECT COUNT(*) FROM consumer_c_%ld", (long)getpid());
    long long n = -1;
    int ok = check(s, odbctx_schema_script(s, create, "consumer"), "schema") &&
             check(s, odbctx_begin_test(s), "begin") && check(s, odbctx_exec(s, insert), "insert") &&
             check(s, odbctx_commit(s), "commit") && check(s, odbctx_end_test(s), "end") &&
             check(s, odbctx_begin_test(s), "begin") &&
             check(s, odbctx_query_int(s, count, &n), "count") && check(s, odbctx_end_test(s), "end");
    if (ok)
        printf("C consumer on %s: %lld rows after the test (want 0)\n", odbctx_dbms(s), n);
    odbctx_close(s);
    return ok && n == 0 ? 0 : 1;
}
