// Every GoogleTest test runs in its own odbctx test transaction: the rows a
// test writes, commits included, are gone when the next test starts. The
// tests of one suite run in the order they are defined (no --gtest_shuffle),
// which the "next test sees nothing" checks rely on.
#include <gtest/gtest.h>
#include <odbctx/gtest.hpp>


#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

const bool schema = [] {
    odbctx::suite::add_schema_script("CREATE TABLE gt_item (name VARCHAR(40) NOT NULL, qty INTEGER NOT NULL);\n"
                                     "CREATE TABLE gt_note (text VARCHAR(80) NOT NULL);\n",
                                     "gtest schema");
    odbctx::suite::add_setup([](odbctx::session &s) {
        // Suite-wide data: every test sees it, no test can remove it for good.
        s.exec("INSERT INTO gt_note (text) VALUES ('suite row')").value();
    });
    return true;
}();

long long count(const char *table)
{
    return odbctx::current().query_int(std::string("SELECT COUNT(*) FROM ") + table).value();
}

void add_item(const char *name, int qty)
{
    auto r = odbctx::current().exec(std::string("INSERT INTO gt_item (name, qty) VALUES ('") +
                                    name + "', " + std::to_string(qty) + ")");
    ASSERT_TRUE(odbctx::gtest::ok(r));
}

} // namespace

TEST(Isolation, a_test_writes_rows)
{
    add_item("bolt", 3);
    add_item("nut", 5);
    EXPECT_EQ(count("gt_item"), 2);
}

TEST(Isolation, the_next_test_sees_none_of_them)
{
    EXPECT_EQ(count("gt_item"), 0);
    EXPECT_EQ(count("gt_note"), 1) << "the suite's own row stays";
}

TEST(Isolation, suite_rows_deleted_in_a_test_come_back)
{
    ASSERT_TRUE(odbctx::gtest::ok(odbctx::current().exec("DELETE FROM gt_note")));
    EXPECT_EQ(count("gt_note"), 0);
}

TEST(Isolation, after_the_delete)
{
    EXPECT_EQ(count("gt_note"), 1);
}

TEST(AppLevel, a_commit_stays_visible_within_the_test)
{
    auto &s = odbctx::current();
    add_item("washer", 1);
    ASSERT_TRUE(odbctx::gtest::ok(s.commit()));
    EXPECT_EQ(count("gt_item"), 1);
}

TEST(AppLevel, a_rollback_goes_back_to_the_last_commit_only)
{
    auto &s = odbctx::current();
    add_item("kept", 1);
    ASSERT_TRUE(odbctx::gtest::ok(s.commit()));
    add_item("undone", 2);
    ASSERT_TRUE(odbctx::gtest::ok(s.rollback()));
    EXPECT_EQ(count("gt_item"), 1);
    EXPECT_EQ(s.query_int("SELECT COUNT(*) FROM gt_item WHERE name = 'kept'").value(), 1);
}

TEST(AppLevel, nothing_committed_survived)
{
    EXPECT_EQ(count("gt_item"), 0);
}

TEST(AppLevel, nested_levels_roll_back_on_their_own)
{
    add_item("outer", 1);
    {
        odbctx::nested n;
        add_item("inner", 2);
        EXPECT_EQ(count("gt_item"), 2);
    }
    EXPECT_EQ(count("gt_item"), 1);
}

// A fixture's SetUp and TearDown run inside the test's transaction too.
class Stocked : public ::testing::Test {
protected:
    void SetUp() override
    {
        add_item("fixture-a", 10);
        add_item("fixture-b", 20);
    }
    void TearDown() override { EXPECT_GE(count("gt_item"), 2); }
};

TEST_F(Stocked, sees_the_rows_of_its_setup)
{
    EXPECT_EQ(odbctx::current().query_int("SELECT SUM(qty) FROM gt_item").value(), 30);
}

