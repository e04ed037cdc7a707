// The children suite's cases (see children.hpp), written once for both
// frameworks. The includer defines:
//   CH_TEST(id, description, tags)   a test case
//   CH_EQ(a, b)                      a check that shows both values
//   CH_REQUIRE_EQ(a, b)              the same, ending the test when it fails
//   CH_INFO(text)                    context printed with a failure
// Cases whose id says php (and whose tags say [php]) need PHP, which cannot
// load a sanitized driver: run.test.sh leaves them out under the sanitizers.
// They run in the order written: the last checks what the others left.
#pragma once

#include "children.hpp"

namespace children {

inline void write_test_row() { exec(std::string("INSERT INTO ") + table + " (id, name) VALUES (1, 'test-row')"); }

// A script child (py_child, php_child) named name, started by the test
// after it wrote its row: it saw the row, the test sees its commit and not
// its rollback, and no other client sees either.
inline void sees_and_is_seen(const std::string &name, const std::string &command)
{
    write_test_row();
    output r = run(command);
    CH_INFO(r.text);
    CH_REQUIRE_EQ(r.status, 0);
    CH_EQ(r[name + ".names_at_start"], "test-row");
    CH_EQ(sorted(r[name + ".names_after_commit"]), name + "-commit,test-row");
    CH_EQ(count(table, name + "-commit"), 1);
    CH_EQ(count(table, name + "-rollback"), 0);
    CH_EQ(outside_count(), 0);
}

// A script child reads the table of the suite's schema and writes to it.
inline void sees_the_schema(const std::string &name, const std::string &command)
{
    output r = run(command);
    CH_INFO(r.text);
    CH_REQUIRE_EQ(r.status, 0);
    CH_EQ(r[name + ".names_at_start"], "suite-row");
    CH_EQ(count(made), 2);
}

} // namespace children

CH_TEST(c_child_sees_the_test_and_is_seen,
        "a C child (linked with libodbc only) sees the test's row and the test sees its commits",
        "[c]")
{
    using namespace children;
    write_test_row();
    output r = run(c_child());
    CH_INFO(r.text);
    CH_REQUIRE_EQ(r.status, 0);
    CH_EQ(r["seen_at_start"], "1");
    // Its commit and its autocommitted insert stay, its rollback went.
    CH_EQ(r["seen_at_end"], "3");
    CH_EQ(count(table, "child-commit"), 1);
    CH_EQ(count(table, "child-autocommit"), 1);
    CH_EQ(count(table, "child-rollback"), 0);
    CH_EQ(outside_count(), 0);
}

CH_TEST(python_child_sees_the_test_and_is_seen,
        "a Python child (pyodbc) sees the test's row and the test sees its commit", "[python]")
{
    children::sees_and_is_seen("py", children::py_child("py"));
}

CH_TEST(php_child_sees_the_test_and_is_seen,
        "a PHP child (php-odbc) sees the test's row and the test sees its commit", "[php]")
{
    children::sees_and_is_seen("php", children::php_child("php"));
}

CH_TEST(children_see_the_suites_schema, "children see the table the suite's schema made, and its row",
        "[python]")
{
    children::sees_the_schema("py", children::py_child("py", children::made));
}

CH_TEST(php_child_sees_the_suites_schema, "a PHP child sees the table the suite's schema made",
        "[php]")
{
    children::sees_the_schema("php", children::php_child("php", children::made));
}

CH_TEST(two_children_see_each_other, "two children of one test see each other's commits",
        "[python][c]")
{
    using namespace children;
    output first = run(py_child("first"));
    CH_INFO(first.text);
    CH_REQUIRE_EQ(first.status, 0);
    output second = run(py_child("second"));
    CH_INFO(second.text);
    CH_REQUIRE_EQ(second.status, 0);
    CH_EQ(second["second.names_at_start"], "first-commit");
    output third = run(c_child());
    CH_INFO(third.text);
    CH_EQ(third["seen_at_start"], "2");
    CH_EQ(count(), 4);
    CH_EQ(outside_count(), 0);
}

CH_TEST(php_and_python_children_see_each_other,
        "a PHP child and a Python child of one test see each other's commits", "[php][python]")
{
    using namespace children;
    output first = run(php_child("php"));
    CH_INFO(first.text);
    CH_REQUIRE_EQ(first.status, 0);
    output second = run(py_child("py"));
    CH_INFO(second.text);
    CH_REQUIRE_EQ(second.status, 0);
    CH_EQ(second["py.names_at_start"], "php-commit");
    CH_EQ(count(), 2);
}

CH_TEST(a_grandchild_joins, "a grandchild (a C program a Python child starts) joins the test too",
        "[python][c]")
{
    using namespace children;
    write_test_row();
    output r = run(py_child("py") + " " + c_child());
    CH_INFO(r.text);
    CH_REQUIRE_EQ(r.status, 0);
    CH_EQ(r["py.grandchild_status"], "0");
    // The grandchild saw the test's row and its parent's commit, and its
    // parent saw the grandchild's.
    CH_EQ(r["seen_at_start"], "2");
    CH_EQ(sorted(r["py.names_after_grandchild"]), "child-autocommit,child-commit,py-commit,test-row");
    CH_EQ(count(), 4);
    CH_EQ(outside_count(), 0);
}

CH_TEST(php_grandchild_joins, "a PHP grandchild of a Python child joins the test too",
        "[php][python]")
{
    using namespace children;
    write_test_row();
    output r = run(py_child("py") + " " + php_child("php"));
    CH_INFO(r.text);
    CH_REQUIRE_EQ(r.status, 0);
    CH_EQ(r["py.grandchild_status"], "0");
    CH_EQ(sorted(r["php.names_at_start"]), "py-commit,test-row");
    CH_EQ(sorted(r["py.names_after_grandchild"]), "php-commit,py-commit,test-row");
    CH_EQ(count(), 3);
}

CH_TEST(then_nothing_is_left, "after those tests, nothing any child wrote is left", "[c][python]")
{
    using namespace children;
    CH_EQ(count(), 0);
    CH_EQ(count(made), 1);
    CH_EQ(outside_count(), 0);
    // A child now sees what the test sees: no row of an earlier test.
    output r = run(py_child("late"));
    CH_INFO(r.text);
    CH_REQUIRE_EQ(r.status, 0);
    CH_EQ(r["late.names_at_start"], "");
}
