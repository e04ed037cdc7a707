// Factory throughput: factory<T>::create in a loop and create_batch(10000)
// against a raw prepared-statement loop and a raw parameter-array insert,
// on the same table with rows from the same generators.
//
// Every strategy does the whole job create does: the row goes in and its
// generated key comes back (RETURNING on PostgreSQL and MariaDB; on SQLite,
// whose driver drops RETURNING rows, SELECT last_insert_rowid() after each
// row, and for the raw array one such query for the whole array, which
// assumes the keys are consecutive, an assumption the factory does not
// make). The raw strategies insert rows the factory built beforehand, so
// generating the data is charged to create alone; the build row shows
// how much that is.
#include "bench.hpp"

#include <odbctx/detail/insert.hpp>
#include <odbctx/factory.hpp>
#include <odbctx/fake.hpp>
#include <odbctx/registry.hpp>
#include <odbctx/table.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace bench {

struct item {
    long long id = 0;
    std::string name;
    std::string email;
    long long qty = 0;
    double price = 0;
};

} // namespace bench

template <>
struct odbctx::table<bench::item> : odbctx::mapping<bench::item> {
    static constexpr auto name = "bench_item";
    static constexpr auto columns =
        std::tuple{key(&bench::item::id, "id"), col(&bench::item::name, "name"), col(&bench::item::email, "email"),
                   col(&bench::item::qty, "qty"), col(&bench::item::price, "price")};
};

namespace bench {

namespace {

constexpr size_t name_w = 65, email_w = 121;

std::string item_ddl(dbkind k)
{
    switch (k) {
    case dbkind::postgresql:
        return "CREATE TABLE bench_item (id BIGSERIAL PRIMARY KEY, name VARCHAR(64) NOT NULL,"
               " email VARCHAR(120) NOT NULL, qty BIGINT NOT NULL, price DOUBLE PRECISION NOT NULL)";
    case dbkind::mariadb:
        return "CREATE TABLE bench_item (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL,"
               " email VARCHAR(120) NOT NULL, qty BIGINT NOT NULL, price DOUBLE NOT NULL) ENGINE=InnoDB";
    case dbkind::sqlite:
        break;
    }
    return "CREATE TABLE bench_item (id INTEGER PRIMARY KEY, name VARCHAR(64) NOT NULL,"
           " email VARCHAR(120) NOT NULL, qty BIGINT NOT NULL, price DOUBLE NOT NULL)";
}

// Column-wise parameter buffers for up to n rows, bound once.
class raw_insert {
public:
    raw_insert(SQLHDBC dbc, dbkind k, size_t n) : kind_(k), n_(n)
    {
        name_.resize(n * name_w);
        email_.resize(n * email_w);
        qty_.resize(n);
        price_.resize(n);
        name_len_.assign(n, SQL_NTS);
        email_len_.assign(n, SQL_NTS);
        std::string sql = "INSERT INTO bench_item (name, email, qty, price) VALUES (?, ?, ?, ?)";
        if (k != dbkind::sqlite)
            sql += " RETURNING id";
        check(raw.SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st_), SQL_HANDLE_DBC, dbc, "alloc");
        check(raw.SQLPrepare(st_, reinterpret_cast<SQLCHAR *>(sql.data()), SQL_NTS), SQL_HANDLE_STMT, st_, sql);
        check(raw.SQLBindParameter(st_, 1, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 64, 0, name_.data(), name_w,
                                   name_len_.data()),
              SQL_HANDLE_STMT, st_, "bind name");
        check(raw.SQLBindParameter(st_, 2, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 120, 0, email_.data(),
                                   email_w, email_len_.data()),
              SQL_HANDLE_STMT, st_, "bind email");
        check(raw.SQLBindParameter(st_, 3, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0, qty_.data(), 0,
                                   nullptr),
              SQL_HANDLE_STMT, st_, "bind qty");
        check(raw.SQLBindParameter(st_, 4, SQL_PARAM_INPUT, SQL_C_DOUBLE, SQL_DOUBLE, 0, 0, price_.data(), 0,
                                   nullptr),
              SQL_HANDLE_STMT, st_, "bind price");
        if (k == dbkind::sqlite) {
            check(raw.SQLAllocHandle(SQL_HANDLE_STMT, dbc, &key_), SQL_HANDLE_DBC, dbc, "alloc");
            std::string q = "SELECT last_insert_rowid()";
            check(raw.SQLPrepare(key_, reinterpret_cast<SQLCHAR *>(q.data()), SQL_NTS), SQL_HANDLE_STMT, key_, q);
        }
    }
    raw_insert(const raw_insert &) = delete;
    raw_insert &operator=(const raw_insert &) = delete;
    ~raw_insert()
    {
        raw.SQLFreeHandle(SQL_HANDLE_STMT, st_);
        if (key_)
            raw.SQLFreeHandle(SQL_HANDLE_STMT, key_);
    }

