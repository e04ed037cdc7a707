// The checks a batch passes before anything is sent, so that a bad value
// fails with its type, field and row named instead of as the driver's
// error about "a value" somewhere in an array.
#include "factory/odbc.hpp"

#include <odbctx/error.hpp>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace odbctx::detail::factory_impl {
namespace {

std::size_t utf8_length(const unsigned char *p, std::size_t bytes)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < bytes; ++i)
        if ((p[i] & 0xc0) != 0x80)
            ++n;
    return n;
}

std::string preview(const unsigned char *p, std::size_t bytes)
{
    std::string s(reinterpret_cast<const char *>(p), std::min<std::size_t>(bytes, 24));
    if (bytes > 24)
        s += "...";
    return "\"" + s + "\"";
}

struct int_range {
    bool known = false;
    long double lo = 0, hi = 0;
};

int_range integer_range(SQLSMALLINT type, bool is_unsigned, dialect d)
{
    auto r = [](long double lo, long double hi) { return int_range{true, lo, hi}; };
    switch (type) {
    case SQL_TINYINT:
        return is_unsigned ? r(0, 255) : r(-128, 127);
    case SQL_SMALLINT:
        return is_unsigned ? r(0, 65535) : r(-32768, 32767);
    case SQL_INTEGER:
        // SQLite's INTEGER holds 64 bits whatever the declaration says.
        if (d == dialect::sqlite)
            return r(static_cast<long double>(INT64_MIN), static_cast<long double>(INT64_MAX));
        return is_unsigned ? r(0, 4294967295.0L) : r(-2147483648.0L, 2147483647.0L);
    case SQL_BIGINT:
        return is_unsigned ? r(0, 18446744073709551615.0L)
                           : r(static_cast<long double>(INT64_MIN),
                               static_cast<long double>(INT64_MAX));
    default:
        return {};
    }
}

[[noreturn]] void out_of_range(const insert_job &job, const param_column &c,
                               const column_meta &m, std::size_t row, const std::string &value)
{
    raise(ODBCTX_EARG,
          field(job, c.column) + ": value " + value + " is out of range for " + m.type_text +
              where(job, row),
          "22003");
}

// shown() formats the value for the message: only once it is known to be
// out of range, as formatting every double of a batch cost more than the
// checks themselves.
template <class Shown>
void check_number(const insert_job &job, const param_column &c, const column_meta &m,
                  dialect d, std::size_t row, long double v, Shown shown)
{
    if (const int_range r = integer_range(m.type, m.is_unsigned, d); r.known) {
        const long double rounded = std::nearbyint(v);
        if (rounded < r.lo || rounded > r.hi)
            out_of_range(job, c, m, row, shown());
        return;
    }
    if (m.precision > 0) {
        // The value rounded to the column's scale needs at most
        // precision - scale digits before the point.
        const long double scaled = std::nearbyint(std::fabs(v) * std::pow(10.0L, m.scale));
        if (scaled >= std::pow(10.0L, m.precision))
            out_of_range(job, c, m, row, shown());
        return;
    }
    if (m.type == SQL_REAL && std::isfinite(v) && std::fabs(v) > FLT_MAX)
        out_of_range(job, c, m, row, shown());
}

} // namespace

void check_values(const insert_job &job, const table_meta &meta, dialect d)
{
    for (const param_column &c : job.columns) {
        // The last column of that name, as both lists hold the mapping's
        // own name pointers: compared as pointers first, which spares most
        // of a strcmp per column pair on every create().
        const column_meta *m = nullptr;
        for (std::size_t i = job.all_columns.size(); i-- > 0;)
            if (job.all_columns[i] == c.column || std::strcmp(job.all_columns[i], c.column) == 0) {
                m = &meta.columns[i];
                break;
            }
        if (m == nullptr)
            continue;
        // A column whose range holds every value of the parameter's type
        // (a 64-bit integer into BIGINT, or into any integer on SQLite)
        // needs no check of its values, only of its NULLs.
        bool any_value = false;
        if (c.kind == value_kind::integer || c.kind == value_kind::uinteger) {
            const int_range r = integer_range(m->type, m->is_unsigned, d);
            any_value = r.known && (c.kind == value_kind::integer
                                        ? r.lo <= static_cast<long double>(INT64_MIN) &&
                                              r.hi >= static_cast<long double>(INT64_MAX)
                                        : r.lo <= 0 && r.hi >= 18446744073709551615.0L);
        }
        for (std::size_t row = 0; row < job.rows; ++row) {
            const SQLLEN ind = c.ind[row];
            const unsigned char *p = c.data.data() + row * static_cast<std::size_t>(c.width);
            if (ind == SQL_NULL_DATA) {
                if (m->nullable == SQL_NO_NULLS)
                    raise(ODBCTX_EARG,
                          field(job, c.column) +
                              ": NULL (an empty std::optional) into a NOT NULL column" +
                              where(job, row),
                          "23000");
                continue;
            }
            switch (c.kind) {
            case value_kind::text: {
                const auto bytes = static_cast<std::size_t>(ind);
                // No more characters than bytes: most strings need no count.
                if (m->text_limit > 0 && bytes > m->text_limit) {
                    const std::size_t chars = utf8_length(p, bytes);
                    if (chars > m->text_limit)
                        raise(ODBCTX_EARG,
                              field(job, c.column) + ": a string of " + std::to_string(chars) +
                                  " characters does not fit " + m->type_text + ": " +
                                  preview(p, bytes) + where(job, row),
                              "22001");
                }
                break;
            }
            case value_kind::bytes:
                if (m->bytes_limit > 0 && static_cast<std::size_t>(ind) > m->bytes_limit)
                    raise(ODBCTX_EARG,
                          field(job, c.column) + ": " + std::to_string(ind) +
                              " bytes do not fit " + m->type_text + where(job, row),
                          "22001");
                break;
            case value_kind::integer: {
                if (any_value)
                    break;
                std::int64_t v;
                std::memcpy(&v, p, 8);
                check_number(job, c, *m, d, row, static_cast<long double>(v),
                             [v] { return std::to_string(v); });
                break;
            }
            case value_kind::uinteger: {
                if (any_value)
                    break;
                std::uint64_t v;
                std::memcpy(&v, p, 8);
                check_number(job, c, *m, d, row, static_cast<long double>(v),
                             [v] { return std::to_string(v); });
                break;
            }
            case value_kind::real: {
                double v;
                std::memcpy(&v, p, 8);
                check_number(job, c, *m, d, row, static_cast<long double>(v), [v] {
                    char shown[64];
                    std::snprintf(shown, sizeof shown, "%.17g", v);
                    return std::string(shown);
                });
                break;
            }
            case value_kind::boolean:
            case value_kind::date:
            case value_kind::timestamp:
                break;
            }
        }
    }
}

} // namespace odbctx::detail::factory_impl
