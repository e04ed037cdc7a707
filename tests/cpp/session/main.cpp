// The C++ layer's tests. This file turns on the Catch2 integration for the
// whole binary and declares the suite's schema and suite-wide rows; every
// test reaches the suite's session through odbctx::current().
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <odbctx/catch2.hpp>

#include "helpers.hpp"

#ifndef ODBCTX_SOURCE_DIR
#define ODBCTX_SOURCE_DIR "." // the Makefile passes the source tree's path
#endif

// The schema: a file, then a script given in code, applied in this order.
ODBCTX_SUITE_SCHEMA(ODBCTX_SOURCE_DIR "/tests/cpp/session/schema.sql");

namespace {
[[maybe_unused]] const bool schema_script = (odbctx::suite::add_schema_script(
                                                 "CREATE TABLE cpp_currency (code VARCHAR(3) PRIMARY KEY)",
                                                 "tests/cpp/session main.cpp"),
                                             true);
} // namespace

// Suite-wide rows: every test sees them, none can remove them for good.
ODBCTX_SUITE_SETUP(s)
{
    for (const char *code : {"EUR", "NOK", "USD"})
        t::exec(s, std::string("INSERT INTO cpp_currency (code) VALUES ('") + code + "')");
}
