// How member values become ODBC parameters: one binder per value type, and
// param_column, a column-wise buffer of one parameter for every row of an
// INSERT (the layout SQL_ATTR_PARAMSET_SIZE arrays need; a single row is an
// array of one). Internal to odbctx's factories.
#ifndef ODBCTX_DETAIL_BIND_HPP
#define ODBCTX_DETAIL_BIND_HPP

#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <ratio>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace odbctx::detail {

// What the value is, for the checks against the column that run before
// anything is sent (factory/insert.cpp reads data through this).
enum class value_kind : unsigned char {
    integer,   // data holds std::int64_t
    uinteger,  // data holds std::uint64_t
    real,      // data holds double
    boolean,   // data holds one unsigned char, 0 or 1
    text,      // UTF-8, NUL-terminated, ind = bytes
    bytes,     // ind = bytes
    date,      // SQL_DATE_STRUCT
    timestamp, // SQL_TIMESTAMP_STRUCT
};

// One parameter for every row of a batch.
struct param_column {
    const char *column = nullptr; // the mapped column name
    value_kind kind{};
    SQLSMALLINT ctype = 0;
    SQLSMALLINT sqltype = 0;
    SQLULEN size = 0;       // ColumnSize for SQLBindParameter
    SQLSMALLINT digits = 0; // DecimalDigits (fractional seconds)
    SQLLEN width = 0;       // bytes per row in data
    std::vector<unsigned char> data;
    std::vector<SQLLEN> ind; // per row: byte length, or SQL_NULL_DATA
};

template <class V>
inline constexpr bool is_optional = false;
template <class V>
inline constexpr bool is_optional<std::optional<V>> = true;

template <class V>
struct unwrap_optional {
    using type = V;
};
template <class V>
struct unwrap_optional<std::optional<V>> {
    using type = V;
};

template <class V>
concept character_type =
    std::same_as<V, char> || std::same_as<V, wchar_t> || std::same_as<V, char8_t> ||
    std::same_as<V, char16_t> || std::same_as<V, char32_t>;

template <class V>
struct binder; // no binder: the type cannot be stored

template <class I>
    requires std::integral<I> && (!std::same_as<I, bool>) && (!character_type<I>)
struct binder<I> {
    static constexpr bool wide_unsigned = std::is_unsigned_v<I> && sizeof(I) == 8;
    static constexpr value_kind kind = wide_unsigned ? value_kind::uinteger : value_kind::integer;
    static constexpr SQLSMALLINT ctype = wide_unsigned ? SQL_C_UBIGINT : SQL_C_SBIGINT;
    static constexpr SQLSMALLINT sqltype = SQL_BIGINT;
    static constexpr SQLLEN width = 8;
    static constexpr SQLULEN size = 0;
    static constexpr SQLSMALLINT digits = 0;
    static void put(I v, unsigned char *p)
    {
        if constexpr (wide_unsigned) {
            const std::uint64_t u = v;
            std::memcpy(p, &u, 8);
        } else {
            const std::int64_t s = static_cast<std::int64_t>(v);
            std::memcpy(p, &s, 8);
        }
    }
};

template <>
struct binder<bool> {
    static constexpr value_kind kind = value_kind::boolean;
    static constexpr SQLSMALLINT ctype = SQL_C_BIT;
    static constexpr SQLSMALLINT sqltype = SQL_BIT;
    static constexpr SQLLEN width = 1;
    static constexpr SQLULEN size = 1;
    static constexpr SQLSMALLINT digits = 0;
    static void put(bool v, unsigned char *p) { *p = v ? 1 : 0; }
};

template <std::floating_point F>
struct binder<F> {
    static constexpr value_kind kind = value_kind::real;
    static constexpr SQLSMALLINT ctype = SQL_C_DOUBLE;
    static constexpr SQLSMALLINT sqltype = SQL_DOUBLE;
    static constexpr SQLLEN width = 8;
    static constexpr SQLULEN size = 0;
    static constexpr SQLSMALLINT digits = 0;
    static void put(F v, unsigned char *p)
    {
        const double d = static_cast<double>(v);
        std::memcpy(p, &d, 8);
    }
};

