/*
 * A test suite in the manner of the ODBC drivers' own (Connector/ODBC's,
 * psqlODBC's): plain ODBC, linked with libodbc only, each test creating
 * the tables it needs, committing as it goes, and dropping them at its end.
 * Written here; ddl_suite.test.sh runs it on its own and under odbctx-run
 * and compares what each test reported.
 *
 *   ddl-suite CONNECTION PREFIX
 *
 * Prints "ok NAME" or "FAIL NAME: what", one line a test, then
 * "N passed, N failed". Tables are named PREFIX_...
 */
#include <sql.h>
#include <sqlext.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static SQLHENV env;
static SQLHDBC dbc;
static const char *prefix;
static char failure[1200];

static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(failure, sizeof failure, fmt, ap);
    va_end(ap);
    return 0;
}

static void state_of(SQLSMALLINT type, SQLHANDLE h, char *state, char *msg, size_t n)
{
    SQLINTEGER native;
    SQLSMALLINT len;
    state[0] = msg[0] = '\0';
    SQLGetDiagRec(type, h, 1, (SQLCHAR *)state, &native, (SQLCHAR *)msg, (SQLSMALLINT)n, &len);
}

/* Runs fmt (PREFIX substituted for each %s) and says whether it worked;
 * *state gets the SQLSTATE of a failure. */
static int run(char *state, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    SQLRETURN r = SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS);
    char msg[512];
    if (state)
        state[0] = '\0';
    if (!SQL_SUCCEEDED(r) && r != SQL_NO_DATA && state)
        state_of(SQL_HANDLE_STMT, st, state, msg, sizeof msg);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return SQL_SUCCEEDED(r) || r == SQL_NO_DATA;
}

#define EXEC(...)                                                                                  \
    do {                                                                                           \
        char s_[6];                                                                                \
        if (!run(s_, __VA_ARGS__))                                                                 \
            return fail("%s failed (%s)", #__VA_ARGS__, s_);                                       \
    } while (0)

static long query(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    SQLHSTMT st;
    SQLINTEGER v = -1;
    SQLLEN ind;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    if (!SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS)) ||
        !SQL_SUCCEEDED(SQLFetch(st)) ||
        !SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SLONG, &v, 0, &ind)))
        v = -1;
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return v;
}

static void commit(void) { SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT); }
static void rollback(void) { SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK); }

#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return fail("expected %s", #cond);                                                     \
    } while (0)

/* ---- the tests ---- */

static int t_create_insert_select(void)
{
    EXEC("CREATE TABLE %s_t1 (id INT PRIMARY KEY, name VARCHAR(20))", prefix);
    EXEC("INSERT INTO %s_t1 VALUES (1, 'one'), (2, 'two')", prefix);
    commit();
    EXPECT(query("SELECT COUNT(*) FROM %s_t1", prefix) == 2);
    EXEC("DROP TABLE %s_t1", prefix);
    return 1;
}

static int t_rollback_keeps_table(void)
{
    EXEC("CREATE TABLE %s_t2 (id INT)", prefix);
    EXEC("INSERT INTO %s_t2 VALUES (1)", prefix);
    rollback();
    EXPECT(query("SELECT COUNT(*) FROM %s_t2", prefix) == 0);
    EXEC("INSERT INTO %s_t2 VALUES (2)", prefix);
    commit();
    EXPECT(query("SELECT COUNT(*) FROM %s_t2", prefix) == 1);
    EXEC("DROP TABLE %s_t2", prefix);
    return 1;
}

static int t_if_not_exists(void)
{
    EXEC("CREATE TABLE IF NOT EXISTS %s_t3 (id INT)", prefix);
    EXEC("CREATE TABLE IF NOT EXISTS %s_t3 (id INT)", prefix);
    char state[6];
    EXPECT(!run(state, "CREATE TABLE %s_t3 (id INT)", prefix));
    EXPECT(strcmp(state, "42S01") == 0);
    EXEC("DROP TABLE IF EXISTS %s_t3", prefix);
    EXEC("DROP TABLE IF EXISTS %s_t3", prefix);
    EXPECT(!run(state, "DROP TABLE %s_t3", prefix));
    EXPECT(strcmp(state, "42S02") == 0);
    return 1;
}

static int t_like_and_as_select(void)
{
    EXEC("CREATE TABLE %s_t4 (id INT PRIMARY KEY, v VARCHAR(10))", prefix);
    EXEC("INSERT INTO %s_t4 VALUES (1, 'a'), (2, 'b'), (3, 'c')", prefix);
    EXEC("CREATE TABLE %s_t4b LIKE %s_t4", prefix, prefix);
    EXEC("CREATE TABLE %s_t4c AS SELECT * FROM %s_t4 WHERE id > 1", prefix, prefix);
    commit();
    EXPECT(query("SELECT COUNT(*) FROM %s_t4b", prefix) == 0);
    EXPECT(query("SELECT COUNT(*) FROM %s_t4c", prefix) == 2);
    EXEC("DROP TABLE %s_t4, %s_t4b, %s_t4c", prefix, prefix, prefix);
    return 1;
}

static int t_truncate(void)
{
    EXEC("CREATE TABLE %s_t5 (id INT)", prefix);
    EXEC("INSERT INTO %s_t5 VALUES (1), (2)", prefix);
    commit();
    EXEC("TRUNCATE TABLE %s_t5", prefix);
    EXPECT(query("SELECT COUNT(*) FROM %s_t5", prefix) == 0);
    EXEC("DROP TABLE %s_t5", prefix);
    return 1;
}

