// The statement cache of factory INSERTs: per session, the connection it
// was filled on and the idle prepared statements by SQL text.
//
// Handles are only ever freed on the thread inserting through their
// session, under the connection they were allocated on: a cache found to
// belong to an earlier connection is dropped without a call, since
// SQLDisconnect freed its statements (and a new statement may since have
// been given the same handle value).
#include "factory/odbc.hpp"

#include <odbctx.h>
#include <odbctx/fake.hpp>

#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace odbctx::detail::factory_impl {
namespace {

// More idle statements per SQL text than one insert uses at a time are
// never needed; the bound keeps a recursion (an after_create hook that
// creates rows of the same table) from piling them up.
constexpr std::size_t idle_per_sql = 2;

// An idle statement and the row buffers its parameters are bound to.
// Dropping one frees the buffers only: the handle is freed by free_all or
// went with its connection.
struct idle_statement {
    SQLHSTMT h = nullptr;
    std::unique_ptr<row_buffers> rows;
};

struct connection_cache {
    SQLHDBC dbc = nullptr;
    unsigned long long connection = 0;
    std::uint64_t generation = 0;
    std::optional<connection_info> info;
    std::map<std::string, std::vector<idle_statement>, std::less<>> idle;
};

std::mutex cache_lock;
std::map<odbctx_session *, connection_cache> &caches()
{
    static std::map<odbctx_session *, connection_cache> c;
    return c;
}

void free_all(std::vector<idle_statement> &handles) noexcept
{
    for (const idle_statement &i : handles)
        SQLFreeHandle(SQL_HANDLE_STMT, i.h);
    handles.clear();
}

// Drops the caches of sessions closed or reconnected since; runs when a
// connection is seen for the first time, so rarely. The sessions are
// asked outside the lock: a session busy on another thread holds its own
// lock meanwhile.
void forget_dead_connections(odbctx_session *except)
{
    std::vector<std::pair<odbctx_session *, unsigned long long>> known;
    {
        std::lock_guard g(cache_lock);
        for (const auto &[s, c] : caches())
            if (s != except)
                known.emplace_back(s, c.connection);
    }
    std::vector<std::pair<odbctx_session *, unsigned long long>> dead;
    for (const auto &[s, id] : known)
        if (odbctx_connection_id(s) != id)
            dead.emplace_back(s, id);
    if (dead.empty())
        return;
    std::lock_guard g(cache_lock);
    for (const auto &[s, id] : dead)
        if (auto it = caches().find(s); it != caches().end() && it->second.connection == id)
            caches().erase(it);
}

} // namespace

statement_cache::statement_cache(const insert_target &t) : t_(t)
{
    // While capture runs, only statements allocated meanwhile are seen.
    if (t.session == nullptr || odbctx_capture_active(t.session))
        return;
    // Schema versions are unique in the process and new at every connect:
    // the version the cache was filled under names its connection too, so
    // the usual insert asks the session one thing, not two.
    const unsigned long long version = odbctx_schema_version(t.session);
    if (version == 0)
        return;
    {
        std::lock_guard g(cache_lock);
        auto it = caches().find(t.session);
        if (it != caches().end() && it->second.dbc == t.dbc && it->second.generation == version &&
            it->second.connection != 0) {
            connection_ = it->second.connection;
            generation_ = version;
            info_ = it->second.info;
            return;
        }
    }
    const unsigned long long id = odbctx_connection_id(t.session);
    if (id == 0)
        return;
    connection_ = id;
    generation_ = version;
    std::vector<idle_statement> stale;
    bool fresh = false;
    {
        std::lock_guard g(cache_lock);
        connection_cache &c = caches()[t.session];
        if (c.connection != id || c.dbc != t.dbc) {
            c = connection_cache{};
            c.dbc = t.dbc;
            c.connection = id;
            c.generation = generation_;
            fresh = true;
        } else if (c.generation != generation_) {
            // The schema changed, as for the metadata: the statements may
            // name what is no longer there.
            for (auto &[sql, handles] : c.idle)
                stale.insert(stale.end(), std::make_move_iterator(handles.begin()),
                             std::make_move_iterator(handles.end()));
            c.idle.clear();
            c.generation = generation_;
        }
        info_ = c.info;
    }
    free_all(stale);
    if (fresh)
        forget_dead_connections(t.session);
}

connection_info statement_cache::info()
{
    if (info_)
        return *info_;
    const connection_info ci = describe_connection(t_.dbc);
    if (connection_ != 0) {
        std::lock_guard g(cache_lock);
        auto it = caches().find(t_.session);
        if (it != caches().end() && it->second.connection == connection_)
            it->second.info = ci;
    }
    return ci;
}

statement statement_cache::take(const std::string &sql, bool &prepared)
{
    prepared = false;
    if (connection_ != 0) {
        std::lock_guard g(cache_lock);
        auto it = caches().find(t_.session);
        if (it != caches().end() && it->second.connection == connection_ &&
            it->second.generation == generation_) {
            auto idle = it->second.idle.find(sql);
            if (idle != it->second.idle.end() && !idle->second.empty()) {
                idle_statement i = std::move(idle->second.back());
                idle->second.pop_back();
                prepared = true;
                return statement(statement::adopt_t{}, i.h, std::move(i.rows));
            }
        }
    }
    return statement(t_.dbc);
}

void statement_cache::put_back(const std::string &sql, statement &st) noexcept
{
    if (st.get() == nullptr)
        return;
    if (connection_ == 0)
        return; // freed by st
    // The parameters stay bound: only insert_per_row binds a cached
    // statement, and only to its own row buffers, which go with it.
    if (st.open())
        st.close();
    {
        std::lock_guard g(cache_lock);
        auto it = caches().find(t_.session);
        if (it == caches().end() || it->second.connection != connection_) {
            // Swept as dead meanwhile: the handle went with its connection.
            st.release();
            return;
        }
        if (it->second.generation != generation_)
            return; // freed by st, after the lock
        try {
            std::vector<idle_statement> &idle = it->second.idle[sql];
            if (idle.size() < idle_per_sql) {
                idle.reserve(idle_per_sql); // the push_back below cannot throw
                idle_statement i;
                i.h = st.release(i.rows);
                idle.push_back(std::move(i));
            }
        } catch (const std::bad_alloc &) {
            // Not cached: freed by st.
        }
    }
}

} // namespace odbctx::detail::factory_impl