// Variable-length values: width is the longest value in the batch.
template <>
struct binder<std::string> {
    static constexpr value_kind kind = value_kind::text;
    static constexpr SQLSMALLINT ctype = SQL_C_CHAR;
    static constexpr SQLSMALLINT sqltype = SQL_VARCHAR;
    static constexpr SQLLEN width = 0;
    static constexpr SQLSMALLINT digits = 0;
    static std::size_t length(const std::string &v) { return v.size(); }
    static void put(const std::string &v, unsigned char *p)
    {
        std::memcpy(p, v.data(), v.size());
        p[v.size()] = 0;
    }
};

template <class B>
    requires std::same_as<B, std::byte> || std::same_as<B, unsigned char>
struct binder<std::vector<B>> {
    static constexpr value_kind kind = value_kind::bytes;
    static constexpr SQLSMALLINT ctype = SQL_C_BINARY;
    static constexpr SQLSMALLINT sqltype = SQL_VARBINARY;
    static constexpr SQLLEN width = 0;
    static constexpr SQLSMALLINT digits = 0;
    static std::size_t length(const std::vector<B> &v) { return v.size(); }
    static void put(const std::vector<B> &v, unsigned char *p)
    {
        if (!v.empty())
            std::memcpy(p, v.data(), v.size());
    }
};

struct date_binder {
    static constexpr value_kind kind = value_kind::date;
    static constexpr SQLSMALLINT ctype = SQL_C_TYPE_DATE;
    static constexpr SQLSMALLINT sqltype = SQL_TYPE_DATE;
    static constexpr SQLLEN width = sizeof(SQL_DATE_STRUCT);
    static constexpr SQLULEN size = 10;
    static constexpr SQLSMALLINT digits = 0;
    static void put_ymd(const std::chrono::year_month_day &d, unsigned char *p)
    {
        SQL_DATE_STRUCT s{};
        s.year = static_cast<SQLSMALLINT>(static_cast<int>(d.year()));
        s.month = static_cast<SQLUSMALLINT>(static_cast<unsigned>(d.month()));
        s.day = static_cast<SQLUSMALLINT>(static_cast<unsigned>(d.day()));
        std::memcpy(p, &s, sizeof s);
    }
};

template <>
struct binder<std::chrono::year_month_day> : date_binder {
    static void put(const std::chrono::year_month_day &d, unsigned char *p) { put_ymd(d, p); }
};

template <class Clock>
    requires std::same_as<Clock, std::chrono::system_clock> ||
             std::same_as<Clock, std::chrono::local_t>
struct binder<std::chrono::time_point<Clock, std::chrono::days>> : date_binder {
    static void put(std::chrono::time_point<Clock, std::chrono::days> d, unsigned char *p)
    {
        put_ymd(std::chrono::year_month_day{std::chrono::sys_days{d.time_since_epoch()}}, p);
    }
};

// Seconds or finer; the fraction travels in nanoseconds.
template <class Clock, class Rep, class Period>
    requires(std::same_as<Clock, std::chrono::system_clock> ||
             std::same_as<Clock, std::chrono::local_t>) &&
            (std::ratio_less_equal_v<Period, std::ratio<1>>)
