// Mapped rows read back into T, through odbctx::current(), with the
// table<T> mapping the factories use: what the seed recipe does with
// session.query(Author).filter_by(name="foobar").one_or_none().
//
//   std::optional<author> a = odbctx::find<author>(id);            // by the key
//   std::vector<author> v = odbctx::rows<author>("name = ?", "foobar");
//   std::optional<author> o = odbctx::one_or_none<author>("email = ?", email);
//   long long n = odbctx::count<author>("name LIKE ?", "A%");
//
// The condition is SQL after WHERE ("" for every row), its '?' markers
// take the values after it, bound as session::exec binds them. Rows come
// in the order the database returns them; add "ORDER BY ..." to the
// condition for another ("1 = 1 ORDER BY name"). Failures throw
// odbctx::error_exception: a statement the database refuses, a value that
// does not fit its member (a NULL into a member that is not
// std::optional, a number out of range), more than one row for
// one_or_none or find.
#ifndef ODBCTX_ROWS_HPP
#define ODBCTX_ROWS_HPP

#include <odbctx/detail/params.hpp>
#include <odbctx/registry.hpp>
#include <odbctx/table.hpp>

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace odbctx {

namespace detail {

// One column of the current row, read into a value of the kinds table<T>
// maps (cpp/rows.cpp); each returns false for NULL. column names the
// column in messages.
struct row_reader {
    SQLHSTMT st;
    const char *type;  // T's name
    const char *table; // for messages
    ODBCTX_API bool integer(SQLUSMALLINT i, const char *column, long long &v) const;
    ODBCTX_API bool unsigned_integer(SQLUSMALLINT i, const char *column,
                                     unsigned long long &v) const;
    ODBCTX_API bool boolean(SQLUSMALLINT i, const char *column, bool &v) const;
    ODBCTX_API bool real(SQLUSMALLINT i, const char *column, double &v) const;
    ODBCTX_API bool text(SQLUSMALLINT i, const char *column, std::string &v) const;
    ODBCTX_API bool bytes(SQLUSMALLINT i, const char *column, std::vector<unsigned char> &v) const;
    ODBCTX_API bool date(SQLUSMALLINT i, const char *column, SQL_DATE_STRUCT &v) const;
    ODBCTX_API bool timestamp(SQLUSMALLINT i, const char *column, SQL_TIMESTAMP_STRUCT &v) const;
    [[noreturn]] ODBCTX_API void fail(const char *column, const std::string &what) const;
};

// Runs sql with params on the current session, calls each_row(reader)
// per row; rethrows what each_row threw.
ODBCTX_API void read_rows(const std::string &sql, const odbctx_param *params, std::size_t n,
                          const char *type, const char *table,
                          void (*each_row)(void *ctx, const row_reader &r), void *ctx);

template <class V>
bool read_value(const row_reader &r, SQLUSMALLINT i, const char *column, V &dst)
{
    using B = binder<V>;
    if constexpr (B::kind == value_kind::integer) {
        long long v = 0;
        if (!r.integer(i, column, v))
            return false;
        if (!std::in_range<V>(v))
            r.fail(column, "the value " + std::to_string(v) + " does not fit the member's type");
        dst = static_cast<V>(v);
    } else if constexpr (B::kind == value_kind::uinteger) {
        unsigned long long v = 0;
        if (!r.unsigned_integer(i, column, v))
            return false;
        dst = static_cast<V>(v);
    } else if constexpr (B::kind == value_kind::boolean) {
        if (!r.boolean(i, column, dst))
            return false;
    } else if constexpr (B::kind == value_kind::real) {
        double v = 0;
        if (!r.real(i, column, v))
            return false;
        dst = static_cast<V>(v);
    } else if constexpr (B::kind == value_kind::text) {
        if (!r.text(i, column, dst))
            return false;
    } else if constexpr (B::kind == value_kind::bytes) {
        std::vector<unsigned char> v;
        if (!r.bytes(i, column, v))
            return false;
        dst.assign(reinterpret_cast<const typename V::value_type *>(v.data()),
                   reinterpret_cast<const typename V::value_type *>(v.data() + v.size()));
    } else if constexpr (B::kind == value_kind::date) {
        SQL_DATE_STRUCT d{};
        if (!r.date(i, column, d))
            return false;
        const std::chrono::year_month_day ymd{std::chrono::year{d.year}, std::chrono::month{d.month},
                                              std::chrono::day{d.day}};
        if constexpr (std::is_same_v<V, std::chrono::year_month_day>)
            dst = ymd;
        else
            dst = V{std::chrono::sys_days{ymd}.time_since_epoch()};
    } else {
        static_assert(B::kind == value_kind::timestamp);
        SQL_TIMESTAMP_STRUCT t{};
        if (!r.timestamp(i, column, t))
            return false;
        using namespace std::chrono;
        const sys_days day{year_month_day{year{t.year}, month{t.month}, std::chrono::day{t.day}}};
        const auto since = day.time_since_epoch() + hours{t.hour} + minutes{t.minute} +
                           seconds{t.second} + nanoseconds{t.fraction};
        dst = V{duration_cast<typename V::duration>(since)};
    }
    return true;
}

template <class T>
void read_row(const row_reader &r, T &obj)
{
    SQLUSMALLINT i = 1;
    for_each_column<T>([&](const auto &c) {
        using M = typename std::remove_cvref_t<decltype(c)>::member_type;
        M &dst = obj.*(c.member);
        if constexpr (is_optional<M>) {
            typename M::value_type v{};
            if (read_value(r, i, c.name, v))
                dst = std::move(v);
            else
                dst.reset();
        } else if (!read_value(r, i, c.name, dst)) {
            r.fail(c.name, "NULL into a member that is not std::optional");
        }
        ++i;
    });
}

template <class T>
std::string select_sql(std::string_view where)
{
    std::string sql = "SELECT ";
    bool first = true;
    for_each_column<T>([&](const auto &c) {
        if (!first)
            sql += ", ";
        sql += c.name;
        first = false;
    });
    sql += " FROM ";
    sql += table<T>::name;
    if (!where.empty()) {
        sql += " WHERE ";
        sql += where;
    }
    return sql;
}

template <class T>
const char *key_column()
{
    const char *name = nullptr;
    for_each_column<T>([&](const auto &c) {
        if constexpr (std::remove_cvref_t<decltype(c)>::is_key)
            name = c.name;
    });
    return name;
}

} // namespace detail

template <class T, class... A>
std::vector<T> rows(std::string_view where = {}, const A &...args)
{
    static_assert(detail::check_table<T>());
    static constexpr std::string_view type = detail::type_name<T>();
    const std::string type_s(type);
    detail::param_storage room[sizeof...(A) + 1];
    std::size_t i = 0;
    const odbctx_param params[sizeof...(A) + 1] = {detail::to_param(args, room[i++])...,
                                                   odbctx_param_null()};
    (void)i;
    (void)room;
    std::vector<T> out;
    detail::read_rows(
        detail::select_sql<T>(where), params, sizeof...(A), type_s.c_str(), table<T>::name,
        [](void *ctx, const detail::row_reader &r) {
            auto &v = *static_cast<std::vector<T> *>(ctx);
            detail::read_row(r, v.emplace_back());
        },
        &out);
    return out;
}

template <class T, class... A>
std::optional<T> one_or_none(std::string_view where, const A &...args)
{
    std::vector<T> v = rows<T>(where, args...);
    if (v.size() > 1)
        throw error_exception(error::make(
            ODBCTX_ESTATE, "one_or_none<" + std::string(detail::type_name<T>()) + ">: " +
                               std::to_string(v.size()) + " rows of " + table<T>::name +
                               " match \"" + std::string(where) + "\", not one or none"));
    if (v.empty())
        return std::nullopt;
    return std::move(v[0]);
}

// By the key(...) column of table<T>.
template <class T>
std::optional<T> find(long long key)
{
    static_assert(detail::has_key<T>, "odbctx::find<T>: table<T> needs a key(...) column");
    return one_or_none<T>(std::string(detail::key_column<T>()) + " = ?", key);
}

template <class T, class... A>
long long count(std::string_view where = {}, const A &...args)
{
    static_assert(detail::check_table<T>());
    std::string sql = std::string("SELECT COUNT(*) FROM ") + table<T>::name;
    if (!where.empty())
        sql += " WHERE " + std::string(where);
    auto r = [&] {
        if constexpr (sizeof...(A) == 0)
            return current().query_int(sql);
        else
            return current().query_int(sql, args...);
    }();
    if (!r)
        throw error_exception(r.error());
    return *r;
}

} // namespace odbctx

#endif
