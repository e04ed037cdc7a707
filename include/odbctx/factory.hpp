// odbctx::factory<T>: factory_boy for C++. One line creates the rows a test
// needs, through the session of the running test (odbctx::current()), and
// they vanish with the test.
//
//   const auto users = odbctx::factory<user>{}
//       .with(&user::name, odbctx::fake::first_name())                 // fake data
//       .with(&user::login, odbctx::sequence([](long long n) {         // n = 0, 1, ...
//           return "user" + std::to_string(n); }))
//       .with(&user::email, [](const user &u) { return u.login + "@example.com"; }) // lazy
//       .trait("admin", odbctx::set(&user::admin, true));
//   const auto posts = odbctx::factory<post>{}
//       .with(&post::author_id, users)                                 // association
//       .with(&post::title, odbctx::fake::sentence());
//
//   user u = users.create(odbctx::set(&user::name, "foobar"));  // INSERTed, key filled in
//   user b = users.build();                                     // no SQL at all
//   auto many = posts.create_batch(10000, "admin");             // one prepared INSERT
//
// Field values (with(member, value) and set(member, value)):
//   a plain value           copied into every object
//   sequence(f)             f(n), n counting objects of this factory from 0
//   lazy(f) or a callable   f(const T &) after the other fields: sees their
//     taking const T &      final values, overrides included
//   fake::generator or a    a new value per object
//     callable taking ()
//   factory<U>              association: creates a U (built only, when this
//   sub_factory(f, ...)     object is only built) and stores its generated key
// Order: plain values, sequences and generators in declaration order, then
// associations, then lazy values in declaration order.
//
// Overrides at the call site (build, create, ..._batch, operator()): set(...)
// items and trait names, applied over the defaults in the order given; a
// trait is a named group of set(...) items (and other trait names). An
// unknown trait name throws odbctx::error_exception (ODBCTX_EARG).
//
// Strategies: build (in memory), create (INSERT through odbctx::current(),
// then after_create hooks, then the persistence step), and their _batch
// forms. create_batch(n) checks every row, then inserts them with one
// prepared statement (a parameter array where the driver supports it; see
// cpp/factory/insert.cpp). What a batch the database refuses leaves:
// docs/factories.md (nothing on SQLite and from an array; the rows before
// the refused one when the rows go one by one on a server).
// Persistence: persistence::none (default) leaves the rows in the test's
// transaction; persistence::commit then runs an app-level commit (a
// savepoint restart: the rows still vanish when the test ends), once per
// create or create_batch call; persistence::commit_each commits after every
// object, as factory_boy's sqlalchemy_session_persistence = "commit" does,
// at the cost of one insert per row. Objects of sub-factories are created
// (and committed) by their own factory's persistence, before the object
// that refers to them.
//
// Errors: create throws odbctx::error_exception, as odbctx::current() does;
// its message names the type, the field and, in a batch, the row.
//
// Sequences restart at 0 for every run of a test (begin_test_data) and on
// reset_sequence(); a factory and the factories derived from it (with,
// trait, ...) share one counter. Factories are immutable values: every
// declaration returns a new factory, so a namespace-scope const factory is
// safe to share between tests and threads.
//
// Needs C++20, and an expected type as the rest of the C++ layer does
// (C++23's std::expected, or <tl/expected.hpp>; see expected.hpp).
// table.hpp and fake.hpp need C++20 only.
#ifndef ODBCTX_FACTORY_HPP
#define ODBCTX_FACTORY_HPP

#include <odbctx/detail/insert.hpp>
#include <odbctx/error.hpp>
#include <odbctx/fake.hpp>
#include <odbctx/registry.hpp>
#include <odbctx/table.hpp>

#include <cstddef>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <utility>
#include <vector>

