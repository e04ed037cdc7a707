// The Boost.Test integration (include/odbctx/boost_test.hpp): every test
// case runs in its own odbctx test transaction, its fixture included. Test
// cases run in declaration order by default, which the "next test sees
// nothing" checks rely on. The suites "deliberate", "breach" and
// "fail_closed" are disabled unless run.test.sh asks for them by name
// (--run_test=...): their tests fail or break isolation on purpose.
#define BOOST_TEST_DYN_LINK // Debian's shared libboost_unit_test_framework
#define BOOST_TEST_MODULE odbctx_boost_test
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <odbctx/boost_test.hpp>

#include <dlfcn.h>
#include <sql.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <string>

namespace {

const bool schema = [] {
    odbctx::suite::add_schema_script("CREATE TABLE bt_item (name VARCHAR(40) NOT NULL);\n"
                                     "CREATE TABLE bt_note (text VARCHAR(80) NOT NULL);\n",
                                     "boost.test schema");
    odbctx::suite::add_setup([](odbctx::session &s) {
        s.exec("INSERT INTO bt_note (text) VALUES ('suite row')").value();
    });
    return true;
}();

long long count(const char *table)
{
    return odbctx::current().query_int(std::string("SELECT COUNT(*) FROM ") + table).value();
}

void add(const std::string &name)
{
    odbctx::current().exec("INSERT INTO bt_item (name) VALUES ('" + name + "')").value();
}

// Its constructor and destructor run inside the test's transaction.
struct with_rows {
    with_rows() { add("fixture"); }
    ~with_rows() { BOOST_CHECK_EQUAL(count("bt_item"), 2); }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_test_writes_and_commits_rows)
{
    BOOST_TEST(count("bt_item") == 0);
    add("one");
    BOOST_TEST(odbctx::current().commit().has_value());
    add("two");
    BOOST_TEST(count("bt_item") == 2);
}

BOOST_AUTO_TEST_CASE(the_next_test_sees_none_of_them)
{
    BOOST_TEST(count("bt_item") == 0);
    BOOST_TEST(count("bt_note") == 1);
}

BOOST_FIXTURE_TEST_CASE(a_fixture_runs_inside_the_transaction, with_rows)
{
    BOOST_TEST(count("bt_item") == 1);
    add("body");
}

BOOST_DATA_TEST_CASE(each_sample_runs_alone, boost::unit_test::data::make({1, 2, 3}), n)
{
    static std::set<unsigned long long> draws;
    BOOST_TEST(count("bt_item") == 0);
    add("sample " + std::to_string(n));
    BOOST_TEST(draws.insert(odbctx::fake::next_u64()).second); // each sample its own fake data
}

BOOST_AUTO_TEST_SUITE(deliberate, *boost::unit_test::disabled())

BOOST_AUTO_TEST_CASE(fails_after_writing_and_committing)
{
    add("leak-1");
    BOOST_TEST(odbctx::current().commit().has_value());
    BOOST_CHECK_EQUAL(odbctx::current().query_int("SELECT COUNT(*) FROM bt_item"), 42); // fails on purpose
}

BOOST_AUTO_TEST_CASE(throws_after_writing)
{
    add("leak-2");
    throw std::runtime_error("thrown on purpose");
}

BOOST_AUTO_TEST_CASE(then_all_is_clean)
{
    BOOST_TEST(count("bt_item") == 0);
    BOOST_TEST(count("bt_note") == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(breach, *boost::unit_test::disabled())

// Commits the suite transaction through libodbc's own SQLEndTran, past
// odbctx: the test passes, odbctx finds the breach when it ends.
BOOST_AUTO_TEST_CASE(a_commit_past_odbctx)
{
    add("breach");
    void *odbc = dlopen("libodbc.so.2", RTLD_NOW | RTLD_NOLOAD);
    BOOST_REQUIRE(odbc);
    auto end_tran = reinterpret_cast<SQLRETURN (*)(SQLSMALLINT, SQLHANDLE, SQLSMALLINT)>(dlsym(odbc, "SQLEndTran"));
    BOOST_REQUIRE(end_tran);
    BOOST_TEST(SQL_SUCCEEDED(end_tran(SQL_HANDLE_DBC, odbctx::current().hdbc(), SQL_COMMIT)));
    dlclose(odbc);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(uncommitted, *boost::unit_test::disabled())

// Passes, but writes after its commit: a note by default, a failed program
// with ODBCTX_UNCOMMITTED=fail.
BOOST_AUTO_TEST_CASE(writes_after_its_commit)
{
    add("committed");
    BOOST_TEST(odbctx::current().commit().has_value());
    add("never-committed");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fail_closed, *boost::unit_test::disabled())

// Run with a connection that cannot open: the body must never run.
BOOST_AUTO_TEST_CASE(this_body_never_runs_without_a_session)
{
    if (const char *marker = std::getenv("ODBCTX_TEST_MARKER"))
        std::fclose(std::fopen(marker, "w"));
}

BOOST_AUTO_TEST_SUITE_END()