TEST_F(Stocked, gets_a_fresh_copy_of_them)
{
    add_item("extra", 1);
    EXPECT_EQ(count("gt_item"), 3);
}

TEST(Stocked_after, no_fixture_rows_left)
{
    EXPECT_EQ(count("gt_item"), 0);
}

class PerParameter : public ::testing::TestWithParam<int> {};

TEST_P(PerParameter, each_value_starts_empty)
{
    EXPECT_EQ(count("gt_item"), 0);
    for (int i = 0; i < GetParam(); i++)
        add_item("p", i);
    EXPECT_EQ(count("gt_item"), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Sizes, PerParameter, ::testing::Values(1, 3, 7));

TEST(Registry, current_is_the_suite_session_in_every_test)
{
    auto &s = odbctx::current();
    EXPECT_TRUE(s.in_test());
    EXPECT_FALSE(s.dbms().empty());
    EXPECT_NE(s.hdbc(), nullptr);
}

TEST(Registry, a_process_wide_scope_reaches_threads)
{
    // The suite is current for this thread; a thread the test starts reaches
    // it through a process-wide registration. The thread gets 20 s: a driver
    // that deadlocks must fail this test, not hang the run (the thread is
    // then left behind, blocked, and its state outlives this test).
    auto &s = odbctx::current();
    odbctx::scoped_session all(s, odbctx::scope::process);
    auto seen = std::make_shared<std::promise<long long>>();
    std::future<long long> answer = seen->get_future();
    std::thread t([seen] {
        auto r = odbctx::current().query_int("SELECT COUNT(*) FROM gt_note");
        seen->set_value(r ? *r : -1);
    });
    if (answer.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
        t.detach();
        FAIL() << "a query from another thread got no answer within 20 s: the driver "
                  "deadlocked on the shared connection";
    }
    t.join();
    EXPECT_EQ(answer.get(), 1);
}

// Run only on purpose, by tests/integrations/gtest/run.test.sh: they must fail, and the
// test after them must still find the tables empty.
TEST(DISABLED_Deliberate, fails_after_writing)
{
    add_item("left by a failing test", 1);
    ASSERT_TRUE(odbctx::gtest::ok(odbctx::current().commit()));
    add_item("uncommitted", 2);
    // Fails on purpose: the report must show the value, not "ok".
    EXPECT_EQ(odbctx::current().query_int("SELECT COUNT(*) FROM gt_item"), 42);
    FAIL() << "deliberate failure";
}

TEST(DISABLED_Deliberate, throws_after_writing)
{
    add_item("left by a throwing test", 1);
    throw std::runtime_error("deliberate exception");
}

TEST(DISABLED_Deliberate, leaves_nested_levels_open)
{
    ASSERT_EQ(odbctx_nested_begin(odbctx::current().handle()), ODBCTX_OK);
    add_item("in an open nested level", 1);
    ASSERT_EQ(odbctx_nested_begin(odbctx::current().handle()), ODBCTX_OK);
    add_item("deeper", 1);
}

TEST(DISABLED_Deliberate, then_all_is_clean)
{
    EXPECT_EQ(count("gt_item"), 0);
    EXPECT_EQ(count("gt_note"), 1);
}

// Passes, but writes after its code's last commit, which production would
// have rolled back: a note by default, a failed program with
// ODBCTX_UNCOMMITTED=fail (run.test.sh).
TEST(DISABLED_Uncommitted, writes_after_the_last_commit)
{
    add_item("committed", 1);
    ASSERT_TRUE(odbctx::gtest::ok(odbctx::current().commit()));
    add_item("never committed", 2);
    EXPECT_EQ(count("gt_item"), 2);
}

// Run by run.test.sh with a connection that cannot open: the body must
// never run (it would write uncaptured), which the marker file shows.
TEST(DISABLED_FailClosed, body_never_runs_without_a_session)
{
    if (const char *marker = std::getenv("ODBCTX_TEST_MARKER"))
        std::fclose(std::fopen(marker, "w"));
}