namespace odbctx {

enum class persistence {
    none,        // rows stay in the test's transaction as they are
    commit,      // then an app-level commit (odbctx_commit), once per create call:
                 // create_batch(n) inserts n rows, then commits once
    commit_each, // factory_boy's order: each object inserted, its after_create
                 // hooks run, then committed, one by one; a row the database
                 // refuses leaves the ones before it committed
};

template <class T>
class factory;

template <class F>
struct sequence_value {
    F fn;
};
// A field value computed from the object's sequence number n (0, 1, ...).
template <class F>
sequence_value<F> sequence(F fn)
{
    return {std::move(fn)};
}

template <class F>
struct lazy_value {
    F fn;
};
// A field value computed from the object being built, after its other
// fields (a callable taking const T & is lazy without this wrapper).
template <class F>
lazy_value<F> lazy(F fn)
{
    return {std::move(fn)};
}

// An association with a sub-factory and overrides for the parent:
//   .with(&post::author_id, odbctx::sub_factory(users, "admin"))
template <class U, class... A>
factory<U> sub_factory(const factory<U> &f, A &&...overrides)
{
    if constexpr (sizeof...(A) == 0)
        return f;
    else
        return f.with(std::forward<A>(overrides)...);
}

// One field override: set(&user::name, "foobar"). Any field value of the
// list above is accepted.
template <class U, class M, class V>
struct assignment {
    using owner_type = U;
    using member_type = M;
    M U::*member;
    V value;
};
template <class U, class M, class V>
assignment<U, M, std::decay_t<V>> set(M U::*member, V &&value)
{
    return {member, std::forward<V>(value)};
}

namespace detail {

template <class V>
inline constexpr bool is_sequence = false;
template <class F>
inline constexpr bool is_sequence<sequence_value<F>> = true;

template <class V>
inline constexpr bool is_lazy = false;
template <class F>
inline constexpr bool is_lazy<lazy_value<F>> = true;

template <class V>
inline constexpr bool is_factory = false;
template <class U>
inline constexpr bool is_factory<factory<U>> = true;

template <class V>
inline constexpr bool is_assignment = false;
template <class U, class M, class V>
inline constexpr bool is_assignment<assignment<U, M, V>> = true;

template <class A>
concept trait_name = std::is_convertible_v<A, std::string_view>;

// What a call site may pass to build, create, with(...): set(...) items and
// trait names.
template <class A>
concept override_item = is_assignment<std::decay_t<A>> || trait_name<A>;

// Identifies a data member independently of how its pointer was spelled;
// data member pointers of one type compare by their representation.
struct member_id {
    std::type_index type = typeid(void);
    // A data member pointer is one offset on the Itanium ABI; two words
    // leave room for ABIs that add one.
    unsigned char bytes[2 * sizeof(std::ptrdiff_t)] = {};

