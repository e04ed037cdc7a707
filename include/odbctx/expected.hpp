// odbctx::expected<T>: std::expected<T, odbctx::error> where the standard
// library has it (C++23: GCC 12+ with -std=c++23), otherwise
// tl::expected<T, odbctx::error> when <tl/expected.hpp> (TartanLlama's
// expected, C++17) is on the include path.
//
// Only what both share is part of odbctx's API: has_value(), operator bool,
// *, ->, value() (throws the library's bad_expected_access), error(),
// value_or(); construct failures with odbctx::unexpected{error}.
//
// libodbctx++.so exports no function that takes or returns an expected:
// everything that does is inline in the headers, so a C++17 program links
// against the same library as a C++23 one. Under tl those inline functions
// carry an ABI tag (ODBCTX_EXPECTED_ABI), so that a program mixing both kinds
// of translation unit gets two distinct sets of symbols instead of an ODR
// clash.
#ifndef ODBCTX_EXPECTED_HPP
#define ODBCTX_EXPECTED_HPP

#include <odbctx/error.hpp>

#if __has_include(<version>)
#include <version>
#endif

// GCC 12 reports __cplusplus as 202100L under -std=c++23, so the feature
// macro, not __cplusplus, says whether std::expected exists.
#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L

#include <expected>

namespace odbctx {
template <class T>
using expected = std::expected<T, error>;
using unexpected = std::unexpected<error>;
} // namespace odbctx

#define ODBCTX_EXPECTED_ABI

#elif __has_include(<tl/expected.hpp>)

#include <tl/expected.hpp>

namespace odbctx {
template <class T>
using expected = tl::expected<T, error>;
using unexpected = tl::unexpected<error>;
} // namespace odbctx

#if defined(__GNUC__)
#define ODBCTX_EXPECTED_ABI __attribute__((abi_tag("odbctx_tl")))
#else
#define ODBCTX_EXPECTED_ABI
#endif

#else
#error "odbctx needs an expected type: compile with C++23 and a standard library that has std::expected (GCC 12+: -std=c++23), or put TartanLlama's <tl/expected.hpp> on the include path (C++17 or later)."
#endif

#endif