struct binder<std::chrono::time_point<Clock, std::chrono::duration<Rep, Period>>> {
    static constexpr SQLSMALLINT fraction_digits =
        std::ratio_greater_equal_v<Period, std::ratio<1>>       ? 0
        : std::ratio_greater_equal_v<Period, std::milli>        ? 3
        : std::ratio_greater_equal_v<Period, std::micro>        ? 6
                                                                : 9;
    static constexpr value_kind kind = value_kind::timestamp;
    static constexpr SQLSMALLINT ctype = SQL_C_TYPE_TIMESTAMP;
    static constexpr SQLSMALLINT sqltype = SQL_TYPE_TIMESTAMP;
    static constexpr SQLLEN width = sizeof(SQL_TIMESTAMP_STRUCT);
    static constexpr SQLULEN size = fraction_digits == 0 ? 19 : 20 + fraction_digits;
    static constexpr SQLSMALLINT digits = fraction_digits;
    static void put(std::chrono::time_point<Clock, std::chrono::duration<Rep, Period>> t,
                    unsigned char *p)
    {
        using namespace std::chrono;
        const auto since = t.time_since_epoch();
        const auto day = floor<days>(since);
        const year_month_day ymd{sys_days{day}};
        const hh_mm_ss<nanoseconds> hms{duration_cast<nanoseconds>(since - day)};
        SQL_TIMESTAMP_STRUCT s{};
        s.year = static_cast<SQLSMALLINT>(static_cast<int>(ymd.year()));
        s.month = static_cast<SQLUSMALLINT>(static_cast<unsigned>(ymd.month()));
        s.day = static_cast<SQLUSMALLINT>(static_cast<unsigned>(ymd.day()));
        s.hour = static_cast<SQLUSMALLINT>(hms.hours().count());
        s.minute = static_cast<SQLUSMALLINT>(hms.minutes().count());
        s.second = static_cast<SQLUSMALLINT>(hms.seconds().count());
        s.fraction = static_cast<SQLUINTEGER>(hms.subseconds().count());
        std::memcpy(p, &s, sizeof s);
    }
};

template <class V>
concept bindable_value = requires {
    binder<V>::kind;
    binder<V>::put;
};

// A member type that can be stored: a bindable value or std::optional of one.
template <class M>
concept bindable = bindable_value<typename unwrap_optional<M>::type>;

template <class M>
concept key_type = std::integral<typename unwrap_optional<M>::type> &&
                   !std::same_as<typename unwrap_optional<M>::type, bool> &&
                   !character_type<typename unwrap_optional<M>::type>;

template <class V>
concept variable_width = (binder<V>::width == 0);

// Fills c with the parameter for member `member` (named `name`) of every
// row. c's buffers are reused as they are (assign, not reallocated when
// large enough): a factory's create() refills the same param_column on
// every call instead of allocating its vectors anew.
template <class T, class M>
void fill_param(param_column &c, std::span<const T> rows, M T::*member, const char *name)
{
    using V = typename unwrap_optional<M>::type;
    using B = binder<V>;
    c.column = name;
    c.kind = B::kind;
    c.ctype = B::ctype;
    c.sqltype = B::sqltype;
    c.digits = B::digits;
    c.ind.resize(rows.size());

    auto value_of = [&](const T &row) -> const V * {
        if constexpr (is_optional<M>)
            return (row.*member).has_value() ? &*(row.*member) : nullptr;
        else
            return &(row.*member);
    };

    if constexpr (variable_width<V>) {
        std::size_t longest = 0;
        for (const T &row : rows)
            if (const V *v = value_of(row))
                longest = std::max(longest, B::length(*v));
        // Text needs room for its terminator; every row gets the same room.
        c.width = static_cast<SQLLEN>(longest + 1);
        c.size = longest == 0 ? 1 : longest;
    } else {
        c.width = B::width;
        c.size = B::size;
    }
    c.data.assign(rows.size() * static_cast<std::size_t>(c.width), 0);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const V *v = value_of(rows[i]);
        unsigned char *p = c.data.data() + i * static_cast<std::size_t>(c.width);
        if (v == nullptr) {
            c.ind[i] = SQL_NULL_DATA;
            continue;
        }
        B::put(*v, p);
        if constexpr (variable_width<V>)
            c.ind[i] = static_cast<SQLLEN>(B::length(*v));
        else
            c.ind[i] = B::width;
    }
}

} // namespace odbctx::detail

#endif