    template <class T, class M>
    static member_id of(M T::*m)
    {
        static_assert(sizeof(m) <= sizeof(bytes));
        member_id id;
        id.type = typeid(M T::*);
        std::memcpy(id.bytes, &m, sizeof m);
        return id;
    }
    bool operator==(const member_id &o) const
    {
        return type == o.type && std::memcmp(bytes, o.bytes, sizeof bytes) == 0;
    }
};

enum class stage { value, association, lazy };

enum class strategy { build, create };

// One field declaration of a factory<T>, type-erased down to the object's
// address: the declarations, their lists and the traits are then the same
// types for every T, compiled once in libodbctx++ (cpp/factory/decls.cpp)
// instead of once per mapped type in every test file.
struct field_decl {
    member_id id;
    stage when = stage::value;
    // Sets the field of one object (a T *); n is its sequence number.
    std::function<void(void *obj, long long n, strategy)> apply;
    // Associations only: sets the field of every object of a batch (n T's
    // from objs), creating one parent per object with the parent factory's
    // batch strategy.
    std::function<void(void *objs, std::size_t n, strategy)> apply_batch;
};
using field_decls = std::vector<field_decl>;

// Replaces the declaration of the same field, or appends.
ODBCTX_API void put_decl(field_decls &decls, field_decl d);

// persistence::commit's app-level commit; throws error_exception.
ODBCTX_API void commit_or_throw(session &s);

// A factory's traits: named lists of declarations, shared copy-on-write by
// the factories derived from it.
class ODBCTX_API trait_table {
public:
    // nullptr when there is no trait of that name.
    const field_decls *find(std::string_view name) const;
    void set(std::string name, field_decls decls);
    // "a, b, c", or "none".
    std::string names() const;

private:
    std::vector<std::pair<std::string, field_decls>> traits_;
};

// Plain assignment where the member's type allows it, else an explicit
// conversion (std::chrono types, explicit constructors).
template <class M, class R>
void assign(M &dst, R &&value)
{
    if constexpr (std::is_assignable_v<M &, R &&>)
        dst = std::forward<R>(value);
    else
        dst = static_cast<M>(std::forward<R>(value));
}

template <class M, class R>
inline constexpr bool assignable_to = std::is_constructible_v<M, R> || std::is_assignable_v<M &, R>;

// The parent's generated key; empty for a parent that was only built and
// keeps its key in a std::optional.
template <class U>
std::optional<long long> key_of(const U &parent)
{
    std::optional<long long> key;
    for_each_column<U>([&](const auto &c) {
        if constexpr (std::remove_cvref_t<decltype(c)>::is_key) {
            const auto &v = parent.*(c.member);
            if constexpr (is_optional<std::remove_cvref_t<decltype(v)>>) {
                if (v)
                    key = static_cast<long long>(*v);
            } else {
                key = static_cast<long long>(v);
            }
        }
    });
    return key;
}

// Stores a parent's key in a child's member: an empty key leaves an
// optional member empty and an integer member 0.
template <class M>
void assign_key(M &dst, std::optional<long long> key)
{
    if constexpr (is_optional<M>) {
        if (key)
            dst = static_cast<typename M::value_type>(*key);
        else
            dst.reset();
    } else {
        dst = static_cast<M>(key.value_or(0));
    }
}

template <class T, class M, class V>
field_decl make_decl(M T::*member, V value)
{
    field_decl d;
    d.id = member_id::of(member);
    if constexpr (is_sequence<V>) {
        static_assert(std::is_invocable_v<decltype(value.fn), long long>,
                      "odbctx::sequence(f): f must take the sequence number (long long)");
        using R = std::invoke_result_t<decltype(value.fn), long long>;
        static_assert(assignable_to<M, R>,
                      "odbctx::sequence(f): f's result does not convert to the member's type");
        d.apply = [member, fn = std::move(value.fn)](void *obj, long long n, strategy) {
            assign(static_cast<T *>(obj)->*member, std::invoke(fn, n));
        };
    } else if constexpr (is_lazy<V> || (std::is_invocable_v<V, const T &> && !is_factory<V> &&
                                          !fake::is_generator<V>)) {
        auto fn = [&] {
            if constexpr (is_lazy<V>)
                return std::move(value.fn);
            else
                return std::move(value);
        }();
        using F = decltype(fn);
        static_assert(std::is_invocable_v<F, const T &>,
                      "odbctx::lazy(f): f must take the object being built (const T &)");
        static_assert(assignable_to<M, std::invoke_result_t<F, const T &>>,
                      "odbctx::lazy(f): f's result does not convert to the member's type");
        d.when = stage::lazy;
        d.apply = [member, fn = std::move(fn)](void *obj, long long, strategy) {
            T &o = *static_cast<T *>(obj);
            assign(o.*member, std::invoke(fn, std::as_const(o)));
        };
    } else if constexpr (is_factory<V>) {
        using U = typename V::value_type;
        static_assert(has_key<U>,
                      "odbctx: an association stores the parent's generated key: table<U> of the "
                      "sub-factory's type needs a key(...) column");
        static_assert(key_type<M>,
                      "odbctx: an association's member holds the parent's key: make it an "
                      "integer (or std::optional of one)");
        d.when = stage::association;
        d.apply = [member, f = value](void *obj, long long, strategy how) {
            const U parent = how == strategy::create ? f.create() : f.build();
            assign_key(static_cast<T *>(obj)->*member, key_of(parent));
        };
        d.apply_batch = [member, f = std::move(value)](void *objs, std::size_t n, strategy how) {
            const std::vector<U> parents =
                how == strategy::create ? f.create_batch(n) : f.build_batch(n);
            for (std::size_t i = 0; i < n; ++i)
                assign_key(static_cast<T *>(objs)[i].*member, key_of(parents[i]));
        };
    } else if constexpr (fake::is_generator<V> || std::is_invocable_v<V>) {
        static_assert(assignable_to<M, std::invoke_result_t<V>>,
                      "odbctx: the generator's values do not convert to the member's type");
        d.apply = [member, g = std::move(value)](void *obj, long long, strategy) {
            assign(static_cast<T *>(obj)->*member, std::invoke(g));
        };
    } else if constexpr (std::is_invocable_v<V, T &>) {
        static_assert(std::is_invocable_v<V, const T &>,
                      "odbctx: a lazy value reads the object being built: take const T &, "
                      "or change the object in after_build()");
    } else {
        static_assert(assignable_to<M, const V &>,
                      "odbctx: the value does not convert to the member's type");
        d.apply = [member, v = std::move(value)](void *obj, long long, strategy) {
            assign(static_cast<T *>(obj)->*member, v);
        };
    }
    return d;
}


// A factory's sequence counter, shared by the factories derived from it.
struct sequence_state {
    std::mutex lock;
    std::uint64_t generation = 0;
    long long next = 0;