static int t_self_join(void)
{
    EXEC("CREATE TABLE %s_t6 (id INT, parent INT)", prefix);
    EXEC("INSERT INTO %s_t6 VALUES (1, NULL), (2, 1), (3, 1)", prefix);
    commit();
    EXPECT(query("SELECT COUNT(*) FROM %s_t6 a JOIN %s_t6 b ON b.parent = a.id", prefix, prefix) ==
           2);
    EXEC("DROP TABLE %s_t6", prefix);
    return 1;
}

static int t_prepared_insert(void)
{
    EXEC("CREATE TABLE %s_t7 (id INT, name VARCHAR(20))", prefix);
    char sql[200];
    snprintf(sql, sizeof sql, "INSERT INTO %s_t7 VALUES (?, ?)", prefix);
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    SQLINTEGER id = 0;
    char name[20] = "";
    SQLLEN idi = 0, namei = SQL_NTS;
    int ok = SQL_SUCCEEDED(SQLPrepare(st, (SQLCHAR *)sql, SQL_NTS));
    SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, &id, 0, &idi);
    SQLBindParameter(st, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 20, 0, name, sizeof name,
                     &namei);
    for (id = 1; ok && id <= 5; id++) {
        snprintf(name, sizeof name, "n%d", (int)id);
        ok = SQL_SUCCEEDED(SQLExecute(st));
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    EXPECT(ok);
    commit();
    EXPECT(query("SELECT COUNT(*) FROM %s_t7", prefix) == 5);
    EXEC("DROP TABLE %s_t7", prefix);
    return 1;
}

static int t_temporary(void)
{
    EXEC("CREATE TEMPORARY TABLE %s_t8 (id INT)", prefix);
    EXEC("INSERT INTO %s_t8 VALUES (1)", prefix);
    EXPECT(query("SELECT COUNT(*) FROM %s_t8", prefix) == 1);
    EXEC("DROP TEMPORARY TABLE %s_t8", prefix);
    return 1;
}

static int t_drop_and_recreate(void)
{
    EXEC("CREATE TABLE %s_t9 (id INT)", prefix);
    EXEC("INSERT INTO %s_t9 VALUES (1)", prefix);
    EXEC("DROP TABLE %s_t9", prefix);
    EXEC("CREATE TABLE %s_t9 (id INT, extra INT)", prefix);
    EXPECT(query("SELECT COUNT(*) FROM %s_t9", prefix) == 0);
    EXEC("INSERT INTO %s_t9 VALUES (1, 2)", prefix);
    commit();
    EXPECT(query("SELECT SUM(extra) FROM %s_t9", prefix) == 2);
    EXEC("DROP TABLE %s_t9", prefix);
    return 1;
}

static int t_catalog(void)
{
    EXEC("CREATE TABLE %s_t10 (id INT, name VARCHAR(20))", prefix);
    SQLHSTMT st;
    char table[100];
    snprintf(table, sizeof table, "%s_t10", prefix);
    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    SQLSMALLINT cols = 0;
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
    int ok = SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)sql, SQL_NTS)) &&
             SQL_SUCCEEDED(SQLNumResultCols(st, &cols));
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    EXPECT(ok && cols == 2);
    EXEC("DROP TABLE %s_t10", prefix);
    return 1;
}

static int t_alter(void)
{
    EXEC("CREATE TABLE %s_t11 (id INT)", prefix);
    char state[6];
    int altered = run(state, "ALTER TABLE %s_t11 ADD COLUMN v INT", prefix);
    EXEC("DROP TABLE %s_t11", prefix);
    return altered ? 1 : fail("ALTER TABLE failed (%s)", state);
}

static int t_index(void)
{
    EXEC("CREATE TABLE %s_t12 (id INT, v INT)", prefix);
    char state[6];
    int indexed = run(state, "CREATE INDEX %s_t12_v ON %s_t12 (v)", prefix, prefix);
    EXEC("DROP TABLE %s_t12", prefix);
    return indexed ? 1 : fail("CREATE INDEX failed (%s)", state);
}

struct test {
    const char *name;
    int (*fn)(void);
};

static const struct test tests[] = {
    {"create_insert_select", t_create_insert_select},
    {"rollback_keeps_table", t_rollback_keeps_table},
    {"if_not_exists", t_if_not_exists},
    {"like_and_as_select", t_like_and_as_select},
    {"truncate", t_truncate},
    {"self_join", t_self_join},
    {"prepared_insert", t_prepared_insert},
    {"temporary", t_temporary},
    {"drop_and_recreate", t_drop_and_recreate},
    {"catalog", t_catalog},
    {"alter", t_alter},
    {"index", t_index},
};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ddl-suite CONNECTION PREFIX\n");
        return 2;
    }
    prefix = argv[2];
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)argv[1], SQL_NTS, NULL, 0, NULL,
                                        SQL_DRIVER_NOPROMPT))) {
        char state[6], msg[512];
        state_of(SQL_HANDLE_DBC, dbc, state, msg, sizeof msg);
        fprintf(stderr, "ddl-suite: cannot connect: %s %s\n", state, msg);
        return 2;
    }
    SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0);
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof tests / sizeof *tests; i++) {
        failure[0] = '\0';
        if (tests[i].fn()) {
            printf("ok %s\n", tests[i].name);
            passed++;
        } else {
            printf("FAIL %s: %s\n", tests[i].name, failure);
            failed++;
        }
        rollback();
    }
    printf("%d passed, %d failed\n", passed, failed);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return failed ? 1 : 0;
}
