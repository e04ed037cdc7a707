// The factory tests: one Catch2 binary with the odbctx integration, so every
// test runs in its own transaction on the session of ODBCTX_CONNECT, and
// factories reach it through odbctx::current().
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <odbctx/catch2.hpp>

#include "helpers.hpp"

namespace {

// Generated keys differ per dialect; everything else is common SQL. Tables
// are prefixed fx_ so that suites sharing a server do not collide.
const char *const schema = R"(
CREATE TABLE fx_users (
    id {KEY},
    name VARCHAR(40) NOT NULL,
    login VARCHAR(40) NOT NULL UNIQUE,
    email VARCHAR(80),
    age SMALLINT NOT NULL,
    admin BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL
);
CREATE TABLE fx_posts (
    id {KEY},
    author_id BIGINT NOT NULL,
    title VARCHAR(200) NOT NULL,
    body TEXT
);
CREATE TABLE fx_samples (
    id {KEY},
    i16 SMALLINT NOT NULL,
    i32 INTEGER NOT NULL,
    i64 BIGINT NOT NULL,
    u32 BIGINT NOT NULL,
    real_value DOUBLE PRECISION NOT NULL,
    single_value REAL NOT NULL,
    flag BOOLEAN NOT NULL,
    text_value VARCHAR(100) NOT NULL,
    maybe_text VARCHAR(100),
    maybe_int INTEGER,
    at_s {TIMESTAMP},
    at_ms {TIMESTAMP},
    on_day DATE,
    on_ymd DATE,
    bin1 {BYTES},
    bin2 {BYTES}
);
CREATE TABLE fx_items (
    code VARCHAR(20) NOT NULL UNIQUE,
    qty INTEGER NOT NULL
);
CREATE TABLE fx_strict (
    id {KEY},
    name VARCHAR(10) NOT NULL,
    secret VARCHAR(10) NOT NULL
);
CREATE TABLE fx_prices (
    id {KEY},
    price NUMERIC(5,2) NOT NULL,
    tiny SMALLINT NOT NULL
);
CREATE TABLE my_model (
    id {KEY},
    name VARCHAR(40) NOT NULL
);
CREATE TABLE fx_bulk (
    id {KEY},
    n INTEGER NOT NULL,
    label VARCHAR(40) NOT NULL
);
)";

[[maybe_unused]] const bool registered =
    (odbctx::suite::add_schema_script(fx::for_dialect(schema), "tests/cpp/factory schema"), true);

} // namespace
