#include "floor.hpp"

#include <sstream>

namespace bench {

namespace {

// The statements odbctx ran itself, in order: the "[odbctx]" lines of its
// trace ("ok   [odbctx] SQL"), each split at ';' (odbctx's own statements
// carry no quoted text), trimmed.
std::vector<std::string> own_statements(const char *trace)
{
    std::vector<std::string> out;
    std::istringstream in(trace ? trace : "");
    std::string line;
    while (std::getline(in, line)) {
        size_t tag = line.find("[odbctx] ");
        if (tag == std::string::npos || line.compare(0, 2, "ok") != 0)
            continue;
        std::string sql = line.substr(tag + 9);
        size_t start = 0;
        while (start <= sql.size()) {
            size_t semi = sql.find(';', start);
            std::string one = sql.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
            size_t a = one.find_first_not_of(' '), b = one.find_last_not_of(' ');
            if (a != std::string::npos)
                out.push_back(one.substr(a, b - a + 1));
            if (semi == std::string::npos)
                break;
            start = semi + 1;
        }
    }
    return out;
}

// odbctx's savepoint names, renamed for the floor: same length, so the
// floor sends exactly as many bytes.
std::vector<std::string> renamed(std::vector<std::string> stmts)
{
    for (std::string &s : stmts)
        for (size_t p = 0; (p = s.find("odbctx", p)) != std::string::npos; p += 6)
            s.replace(p, 6, "benchx");
    return stmts;
}

// What a later trace added to an earlier one; the whole later trace when
// it was reset in between.
std::vector<std::string> added(const std::vector<std::string> &before, const std::vector<std::string> &after)
{
    if (after.size() >= before.size() && std::equal(before.begin(), before.end(), after.begin()))
        return {after.begin() + static_cast<long>(before.size()), after.end()};
    return after;
}

std::string describe(const std::vector<std::string> &b, const std::vector<std::string> &e)
{
    return "INSERT sent alone; begin: " + (b.empty() ? std::string("nothing (the savepoint stays between tests)") : join(b)) +
           " | end: " + join(e);
}

} // namespace

floor_sql floor_for(context &ctx)
{
    static bool learned = false;
    static floor_sql cached;
    if (learned)
        return cached;

    floor_sql f;
    odbctx_session *s = ctx.s;
    // A test after the first: odbctx may start it on the savepoint the
    // previous one left in place.
    must(s, odbctx_begin_test(s), "odbctx_begin_test");
    must(s, odbctx_end_test(s), "odbctx_end_test");
    std::vector<std::string> t0 = own_statements(odbctx_trace(s));
    must(s, odbctx_begin_test(s), "odbctx_begin_test");
    std::vector<std::string> t1 = own_statements(odbctx_trace(s));
    std::vector<std::string> begin = added(t0, t1);
    // The first commit of a test may differ (nothing to release yet); the
    // loop measures the ones after it.
    must(s, odbctx_commit(s), "odbctx_commit");
    std::vector<std::string> t1b = own_statements(odbctx_trace(s));
    must(s, odbctx_commit(s), "odbctx_commit");
    std::vector<std::string> t2 = own_statements(odbctx_trace(s));
    std::vector<std::string> commit = added(t1b, t2);
    must(s, odbctx_end_test(s), "odbctx_end_test");
    std::vector<std::string> t3 = own_statements(odbctx_trace(s));
    std::vector<std::string> end = added(t2, t3);

    if (end.empty() || commit.empty()) {
        // No trace of odbctx's own statements: the levels of design.md.
        begin = {"SAVEPOINT odbctx_t", "SAVEPOINT odbctx_a"};
        end = {"ROLLBACK TO SAVEPOINT odbctx_t", "RELEASE SAVEPOINT odbctx_t"};
        commit = {"RELEASE SAVEPOINT odbctx_a", "SAVEPOINT odbctx_a"};
        ctx.rep->notes.push_back("odbctx_trace shows none of odbctx's own statements: the floor uses "
                                 "design.md's levels");
    }
    f.begin_test = renamed(begin);
    f.end_test = renamed(end);
    // odbctx starts a test on the savepoint the last one left (begin sends
    // nothing): the floor keeps one of its own the same way.
    if (f.begin_test.empty())
        for (const std::string &e : f.end_test)
            if (e.rfind("ROLLBACK TO SAVEPOINT ", 0) == 0)
                f.keep_setup = {"SAVEPOINT " + e.substr(22)};
    if (f.begin_test.empty() && f.keep_setup.empty())
        throw failure("odbctx_begin_test ran nothing and odbctx_end_test no ROLLBACK TO: " + join(end));
    f.commit = renamed(commit);
    // The floor restarts a savepoint of its own above the app level, under
    // one name: odbctx names each app savepoint anew (odbctx_a7, then
    // odbctx_a8, same length), which a loop of the same SQL cannot do.
    std::string sp;
    for (const std::string &c : f.commit)
        if (c.rfind("SAVEPOINT ", 0) == 0)
            sp = c.substr(10);
    if (sp.empty())
        throw failure("odbctx_commit ran no SAVEPOINT: " + join(commit));
    for (std::string &c : f.commit) {
        size_t at = c.rfind(' ');
        if (c.compare(at + 1, 7, "benchx_") == 0)
            c = c.substr(0, at + 1) + sp;
    }
    f.commit_setup = {"SAVEPOINT " + sp};
    f.commit_teardown = {"RELEASE SAVEPOINT " + sp};
    f.describe = describe(f.begin_test, f.end_test);
    cached = f;
    learned = true;
    return f;
}

void floor_tests::prepare()
{
    if (!ready_ && !f_.keep_setup.empty())
        c_.exec_packed(f_.keep_setup);
    ready_ = true;
}

void floor_tests::begin()
{
    prepare();
    c_.exec_packed(f_.begin_test);
}

void floor_tests::end()
{
    c_.exec_packed(f_.end_test);
}

} // namespace bench
