// The fake-data stream: one seed per run, one splitmix64 stream reseeded per
// test. Our own generator and our own range reduction, not <random>'s
// distributions, whose output differs between standard libraries: the same
// seed must give the same data wherever the tests run.
#include <odbctx/fake.hpp>

#include "fake/words.hpp"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>

#include <unistd.h>

namespace odbctx {
namespace {

// splitmix64's output function: a bijective mix of a 64-bit value.
std::uint64_t mix(std::uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// FNV-1a: a stable hash of a test name (std::hash is not stable across
// standard libraries).
std::uint64_t hash(std::string_view s)
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

// A seed from ODBCTX_SEED: a number as written, anything else hashed so
// that any text replays.
bool parse_seed(const char *text, std::uint64_t &out)
{
    if (text == nullptr || *text == '\0')
        return false;
    char *end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text, &end, 0);
    if (errno == 0 && end != text && *end == '\0' && text[0] != '-') {
        out = v;
        return true;
    }
    out = hash(text);
    return true;
}

// A seed nobody chose: short enough to copy from a report by hand.
std::uint64_t fresh_seed()
{
    std::uint64_t entropy = 0;
    try {
        std::random_device rd;
        entropy = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    } catch (...) {
        // No entropy device: time and pid still differ between runs.
    }
    entropy ^= static_cast<std::uint64_t>(std::time(nullptr)) ^
               (static_cast<std::uint64_t>(getpid()) << 20);
    return mix(entropy) % 1000000000ULL;
}

struct stream {
    std::mutex lock;
    bool seeded = false;
    std::uint64_t seed = 0;
    std::uint64_t state = 0;

    void ensure_seed()
    {
        if (seeded)
            return;
        if (!parse_seed(std::getenv("ODBCTX_SEED"), seed))
            seed = fresh_seed();
        state = mix(seed);
        seeded = true;
    }

    std::uint64_t next()
    {
        state += 0x9e3779b97f4a7c15ULL;
        return mix(state);
    }
};

stream &the_stream()
{
    static stream s;
    return s;
}

std::atomic<std::uint64_t> generation{0};

void reseed_locked(stream &s, std::string_view name)
{
    s.ensure_seed();
    s.state = mix(s.seed ^ mix(hash(name) + 1));
}

std::string_view pick(std::span<const std::string_view> list)
{
    return list[fake::below(list.size())];
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

void begin_test_data(std::string_view test_name)
{
    {
        stream &s = the_stream();
        std::lock_guard g(s.lock);
        reseed_locked(s, test_name);
    }
    generation.fetch_add(1, std::memory_order_acq_rel);
}

std::uint64_t detail::data_generation() noexcept
{
    return generation.load(std::memory_order_acquire);
}

namespace fake {

std::uint64_t seed()
{
    stream &s = the_stream();
    std::lock_guard g(s.lock);
    s.ensure_seed();
    return s.seed;
}

void set_seed(std::uint64_t v)
{
    stream &s = the_stream();
    std::lock_guard g(s.lock);
    s.seed = v;
    s.state = mix(v);
    s.seeded = true;
}

void reseed(std::string_view name)
{
    stream &s = the_stream();
    std::lock_guard g(s.lock);
    reseed_locked(s, name);
}

std::string seed_note()
{
    const auto v = seed();
    return "fake-data seed " + std::to_string(v) + " (replay: ODBCTX_SEED=" + std::to_string(v) +
           ")";
}

std::uint64_t next_u64()
{
    stream &s = the_stream();
    std::lock_guard g(s.lock);
    s.ensure_seed();
    return s.next();
}

std::uint64_t below(std::uint64_t bound)
{
    if (bound == 0)
        return next_u64();
    // Rejection sampling: drop the top partial block of 2^64 values so that
    // every residue is equally likely.
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound + 1) % bound;
    for (;;) {
        const std::uint64_t v = next_u64();
        if (v <= limit)
            return v % bound;
    }
}

double unit()
{
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

generator<std::string> first_name()
{
    return generator<std::string>([] { return std::string(pick(words::first_names)); });
}

generator<std::string> last_name()
{
    return generator<std::string>([] { return std::string(pick(words::last_names)); });
}

generator<std::string> full_name()
{
    return generator<std::string>([] {
        std::string s(pick(words::first_names));
        s += ' ';
        s += pick(words::last_names);
        return s;
    });
}

generator<std::string> username()
{
    return generator<std::string>([] {
        std::string s = lower(pick(words::first_names));
        s += '.';
        s += lower(pick(words::last_names));
        s += std::to_string(below(100));
        return s;
    });
}

generator<std::string> email()
{
    return generator<std::string>([] {
        std::string s = username()();
        s += '@';
        s += pick(words::domains);
        return s;
    });
}

generator<std::string> word()
{
    return generator<std::string>([] { return std::string(pick(words::common)); });
}

generator<std::string> sentence(int min_words, int max_words)
{
    if (min_words < 1)
        min_words = 1;
    if (max_words < min_words)
        max_words = min_words;
    return generator<std::string>([min_words, max_words] {
        const auto n = min_words + static_cast<int>(below(
                                       static_cast<std::uint64_t>(max_words - min_words + 1)));
        std::string s;
        for (int i = 0; i < n; ++i) {
            if (i > 0)
                s += ' ';
            s += pick(words::common);
        }
        s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
        s += '.';
        return s;
    });
}

generator<std::string> uuid()
{
    return generator<std::string>([] {
        unsigned char b[16];
        const std::uint64_t hi = next_u64(), lo = next_u64();
        for (int i = 0; i < 8; ++i) {
            b[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
            b[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
        }
        b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40); // version 4
        b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80); // RFC 4122 variant
        char out[37];
        std::snprintf(out, sizeof out,
                      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                      b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                      b[13], b[14], b[15]);
        return std::string(out);
    });
}

generator<std::string> digits(int n)
{
    return generator<std::string>([n] {
        std::string s;
        for (int i = 0; i < n; ++i)
            s += static_cast<char>('0' + below(10));
        return s;
    });
}

generator<bool> boolean(double p)
{
    return generator<bool>([p] { return unit() < p; });
}

generator<std::chrono::sys_days> date(std::chrono::sys_days from, std::chrono::sys_days to)
{
    if (to < from)
        std::swap(from, to);
    return generator<std::chrono::sys_days>([from, to] {
        const auto span = static_cast<std::uint64_t>((to - from).count()) + 1;
        return from + std::chrono::days(static_cast<long long>(below(span)));
    });
}

generator<std::chrono::sys_seconds> timestamp(std::chrono::sys_seconds from,
                                              std::chrono::sys_seconds to)
{
    if (to < from)
        std::swap(from, to);
    return generator<std::chrono::sys_seconds>([from, to] {
        const auto span = static_cast<std::uint64_t>((to - from).count()) + 1;
        return from + std::chrono::seconds(static_cast<long long>(below(span)));
    });
}

} // namespace fake
} // namespace odbctx
