// odbctx::table<T>: how a plain struct maps to a table, declared in one
// short specialisation next to the struct:
//
//   struct user {
//       long long id = 0;
//       std::string name;
//       std::optional<std::string> email;   // nullable column
//   };
//   template <> struct odbctx::table<user> : odbctx::mapping<user> {
//       static constexpr auto name = "users";
//       static constexpr auto columns = std::tuple{
//           key(&user::id, "id"), col(&user::name, "name"), col(&user::email, "email")};
//   };
//
// key(...) marks the one column (at most) whose value the database
// generates: it is left out of INSERTs and read back afterwards (RETURNING
// on PostgreSQL and MariaDB 10.5+, last_insert_rowid() on SQLite,
// LAST_INSERT_ID() on older MariaDB and MySQL). Its member must be an
// integer or a std::optional of one. On SQLite the key must be the
// INTEGER PRIMARY KEY column (an alias of the rowid).
//
// Names are used in SQL as written: quote them yourself where the database
// needs it ("\"order\"" on PostgreSQL and SQLite).
//
// Member types, and how they are sent (std::optional<X> of any of them is
// sent as NULL when empty):
//   integers (not char)                    SQL_BIGINT
//   bool                                   SQL_BIT
//   float, double                          SQL_DOUBLE
//   std::string (UTF-8)                    SQL_VARCHAR
//   std::vector<std::byte>,
//   std::vector<unsigned char>             SQL_VARBINARY
//   std::chrono::sys_days, year_month_day  SQL_TYPE_DATE
//   std::chrono::sys_time<D>, local_time<D>
//     for D of seconds or finer            SQL_TYPE_TIMESTAMP (fields as UTC /
//                                          local wall-clock time, no zone)
#ifndef ODBCTX_TABLE_HPP
#define ODBCTX_TABLE_HPP

