// A statement from a child process that joins the test, against the same
// statement run by the test itself.
//
// The child is bench-passthrough in its insert mode, started from this
// process while a test runs, so that its connection joins the test
// (docs/children.md): each INSERT goes through its driver manager,
// odbctx's driver, the share's socket and the session's thread here, and
// back. The baseline is the same INSERT text on the session's connection
// straight through libodbc, in the same test. The two alternate, five times
// each; each gives the median of its rounds of 20 statements, per
// statement, and the figure is the median of those.
#include "bench.hpp"

#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

extern char **environ;

namespace bench {

void run_children(context &ctx)
{
    report &rep = *ctx.rep;
    const std::string prog = self_dir() + "/bench-passthrough";
    if (access(prog.c_str(), X_OK) != 0)
        throw failure("bench-passthrough not found beside odbctx-bench");
    if (!std::getenv("ODBCTX_SHARE_SOCKET"))
        throw failure("the session shares nothing with child processes (ODBCTX_SHARE=0?)");
    // The child's statements: (20 warm-up + 301) rounds of 20.
    const long long per_child = 321 * 20;
    // This process's environment as a test process gives it its children.
    std::vector<std::string> env;
    for (char **e = environ; *e; e++)
        if (std::strncmp(*e, "LD_PRELOAD=", 11) != 0)
            env.push_back(*e);
    std::vector<double> child, own;
    for (int round = 0; round < 5; round++) {
        must(ctx.s, odbctx_begin_test(ctx.s), "odbctx_begin_test");
        const long long first = ctx.next_id;
        ctx.next_id += per_child;
        child.push_back(child_figure(prog, "insert:bench_t0:" + std::to_string(first),
                                     ctx.base_connstr, env));
        std::vector<double> samples;
        for (int r = 0; r < 321; r++) {
            std::vector<std::string> sql;
            for (int i = 0; i < 20; i++)
                sql.push_back(insert_sql("bench_t0", ctx.id()));
            const std::uint64_t t0 = now_ns();
            for (const std::string &q : sql)
                ctx.sess->exec(q);
            if (r >= 20)
                samples.push_back(static_cast<double>(now_ns() - t0) / 20);
        }
        own.push_back(median(samples));
        must(ctx.s, odbctx_end_test(ctx.s), "odbctx_end_test");
    }
    const double c = median(child), o = median(own);
    rep.add({"children", "INSERT from a child process that joined the test", c, "ns",
             "the same INSERT by the test itself", c / o, 0,
             "extra " + human_time(c - o) + " per statement (socket round trip to the test process)"});
    if (ctx.kind == dbkind::postgresql)
        rep.check("child statement / the test's own", c / o, "<=", 1.5, "x", "INSERT, PostgreSQL");
}

} // namespace bench