    // Reserves count numbers; restarts at 0 in a new run of a test.
    long long take(long long count)
    {
        std::lock_guard g(lock);
        const std::uint64_t now = data_generation();
        if (now != generation) {
            generation = now;
            next = 0;
        }
        const long long first = next;
        next += count;
        return first;
    }
    void reset(long long to)
    {
        std::lock_guard g(lock);
        generation = data_generation();
        next = to;
    }
};

template <class T>
void store_key(T &obj, long long key)
{
    for_each_column<T>([&](const auto &c) {
        if constexpr (std::remove_cvref_t<decltype(c)>::is_key) {
            using M = typename std::remove_cvref_t<decltype(c)>::member_type;
            using I = typename unwrap_optional<M>::type;
            if (!std::in_range<I>(key))
                throw error_exception(error::make(
                    ODBCTX_EARG,
                    "factory<" + std::string(type_name<T>()) + ">: generated key " +
                        std::to_string(key) + " of " + table<T>::name + "." + c.name +
                        " does not fit the member's type"));
            obj.*(c.member) = static_cast<I>(key);
        }
    });
}

template <class T>
void insert_mapped_rows(session &s, std::span<T> objs);

// INSERTs objs through session s and stores their generated keys.
template <class T>
void insert_rows(session &s, std::span<T> objs)
{
    static_assert(check_table<T>());
    // Past a failed check, only the assertion's message is worth reading.
    if constexpr (mapped<T>)
        insert_mapped_rows(s, objs);
}

// Batches up to this size reuse their thread's insert_job for T; larger
// ones get their own, so that one big batch does not leave its buffers
// behind for the life of the thread.
inline constexpr std::size_t reused_job_rows = 64;

template <class T>
void insert_mapped_rows(session &s, std::span<T> objs)
{
    if (objs.empty())
        return;
    // The job's vectors (a dozen allocations for a row of five columns)
    // were a visible part of every create(): a thread keeps one job per
    // type and refills it. Nothing inside insert() calls back into user
    // code, but an exception or a future hook must not see a job half
    // refilled: in_use sends a nested call to a job of its own.
    struct reusable {
        insert_job job;
        bool in_use = false;
    };
    thread_local reusable mine;
    insert_job fresh;
    const bool reuse = !mine.in_use && objs.size() <= reused_job_rows;
    insert_job &job = reuse ? mine.job : fresh;
    struct release {
        bool *flag;
        ~release()
        {
            if (flag)
                *flag = false;
        }
    } done{reuse ? &mine.in_use : nullptr};
    if (reuse)
        mine.in_use = true;

    // Computed at compile time: parsing __PRETTY_FUNCTION__ cost every call.
    static constexpr std::string_view type = type_name<T>();
    job.type = type;
    job.table = table<T>::name;
    job.key = nullptr;
    job.rows = objs.size();
    job.static_names = true;
    job.all_columns.clear();
    job.all_columns.reserve(column_count<T>());
    job.columns.reserve(column_count<T>());
    std::size_t params = 0;
    const std::span<const T> rows(objs.data(), objs.size());
    for_each_column<T>([&](const auto &c) {
        job.all_columns.push_back(c.name);
        if constexpr (std::remove_cvref_t<decltype(c)>::is_key) {
            job.key = c.name;
        } else {
            if (params == job.columns.size())
                job.columns.emplace_back();
            fill_param<T>(job.columns[params++], rows, c.member, c.name);
        }
    });
    job.columns.resize(params);
    detail::insert(insert_target{s.hdbc(), s.handle()}, job);
    if (job.key != nullptr)
        for (std::size_t i = 0; i < objs.size(); ++i)
            store_key(objs[i], job.keys[i]);
}

} // namespace detail

// INSERTs one object (or several) through odbctx::current() and stores the
// generated key in it: for rows a test builds by hand.
template <class T>
T &insert(T &obj)
{
    detail::insert_rows(current(), std::span<T>(&obj, 1));
    return obj;
}
template <class T>
std::vector<T> &insert(std::vector<T> &objs)
{
    detail::insert_rows(current(), std::span<T>(objs));
    return objs;
}

template <class T>
class factory {
public:
    using value_type = T;

