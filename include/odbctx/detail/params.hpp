// The values of session::exec(sql, args...) and query_int(sql, args...),
// as odbctx_param (odbctx.h): the types a table<T> column binds
// (detail/bind.hpp), plus string views and C strings for text, and
// std::nullopt or an empty std::optional for NULL.
#ifndef ODBCTX_DETAIL_PARAMS_HPP
#define ODBCTX_DETAIL_PARAMS_HPP

#include <odbctx.h>
#include <odbctx/detail/bind.hpp>

#include <optional>
#include <string_view>
#include <type_traits>

namespace odbctx::detail {

// Room for one fixed-size value while the call runs.
struct param_storage {
    alignas(8) unsigned char bytes[sizeof(SQL_TIMESTAMP_STRUCT)];
};

template <class V>
inline constexpr bool dependent_false = false;

template <class V>
odbctx_param to_param(const V &v, param_storage &room)
{
    if constexpr (std::is_same_v<V, std::nullopt_t> || std::is_same_v<V, std::nullptr_t>) {
        return odbctx_param_null();
    } else if constexpr (is_optional<V>) {
        return v ? to_param(*v, room) : odbctx_param_null();
    } else if constexpr (std::is_convertible_v<const V &, std::string_view> &&
                         !std::is_same_v<V, std::vector<unsigned char>>) {
        const std::string_view t(v);
        // Not the data pointer of an empty view, which may be null: NULL is
        // not the empty string.
        return odbctx_param{SQL_C_CHAR, SQL_VARCHAR, 0, 0, t.empty() ? "" : t.data(),
                            static_cast<SQLLEN>(t.size())};
    } else if constexpr (bindable_value<V>) {
        using B = binder<V>;
        if constexpr (variable_width<V>) {
            static const unsigned char none = 0;
            return odbctx_param{B::ctype, B::sqltype, 0, 0,
                                v.empty() ? static_cast<const void *>(&none)
                                          : static_cast<const void *>(v.data()),
                                static_cast<SQLLEN>(v.size())};
        } else {
            static_assert(sizeof(room.bytes) >= static_cast<std::size_t>(B::width));
            B::put(v, room.bytes);
            return odbctx_param{B::ctype, B::sqltype, B::size, B::digits, room.bytes, B::width};
        }
    } else {
        static_assert(dependent_false<V>,
                      "odbctx: a parameter is an integer, bool, floating point, text "
                      "(std::string, std::string_view, const char *), bytes "
                      "(std::vector<std::byte>), a std::chrono date or time point, "
                      "std::optional of one, or std::nullopt");
        return {};
    }
}

} // namespace odbctx::detail

#endif
