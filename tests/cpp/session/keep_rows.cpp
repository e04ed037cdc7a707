// session::keep_rows (odbctx_keep_rows) on the types users' tables hold:
// text with quotes, backslashes and non-ASCII letters, integers, doubles,
// dates, NULL and binary data come back from the script exactly, on every
// database; and the script is replayable inside the same test.
#include <odbctx/catch2.hpp>

#include "files.hpp"
#include "helpers.hpp"

#include <cstdio>
#include <string>

using Catch::Matchers::Contains;

namespace {

using support::read_file;

std::string binary_type(std::string_view dbms)
{
    return dbms == "PostgreSQL" ? "BYTEA" : dbms == "SQLite" ? "BLOB" : "VARBINARY(16)";
}

std::string binary_literal(std::string_view dbms, const std::string &hex)
{
    return dbms == "PostgreSQL" ? "'\\x" + hex + "'::bytea" : "X'" + hex + "'";
}

std::string hex_of(std::string_view dbms, const std::string &column)
{
    return dbms == "PostgreSQL" ? "UPPER(encode(" + column + ", 'hex'))" : "UPPER(HEX(" + column + "))";
}

} // namespace

TEST_CASE("keep_rows: every type's values come back from the script as they were", "[keep_rows]")
{
    auto &s = odbctx::current();
    const auto dbms = s.dbms();
    t::exec("CREATE TABLE cpp_keep (id INTEGER NOT NULL, name VARCHAR(80), score DOUBLE PRECISION, "
            "born DATE, data " + binary_type(dbms) + ")");
    // The table outlives the rollback below (DDL is transactional on
    // PostgreSQL and SQLite).
    REQUIRE(s.commit());
    const std::string tricky = "it's a \\ back\\\\slash, caf\xc3\xa9 and \"quotes\"";
    REQUIRE(s.exec("INSERT INTO cpp_keep (id, name, score, born) VALUES (?, ?, ?, ?)", 1, tricky,
                   -2.5, std::string("2024-02-29")));
    t::exec("INSERT INTO cpp_keep (id, name, score, born, data) VALUES (2, NULL, NULL, NULL, " +
            binary_literal(dbms, "00FF275C22") + ")");
    REQUIRE(s.exec("INSERT INTO cpp_keep (id, name, score) VALUES (?, ?, ?)", 3, std::string(""),
                   1e-300));
    REQUIRE(s.exec("INSERT INTO cpp_keep (id, score) VALUES (?, ?)", 4, 0.1 + 0.2));

    const std::string path = support::tmp_sql_path("odbctx-cpp-keep");
    INFO(s.last_error().to_string());
    REQUIRE(s.keep_rows(path, "test: types"));
    CHECK_THAT(read_file(path), Contains("DELETE FROM cpp_keep;") && Contains("-- test: types"));

    // Back to the commit: the rows are gone, the table stays.
    REQUIRE(s.rollback());
    REQUIRE(t::count("cpp_keep") == 0);
    REQUIRE(s.exec_file(path));
    CHECK(t::count("cpp_keep") == 4);
    CHECK(*s.query_int("SELECT COUNT(*) FROM cpp_keep WHERE id = 1 AND name = ? AND score = ? AND "
                       "born = ?",
                       tricky, -2.5, std::string("2024-02-29")) == 1);
    CHECK(*s.query_int("SELECT COUNT(*) FROM cpp_keep WHERE id = 2 AND name IS NULL AND score IS "
                       "NULL AND born IS NULL AND " + hex_of(dbms, "data") + " = '00FF275C22'") == 1);
    CHECK(*s.query_int("SELECT COUNT(*) FROM cpp_keep WHERE id = 3 AND name = '' AND data IS NULL "
                       "AND score > 0 AND score < 1e-299") == 1);
    // Every digit of a double survives.
    CHECK(*s.query_int("SELECT COUNT(*) FROM cpp_keep WHERE id = 4 AND score = ?", 0.1 + 0.2) == 1);
    REQUIRE(s.commit()); // nothing left uncommitted to report
    std::remove(path.c_str());
}

TEST_CASE("keep_rows: refused outside a test, and where the file cannot be written", "[keep_rows]")
{
    auto own = odbctx::session::open(t::connect_string());
    REQUIRE(own);
    auto r = own->keep_rows("/tmp/odbctx-never-written.sql");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ODBCTX_ESTATE);
    REQUIRE(own->begin_test());
    r = own->keep_rows("/nonexistent-dir/rows.sql");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ODBCTX_EIO);
    CHECK_THAT(r.error().message, Contains("/nonexistent-dir/rows.sql"));
    REQUIRE(own->end_test());
}
