// What the factories keep about a table (its column metadata and prepared
// INSERT) lasts while the session's schema version does (odbctx.h,
// odbctx_schema_version): across tests, but not across DDL, a rollback of
// DDL, a reconnect or odbctx_schema_changed(). Each test below would pass
// with metadata read again every time and fails with metadata kept too
// long: the factory checks a string's length against the column's size
// before it sends anything. The tests run in file order.
#include <catch2/catch.hpp>

#include <odbctx/factory.hpp>

#include "helpers.hpp"
#include "model.hpp"

#include <string>

namespace fxs {
struct note {
    long long id = 0;
    std::string label;
};
} // namespace fxs

template <> struct odbctx::table<fxs::note> : odbctx::mapping<fxs::note> {
    static constexpr auto name = "fx_notes";
    static constexpr auto columns =
        std::tuple{key(&fxs::note::id, "id"), col(&fxs::note::label, "label")};
};

namespace {

const auto notes = odbctx::factory<fxs::note>{}.with(&fxs::note::label, std::string("x"));

// A table of the test's own (rolled back with it; a temporary table on
// MariaDB) whose label holds width characters.
void create_notes(int width)
{
    fx::exec(fx::for_dialect("CREATE TABLE fx_notes (id {KEY}, label VARCHAR(" +
                             std::to_string(width) + ") NOT NULL)"));
}

unsigned long long version()
{
    return odbctx_schema_version(odbctx::current().handle());
}

unsigned long long version_after_first_test = 0;

std::string label(std::size_t n)
{
    return std::string(n, 'a');
}

} // namespace

TEST_CASE("schema cache: a table of the test, 5 characters wide", "[factory][schema-cache]")
{
    create_notes(5);
    REQUIRE(notes.create(odbctx::set(&fxs::note::label, label(5))).id != 0);
    // Refused from the metadata, before anything is sent.
    REQUIRE_THROWS_WITH(notes.create(odbctx::set(&fxs::note::label, label(20))),
                        Catch::Contains("does not fit"));
}

TEST_CASE("schema cache: the same table again, 50 characters wide", "[factory][schema-cache]")
{
    // The first test's table went with its rollback: what was kept of it is
    // not used for this one.
    create_notes(50);
    REQUIRE(notes.create(odbctx::set(&fxs::note::label, label(20))).id != 0);
    REQUIRE(fx::count("fx_notes", "label = '" + label(20) + "'") == 1);
    version_after_first_test = version();
}

TEST_CASE("schema cache: no DDL, the same version in the next test", "[factory][schema-cache]")
{
    // Writes change nothing; the next test, which runs no DDL either, must
    // see this version (the rollback that ended the test before this one
    // gave a new one: that test ran DDL).
    const unsigned long long v = version();
    REQUIRE(v != 0);
    fx::users.create();
    REQUIRE(version() == v);
    version_after_first_test = v;
}

TEST_CASE("schema cache: a test without DDL keeps the version", "[factory][schema-cache]")
{
    REQUIRE(version() == version_after_first_test);
    fx::users.create_batch(3);
    REQUIRE(version() == version_after_first_test);
}

TEST_CASE("schema cache: DDL behind odbctx's back needs odbctx_schema_changed",
          "[factory][schema-cache]")
{
    create_notes(5);
    REQUIRE_THROWS_WITH(notes.create(odbctx::set(&fxs::note::label, label(20))),
                        Catch::Contains("does not fit"));
    // The table is widened where odbctx does not see it (the raw handle,
    // capture off), then odbctx is told. (MariaDB: through odbctx, since a
    // test's table there is a temporary table odbctx made.)
    if (fx::configured_dialect() == fx::dialect::mariadb) {
        fx::exec("DROP TEMPORARY TABLE fx_notes");
        fx::exec("CREATE TEMPORARY TABLE fx_notes (id INTEGER AUTO_INCREMENT PRIMARY KEY, label "
                 "VARCHAR(50) NOT NULL)");
    } else {
        SQLHSTMT st = nullptr;
        SQLAllocHandle(SQL_HANDLE_STMT, odbctx::current().hdbc(), &st);
        const char *widen = fx::configured_dialect() == fx::dialect::postgresql
                                ? "ALTER TABLE fx_notes ALTER COLUMN label TYPE VARCHAR(50)"
                                : "DROP TABLE fx_notes";
        REQUIRE(SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)widen, SQL_NTS)));
        if (fx::configured_dialect() == fx::dialect::sqlite)
            REQUIRE(SQL_SUCCEEDED(SQLExecDirect(
                st, (SQLCHAR *)"CREATE TABLE fx_notes (id INTEGER PRIMARY KEY, label VARCHAR(50) NOT NULL)",
                SQL_NTS)));
        SQLFreeHandle(SQL_HANDLE_STMT, st);
    }
    const unsigned long long before = version();
    REQUIRE(odbctx_schema_changed(odbctx::current().handle()) == ODBCTX_OK);
    REQUIRE(version() != before);
    REQUIRE(notes.create(odbctx::set(&fxs::note::label, label(20))).id != 0);
}

TEST_CASE("schema cache: DDL and its rollback give new versions", "[factory][schema-cache]")
{
    auto &s = odbctx::current();
    const unsigned long long v0 = version();
    fx::users.create();
    REQUIRE(version() == v0);
    create_notes(5);
    const unsigned long long v1 = version();
    REQUIRE(v1 != v0);
    REQUIRE(s.rollback());
    // On PostgreSQL and SQLite the app rollback undid the CREATE TABLE.
    REQUIRE(version() != v1);
    REQUIRE(odbctx_schema_changed(nullptr) == ODBCTX_EARG);
    REQUIRE(odbctx_schema_version(nullptr) == 0);
}
