// The word lists behind odbctx::fake (fake/words.cpp); not installed.
#ifndef ODBCTX_FAKE_WORDS_HPP
#define ODBCTX_FAKE_WORDS_HPP

#include <span>
#include <string_view>

namespace odbctx::fake::words {

extern const std::span<const std::string_view> first_names;
extern const std::span<const std::string_view> last_names;
extern const std::span<const std::string_view> common;
extern const std::span<const std::string_view> domains;

} // namespace odbctx::fake::words

#endif
