// Scale: per-test cost from the 10th to the 10,000th test of one run, with
// memory, descriptors and open levels sampled on the way; and per-test cost
// against the number of rows a test writes.
#include "bench.hpp"
#include "floor.hpp"

#include <array>
#include <string>
#include <vector>

namespace bench {

namespace {

// Inserts n rows into bench_t2 in one call with a parameter array; the
// same for odbctx and the floor, so only the isolation differs.
class row_writer {
public:
    row_writer(conn &c, size_t max_rows) : ids_(max_rows), qty_(max_rows), names_(max_rows * 64)
    {
        stmt_ = SQL_NULL_HSTMT;
        check(raw.SQLAllocHandle(SQL_HANDLE_STMT, c.dbc(), &stmt_), SQL_HANDLE_DBC, c.dbc(), "alloc");
        std::string sql = "INSERT INTO bench_t2 (id, name, qty, note) VALUES (?, ?, ?, 'scale')";
        check(raw.SQLPrepare(stmt_, reinterpret_cast<SQLCHAR *>(sql.data()), SQL_NTS), SQL_HANDLE_STMT,
              stmt_, sql);
        name_len_.assign(max_rows, SQL_NTS);
        check(raw.SQLSetStmtAttr(stmt_, SQL_ATTR_PARAM_BIND_TYPE, SQL_PARAM_BIND_BY_COLUMN, 0),
              SQL_HANDLE_STMT, stmt_, "bind type");
        check(raw.SQLBindParameter(stmt_, 1, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, ids_.data(), 0,
                                   nullptr),
              SQL_HANDLE_STMT, stmt_, "bind id");
        check(raw.SQLBindParameter(stmt_, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 63, 0, names_.data(), 64,
                                   name_len_.data()),
              SQL_HANDLE_STMT, stmt_, "bind name");
        check(raw.SQLBindParameter(stmt_, 3, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 0, 0, qty_.data(), 0,
                                   nullptr),
              SQL_HANDLE_STMT, stmt_, "bind qty");
    }
    row_writer(const row_writer &) = delete;
    row_writer &operator=(const row_writer &) = delete;
    ~row_writer() { raw.SQLFreeHandle(SQL_HANDLE_STMT, stmt_); }