    static_assert(std::is_default_constructible_v<T>,
                  "odbctx::factory<T>: T must be default-constructible (objects start as T{})");

    factory() : seq_(std::make_shared<detail::sequence_state>()) {}

    // Declares (or replaces) the default of one field; see the header comment
    // for the kinds of value.
    template <class M, class U, class V>
        requires std::is_base_of_v<U, T>
    factory with(M U::*member, V &&value) const
    {
        factory f = *this;
        detail::put_decl(f.decls_, detail::make_decl<T>(static_cast<M T::*>(member),
                                                        std::decay_t<V>(std::forward<V>(value))));
        return f;
    }

    // A factory whose defaults include these overrides: set(...) items and
    // trait names, applied in order.
    template <class... A>
        requires(sizeof...(A) > 0 && (... && detail::override_item<A>))
    factory with(A &&...items) const
    {
        factory f = *this;
        f.decls_ = f.resolve(std::forward<A>(items)...);
        return f;
    }

    // A named group of overrides (set(...) items and names of traits
    // declared before).
    template <class... A>
        requires(... && detail::override_item<A>)
    factory trait(std::string name, A &&...items) const
    {
        factory f = *this;
        decls_t decls;
        (f.add_item(decls, std::forward<A>(items)), ...);
        // Copy on write: the factory this one derives from keeps its traits.
        f.traits_ = std::make_shared<detail::trait_table>(*traits_);
        f.traits_->set(std::move(name), std::move(decls));
        return f;
    }

    // fn(T &) after the fields are set, before any INSERT.
    template <class F>
    factory after_build(F fn) const
    {
        static_assert(std::is_invocable_v<F, T &>, "after_build(f): f must take T &");
        factory f = *this;
        f.after_build_.push_back(
            [fn = std::move(fn)](void *obj) mutable { std::invoke(fn, *static_cast<T *>(obj)); });
        return f;
    }

    // fn(T &) or fn(T &, session &) after the INSERT, with the key filled
    // in: to create children, call other factories, ... (factory_boy's
    // post_generation).
    template <class F>
    factory after_create(F fn) const
    {
        static_assert(std::is_invocable_v<F, T &> || std::is_invocable_v<F, T &, session &>,
                      "after_create(f): f must take T & (and optionally odbctx::session &)");
        factory f = *this;
        if constexpr (std::is_invocable_v<F, T &, session &>)
            f.after_create_.push_back([fn = std::move(fn)](void *obj, session &s) mutable {
                std::invoke(fn, *static_cast<T *>(obj), s);
            });
        else
            f.after_create_.push_back([fn = std::move(fn)](void *obj, session &) mutable {
                std::invoke(fn, *static_cast<T *>(obj));
            });
        return f;
    }

    factory persist(persistence p) const
    {
        factory f = *this;
        f.persistence_ = p;
        return f;
    }

    // Restarts the sequence: the next object gets n = next.
    void reset_sequence(long long next = 0) const { seq_->reset(next); }

    template <class... A>
        requires(... && detail::override_item<A>)
    T build(A &&...overrides) const
    {
        return std::move(build_batch(1, std::forward<A>(overrides)...)[0]);
    }

    template <class... A>
        requires(... && detail::override_item<A>)
    std::vector<T> build_batch(std::size_t n, A &&...overrides) const
    {
        // Without overrides the defaults serve as they are: copying them
        // (every std::function) cost create() a noticeable share of its time.
        if constexpr (sizeof...(A) == 0)
            return make(n, detail::strategy::build, decls_);
        else
            return make(n, detail::strategy::build, resolve(std::forward<A>(overrides)...));
    }

    template <class... A>
        requires(... && detail::override_item<A>)
    T create(A &&...overrides) const
    {
        return std::move(create_batch(1, std::forward<A>(overrides)...)[0]);
    }

