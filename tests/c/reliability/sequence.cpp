// Random sequences of calls, right and wrong, checked against a model of
// the transaction stack: every call returns what the model says (0 or
// ODBCTX_ESTATE), the rows the session sees are the rows the model says,
// and after every test the table is as the suite left it. A seeded
// stand-in for the call orders real test suites get wrong.
#include <catch2/catch.hpp>

#include "rel.hpp"

#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

struct model {
    bool in_test = false;
    long long suite_rows = 0;
    long long app_committed = 0;
    std::vector<long long> levels; // [app level, nested 1, nested 2, ...]

    long long visible() const
    {
        return suite_rows + app_committed + std::accumulate(levels.begin(), levels.end(), 0LL);
    }
};

enum op { BEGIN, END, COMMIT, ROLLBACK, NBEGIN, NCOMMIT, NROLLBACK, INSERT, BAD_SQL, N_OPS };
const char *const op_names[] = {"begin_test", "end_test", "commit", "rollback", "nested_begin",
                                "nested_commit", "nested_rollback", "insert", "bad sql"};

} // namespace

TEST_CASE("random call sequences keep the transaction stack and the data right", "[sequence]")
{
    rel::session owner(rel::connect_string());
    INFO(owner.message());
    REQUIRE(owner.s);
    odbctx_session *s = owner.s;
    REQUIRE(odbctx_schema_script(s, "CREATE TABLE relseq (id INTEGER PRIMARY KEY, v INTEGER)",
                                 "sequence schema") == 0);

    std::mt19937_64 rng(rel::seed());
    // Weighted: inserts and test boundaries often, suite-level inserts rarely.
    std::discrete_distribution<int> pick({10, 8, 6, 4, 6, 4, 4, 25, 3});
    model m;
    long long next_id = 1;
    std::string history;
    const int steps = 600;

    for (int step = 0; step < steps; step++) {
        op o = static_cast<op>(pick(rng));
        history += std::string(op_names[o]) + " ";
        if (history.size() > 600)
            history.erase(0, history.size() - 600);
        INFO("seed " << rel::seed() << ", step " << step << ", recent calls: " << history);
        int rc = 0, expect = 0;
        switch (o) {
        case BEGIN:
            rc = odbctx_begin_test(s);
            expect = m.in_test ? ODBCTX_ESTATE : 0;
            if (!m.in_test) {
                m.in_test = true;
                m.app_committed = 0;
                m.levels = {0};
            }
            break;
        case END:
            rc = odbctx_end_test(s);
            expect = m.in_test ? 0 : ODBCTX_ESTATE;
            if (m.in_test) {
                m.in_test = false;
                m.app_committed = 0;
                m.levels.clear();
            }
            break;
        case COMMIT:
            rc = odbctx_commit(s);
            expect = m.in_test ? 0 : ODBCTX_ESTATE;
            if (m.in_test) {
                m.app_committed += std::accumulate(m.levels.begin(), m.levels.end(), 0LL);
                m.levels = {0};
            }
            break;
        case ROLLBACK:
            rc = odbctx_rollback(s);
            expect = m.in_test ? 0 : ODBCTX_ESTATE;
            if (m.in_test)
                m.levels = {0};
            break;
        case NBEGIN:
            rc = odbctx_nested_begin(s);
            expect = m.in_test ? 0 : ODBCTX_ESTATE;
            if (m.in_test)
                m.levels.push_back(0);
            break;
        case NCOMMIT:
        case NROLLBACK:
            rc = o == NCOMMIT ? odbctx_nested_commit(s) : odbctx_nested_rollback(s);
            expect = m.levels.size() >= 2 ? 0 : ODBCTX_ESTATE;
            if (m.levels.size() >= 2) {
                long long top = m.levels.back();
                m.levels.pop_back();
                if (o == NCOMMIT)
                    m.levels.back() += top;
            }
            break;
        case INSERT: {
            // Outside a test only now and then: that row is the suite's.
            if (!m.in_test && rng() % 4 != 0) {
                step--;
                continue;
            }
            std::string sql = "INSERT INTO relseq (id, v) VALUES (" + std::to_string(next_id++) + ", 1)";
            rc = odbctx_exec(s, sql.c_str());
            if (m.in_test)
                m.levels.back()++;
            else
                m.suite_rows++;
            break;
        }
        case BAD_SQL:
            rc = odbctx_exec(s, "INSERT INTO relseq_no_such_table VALUES (1)");
            expect = ODBCTX_ESQL;
            break;
        default:
            break;
        }
        INFO(op_names[o] << " -> " << odbctx_strerror(rc) << ": " << odbctx_last_error(s)->message);
        REQUIRE(rc == expect);
        REQUIRE(odbctx_in_test(s) == (m.in_test ? 1 : 0));
        REQUIRE(odbctx_nested_depth(s) == (m.in_test ? (int)m.levels.size() - 1 : 0));
        REQUIRE(owner.count("relseq") == m.visible());
    }
    if (m.in_test)
        REQUIRE(odbctx_end_test(s) == 0);
    CHECK(owner.count("relseq") == m.suite_rows);
}