    // Copies rows into slot i.. of the buffers.
    void load(const std::vector<item> &rows, size_t slot0)
    {
        for (size_t i = 0; i < rows.size() && slot0 + i < n_; i++)
            put(slot0 + i, rows[i]);
    }

    // The prepared loop: one SQLExecute per row; rows go through slot 0.
    void loop(std::vector<item> &rows)
    {
        set_paramset(1);
        for (item &r : rows) {
            put(0, r);
            execute();
            r.id = kind_ == dbkind::sqlite ? last_rowid() : fetch_keys(nullptr, 1);
        }
    }

    // The parameter array: the rows loaded with load(), in one SQLExecute.
    void array(std::vector<item> &rows)
    {
        set_paramset(rows.size());
        execute();
        if (kind_ == dbkind::sqlite) {
            long long last = last_rowid();
            for (size_t i = 0; i < rows.size(); i++)
                rows[i].id = last - static_cast<long long>(rows.size() - 1 - i);
        } else {
            fetch_keys(&rows, rows.size());
        }
    }

private:
    dbkind kind_;
    size_t n_;
    SQLHSTMT st_ = SQL_NULL_HSTMT, key_ = SQL_NULL_HSTMT;
    std::vector<char> name_, email_;
    std::vector<SQLBIGINT> qty_;
    std::vector<double> price_;
    std::vector<SQLLEN> name_len_, email_len_;

    void put(size_t i, const item &r)
    {
        std::memcpy(&name_[i * name_w], r.name.c_str(), std::min(r.name.size() + 1, name_w));
        std::memcpy(&email_[i * email_w], r.email.c_str(), std::min(r.email.size() + 1, email_w));
        qty_[i] = r.qty;
        price_[i] = r.price;
    }
    void set_paramset(size_t n)
    {
        check(raw.SQLSetStmtAttr(st_, SQL_ATTR_PARAMSET_SIZE, reinterpret_cast<SQLPOINTER>(n), 0),
              SQL_HANDLE_STMT, st_, "PARAMSET_SIZE");
    }
    void execute()
    {
        SQLRETURN rc = raw.SQLExecute(st_);
        if (!SQL_SUCCEEDED(rc))
            throw failure("raw insert: " + diag(SQL_HANDLE_STMT, st_));
    }
    // Reads n keys from the result set(s) in parameter order; stores them in
    // rows when given. Returns the last key.
    long long fetch_keys(std::vector<item> *rows, size_t n)
    {
        size_t got = 0;
        long long key = 0;
        for (;;) {
            while (SQL_SUCCEEDED(raw.SQLFetch(st_))) {
                SQLLEN ind = 0;
                raw.SQLGetData(st_, 1, SQL_C_SBIGINT, &key, 0, &ind);
                if (rows && got < rows->size())
                    (*rows)[got].id = key;
                got++;
            }
            if (got >= n || !SQL_SUCCEEDED(raw.SQLMoreResults(st_)))
                break;
        }
        raw.SQLFreeStmt(st_, SQL_CLOSE);
        if (got != n)
            throw failure("raw insert: " + std::to_string(got) + " keys for " + std::to_string(n) + " rows");
        return key;
    }
    long long last_rowid()
    {
        check(raw.SQLExecute(key_), SQL_HANDLE_STMT, key_, "last_insert_rowid");
        long long v = 0;
        SQLLEN ind = 0;
        raw.SQLFetch(key_);
        raw.SQLGetData(key_, 1, SQL_C_SBIGINT, &v, 0, &ind);
        raw.SQLFreeStmt(key_, SQL_CLOSE);
        return v;
    }
};

} // namespace

