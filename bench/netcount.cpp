// Round trips and statements, counted inside the drivers.
//
// The executable exports send()/recv() and three SQLite entry points (see
// bench/netcount.list), so libpq, MariaDB Connector/C and the SQLite ODBC
// driver, which the driver manager loads later, call these; each forwards
// to the real one. Counting is on only inside round_trips_per_call(), so
// the timed loops pay one predictable branch per call and nothing more.
//
// Server databases: a round trip is counted when the client starts sending
// after it has received (or at its first send), which is what a client
// waiting for its answer does; a message split over several send() calls
// counts once.
// SQLite runs in the process: there the figure is the statements the
// driver had SQLite run: the first sqlite3_step() after the driver prepared
// or reset a statement, plus each sqlite3_exec() it called (BEGIN, PRAGMA).
// Statements SQLite prepares for itself (reading the schema again after a
// ROLLBACK TO undid DDL, and the insides of sqlite3_exec) are not counted:
// they are not the client's.
#include "harness.hpp"

#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <algorithm>
#include <vector>

namespace {

bool counting;
long bursts;
bool sending;
long statements;
std::vector<void *> fresh; // prepared or reset, not stepped yet

template <class F> F next(const char *name)
{
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// libsqlite3 comes in as a dependency of the driver, which the driver
// manager loads with RTLD_LOCAL: RTLD_NEXT does not see it.
template <class F> F sqlite(const char *name)
{
    void *h = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_NOLOAD);
    return h ? reinterpret_cast<F>(dlsym(h, name)) : nullptr;
}

void on_send()
{
    if (counting && !sending)
        bursts++;
    sending = true;
}

// Whether a call came from libsqlite3 itself.
bool from_sqlite(void *caller)
{
    static void *base = [] {
        Dl_info self;
        auto f = sqlite<void *>("sqlite3_step");
        return f && dladdr(reinterpret_cast<void *>(f), &self) ? self.dli_fbase : nullptr;
    }();
    Dl_info info;
    return dladdr(caller, &info) && info.dli_fbase == base;
}

void mark_fresh(void *stmt, void *caller)
{
    if (counting && stmt && !from_sqlite(caller) && std::find(fresh.begin(), fresh.end(), stmt) == fresh.end())
        fresh.push_back(stmt);
}

} // namespace

extern "C" {

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    static auto real = next<ssize_t (*)(int, const void *, size_t, int)>("send");
    on_send();
    return real(fd, buf, n, flags);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to, socklen_t tl)
{
    static auto real =
        next<ssize_t (*)(int, const void *, size_t, int, const struct sockaddr *, socklen_t)>("sendto");
    on_send();
    return real(fd, buf, n, flags, to, tl);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    static auto real = next<ssize_t (*)(int, const struct msghdr *, int)>("sendmsg");
    on_send();
    return real(fd, msg, flags);
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    static auto real = next<ssize_t (*)(int, void *, size_t, int)>("recv");
    sending = false;
    return real(fd, buf, n, flags);
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from, socklen_t *fl)
{
    static auto real =
        next<ssize_t (*)(int, void *, size_t, int, struct sockaddr *, socklen_t *)>("recvfrom");
    sending = false;
    return real(fd, buf, n, flags, from, fl);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    static auto real = next<ssize_t (*)(int, struct msghdr *, int)>("recvmsg");
    sending = false;
    return real(fd, msg, flags);
}

int sqlite3_prepare_v2(void *db, const char *sql, int n, void **stmt, const char **tail)
{
    static auto real = sqlite<int (*)(void *, const char *, int, void **, const char **)>("sqlite3_prepare_v2");
    int rc = real(db, sql, n, stmt, tail);
    if (rc == 0 && stmt)
        mark_fresh(*stmt, __builtin_return_address(0));
    return rc;
}

int sqlite3_reset(void *stmt)
{
    static auto real = sqlite<int (*)(void *)>("sqlite3_reset");
    mark_fresh(stmt, __builtin_return_address(0));
    return real(stmt);
}

int sqlite3_exec(void *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg, char **err)
{
    static auto real =
        sqlite<int (*)(void *, const char *, int (*)(void *, int, char **, char **), void *, char **)>("sqlite3_exec");
    if (counting && !from_sqlite(__builtin_return_address(0)))
        statements++;
    return real(db, sql, cb, arg, err);
}

int sqlite3_step(void *stmt)
{
    static auto real = sqlite<int (*)(void *)>("sqlite3_step");
    if (counting) {
        auto it = std::find(fresh.begin(), fresh.end(), stmt);
        if (it != fresh.end()) {
            statements++;
            fresh.erase(it);
        }
    }
    return real(stmt);
}

} // extern "C"

namespace bench {

void netcount_reset()
{
    bursts = 0;
    sending = false;
    statements = 0;
    fresh.clear();
}

long netcount_round_trips()
{
    return bursts + statements;
}

double round_trips_per_call(const std::function<void()> &fn, int n)
{
    netcount_reset();
    counting = true;
    try {
        for (int i = 0; i < n; i++)
            fn();
    } catch (...) {
        counting = false;
        throw;
    }
    counting = false;
    long total = netcount_round_trips();
    fresh.clear();
    return static_cast<double>(total) / n;
}

} // namespace bench
