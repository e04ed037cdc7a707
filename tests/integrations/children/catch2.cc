// The children suite under the Catch2 integration (see children.hpp).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <odbctx/catch2.hpp>

#define CH_TEST(id, description, tags) TEST_CASE(description, tags)
#define CH_EQ(a, b) CHECK(a == b)
#define CH_REQUIRE_EQ(a, b) REQUIRE(a == b)
#define CH_INFO(text) INFO(text)

#include "cases.hpp"
