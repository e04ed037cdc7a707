// odbctx for C++: everything but the test-framework integrations, which are
// included on their own (<odbctx/catch2.hpp>, <odbctx/gtest.hpp>).
//
// Needs C++23 with std::expected, or C++17 with <tl/expected.hpp>
// (odbctx/expected.hpp); the factories (table, factory, fake) need C++20 and
// are left out below it. Link with libodbctx++ and libodbctx
// (pkg-config --cflags --libs odbctx++).
#ifndef ODBCTX_HPP
#define ODBCTX_HPP

#include <odbctx.h>
#include <odbctx/error.hpp>
#include <odbctx/expected.hpp>
#include <odbctx/session.hpp>
#include <odbctx/guards.hpp>
#include <odbctx/registry.hpp>
#include <odbctx/suite.hpp>

#if __cplusplus >= 202002L
#include <odbctx/table.hpp>
#include <odbctx/fake.hpp>
#include <odbctx/factory.hpp>
#include <odbctx/rows.hpp>
#endif

#endif
