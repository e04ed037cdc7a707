// The example suite's main: Catch2, the odbctx integration, the schema of the
// database the suite runs on, capture for the legacy module, and the report
// that `make example` ends with.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "report.hpp"

using inventory::test::isolation_report;
CATCH_REGISTER_LISTENER(isolation_report)

// After the report's registration on purpose: Catch2 calls listeners in the
// order they were registered, and the report must look at each test run just
// before odbctx rolls it back and before the next one begins (report.hpp).
#include <odbctx/catch2.hpp>

#include <odbctx.h>

// The databases disagree on how a key is generated, so the schema comes in
// one spelling per database (examples/schema/sqlite.sql, postgresql.sql,
// mariadb.sql); {dbms} picks the one of the database the suite is on. The
// path is relative to this file.
ODBCTX_SUITE_SCHEMA("../schema/{dbms}.sql");

ODBCTX_SUITE_SETUP(s)
{
    // Suite-wide data: the shop's walk-in customer exists in every test and
    // no test can remove it for good.
    s.exec("INSERT INTO customers (name, email) VALUES ('Walk-in customer', 'counter@shop.example')")
        .value();

    // From here on the legacy module's commits, rollbacks, textual COMMITs
    // and autocommit become savepoint operations in the running test, and
    // the low-stock report's own connection ("...inventory-report...")
    // joins the session instead of opening a second transaction.
    if (odbctx_capture_start(s.handle(), "inventory-report") != ODBCTX_OK)
        throw odbctx::error_exception(s.last_error());
}
