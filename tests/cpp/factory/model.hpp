// The structs, mappings and factories the factory tests share.
#ifndef ODBCTX_TESTS_FACTORY_MODEL_HPP
#define ODBCTX_TESTS_FACTORY_MODEL_HPP

#include <odbctx/factory.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace fx {

struct user {
    long long id = 0;
    std::string name;
    std::string login;
    std::optional<std::string> email;
    int age = 0;
    bool admin = false;
    bool active = true;
};

struct post {
    long long id = 0;
    long long author_id = 0;
    std::string title;
    std::optional<std::string> body;
};

// One member of every supported kind.
struct sample {
    std::optional<long long> id;
    short i16 = 0;
    int i32 = 0;
    long long i64 = 0;
    unsigned u32 = 0;
    double real = 0;
    float single = 0;
    bool flag = false;
    std::string text;
    std::optional<std::string> maybe_text;
    std::optional<int> maybe_int;
    std::chrono::sys_seconds at{};
    std::chrono::sys_time<std::chrono::milliseconds> at_ms{};
    std::chrono::sys_days day{};
    std::chrono::year_month_day ymd{};
    std::vector<std::byte> blob;
    std::vector<unsigned char> ublob;
};

// No generated key: parameter arrays on every database.
struct item {
    std::string code;
    int qty = 0;
};

} // namespace fx

template <>
struct odbctx::table<fx::user> : odbctx::mapping<fx::user> {
    static constexpr auto name = "fx_users";
    static constexpr auto columns =
        std::tuple{key(&fx::user::id, "id"),       col(&fx::user::name, "name"),
                   col(&fx::user::login, "login"), col(&fx::user::email, "email"),
                   col(&fx::user::age, "age"),     col(&fx::user::admin, "admin"),
                   col(&fx::user::active, "active")};
};

template <>
struct odbctx::table<fx::post> : odbctx::mapping<fx::post> {
    static constexpr auto name = "fx_posts";
    static constexpr auto columns =
        std::tuple{key(&fx::post::id, "id"), col(&fx::post::author_id, "author_id"),
                   col(&fx::post::title, "title"), col(&fx::post::body, "body")};
};

template <>
struct odbctx::table<fx::sample> : odbctx::mapping<fx::sample> {
    static constexpr auto name = "fx_samples";
    static constexpr auto columns = std::tuple{
        key(&fx::sample::id, "id"),
        col(&fx::sample::i16, "i16"),
        col(&fx::sample::i32, "i32"),
        col(&fx::sample::i64, "i64"),
        col(&fx::sample::u32, "u32"),
        col(&fx::sample::real, "real_value"),
        col(&fx::sample::single, "single_value"),
        col(&fx::sample::flag, "flag"),
        col(&fx::sample::text, "text_value"),
        col(&fx::sample::maybe_text, "maybe_text"),
        col(&fx::sample::maybe_int, "maybe_int"),
        col(&fx::sample::at, "at_s"),
        col(&fx::sample::at_ms, "at_ms"),
        col(&fx::sample::day, "on_day"),
        col(&fx::sample::ymd, "on_ymd"),
        col(&fx::sample::blob, "bin1"),
        col(&fx::sample::ublob, "bin2"),
    };
};

template <>
struct odbctx::table<fx::item> : odbctx::mapping<fx::item> {
    static constexpr auto name = "fx_items";
    static constexpr auto columns =
        std::tuple{col(&fx::item::code, "code"), col(&fx::item::qty, "qty")};
};

namespace fx {

inline const auto users =
    odbctx::factory<user>{}
        .with(&user::name, odbctx::fake::first_name())
        .with(&user::login, odbctx::sequence([](long long n) { return "user" + std::to_string(n); }))
        .with(&user::email, [](const user &u) { return u.login + "@example.com"; })
        .with(&user::age, odbctx::fake::integer(18, 90))
        .trait("admin", odbctx::set(&user::admin, true))
        .trait("inactive", odbctx::set(&user::active, false), odbctx::set(&user::email, std::nullopt));

inline const auto posts = odbctx::factory<post>{}
                              .with(&post::author_id, users)
                              .with(&post::title, odbctx::fake::sentence(3, 6))
                              .with(&post::body, odbctx::fake::maybe(odbctx::fake::sentence()));

inline const auto items =
    odbctx::factory<item>{}
        .with(&item::code, odbctx::sequence([](long long n) { return "item-" + std::to_string(n); }))
        .with(&item::qty, odbctx::fake::integer(1, 1000));

} // namespace fx

#endif
