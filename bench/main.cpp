// odbctx-bench: every benchmark against one database, one table on stdout,
// the same figures as JSON and CSV. bench/run runs it once per database.
//
//   odbctx-bench --db sqlite|postgresql|mariadb [--connect CONNSTR]
//                [--json FILE] [--csv FILE] [--only SECTION,...]
//
// No --connect (or "") means the embedded SQLite default. BENCH_SCALE
// multiplies the number of rounds (default 1).
#include "bench.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace bench;

namespace {

struct options {
    std::string db = "sqlite", connect, json, csv, only;
};

options parse(int argc, char **argv)
{
    options o;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "odbctx-bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--db")
            o.db = value();
        else if (a == "--connect")
            o.connect = value();
        else if (a == "--json")
            o.json = value();
        else if (a == "--csv")
            o.csv = value();
        else if (a == "--only")
            o.only = value();
        else {
            std::fprintf(stderr, "usage: odbctx-bench --db NAME [--connect CONNSTR] [--json FILE] [--csv FILE] "
                                 "[--only isolation,commit,factory,capture,scale,children]\n");
            std::exit(2);
        }
    }
    return o;
}

bool wanted(const options &o, const char *section)
{
    if (o.only.empty())
        return true;
    std::string list = "," + o.only + ",";
    return list.find(std::string(",") + section + ",") != std::string::npos;
}

std::string schema_script(dbkind k)
{
    std::string s;
    for (int i = 0; i < 10; i++)
        s += table_ddl(k, "bench_t" + std::to_string(i)) + ";\n";
    return s;
}

} // namespace

extern char **environ;
std::vector<std::string> bench::start_env;

int main(int argc, char **argv)
{
    for (char **e = environ; *e; e++)
        start_env.push_back(*e);
    options opt = parse(argc, argv);
    sizes size;
    if (const char *sc = std::getenv("BENCH_SCALE"))
        size.scale = std::atof(sc) > 0 ? std::atof(sc) : 1.0;

    report rep;
    rep.db = opt.db;
    int status = 0;
    odbctx_session *s = nullptr;
    std::string tmpdir;
    try {
        load_raw();
        odbctx_error err{};
        if (int rc = odbctx_open(&s, opt.connect.c_str(), &err); rc != ODBCTX_OK)
            throw failure(std::string("odbctx_open: ") + odbctx_strerror(rc) + ": " + err.message);
        conn sess = conn::borrow(odbctx_henv(s), odbctx_hdbc(s));
        rep.dbms = sess.dbms() + " " + sess.version();

        // The second connection. SQLite: a file of its own, since the
        // session's suite transaction holds the write lock on its file.
        std::string base_cs = opt.connect;
        if (sess.kind() == dbkind::sqlite) {
            char tmpl[] = "/tmp/odbctx-bench.XXXXXX";
            if (!mkdtemp(tmpl))
                throw failure("mkdtemp failed");
            tmpdir = tmpl;
            base_cs = "Driver=libsqlite3odbc.so;Database=" + tmpdir + "/baseline.db;";
        }
        conn base = conn::open(base_cs, true);
        // A bench killed on MariaDB leaves its committed schema behind
        // (odbctx_close drops it otherwise): start clean.
        if (sess.kind() == dbkind::mariadb)
            for (const char *t : {"bench_t0", "bench_t1", "bench_t2", "bench_t3", "bench_t4", "bench_t5",
                                  "bench_t6", "bench_t7", "bench_t8", "bench_t9", "bench_item"})
                base.exec(std::string("DROP TABLE IF EXISTS ") + t);

        must(s, odbctx_schema_script(s, schema_script(sess.kind()).c_str(), "bench schema"),
             "odbctx_schema_script");

        context ctx;
        ctx.s = s;
        ctx.sess = &sess;
        ctx.base = &base;
        ctx.base_connstr = base_cs;
        ctx.kind = sess.kind();
        ctx.size = size;
        ctx.rep = &rep;

        const std::vector<std::pair<const char *, void (*)(context &)>> sections{
            {"isolation", run_isolation}, {"commit", run_commit}, {"factory", run_factory},
            {"capture", run_capture},     {"scale", run_scale},     {"children", run_children},
        };
        for (auto &[name, fn] : sections) {
            if (!wanted(opt, name))
                continue;
            std::fprintf(stderr, "odbctx-bench %s: %s...\n", opt.db.c_str(), name);
            std::uint64_t t0 = now_ns();
            try {
                fn(ctx);
            } catch (const std::exception &e) {
                rep.errors.push_back(std::string(name) + ": " + e.what());
                status = 1;
                // Leave the session ready for the next section.
                if (odbctx_in_test(s))
                    odbctx_end_test(s);
            }
            std::fprintf(stderr, "odbctx-bench %s: %s took %.1f s\n", opt.db.c_str(), name,
                         static_cast<double>(now_ns() - t0) / 1e9);
        }
        rep.notes.push_back("peak RSS of the bench process: " + std::to_string(peak_rss_kib()) + " KiB, " +
                            std::to_string(open_fds()) + " open fds at the end");
    } catch (const std::exception &e) {
        rep.errors.push_back(e.what());
        status = 1;
    }
    odbctx_close(s);
    if (!tmpdir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(tmpdir, ec);
    }

    rep.print(stdout);
    if (!opt.json.empty()) {
        if (std::FILE *f = std::fopen(opt.json.c_str(), "w")) {
            std::fprintf(f, "%s\n", rep.json().c_str());
            std::fclose(f);
        }
    }
    if (!opt.csv.empty()) {
        if (std::FILE *f = std::fopen(opt.csv.c_str(), "w")) {
            rep.csv(f, true);
            std::fclose(f);
        }
    }
    // A missed target is a finding that the table reports, not a failure.
    return status;
}
