// What the sections of the bench share: the session under test, the raw
// connections for the baselines, the table definitions and the sizes.
#pragma once

#include "harness.hpp"
#include "raw.hpp"

#include <odbctx.h>

#include <string>

namespace bench {

// How much work each section does. The defaults keep `make bench` (three
// databases, servers included) well under ten minutes on two cores;
// BENCH_SCALE=0.2 makes a quick smoke run, larger values steadier figures.
struct sizes {
    double scale = 1.0;
    int rounds(int n) const;   // n scaled, at least 5
};

struct context {
    odbctx_session *s = nullptr; // the session under test (its connection)
    conn *sess = nullptr;        // the same connection, through the raw table
    conn *base = nullptr;        // a second connection to the same database,
                                 // for baselines that must really commit
    std::string base_connstr;    // how base was opened (more of its kind)
    dbkind kind = dbkind::sqlite;
    sizes size;
    report *rep = nullptr;
    long long next_id = 1;       // primary keys are never reused in a run

    long long id() { return next_id++; }
};

// Columns shared by every bench table, so every strategy inserts the same row.
std::string table_ddl(dbkind k, const std::string &name);
std::string insert_sql(const std::string &table, long long id);

// Throws failure with the session's last error unless rc is ODBCTX_OK.
void must(odbctx_session *s, int rc, const char *what);

// Sections; each adds rows and targets to ctx.rep and throws failure only
// for errors that make the rest of the section meaningless.
void run_isolation(context &ctx);
void run_commit(context &ctx);
void run_scale(context &ctx);
void run_factory(context &ctx);
void run_capture(context &ctx);
void run_children(context &ctx);

// The environment the bench started with, before its session gave its
// children the share's variables (docs/children.md): what a program that
// must not join the test runs with.
extern std::vector<std::string> start_env;

// The directory of the bench binary (bench-passthrough is beside it).
std::string self_dir();
// Runs PROG MODE CONNSTR with env as its whole environment; its stdout is
// a figure (ns), returned; throws failure when it fails.
double child_figure(const std::string &prog, const std::string &mode, const std::string &connstr,
                    const std::vector<std::string> &env);

} // namespace bench