    void write(context &ctx, size_t n)
    {
        for (size_t i = 0; i < n; i++) {
            ids_[i] = ctx.id();
            qty_[i] = static_cast<SQLINTEGER>(i % 1000);
            // Explicit lengths: MariaDB's bulk path misreads SQL_NTS arrays.
            name_len_[i] = std::snprintf(&names_[i * 64], 64, "row %lld", static_cast<long long>(ids_[i]));
        }
        check(raw.SQLSetStmtAttr(stmt_, SQL_ATTR_PARAMSET_SIZE, reinterpret_cast<SQLPOINTER>(n), 0),
              SQL_HANDLE_STMT, stmt_, "paramset size");
        SQLRETURN rc = raw.SQLExecute(stmt_);
        if (!SQL_SUCCEEDED(rc))
            throw failure("array insert: " + diag(SQL_HANDLE_STMT, stmt_));
        raw.SQLFreeStmt(stmt_, SQL_CLOSE);
    }

private:
    SQLHSTMT stmt_;
    std::vector<SQLBIGINT> ids_;
    std::vector<SQLINTEGER> qty_;
    std::vector<char> names_;
    std::vector<SQLLEN> name_len_;
};

} // namespace

void run_scale(context &ctx)
{
    report &rep = *ctx.rep;
    conn &sess = *ctx.sess;
    const floor_sql fl = floor_for(ctx);
    floor_tests ft(sess, fl);

    // One run of tests, odbctx and the floor alternating. Every tenth test
    // leaves a nested level open, so end_test's repair runs at scale too.
    const int total = 10000;
    const std::array<int, 4> marks{10, 100, 1000, 10000};
    // Sized (and so touched) up front: filling them as the run goes would
    // show as 160 KiB of resident growth that is the bench's own.
    std::vector<double> t_odbctx(total), t_floor(total);
    long rss_at[4] = {0}, fds_at[4] = {0};
    long bad_levels = 0;
    size_t mark = 0;
    for (int i = 1; i <= total; i++) {
        std::uint64_t t0 = now_ns();
        must(ctx.s, odbctx_begin_test(ctx.s), "odbctx_begin_test");
        sess.exec(insert_sql("bench_t3", ctx.id()));
        if (i % 10 == 0)
            must(ctx.s, odbctx_nested_begin(ctx.s), "odbctx_nested_begin");
        must(ctx.s, odbctx_end_test(ctx.s), "odbctx_end_test");
        ft.odbctx_ran();
        std::uint64_t t1 = now_ns();
        ft.prepare(); // untimed
        std::uint64_t t2 = now_ns();
        ft.begin();
        sess.exec(insert_sql("bench_t3", ctx.id()));
        ft.end();
        std::uint64_t t3 = now_ns();
        t_odbctx[static_cast<size_t>(i - 1)] = static_cast<double>(t1 - t0);
        t_floor[static_cast<size_t>(i - 1)] = static_cast<double>(t3 - t2);
        if (odbctx_in_test(ctx.s) != 0 || odbctx_nested_depth(ctx.s) != 0)
            bad_levels++;
        if (mark < marks.size() && i == marks[mark]) {
            rss_at[mark] = rss_kib();
            fds_at[mark] = open_fds();
            mark++;
        }
    }
    // Windows: tests 1-10, 11-100, 101-1000, 1001-10000.
    int lo = 0;
    double first_window = NAN, last_window = NAN, first_floor = NAN, last_floor = NAN;
    for (size_t m = 0; m < marks.size(); m++) {
        int hi = marks[m];
        std::vector<double> a(t_odbctx.begin() + lo, t_odbctx.begin() + hi);
        std::vector<double> b(t_floor.begin() + lo, t_floor.begin() + hi);
        double ma = median(a), mb = median(b);
        if (m == 1) {
            first_window = ma;
            first_floor = mb;
        }
        last_window = ma;
        last_floor = mb;
        rep.add({"scale", "tests " + std::to_string(lo + 1) + "-" + std::to_string(hi) + ": per-test odbctx", ma,
                 "ns", "raw floor, same tests", ma / mb, NAN,
                 "RSS " + std::to_string(rss_at[m]) + " KiB, " + std::to_string(fds_at[m]) + " fds after test " +
                     std::to_string(hi)});
        lo = hi;
    }
    rep.add({"scale", "growth, tests 1001-10000 over 11-100", last_window / first_window, "x", "", NAN, NAN,
             "floor's own growth: " + std::to_string(last_floor / first_floor).substr(0, 4) + "x"});
    const long grow = rss_at[3] - rss_at[2];
    rep.add({"scale", "RSS growth, test 1000 to 10000", static_cast<double>(grow), "KiB", "", NAN, NAN, ""});
    rep.add({"scale", "open fds at test 10 / 10000", static_cast<double>(fds_at[3]), "fds", "", NAN, NAN,
             std::to_string(fds_at[0]) + " at test 10"});
    rep.add({"scale", "tests ending with a level still open", static_cast<double>(bad_levels), "tests", "", NAN,
             NAN, "odbctx_in_test / odbctx_nested_depth after each end_test"});
    // Flat: less than 8 bytes a test over 9,000 tests (allocator noise is a
    // few pages), the same descriptors, and no level left open.
    const bool flat = grow < 72 && fds_at[3] == fds_at[0] && bad_levels == 0;
    rep.check("flat memory/handles/levels over 10000 tests", static_cast<double>(grow), "<", 72, "KiB",
              flat ? "fds and levels unchanged" : "fds " + std::to_string(fds_at[0]) + "->" +
                                                      std::to_string(fds_at[3]) + ", " +
                                                      std::to_string(bad_levels) + " tests left levels open");
    if (!flat)
        rep.targets.back().met = false;

    // Rows written per test: a parameter-array insert of n rows inside each.
    // A statement per size: MariaDB Connector/ODBC 3.1 garbles string
    // parameters of an array executed on a statement that ran with
    // PARAMSET_SIZE 1 before (seen).
    for (size_t n : {size_t{1}, size_t{10}, size_t{100}, size_t{1000}}) {
        row_writer writer(sess, n);
        op o{"odbctx", [&] {
                 must(ctx.s, odbctx_begin_test(ctx.s), "odbctx_begin_test");
                 writer.write(ctx, n);
                 must(ctx.s, odbctx_end_test(ctx.s), "odbctx_end_test");
                 ft.odbctx_ran();
             }, {}};
        op f{"floor", [&] {
                 ft.begin();
                 writer.write(ctx, n);
                 ft.end();
             }, {}, [&] { ft.prepare(); }};
        interleave({&o, &f}, 3, ctx.size.rounds(n >= 1000 ? 30 : n >= 100 ? 60 : 150), 1, 8 * ctx.size.scale);
        rep.add({"scale", "test writing " + std::to_string(n) + " rows: odbctx", o.median_ns(), "ns", "raw floor",
                 o.median_ns() / f.median_ns(), NAN,
                 "odbctx - floor = " + human_time(o.median_ns() - f.median_ns())});
    }
}

} // namespace bench