#include <odbctx/detail/bind.hpp>

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace odbctx {

// Unspecialised: T is not mapped. Specialise it as shown above, or declare
// the mapping next to T with ODBCTX_TABLE (below).
template <class T>
struct table {
    using odbctx_unmapped = void;
};

namespace detail {
// A mapping ODBCTX_TABLE declared in T's own namespace, found through T
// (argument-dependent lookup): a function declared there returns it.
template <class T>
concept adl_mapped = requires(T *p) { odbctx_table(p); };
} // namespace detail

template <class T>
    requires detail::adl_mapped<T>
struct table<T> : decltype(odbctx_table(static_cast<T *>(nullptr))) {
};

// One mapped column: the member and the column's name.
template <class T, class M, bool Key>
struct column {
    using owner_type = T;
    using member_type = M;
    static constexpr bool is_key = Key;

    M T::*member;
    const char *name;
};

// The base of a table<T> specialisation: brings col() and key() into scope.
template <class T>
struct mapping {
    using odbctx_type = T; // what ODBCTX_COL and ODBCTX_KEY name members of

    template <class M, class U>
        requires std::is_base_of_v<U, T>
    static constexpr column<T, M, false> col(M U::*member, const char *name) noexcept
    {
        static_assert(detail::bindable<M>,
                      "odbctx::mapping<T>::col: this member's type cannot be stored; use an "
                      "integer, bool, float/double, std::string, std::vector<std::byte>, "
                      "std::vector<unsigned char>, std::chrono::sys_days/year_month_day, "
                      "std::chrono::sys_time<seconds or finer>, or std::optional of one");
        return {static_cast<M T::*>(member), name};
    }

    template <class M, class U>
        requires std::is_base_of_v<U, T>
    static constexpr column<T, M, true> key(M U::*member, const char *name) noexcept
    {
        static_assert(detail::key_type<M>,
                      "odbctx::mapping<T>::key: a generated key must be an integer member "
                      "(or std::optional of one)");
        return {static_cast<M T::*>(member), name};
    }
};

namespace detail {

template <class T>
concept mapped = !requires { typename table<T>::odbctx_unmapped; };

template <class C>
inline constexpr bool is_column = false;
template <class T, class M, bool K>
inline constexpr bool is_column<column<T, M, K>> = true;

constexpr bool same_name(const char *a, const char *b)
{
    if (a == nullptr || b == nullptr)
        return a == b;
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

template <class T>
constexpr auto &columns_of()
{
    return table<T>::columns;
}

template <class T>
constexpr std::size_t column_count()
{
    return std::tuple_size_v<std::remove_cvref_t<decltype(table<T>::columns)>>;
}

template <class T, std::size_t... I>
constexpr bool columns_belong(std::index_sequence<I...>)
{
    using tuple = std::remove_cvref_t<decltype(table<T>::columns)>;
    return (... && (is_column<std::tuple_element_t<I, tuple>> &&
                    std::is_same_v<typename std::tuple_element_t<I, tuple>::owner_type, T>));
}

template <class T, std::size_t... I>
constexpr std::size_t key_count(std::index_sequence<I...>)
{
    using tuple = std::remove_cvref_t<decltype(table<T>::columns)>;
    return (std::size_t{0} + ... + (std::tuple_element_t<I, tuple>::is_key ? 1 : 0));
}

template <class T, std::size_t... I>
constexpr bool names_unique(std::index_sequence<I...>)
{
    const char *names[] = {std::get<I>(table<T>::columns).name..., nullptr};
    constexpr std::size_t n = sizeof...(I);
    for (std::size_t i = 0; i < n; ++i) {
        if (names[i] == nullptr || names[i][0] == '\0')
            return false;
        for (std::size_t j = i + 1; j < n; ++j)
            if (same_name(names[i], names[j]))
                return false;
    }
    return true;
}

template <class T>
constexpr bool has_name()
{
    if constexpr (requires { std::string_view(table<T>::name); })
        return !std::string_view(table<T>::name).empty();
    else
        return false;
}

// Checks a mapping at compile time; the first failing assertion names the
// problem, and the compiler's "required from" note names T.
template <class T>
constexpr bool check_table()
{
    static_assert(mapped<T>,
                  "odbctx: this type has no odbctx::table<T>: declare "
                  "template <> struct odbctx::table<T> : odbctx::mapping<T> { static constexpr "
                  "auto name = \"...\"; static constexpr auto columns = std::tuple{...}; };");
    if constexpr (mapped<T>) {
        static_assert(has_name<T>(),
                      "odbctx::table<T>: needs static constexpr auto name = \"table_name\";");
        static_assert(requires { table<T>::columns; },
                      "odbctx::table<T>: needs static constexpr auto columns = std::tuple{col(...), "
                      "...};");
        constexpr auto seq = std::make_index_sequence<column_count<T>()>{};
        static_assert(columns_belong<T>(seq),
                      "odbctx::table<T>: every entry of columns must be col(&T::member, \"name\") "
                      "or key(&T::member, \"name\") of this T");
        static_assert(key_count<T>(seq) <= 1, "odbctx::table<T>: at most one key(...) column");
        static_assert(names_unique<T>(seq),
                      "odbctx::table<T>: column names must be non-empty and unique");
    }
    return true;
}

template <class T>
inline constexpr bool has_key = [] {
    return key_count<T>(std::make_index_sequence<column_count<T>()>{}) == 1;
}();

// Calls f(column) for each mapped column in declaration order.
template <class T, class F>
constexpr void for_each_column(F &&f)
{
    std::apply([&](const auto &...c) { (f(c), ...); }, table<T>::columns);
}

// T's name for messages, e.g. "user" or "app::order".
template <class T>
constexpr std::string_view type_name()
{
#if defined(__clang__) || defined(__GNUC__)
    std::string_view p = __PRETTY_FUNCTION__;
    const auto start = p.find("T = ");
    if (start == std::string_view::npos)
        return "T";
    p.remove_prefix(start + 4);
    const auto end = p.find_first_of(";]");
    return p.substr(0, end);
#else
    return "T";
#endif
}

} // namespace detail
} // namespace odbctx

// The short form: each column spelled once, the mapping declared in T's
// own namespace, with the same checks as a table<T> specialisation.
//
//   namespace shop {
//   struct author { long long id = 0; std::string name, email; };
//   ODBCTX_TABLE(author, "authors", ODBCTX_KEY(id), ODBCTX_COL(name), ODBCTX_COL(email));
//   }
//
// T is the struct's unqualified name, in the namespace that declares it.
// ODBCTX_COL(m) is col(&T::m, "m"), ODBCTX_KEY(m) key(&T::m, "m"); where
// the column's name differs from the member's, write col(&T::m, "c").
#define ODBCTX_COL(member) col(&odbctx_type::member, #member)
#define ODBCTX_KEY(member) key(&odbctx_type::member, #member)
#define ODBCTX_TABLE(T, table_name, ...)                                                       \
    struct odbctx_table_##T : ::odbctx::mapping<T> {                                            \
        static constexpr auto name = table_name;                                               \
        static constexpr auto columns = std::tuple{__VA_ARGS__};                               \
    };                                                                                         \
    odbctx_table_##T odbctx_table(T *)

#endif
