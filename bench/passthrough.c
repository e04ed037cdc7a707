/*
 * bench-passthrough CONNSTR: the median time, in ns, of one
 * SQLGetConnectAttr(SQL_ATTR_AUTOCOMMIT) on a connection of its own.
 *
 * Linked against libodbc only. odbctx-bench runs it with and without
 * LD_PRELOAD=libodbctx.so to cross-check the in-process pass-through
 * figure the way a legacy program would meet odbctx.
 */
#include <sql.h>
#include <sqlext.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { BATCH = 1000, ROUNDS = 301, WARMUP = 20 };

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    SQLHENV env;
    SQLHDBC dbc;
    static double samples[ROUNDS];
    SQLUINTEGER ac = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: bench-passthrough CONNSTR\n");
        return 2;
    }
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)) ||
        !SQL_SUCCEEDED(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0)) ||
        !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc)) ||
        !SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)argv[1], SQL_NTS, NULL, 0, NULL,
                                        SQL_DRIVER_NOPROMPT))) {
        fprintf(stderr, "bench-passthrough: cannot connect\n");
        return 1;
    }
    for (int r = 0; r < WARMUP + ROUNDS; r++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++)
            SQLGetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, &ac, 0, NULL);
        double t1 = now_ns();
        if (r >= WARMUP)
            samples[r - WARMUP] = (t1 - t0) / BATCH;
    }
    qsort(samples, ROUNDS, sizeof samples[0], by_value);
    printf("%.2f\n", samples[ROUNDS / 2]);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return 0;
}
