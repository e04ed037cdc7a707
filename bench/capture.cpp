// Capture overhead.
//
// Pass-through is measured in one process: the same call through
// libodbctx.so's exported (interposed) entry point and through libodbc's
// own, looked up with dlsym on each library, interleaved in one loop on
// one connection that is not the session's. Both are called through a
// function pointer, as a PLT call is, so the difference is what the
// interposer adds: its check of the handle and one more indirect call.
// Two processes (the bench-passthrough program run with and without
// LD_PRELOAD=libodbctx.so) give the same figure with process-to-process
// noise on top; that run is shown as a cross-check. The same two figures
// for odbctx as an ODBC driver are measured in run_driver.
#include "bench.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <string>
#include <vector>


namespace bench {

namespace {

void *odbctx_library()
{
    Dl_info info;
    if (!dladdr(reinterpret_cast<void *>(&odbctx_open), &info) || !info.dli_fname)
        throw failure("cannot find where libodbctx.so is loaded from");
    void *h = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    if (!h)
        throw failure(std::string("dlopen(libodbctx, NOLOAD): ") + dlerror());
    return h;
}

// The interposed entry point, or nullptr when libodbctx.so does not export
// one of its own (dlsym on a library handle also searches its dependencies,
// which would find libodbc's).
template <class F> F interposed(void *lib, const char *name, F real)
{
    F f = reinterpret_cast<F>(dlsym(lib, name));
    return f == real ? nullptr : f;
}

// Runs bench-passthrough once; its stdout is the median ns per call.
double passthrough_child(const std::string &prog, const std::string &connstr, const char *preload,
                         const char *mode = "attr")
{
    std::vector<std::string> env;
    for (const std::string &e : start_env)
        // No ODBCTX_* variable either, nor the share's driver configuration:
        // nothing may start a session or a capture in the child; only the
        // interposed entry points differ.
        if (e.compare(0, 11, "LD_PRELOAD=") != 0 && e.compare(0, 7, "ODBCTX_") != 0)
            env.push_back(e);
    if (preload)
        env.push_back(std::string("LD_PRELOAD=") + preload);
    return child_figure(prog, mode, connstr, env);
}

// Driver=<odbctx's driver>;Target=<the real one>;... for connstr.
std::string through_driver(const std::string &connstr, const char *libpath)
{
    std::string lib = libpath, c = connstr;
    const std::string driver = lib.substr(0, lib.rfind('/')) + "/libodbctx-driver.so";
    auto at = c.find("Driver=");
    if (at == std::string::npos)
        at = c.find("DRIVER=");
    if (at == std::string::npos)
        throw failure("no Driver= in the bench's connection string");
    auto end = c.find(';', at);
    if (end == std::string::npos)
        end = c.size();
    return c.substr(0, at) + "Driver=" + driver + ";Target=" + c.substr(at + 7, end - at - 7) +
           c.substr(end);
}

// Capture as an ODBC driver, in this process: a connection opened through
// the driver manager to odbctx's driver (Target= the real one) joins the
// capturing session, so the same statement can run on the session's own
// connection straight through libodbc and through the driver manager,
// odbctx's driver and capture, interleaved on one real connection. The
// difference is what a program that meets odbctx as a driver pays.
void run_driver(context &ctx, SQLHSTMT direct)
{
    report &rep = *ctx.rep;
    Dl_info info;
    char libpath[PATH_MAX];
    if (!dladdr(reinterpret_cast<void *>(&odbctx_open), &info) || !realpath(info.dli_fname, libpath))
        throw failure("cannot find where libodbctx.so is loaded from");
    const std::string via = through_driver(ctx.base_connstr, libpath);
    SQLHENV env = SQL_NULL_HENV;
    SQLHDBC dbc = SQL_NULL_HDBC;
    SQLHSTMT ds = SQL_NULL_HSTMT, dp = SQL_NULL_HSTMT, sp = SQL_NULL_HSTMT;
    check(raw.SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env), SQL_HANDLE_ENV, env, "env");
    raw.SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
    check(raw.SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc), SQL_HANDLE_ENV, env, "dbc");
    check(raw.SQLDriverConnect(dbc, nullptr, reinterpret_cast<SQLCHAR *>(const_cast<char *>(via.c_str())),
                               SQL_NTS, nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT),
          SQL_HANDLE_DBC, dbc, "connecting through odbctx's driver");
    check(raw.SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF),
                                SQL_IS_UINTEGER),
          SQL_HANDLE_DBC, dbc, "autocommit off through the driver");
    check(raw.SQLAllocHandle(SQL_HANDLE_STMT, dbc, &ds), SQL_HANDLE_DBC, dbc, "statement through the driver");
    check(raw.SQLAllocHandle(SQL_HANDLE_STMT, dbc, &dp), SQL_HANDLE_DBC, dbc, "statement through the driver");
    check(raw.SQLAllocHandle(SQL_HANDLE_STMT, odbctx_hdbc(ctx.s), &sp), SQL_HANDLE_DBC, odbctx_hdbc(ctx.s),
          "statement");
    static char select1[] = "SELECT 1";
    check(raw.SQLPrepare(dp, reinterpret_cast<SQLCHAR *>(select1), SQL_NTS), SQL_HANDLE_STMT, dp, "prepare");
    check(raw.SQLPrepare(sp, reinterpret_cast<SQLCHAR *>(select1), SQL_NTS), SQL_HANDLE_STMT, sp, "prepare");

    SQLSMALLINT cols = 0;
    op real_nc{"real", [&] { raw.SQLNumResultCols(sp, &cols); }, {}};
    op drv_nc{"driver", [&] { raw.SQLNumResultCols(dp, &cols); }, {}};
    interleave({&real_nc, &drv_nc}, 20, ctx.size.rounds(300), 1000);
    double extra = drv_nc.median_ns() - real_nc.median_ns();
    rep.add({"capture", "driver: pass-through SQLNumResultCols", drv_nc.median_ns(), "ns", "libodbc direct",
             drv_nc.median_ns() / real_nc.median_ns(), 0, "extra " + human_time(extra) + " per call"});
    rep.check("pass-through overhead per call (driver)", extra, "<", 100, "ns", "SQLNumResultCols");

    std::string sql;
    auto run = [&](SQLHSTMT h) {
        sql = insert_sql("bench_t4", ctx.id());
        SQLRETURN rc = raw.SQLExecDirect(h, reinterpret_cast<SQLCHAR *>(sql.data()), SQL_NTS);
        if (!SQL_SUCCEEDED(rc))
            throw failure(sql + ": " + diag(SQL_HANDLE_STMT, h));
        raw.SQLFreeStmt(h, SQL_CLOSE);
    };
    op real_ex{"real", [&] { run(direct); }, {}};
    op drv_ex{"driver", [&] { run(ds); }, {}};
    interleave({&real_ex, &drv_ex}, 20, ctx.size.rounds(800));
    extra = drv_ex.median_ns() - real_ex.median_ns();
    rep.add({"capture", "driver: captured SQLExecDirect(INSERT), manual commit", drv_ex.median_ns(), "ns",
             "same call, no odbctx", drv_ex.median_ns() / real_ex.median_ns(), 0,
             "extra " + human_time(extra) + " per statement; client CPU " +
                 human_time(drv_ex.median_cpu_ns()) + " vs " + human_time(real_ex.median_cpu_ns())});
    rep.check("captured SQLExecDirect overhead (driver)", extra, "<", 2000, "ns", "INSERT, manual commit");
    for (SQLHSTMT h : {ds, dp, sp})
        raw.SQLFreeHandle(SQL_HANDLE_STMT, h);
    raw.SQLDisconnect(dbc);
    raw.SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    raw.SQLFreeHandle(SQL_HANDLE_ENV, env);
}

} // namespace

