// The children suite under the GoogleTest integration (see children.hpp).
#include <gtest/gtest.h>
#include <odbctx/gtest.hpp>

#define CH_TEST(id, description, tags) TEST(Children, id)
#define CH_EQ(a, b) EXPECT_EQ(a, b)
#define CH_REQUIRE_EQ(a, b) ASSERT_EQ(a, b)
#define CH_INFO(text) SCOPED_TRACE(text)

#include "cases.hpp"
