#include "rel.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

extern char **environ;

namespace rel {

std::string connect_string()
{
    const char *c = std::getenv("ODBCTX_CONNECT");
    return c ? c : "";
}

std::string db()
{
    const char *d = std::getenv("ODBCTX_DB");
    if (d && *d)
        return d;
    return connect_string().empty() ? "sqlite" : "unknown";
}

bool on_sqlite() { return db() == "sqlite"; }
bool on_postgresql() { return db() == "postgresql"; }
bool on_mariadb() { return db() == "mariadb"; }

std::string sqlite_file_connection(const std::string &path)
{
    return "Driver=libsqlite3odbc.so;Database=" + path + ";Timeout=10000;";
}

temp_dir::temp_dir()
{
    char tmpl[] = "/tmp/odbctx-rel-XXXXXX";
    if (!mkdtemp(tmpl))
        throw std::runtime_error("mkdtemp failed");
    path = tmpl;
}

temp_dir::~temp_dir()
{
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

int session::open(const std::string &conn)
{
    odbctx_close(s);
    s = nullptr;
    return odbctx_open(&s, conn.c_str(), &err);
}

std::string session::message() const
{
    return s ? odbctx_last_error(s)->message : err.message;
}

long long session::count(const std::string &table, const std::string &where)
{
    long long n = -1;
    std::string sql = "SELECT COUNT(*) FROM " + table + (where.empty() ? "" : " WHERE " + where);
    if (odbctx_query_int(s, sql.c_str(), &n) != 0)
        return -1;
    return n;
}

const real_odbc &real()
{
    static real_odbc r = [] {
        real_odbc t{};
        void *lib = dlopen("libodbc.so.2", RTLD_NOW);
        if (!lib)
            throw std::runtime_error("cannot dlopen libodbc.so.2");
        auto get = [&](const char *name) {
            void *f = dlsym(lib, name);
            if (!f)
                throw std::runtime_error(std::string("libodbc has no ") + name);
            return f;
        };
        t.AllocHandle = reinterpret_cast<decltype(t.AllocHandle)>(get("SQLAllocHandle"));
        t.FreeHandle = reinterpret_cast<decltype(t.FreeHandle)>(get("SQLFreeHandle"));
        t.SetEnvAttr = reinterpret_cast<decltype(t.SetEnvAttr)>(get("SQLSetEnvAttr"));
        t.SetConnectAttr = reinterpret_cast<decltype(t.SetConnectAttr)>(get("SQLSetConnectAttr"));
        t.DriverConnect = reinterpret_cast<decltype(t.DriverConnect)>(get("SQLDriverConnect"));
        t.Disconnect = reinterpret_cast<decltype(t.Disconnect)>(get("SQLDisconnect"));
        t.ExecDirect = reinterpret_cast<decltype(t.ExecDirect)>(get("SQLExecDirect"));
        t.Fetch = reinterpret_cast<decltype(t.Fetch)>(get("SQLFetch"));
        t.GetData = reinterpret_cast<decltype(t.GetData)>(get("SQLGetData"));
        t.GetDiagRec = reinterpret_cast<decltype(t.GetDiagRec)>(get("SQLGetDiagRec"));
        t.EndTran = reinterpret_cast<decltype(t.EndTran)>(get("SQLEndTran"));
        return t;
    }();
    return r;
}

static std::string diag(SQLSMALLINT type, SQLHANDLE h)
{
    SQLCHAR state[6] = "", msg[1024] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (!SQL_SUCCEEDED(real().GetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len)))
        return "(no diagnostics)";
    return "[" + std::string(reinterpret_cast<char *>(state)) + "] " +
           reinterpret_cast<char *>(msg);
}

std::string real_exec(SQLHDBC dbc, const std::string &sql)
{
    SQLHSTMT st = nullptr;
    if (!SQL_SUCCEEDED(real().AllocHandle(SQL_HANDLE_STMT, dbc, &st)))
        return "cannot allocate a statement: " + diag(SQL_HANDLE_DBC, dbc);
    SQLRETURN rc = real().ExecDirect(st, (SQLCHAR *)sql.c_str(), SQL_NTS);
    std::string err;
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
        err = diag(SQL_HANDLE_STMT, st);
    real().FreeHandle(SQL_HANDLE_STMT, st);
    return err;
}

raw_connection::raw_connection(const std::string &conn)
{
    const real_odbc &r = real();
    r.AllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    r.SetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    r.AllocHandle(SQL_HANDLE_DBC, env, &dbc);
    SQLRETURN rc = r.DriverConnect(dbc, nullptr, (SQLCHAR *)conn.c_str(), SQL_NTS, nullptr, 0,
                                   nullptr, SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        error = diag(SQL_HANDLE_DBC, dbc);
        r.FreeHandle(SQL_HANDLE_DBC, dbc);
        dbc = nullptr;
    }
}

raw_connection::~raw_connection()
{
    if (dbc) {
        real().Disconnect(dbc);
        real().FreeHandle(SQL_HANDLE_DBC, dbc);
    }
    if (env)
        real().FreeHandle(SQL_HANDLE_ENV, env);
}

std::string raw_connection::query_text(const std::string &sql)
{
    SQLHSTMT st = nullptr;
    error.clear();
    if (!SQL_SUCCEEDED(real().AllocHandle(SQL_HANDLE_STMT, dbc, &st))) {
        error = diag(SQL_HANDLE_DBC, dbc);
        return "";
    }
    std::string out;
    SQLRETURN rc = real().ExecDirect(st, (SQLCHAR *)sql.c_str(), SQL_NTS);
    if (!SQL_SUCCEEDED(rc)) {
        error = diag(SQL_HANDLE_STMT, st);
    } else if (SQL_SUCCEEDED(rc = real().Fetch(st))) {
        char buf[1024] = "";
        SQLLEN ind = 0;
        if (SQL_SUCCEEDED(real().GetData(st, 1, SQL_C_CHAR, buf, sizeof buf, &ind)) &&
            ind != SQL_NULL_DATA)
            out = buf;
    } else if (rc != SQL_NO_DATA) {
        error = diag(SQL_HANDLE_STMT, st);
    }
    real().FreeHandle(SQL_HANDLE_STMT, st);
    return out;
}

long long raw_connection::query_int(const std::string &sql)
{
    std::string v = query_text(sql);
    if (!error.empty())
        return -1;
    return v.empty() ? 0 : std::atoll(v.c_str());
}

std::string with_key(const std::string &conn, const std::vector<std::string> &keys,
                     const std::string &key, const std::string &value)
{
    auto upper = [](std::string t) {
        for (auto &c : t)
            c = (char)std::toupper((unsigned char)c);
        return t;
    };
    std::string out;
    bool done = value.empty();
    size_t start = 0;
    while (start <= conn.size()) {
        size_t end = conn.find(';', start);
        if (end == std::string::npos)
            end = conn.size();
        std::string part = conn.substr(start, end - start);
        std::string name = upper(part.substr(0, part.find('=')));
        bool match = false;
        for (const auto &k : keys)
            match = match || name == upper(k);
        if (match) {
            if (!done)
                out += key + "=" + value + ";";
            done = true;
        } else if (!part.empty()) {
            out += part + ";";
        }
        start = end + 1;
    }
    if (!done)
        out += key + "=" + value + ";";
    return out;
}

std::string count_tables_sql(const std::string &like)
{
    if (on_sqlite())
        return "SELECT COUNT(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name LIKE '" +
               like + "'";
    if (on_postgresql())
        return "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
               "current_schema() AND table_name LIKE '" + like + "'";
    return "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
           "AND table_name LIKE '" + like + "'";
}

child::child(const std::vector<std::string> &args, const std::vector<std::string> &env)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    // readlink, not exec of /proc/self/exe: under valgrind the latter is
    // valgrind itself, while its readlink answers with this program.
    char self[4096];
    ssize_t self_len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (self_len <= 0)
        throw std::runtime_error("cannot read /proc/self/exe");
    self[self_len] = '\0';
    std::vector<std::string> argv_s{self, "--child"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char *> argv;
    for (auto &a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_s;
    for (char **e = environ; *e; e++) {
        std::string kv = *e;
        bool replaced = false;
        for (auto &o : env)
            if (kv.substr(0, kv.find('=') + 1) == o.substr(0, o.find('=') + 1))
                replaced = true;
        if (!replaced)
            env_s.push_back(kv);
    }
    for (auto &o : env)
        if (o.back() != '=') // "NAME=" removes NAME
            env_s.push_back(o);
    std::vector<char *> envp;
    for (auto &e : env_s)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    pid_t p = -1;
    int rc = posix_spawn(&p, self, &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        throw std::runtime_error("posix_spawn failed");
    }
    pid = p;
    out = fds[0];
}

child::~child()
{
    if (pid > 0) {
        ::kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    if (out >= 0)
        close(out);
}

static bool read_some(int fd, std::string &into, int timeout_ms)
{
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0)
        return false;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0)
        return false;
    into.append(buf, (size_t)n);
    return true;
}

bool child::wait_line(const std::string &line, std::chrono::milliseconds timeout)
{
    double end = now_ms() + (double)timeout.count();
    for (;;) {
        if (("\n" + received).find("\n" + line + "\n") != std::string::npos)
            return true;
        double left = end - now_ms();
        if (left <= 0 || !read_some(out, received, (int)left))
            return ("\n" + received).find("\n" + line + "\n") != std::string::npos;
    }
}

bool child::wait_prefix(const std::string &prefix, std::chrono::milliseconds timeout)
{
    auto complete = [&] {
        std::string all = "\n" + received;
        size_t at = all.find("\n" + prefix);
        return at != std::string::npos && all.find('\n', at + 1) != std::string::npos;
    };
    double end = now_ms() + (double)timeout.count();
    while (!complete()) {
        double left = end - now_ms();
        if (left <= 0 || !read_some(out, received, (int)left))
            return complete();
    }
    return true;
}

void child::drain()
{
    while (read_some(out, received, 0))
        ;
}

void child::kill9()
{
    if (pid > 0)
        ::kill(pid, SIGKILL);
}

int child::wait()
{
    int status = 0;
    if (pid > 0) {
        waitpid(pid, &status, 0);
        pid = -1;
    }
    drain();
    return status;
}

bool child::has_line(const std::string &prefix) const
{
    return ("\n" + received).find("\n" + prefix) != std::string::npos;
}

std::string child::last_line_with(const std::string &prefix) const
{
    std::string all = "\n" + received;
    size_t at = all.rfind("\n" + prefix);
    if (at == std::string::npos)
        return "";
    size_t end = all.find('\n', at + 1);
    return all.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
}

std::uint64_t seed()
{
    static std::uint64_t s = [] {
        const char *v = std::getenv("ODBCTX_SEED");
        if (v && *v)
            return (std::uint64_t)std::strtoull(v, nullptr, 10);
        return (std::uint64_t)std::chrono::steady_clock::now().time_since_epoch().count() % 1000000;
    }();
    return s;
}

double now_ms()
{
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool resolve_worker()
{
    const char *w = std::getenv("ODBCTX_WORKER");
    const std::string conn = connect_string();
    if (!w || !*w)
        return true;
    if (conn.empty()) {
        // The embedded default is private to each session already; the
        // suite's own SQLite files must not be renamed behind its back.
        unsetenv("ODBCTX_WORKER");
        return true;
    }
    odbctx_error err{};
    int len = odbctx_worker_connection(conn.c_str(), nullptr, 0, &err);
    std::string worker(len > 0 ? (size_t)len : 0, '\0');
    if (len < 0 || odbctx_worker_connection(conn.c_str(), worker.data(), worker.size() + 1, &err) != len) {
        std::fprintf(stderr, "ODBCTX_WORKER=%s: %s\n", w, err.message);
        return false;
    }
    setenv("ODBCTX_CONNECT", worker.c_str(), 1);
    unsetenv("ODBCTX_WORKER");
    return true;
}

} // namespace rel