void run_factory(context &ctx)
{
    report &rep = *ctx.rep;
    odbctx::session cs{ctx.s};
    struct unown {
        odbctx::session &s;
        ~unown() { s.release(); } // main closes the C session
    } keep{cs};
    odbctx::scoped_session reg{cs};

    // Outside any test: on MariaDB this DDL commits implicitly, which is
    // what odbctx_schema_* is for.
    must(ctx.s, odbctx_schema_script(ctx.s, (item_ddl(ctx.kind) + ";").c_str(), "bench factory schema"),
         "odbctx_schema_script(bench_item)");
    odbctx::fake::set_seed(42);

    const auto items = odbctx::factory<item>{}
                           .with(&item::name, odbctx::fake::full_name())
                           .with(&item::email, odbctx::fake::email())
                           .with(&item::qty, odbctx::fake::integer<long long>(1, 1000))
                           .with(&item::price, odbctx::fake::real(0.5, 999.0));

    const size_t loop_rows = ctx.kind == dbkind::sqlite ? 5000 : 1000;
    const size_t batch_rows = 10000;
    // One statement each: psqlODBC turns a parameter array into one
    // multi-statement query per chunk only on a statement it has not
    // already prepared on the server for single executions, and MariaDB
    // Connector/ODBC garbles the strings of an array on a statement that
    // ran with PARAMSET_SIZE 1 before (both seen).
    raw_insert raw_loop(ctx.sess->dbc(), ctx.kind, 1);
    raw_insert raw_array(ctx.sess->dbc(), ctx.kind, batch_rows);
    std::vector<item> loop_data = items.build_batch(loop_rows);
    std::vector<item> batch_data = items.build_batch(batch_rows);
    raw_array.load(batch_data, 0);

    // Each sample runs in a test of its own, begun and ended untimed, so the
    // table never holds more than one sample's rows.
    struct sample {
        const char *name;
        size_t rows;
        std::function<void()> fn;
        std::vector<double> ns; // per row
    };
    std::vector<sample> s{
        {"create loop", loop_rows, [&] {
             for (size_t i = 0; i < loop_rows; i++)
                 (void)items.create();
         }, {}},
        {"raw prepared loop", loop_rows, [&] { raw_loop.loop(loop_data); }, {}},
        {"create_batch", batch_rows, [&] { (void)items.create_batch(batch_rows); }, {}},
        {"raw array", batch_rows, [&] { raw_array.array(batch_data); }, {}},
        {"build", loop_rows, [&] { (void)items.build_batch(loop_rows); }, {}},
    };
    auto in_test = [&](const std::function<void()> &fn) {
        must(ctx.s, odbctx_begin_test(ctx.s), "odbctx_begin_test");
        std::uint64_t t0 = now_ns();
        fn();
        std::uint64_t t1 = now_ns();
        must(ctx.s, odbctx_end_test(ctx.s), "odbctx_end_test");
        return static_cast<double>(t1 - t0);
    };
    for (sample &x : s)
        in_test(x.fn); // warm-up: metadata cache, server plans, buffer pool
    const int rounds = ctx.size.rounds(9);
    const std::uint64_t start = now_ns();
    for (int r = 0; r < rounds; r++) {
        for (size_t k = 0; k < s.size(); k++) {
            sample &x = s[(k + static_cast<size_t>(r)) % s.size()];
            x.ns.push_back(in_test(x.fn) / static_cast<double>(x.rows));
        }
        if (r >= 2 && now_ns() - start > static_cast<std::uint64_t>(40e9 * ctx.size.scale))
            break;
    }
    // Round trips per row of each strategy, over one sample each.
    std::vector<double> rt(s.size(), NAN);
    for (size_t k = 0; k < 4; k++) {
        must(ctx.s, odbctx_begin_test(ctx.s), "odbctx_begin_test");
        rt[k] = round_trips_per_call(s[k].fn, 1) / static_cast<double>(s[k].rows);
        must(ctx.s, odbctx_end_test(ctx.s), "odbctx_end_test");
    }
    odbctx::detail::insert_path path = odbctx::detail::insert_path::none;
    {
        must(ctx.s, odbctx_begin_test(ctx.s), "odbctx_begin_test");
        (void)items.create_batch(100);
        path = odbctx::detail::last_insert_path();
        must(ctx.s, odbctx_end_test(ctx.s), "odbctx_end_test");
    }

    auto per_row = [&](size_t k) { return median(s[k].ns); };
    auto rows_s = [&](size_t k) { return 1e9 / per_row(k); };
    const double create = per_row(0), loop = per_row(1), batch = per_row(2), arr = per_row(3), build = per_row(4);
    rep.add({"factory", "create() in a loop", rows_s(0), "rows/s", "raw prepared loop", create / loop, rt[0],
             human_time(create) + " a row"});
    rep.add({"factory", "raw prepared loop (INSERT + key)", rows_s(1), "rows/s", "", NAN, rt[1],
             human_time(loop) + " a row"});
    rep.add({"factory", "create_batch(10000)", rows_s(2), "rows/s", "raw parameter array", batch / arr, rt[2],
             human_time(batch) + " a row; path: " +
                 (path == odbctx::detail::insert_path::array ? "parameter arrays" : "prepared, per row")});
    rep.add({"factory", "raw parameter array, 10000 rows (+ keys)", rows_s(3), "rows/s", "", NAN, rt[3],
             human_time(arr) + " a row"});
    rep.add({"factory", "build() only, no SQL", rows_s(4), "rows/s", "", NAN, NAN,
             human_time(build) + " a row: data generation inside create"});
    rep.add({"factory", "create() loop / create_batch, per row", create / batch, "x", "", NAN, NAN, ""});

    rep.check("create vs raw prepared loop", create / loop, "<=", 1.25, "x");
    rep.check("create_batch vs raw parameter array", batch / arr, "<=", 1.25, "x");
    if (ctx.kind == dbkind::postgresql)
        rep.check("create_batch speed-up over create loop (PostgreSQL)", create / batch, ">=", 3.0, "x");
}

} // namespace bench
