// operator<< for odbctx::expected, for the test frameworks that print values
// through streams (doctest, Boost.Test): the value when there is one, the
// error when there is not, "ok" for expected<void>. Catch2 and GoogleTest
// have printers of their own (catch2.hpp, gtest.hpp) that do the same in
// their own formats.
#ifndef ODBCTX_DETAIL_PRINT_HPP
#define ODBCTX_DETAIL_PRINT_HPP

#include <odbctx/expected.hpp>

#include <ostream>
#include <type_traits>

namespace odbctx {
template <class T>
std::ostream &operator<<(std::ostream &os, const expected<T> &r)
{
    if (!r.has_value())
        return os << "error: " << r.error().to_string();
    if constexpr (std::is_void_v<T>)
        return os << "ok";
    else
        return os << *r;
}
} // namespace odbctx

#endif
