#!/usr/bin/env bash
# Mistakes in a mapping or a factory fail to compile with a message that
# says what is wrong (the compiler's "required from" notes name the type).
# Each case is a small program that must not compile and whose errors must
# contain the text given; a correct program must compile.
# Needs no database: runs on the first database of a run (sqlite) only.
# Last line: "N passed, N failed[, N skipped]".
. "$(dirname "$0")/../../support/prelude.sh" factory-compile
cxx=${CXX:-g++}
cases=15

if [ "${ODBCTX_DB:-sqlite}" != sqlite ]; then
    echo "compile checks run with ODBCTX_DB=sqlite only"
    skipped=$cases
    finish
fi

prelude='#include <odbctx/factory.hpp>
struct user { long long id = 0; std::string name; int age = 0; };
struct other { int x = 0; };
'
mapping='template <> struct odbctx::table<user> : odbctx::mapping<user> {
    static constexpr auto name = "users";
    static constexpr auto columns = std::tuple{key(&user::id, "id"), col(&user::name, "name"), col(&user::age, "age")};
};
'

# compiles NAME EXPECTED SOURCE: SOURCE must fail to compile, with EXPECTED
# in its errors; EXPECTED "" means it must compile.
compiles() {
    local name=$1 expected=$2 src=$3
    printf '%s\n' "$prelude" "$src" >"$tmp/$name.cpp"
    if "$cxx" -std=c++23 -fsyntax-only -I"$root/include" "$tmp/$name.cpp" >"$tmp/$name.err" 2>&1; then
        if [ -z "$expected" ]; then
            ok "$name compiles"
        else
            bad "$name compiled but must not"
        fi
    elif [ -n "$expected" ] && grep -qF -- "$expected" "$tmp/$name.err"; then
        ok "$name: $expected"
    else
        bad "$name: expected \"$expected\" in:"; head -30 "$tmp/$name.err"
    fi
}

compiles valid "" "$mapping"'
const auto users = odbctx::factory<user>{}.with(&user::name, odbctx::fake::first_name())
    .with(&user::age, odbctx::sequence([](long long n) { return n; })).trait("old", odbctx::set(&user::age, 90));
int main() { users.create(odbctx::set(&user::name, "x"), "old"); }'

compiles no_table "this type has no odbctx::table<T>" '
int main() { odbctx::factory<other>{}.create(); }'

compiles no_table_insert "this type has no odbctx::table<T>" '
int main() { other o; odbctx::insert(o); }'

compiles two_keys "at most one key" '
template <> struct odbctx::table<user> : odbctx::mapping<user> {
    static constexpr auto name = "users";
    static constexpr auto columns = std::tuple{key(&user::id, "id"), key(&user::age, "age")};
};
int main() { odbctx::factory<user>{}.create(); }'

compiles duplicate_column "column names must be non-empty and unique" '
template <> struct odbctx::table<user> : odbctx::mapping<user> {
    static constexpr auto name = "users";
    static constexpr auto columns = std::tuple{col(&user::name, "name"), col(&user::age, "name")};
};
int main() { odbctx::factory<user>{}.create(); }'

compiles unsupported_type "this member's type cannot be stored" '
struct odd { std::vector<int> values; };
template <> struct odbctx::table<odd> : odbctx::mapping<odd> {
    static constexpr auto name = "odd";
    static constexpr auto columns = std::tuple{col(&odd::values, "v")};
};
int main() {}'

compiles string_key "a generated key must be an integer member" '
struct coded { std::string code; };
template <> struct odbctx::table<coded> : odbctx::mapping<coded> {
    static constexpr auto name = "coded";
    static constexpr auto columns = std::tuple{key(&coded::code, "code")};
};
int main() {}'

compiles wrong_value "the value does not convert to the member" "$mapping"'
const auto users = odbctx::factory<user>{}.with(&user::age, std::string("old"));
int main() {}'

compiles mutable_lazy "take const T &" "$mapping"'
const auto users = odbctx::factory<user>{}.with(&user::name, [](user &u) { return u.name + "x"; });
int main() {}'

compiles foreign_member "the member is not a member of this factory" "$mapping"'
int main() { odbctx::factory<user>{}.build(odbctx::set(&other::x, 1)); }'

compiles parent_without_key "needs a key(...) column" '
struct parent { std::string name; };
template <> struct odbctx::table<parent> : odbctx::mapping<parent> {
    static constexpr auto name = "parents";
    static constexpr auto columns = std::tuple{col(&parent::name, "name")};
};
struct child { long long id = 0; long long parent_id = 0; };
const auto children = odbctx::factory<child>{}.with(&child::parent_id, odbctx::factory<parent>{});
int main() {}'

# The short form (ODBCTX_TABLE in the struct's namespace): the same checks.
compiles short_valid "" '
namespace shop { struct book { long long id = 0; std::string title; };
ODBCTX_TABLE(book, "books", ODBCTX_KEY(id), ODBCTX_COL(title)); }
int main() { odbctx::factory<shop::book>{}.create(); }'

compiles short_no_member "nope" '
namespace shop { struct book { long long id = 0; std::string title; };
ODBCTX_TABLE(book, "books", ODBCTX_KEY(id), ODBCTX_COL(nope)); }
int main() { odbctx::factory<shop::book>{}.create(); }'

compiles short_unsupported_type "this member's type cannot be stored" '
namespace shop { struct odd { std::vector<int> values; };
ODBCTX_TABLE(odd, "odd", ODBCTX_COL(values)); }
int main() { odbctx::factory<shop::odd>{}.build(); }'

compiles short_two_keys "at most one key" '
namespace shop { struct book { long long id = 0; long long isbn = 0; };
ODBCTX_TABLE(book, "books", ODBCTX_KEY(id), ODBCTX_KEY(isbn)); }
int main() { odbctx::factory<shop::book>{}.create(); }'

finish
