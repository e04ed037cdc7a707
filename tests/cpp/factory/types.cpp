// Every supported member type goes in and comes back unchanged, through
// both insert paths (parameter arrays and per-row statements).
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "model.hpp"

#include <odbctx/detail/insert.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

using namespace std::chrono;
using fx::sample;

namespace {

sample make_sample(int i)
{
    sample s;
    s.i16 = static_cast<short>(-32768 + i);
    s.i32 = 2147483647 - i;
    s.i64 = -9223372036854775807LL + i;
    s.u32 = 4294967295U - static_cast<unsigned>(i);
    s.real = 1.0 / 3.0 + i;
    s.single = 0.5f + static_cast<float>(i);
    s.flag = i % 2 == 0;
    s.text = "Zoë €" + std::to_string(i) + " O'Brien \"quoted\"";
    if (i % 2 == 0)
        s.maybe_text = "present";
    if (i % 3 == 0)
        s.maybe_int = -i;
    s.at = sys_days{2024y / February / 29} + 13h + 45min + 59s + seconds(i);
    s.at_ms = time_point_cast<milliseconds>(sys_days{1999y / December / 31} + 23h + 59min + 59s) +
              milliseconds(i);
    s.day = sys_days{1970y / January / 1} - days(i);
    s.ymd = 2038y / January / 19;
    for (int b = 0; b < 5 + i; ++b)
        s.blob.push_back(static_cast<std::byte>((b * 37 + i) & 0xff));
    s.ublob = {0, 1, 0xfe, 0xff, static_cast<unsigned char>(i)};
    return s;
}

void check_row(const sample &s)
{
    fx::query q("SELECT i16, i32, i64, u32, real_value, single_value, flag, text_value, maybe_text,"
                " maybe_int, at_s, at_ms, on_day, on_ymd, bin1, bin2 FROM fx_samples WHERE id = " +
                std::to_string(*s.id));
    REQUIRE(q.next());
    CHECK(q.integer(1) == s.i16);
    CHECK(q.integer(2) == s.i32);
    CHECK(q.integer(3) == s.i64);
    CHECK(q.integer(4) == static_cast<long long>(s.u32));
    CHECK(q.real(5) == Approx(s.real).epsilon(1e-12));
    CHECK(q.real(6) == Approx(s.single));
    CHECK(q.integer(7) == (s.flag ? 1 : 0));
    CHECK(q.text(8) == s.text);
    CHECK(q.text(9) == s.maybe_text);
    CHECK(q.integer(10) == (s.maybe_int ? std::optional<long long>(*s.maybe_int) : std::nullopt));

    const auto at = q.timestamp(11);
    REQUIRE(at);
    const auto at_day = floor<days>(s.at);
    const year_month_day ymd{at_day};
    const hh_mm_ss hms{s.at - at_day};
    CHECK(at->year == static_cast<int>(ymd.year()));
    CHECK(at->month == static_cast<unsigned>(ymd.month()));
    CHECK(at->day == static_cast<unsigned>(ymd.day()));
    CHECK(at->hour == hms.hours().count());
    CHECK(at->minute == hms.minutes().count());
    CHECK(at->second == hms.seconds().count());

    const auto at_ms = q.timestamp(12);
    REQUIRE(at_ms);
    CHECK(at_ms->year == 1999);
    CHECK(at_ms->second == 59 + 0);
    // MariaDB's DATETIME keeps no fraction unless declared DATETIME(3).
    if (fx::configured_dialect() != fx::dialect::mariadb)
        CHECK(at_ms->fraction ==
              static_cast<SQLUINTEGER>((s.at_ms.time_since_epoch() % 1000ms).count()) * 1000000U);

    const auto day = q.date(13);
    REQUIRE(day);
    const year_month_day d{s.day};
    CHECK(day->year == static_cast<int>(d.year()));
    CHECK(day->month == static_cast<unsigned>(d.month()));
    CHECK(day->day == static_cast<unsigned>(d.day()));
    const auto ymd2 = q.date(14);
    REQUIRE(ymd2);
    CHECK(ymd2->year == 2038);
    CHECK(ymd2->day == 19);

    const auto bin1 = q.bytes(15);
    REQUIRE(bin1);
    REQUIRE(bin1->size() == s.blob.size());
    for (std::size_t i = 0; i < s.blob.size(); ++i)
        CHECK((*bin1)[i] == static_cast<unsigned char>(s.blob[i]));
    CHECK(q.bytes(16) == s.ublob);
}

} // namespace

TEST_CASE("types: every member type round-trips through a single insert", "[factory][types]")
{
    sample s = make_sample(3);
    odbctx::insert(s);
    REQUIRE(s.id.has_value());
    check_row(s);
}

TEST_CASE("types: every member type round-trips through both batch paths", "[factory][types][batch]")
{
    for (const bool per_row : {false, true}) {
        INFO("per-row path: " << per_row);
        odbctx::detail::force_per_row(per_row);
        std::vector<sample> v;
        for (int i = 0; i < 7; ++i)
            v.push_back(make_sample(i));
        odbctx::insert(v);
        odbctx::detail::force_per_row(false);
        for (const sample &s : v)
            check_row(s);
    }
}

TEST_CASE("types: empty strings and empty byte strings are values, not NULL", "[factory][types]")
{
    sample s = make_sample(1);
    s.text.clear();
    s.maybe_text = "";
    s.blob.clear();
    odbctx::insert(s);
    REQUIRE(fx::count("fx_samples", "text_value = '' AND maybe_text IS NOT NULL AND bin1 IS NOT NULL AND id = " +
                                        std::to_string(*s.id)) == 1);
}

TEST_CASE("types: strings longer and shorter than the row before round-trip one insert at a time",
          "[factory][types]")
{
    // One cached statement binds its text once, with room for the longest
    // value so far: a shorter value must not bring back the end of a
    // longer one, nor a longer one be cut.
    for (const char *text : {"a much longer value than the others", "ab", "", "middle length",
                             "x", "a much longer value than the others, and longer still"}) {
        INFO("text: " << text);
        sample s = make_sample(2);
        s.text = text;
        s.maybe_text = std::string(text) + "!";
        odbctx::insert(s);
        REQUIRE(s.id.has_value());
        check_row(s);
    }
}

TEST_CASE("types: every member type comes back through find<T>", "[factory][types][rows]")
{
    for (int i : {0, 1, 3}) {
        sample s = make_sample(i);
        odbctx::insert(s);
        const auto back = odbctx::find<sample>(*s.id);
        REQUIRE(back.has_value());
        CHECK(back->id == s.id);
        CHECK(back->i16 == s.i16);
        CHECK(back->i32 == s.i32);
        CHECK(back->i64 == s.i64);
        CHECK(back->u32 == s.u32);
        CHECK(back->real == Approx(s.real));
        CHECK(back->single == Approx(s.single));
        CHECK(back->flag == s.flag);
        CHECK(back->text == s.text);
        CHECK(back->maybe_text == s.maybe_text);
        CHECK(back->maybe_int == s.maybe_int);
        CHECK(back->at == s.at);
        // MariaDB's DATETIME keeps no fraction unless declared DATETIME(3).
        if (fx::configured_dialect() == fx::dialect::mariadb)
            CHECK(back->at_ms == floor<seconds>(s.at_ms));
        else
            CHECK(back->at_ms == s.at_ms);
        CHECK(back->day == s.day);
        CHECK(back->ymd == s.ymd);
        CHECK(back->blob == s.blob);
        CHECK(back->ublob == s.ublob);
    }
}
