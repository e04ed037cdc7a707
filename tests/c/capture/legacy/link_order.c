/*
 * A test program whose legacy part commits with SQLEndTran: built twice by
 * the Makefile, linked -lodbctx -lodbc (right) and -lodbc -lodbctx (wrong,
 * so that the program binds SQLEndTran to the driver manager). Prints what
 * odbctx_capture_start said and, when capture started, how the test ended
 * after the legacy commit; exit status 0 when both went well.
 */
#include <odbctx.h>
#include <sql.h>

#include <stdio.h>

int main(void)
{
    odbctx_session *s = NULL;
    odbctx_error err;
    if (odbctx_open(&s, "", &err) != ODBCTX_OK) {
        printf("cannot open the session: %s\n", err.message);
        return 2;
    }
    int rc = odbctx_capture_start(s, NULL);
    printf("%s%s%s\n", odbctx_strerror(rc), rc ? ": " : "", rc ? odbctx_last_error(s)->message : "");
    if (rc == ODBCTX_OK && (rc = odbctx_begin_test(s)) == ODBCTX_OK) {
        /* The legacy code's commit: an app-level one when captured. */
        SQLEndTran(SQL_HANDLE_DBC, odbctx_hdbc(s), SQL_COMMIT);
        rc = odbctx_end_test(s);
        printf("end of test: %s\n", odbctx_strerror(rc));
    }
    odbctx_close(s);
    return rc ? 1 : 0;
}