    template <class... A>
        requires(... && detail::override_item<A>)
    std::vector<T> create_batch(std::size_t n, A &&...overrides) const
    {
        static_assert(detail::check_table<T>());
        // Only the overrides depend on A...: what follows is compiled once
        // per T, whatever the call sites pass.
        if constexpr (sizeof...(A) == 0)
            return create_with(n, decls_);
        else
            return create_with(n, resolve(std::forward<A>(overrides)...));
    }

    // factory_boy's MyFactory(name="foobar"): create.
    template <class... A>
        requires(... && detail::override_item<A>)
    T operator()(A &&...overrides) const
    {
        return create(std::forward<A>(overrides)...);
    }

private:
    using decls_t = detail::field_decls;

    std::vector<T> create_with(std::size_t n, const decls_t &decls) const
    {
        session &s = current();
        std::vector<T> objs = make(n, detail::strategy::create, decls);
        if (persistence_ == persistence::commit_each) {
            for (T &obj : objs) {
                detail::insert_rows(s, std::span<T>(&obj, 1));
                for (const auto &hook : after_create_)
                    hook(&obj, s);
                detail::commit_or_throw(s);
            }
            return objs;
        }
        detail::insert_rows(s, std::span<T>(objs));
        for (T &obj : objs)
            for (const auto &hook : after_create_)
                hook(&obj, s);
        if (persistence_ == persistence::commit && n > 0)
            detail::commit_or_throw(s);
        return objs;
    }

    [[noreturn]] void unknown_trait(std::string_view name) const
    {
        throw error_exception(error::make(
            ODBCTX_EARG, "factory<" + std::string(detail::type_name<T>()) + ">: no trait \"" +
                             std::string(name) + "\" (traits: " + traits_->names() + ")"));
    }

    template <class A>
    void add_item(decls_t &decls, A &&item) const
    {
        using D = std::decay_t<A>;
        if constexpr (detail::is_assignment<D>) {
            static_assert(std::is_base_of_v<typename D::owner_type, T>,
                          "odbctx::set(&X::member, ...): the member is not a member of this "
                          "factory's type");
            using M = typename D::member_type;
            detail::put_decl(decls, detail::make_decl<T>(static_cast<M T::*>(item.member),
                                                         std::forward<A>(item).value));
        } else if constexpr (detail::trait_name<A>) {
            const std::string_view name(item);
            const decls_t *trait = traits_->find(name);
            if (trait == nullptr)
                unknown_trait(name);
            for (const auto &d : *trait)
                detail::put_decl(decls, d);
        } else {
            static_assert(detail::is_assignment<D> || detail::trait_name<A>,
                          "odbctx::factory: an override is odbctx::set(&T::member, value) or a "
                          "trait name");
        }
    }

    template <class... A>
    decls_t resolve(A &&...overrides) const
    {
        decls_t decls = decls_;
        (add_item(decls, std::forward<A>(overrides)), ...);
        return decls;
    }

    std::vector<T> make(std::size_t n, detail::strategy how, const decls_t &decls) const
    {
        const long long first = seq_->take(static_cast<long long>(n));
        std::vector<T> objs(n);
        for (std::size_t i = 0; i < n; ++i)
            for (const auto &d : decls)
                if (d.when == detail::stage::value)
                    d.apply(&objs[i], first + static_cast<long long>(i), how);
        for (const auto &d : decls)
            if (d.when == detail::stage::association) {
                if (n == 1)
                    d.apply(&objs[0], first, how);
                else
                    d.apply_batch(objs.data(), n, how);
            }
        for (std::size_t i = 0; i < n; ++i) {
            for (const auto &d : decls)
                if (d.when == detail::stage::lazy)
                    d.apply(&objs[i], first + static_cast<long long>(i), how);
            for (const auto &hook : after_build_)
                hook(&objs[i]);
        }
        return objs;
    }

    decls_t decls_;
    std::shared_ptr<detail::trait_table> traits_ = std::make_shared<detail::trait_table>();
    // Hooks on the object's address, like the declarations (field_decl).
    std::vector<std::function<void(void *)>> after_build_;
    std::vector<std::function<void(void *, session &)>> after_create_;
    persistence persistence_ = persistence::none;
    std::shared_ptr<detail::sequence_state> seq_;
};

} // namespace odbctx

#endif