void run_capture(context &ctx)
{
    report &rep = *ctx.rep;
    conn &base = *ctx.base;
    void *lib = odbctx_library();

    auto i_getattr = interposed(lib, "SQLGetConnectAttr", raw.SQLGetConnectAttr);
    auto i_setattr = interposed(lib, "SQLSetConnectAttr", raw.SQLSetConnectAttr);
    auto i_execdirect = interposed(lib, "SQLExecDirect", raw.SQLExecDirect);
    auto i_getinfo = interposed(lib, "SQLGetInfo", raw.SQLGetInfo);
    if (!i_execdirect || !i_setattr)
        throw failure("libodbctx.so exports no SQLExecDirect/SQLSetConnectAttr of its own: capture is not built");

    must(ctx.s, odbctx_capture_start(ctx.s, nullptr), "odbctx_capture_start");

    // 1. Pass-through on a connection odbctx does not own.
    const int batch = 1000;
    SQLHDBC other = base.dbc();
    SQLUINTEGER ac = 0;
    if (i_getattr) {
        op real{"real", [&] { raw.SQLGetConnectAttr(other, SQL_ATTR_AUTOCOMMIT, &ac, 0, nullptr); }, {}};
        op odbctx{"odbctx", [&] { i_getattr(other, SQL_ATTR_AUTOCOMMIT, &ac, 0, nullptr); }, {}};
        interleave({&real, &odbctx}, 20, ctx.size.rounds(300), batch);
        const double extra = odbctx.median_ns() - real.median_ns();
        rep.add({"capture", "pass-through SQLGetConnectAttr(AUTOCOMMIT), odbctx", odbctx.median_ns(), "ns",
                 "libodbc direct", odbctx.median_ns() / real.median_ns(), 0,
                 "extra " + human_time(extra) + " per call; direct: " + human_time(real.median_ns())});
        rep.check("pass-through overhead per call", extra, "<", 100, "ns", "SQLGetConnectAttr, non-session handle");
    } else {
        rep.notes.push_back("libodbctx.so does not interpose SQLGetConnectAttr; pass-through measured on SQLGetInfo");
    }
    if (i_getinfo) {
        char buf[64];
        SQLSMALLINT len;
        op real{"real", [&] { raw.SQLGetInfo(other, SQL_DBMS_NAME, buf, sizeof buf, &len); }, {}};
        op odbctx{"odbctx", [&] { i_getinfo(other, SQL_DBMS_NAME, buf, sizeof buf, &len); }, {}};
        interleave({&real, &odbctx}, 20, ctx.size.rounds(300), batch);
        const double extra = odbctx.median_ns() - real.median_ns();
        rep.add({"capture", "pass-through SQLGetInfo(DBMS_NAME), odbctx", odbctx.median_ns(), "ns",
                 "libodbc direct", odbctx.median_ns() / real.median_ns(), 0,
                 "extra " + human_time(extra) + " per call"});
        if (!i_getattr)
            rep.check("pass-through overhead per call", extra, "<", 100, "ns", "SQLGetInfo, non-session handle");
    }

    // The same, as two processes: bench-passthrough with and without the
    // preload, alternating, median of each.
    {
        std::string prog = self_dir() + "/bench-passthrough";
        Dl_info info;
        dladdr(reinterpret_cast<void *>(&odbctx_open), &info);
        char libpath[PATH_MAX];
        if (access(prog.c_str(), X_OK) == 0 && realpath(info.dli_fname, libpath)) {
            std::vector<double> with, without;
            for (int i = 0; i < 5; i++) {
                without.push_back(passthrough_child(prog, ctx.base_connstr, nullptr));
                with.push_back(passthrough_child(prog, ctx.base_connstr, libpath));
            }
            const double w = median(with), wo = median(without);
            rep.add({"capture", "pass-through, 2 processes: with LD_PRELOAD", w, "ns", "without LD_PRELOAD", w / wo, 0,
                     "extra " + human_time(w - wo) + " per call (cross-check; includes process-to-process noise)"});
        } else {
            rep.notes.push_back("bench-passthrough not found beside odbctx-bench: two-process check skipped");
        }
    }

    // 2. A captured SQLExecDirect of a small INSERT against the same call
    //    straight to libodbc, on the session's connection, inside a test.
    //    The legacy side allocates and closes its statement through the
    //    interposed entry points too, as a program would: capture knows a
    //    statement only from its allocation.
    auto i_alloc = interposed(lib, "SQLAllocHandle", raw.SQLAllocHandle);
    auto i_freestmt = interposed(lib, "SQLFreeStmt", raw.SQLFreeStmt);
    auto i_free = interposed(lib, "SQLFreeHandle", raw.SQLFreeHandle);
    if (!i_alloc)
        i_alloc = raw.SQLAllocHandle;
    if (!i_freestmt)
        i_freestmt = raw.SQLFreeStmt;
    if (!i_free)
        i_free = raw.SQLFreeHandle;
    SQLHDBC sdbc = odbctx_hdbc(ctx.s);
    SQLHSTMT st = SQL_NULL_HSTMT, cst = SQL_NULL_HSTMT;
    check(raw.SQLAllocHandle(SQL_HANDLE_STMT, sdbc, &st), SQL_HANDLE_DBC, sdbc, "alloc");
    check(i_alloc(SQL_HANDLE_STMT, sdbc, &cst), SQL_HANDLE_DBC, sdbc, "captured alloc");
    std::string sql;
    auto exec_raw = [&] {
        sql = insert_sql("bench_t4", ctx.id());
        SQLRETURN rc = raw.SQLExecDirect(st, reinterpret_cast<SQLCHAR *>(sql.data()), SQL_NTS);
        if (!SQL_SUCCEEDED(rc))
            throw failure(sql + ": " + diag(SQL_HANDLE_STMT, st));
        raw.SQLFreeStmt(st, SQL_CLOSE);
    };
    auto exec_captured = [&] {
        sql = insert_sql("bench_t4", ctx.id());
        SQLRETURN rc = i_execdirect(cst, reinterpret_cast<SQLCHAR *>(sql.data()), SQL_NTS);
        if (!SQL_SUCCEEDED(rc))
            throw failure(sql + ": " + diag(SQL_HANDLE_STMT, cst));
        i_freestmt(cst, SQL_CLOSE);
    };
    try {
        must(ctx.s, odbctx_begin_test(ctx.s), "odbctx_begin_test");
        check(i_setattr(sdbc, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), SQL_IS_UINTEGER),
              SQL_HANDLE_DBC, sdbc, "captured SQLSetConnectAttr(AUTOCOMMIT_OFF)");
        op real{"real", exec_raw, {}};
        op captured{"captured", exec_captured, {}};
        interleave({&real, &captured}, 20, ctx.size.rounds(800));
        const double rt_real = round_trips_per_call(real.fn, 30), rt_cap = round_trips_per_call(captured.fn, 30);
        rep.add({"capture", "captured SQLExecDirect(INSERT), manual commit", captured.median_ns(), "ns",
                 "same call, no odbctx", captured.median_ns() / real.median_ns(), rt_cap,
                 "extra " + human_time(captured.median_ns() - real.median_ns()) + " per statement; client CPU " +
                     human_time(captured.median_cpu_ns()) + " vs " + human_time(real.median_cpu_ns())});
        rep.add({"capture", "SQLExecDirect(INSERT) straight to libodbc", real.median_ns(), "ns", "", NAN, rt_real,
                 ""});
        run_driver(ctx, st);

        // 3. Virtual autocommit (a savepoint around each statement) against
        //    real autocommit (a real commit per statement) on the second
        //    connection, the same INSERT into a table of the same shape.
        check(i_setattr(sdbc, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), SQL_IS_UINTEGER),
              SQL_HANDLE_DBC, sdbc, "captured SQLSetConnectAttr(AUTOCOMMIT_ON)");
        base.autocommit(true);
        base.exec("DROP TABLE IF EXISTS bench_autocommit");
        base.exec(table_ddl(ctx.kind, "bench_autocommit"));
        op virt{"virtual", exec_captured, {}};
        op realac{"real autocommit", [&] { base.exec(insert_sql("bench_autocommit", ctx.id())); }, {}};
        // Real autocommit on SQLite waits for the disk at every statement.
        interleave({&virt, &realac}, 5, ctx.size.rounds(400), 1, 6 * ctx.size.scale);
        const double rt_v = round_trips_per_call(virt.fn, 30);
        const double rt_r = round_trips_per_call(realac.fn, ctx.kind == dbkind::sqlite ? 3 : 30);
        rep.add({"capture", "virtual autocommit: captured INSERT", virt.median_ns(), "ns", "real autocommit",
                 virt.median_ns() / realac.median_ns(), rt_v, "savepoint per statement"});
        rep.add({"capture", "real autocommit: INSERT, second connection", realac.median_ns(), "ns", "", NAN, rt_r,
                 "a real commit per statement"});
        base.exec("DROP TABLE IF EXISTS bench_autocommit");
        i_setattr(sdbc, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), SQL_IS_UINTEGER);
    } catch (...) {
        raw.SQLFreeHandle(SQL_HANDLE_STMT, st);
        i_free(SQL_HANDLE_STMT, cst);
        odbctx_capture_stop(ctx.s);
        throw;
    }
    raw.SQLFreeHandle(SQL_HANDLE_STMT, st);
    i_free(SQL_HANDLE_STMT, cst);
    must(ctx.s, odbctx_end_test(ctx.s), "odbctx_end_test");
    must(ctx.s, odbctx_capture_stop(ctx.s), "odbctx_capture_stop");
}

} // namespace bench
