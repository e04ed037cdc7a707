// odbctx::fake: deterministic fake data for factories and tests.
//
// Every value comes from one pseudo-random stream. The run's seed is
// ODBCTX_SEED when set (a decimal or 0x-hex number; any other text is hashed),
// else a number chosen when the first value is drawn; fake::seed() says which,
// and the Catch2 integration prints it when a test fails, so
//   ODBCTX_SEED=<seed> ./tests ...
// replays the same data.
//
// Test isolation: begin_test_data(name), called by the test-framework
// integration when a run of a test starts, reseeds the stream from
// (seed, name) and restarts every factory sequence. A test's data then
// depends only on the seed and the test's own name, not on which tests ran
// before it or how many values they drew. The Catch2 integration reseeds
// again at each section, and names repeated runs "name #k" (see
// <odbctx/catch2.hpp>), so GENERATE runs and sections differ.
//
// The stream is shared by all threads (draws are serialised); which thread
// draws which value is only deterministic when the test's threads are.
//
// Generators: each function returns a fake::generator<T>, a small callable
// that draws a new value each time it is called or converted to T:
//   std::string n = fake::first_name();           // one value
//   auto g = fake::integer(1, 6);  int a = g(), b = g();
//   factory<user>{}.with(&user::name, fake::first_name())   // one per object
// Text is ASCII; e-mail domains are the reserved example.com/.net/.org.
#ifndef ODBCTX_FAKE_HPP
#define ODBCTX_FAKE_HPP

#include <odbctx.h>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace odbctx {

// Starts the test data of one run of a test: reseeds the fake stream from
// (seed, test_name), restarts factory sequences and forgets cached table
// metadata. Framework integrations call it; tests rarely need to.
ODBCTX_API void begin_test_data(std::string_view test_name);

namespace detail {
// Counts begin_test_data calls: state cached under an older value (sequence
// counters, table metadata) belongs to an earlier run and is restarted.
ODBCTX_API std::uint64_t data_generation() noexcept;
} // namespace detail

namespace fake {

// The run's seed (see above). Stable for the life of the process unless
// set_seed() changes it.
ODBCTX_API std::uint64_t seed();

// Replaces the run's seed and restarts the stream from it, as at process
// start. For tests of determinism and for replaying one test by hand.
ODBCTX_API void set_seed(std::uint64_t s);

// Restarts the stream from (seed, name) without touching sequences.
ODBCTX_API void reseed(std::string_view name);

// "fake-data seed 1234 (replay: ODBCTX_SEED=1234)", for failure reports.
ODBCTX_API std::string seed_note();

// The next raw 64-bit value of the stream.
ODBCTX_API std::uint64_t next_u64();

// A uniform integer in [0, bound); bound 0 means the full 64-bit range.
ODBCTX_API std::uint64_t below(std::uint64_t bound);

// A uniform double in [0, 1).
ODBCTX_API double unit();

template <class T>
class generator {
public:
    using value_type = T;

    explicit generator(std::function<T()> draw) : draw_(std::move(draw)) {}

    T operator()() const { return draw_(); }
    operator T() const { return draw_(); }

private:
    std::function<T()> draw_;
};

template <class G>
inline constexpr bool is_generator = false;
template <class T>
inline constexpr bool is_generator<generator<T>> = true;

ODBCTX_API generator<std::string> first_name();
ODBCTX_API generator<std::string> last_name();
// "First Last".
ODBCTX_API generator<std::string> full_name();
// "first.last42@example.org".
ODBCTX_API generator<std::string> email();
// An ASCII user name: "first.last42".
ODBCTX_API generator<std::string> username();
// One lower-case word.
ODBCTX_API generator<std::string> word();
// A capitalised sentence of min_words..max_words words ending in '.'.
ODBCTX_API generator<std::string> sentence(int min_words = 4, int max_words = 10);
// A random-version (4) UUID, lower-case "8-4-4-4-12" text.
ODBCTX_API generator<std::string> uuid();
// Digits only, n of them (a phone number, a postcode...).
ODBCTX_API generator<std::string> digits(int n);

// A uniform integer in [lo, hi] (both included) of the type given.
template <std::integral I>
    requires(!std::same_as<I, bool>)
generator<I> integer(I lo, I hi)
{
    if (hi < lo)
        std::swap(lo, hi);
    return generator<I>([lo, hi] {
        // The span as unsigned 64-bit arithmetic, wrapping: hi - lo + 1 is 0
        // exactly when the range covers all 2^64 values.
        const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
        return static_cast<I>(static_cast<std::uint64_t>(lo) + below(span));
    });
}

// A uniform real in [lo, hi).
template <std::floating_point F>
generator<F> real(F lo, F hi)
{
    if (hi < lo)
        std::swap(lo, hi);
    return generator<F>([lo, hi] { return static_cast<F>(lo + (hi - lo) * unit()); });
}

// true with probability p.
ODBCTX_API generator<bool> boolean(double p = 0.5);

// A uniform day in [from, to] (both included).
ODBCTX_API generator<std::chrono::sys_days> date(std::chrono::sys_days from,
                                                 std::chrono::sys_days to);
inline generator<std::chrono::sys_days> date(std::chrono::year_month_day from,
                                             std::chrono::year_month_day to)
{
    return date(std::chrono::sys_days(from), std::chrono::sys_days(to));
}

// A uniform second in [from, to] (both included).
ODBCTX_API generator<std::chrono::sys_seconds> timestamp(std::chrono::sys_seconds from,
                                                         std::chrono::sys_seconds to);

// One of the values given, uniformly.
template <class T>
generator<T> one_of(std::vector<T> values)
{
    return generator<T>([v = std::move(values)] { return v.at(below(v.size())); });
}
inline generator<std::string> one_of(std::initializer_list<const char *> values)
{
    return one_of(std::vector<std::string>(values.begin(), values.end()));
}

// Either nothing (with probability p_empty) or a value of g: for
// std::optional members, that is nullable columns.
template <class T>
generator<std::optional<T>> maybe(generator<T> g, double p_empty = 0.5)
{
    return generator<std::optional<T>>([g = std::move(g), p_empty]() -> std::optional<T> {
        if (unit() < p_empty)
            return std::nullopt;
        return g();
    });
}

} // namespace fake
} // namespace odbctx

#endif
