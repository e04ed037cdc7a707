// The share suite's runner (see share.hpp).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <sqlext.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../support/plain.hpp"
#include "share.hpp"

extern char **environ;

namespace {

odbctx_session *g_session;
std::string g_conn, g_table, g_tmpdir, g_dbms;
std::vector<std::pair<std::string, std::string>> g_env;

std::string build_dir()
{
    const char *b = std::getenv("ODBCTX_BUILD");
    return b && *b ? b : "build";
}

struct plain : support::plain_connection {
    explicit plain(const std::string &conn = g_conn) : plain_connection(conn) {}
    long long count() { return plain_connection::count(g_table); }
};

long long now_ms()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

} // namespace

namespace shr {

odbctx_session *session() { return g_session; }
const std::string &conn() { return g_conn; }
const std::string &table() { return g_table; }
const std::string &tmpdir() { return g_tmpdir; }
bool is_sqlite() { return g_dbms == "SQLite"; }
bool is_postgresql() { return g_dbms == "PostgreSQL"; }
bool is_mariadb() { return g_dbms == "MariaDB" || g_dbms == "MySQL"; }
const std::vector<std::pair<std::string, std::string>> &original_env() { return g_env; }

std::string why()
{
    const odbctx_error *e = odbctx_last_error(g_session);
    return std::to_string(e->code) + ": " + e->message;
}

void exec(const std::string &sql)
{
    INFO(sql);
    REQUIRE(odbctx_exec(g_session, sql.c_str()) == 0);
}

long long count(const std::string &where)
{
    std::string sql = "SELECT COUNT(*) FROM " + g_table + (where.empty() ? "" : " WHERE " + where);
    long long n = -1;
    INFO(sql);
    if (odbctx_query_int(g_session, sql.c_str(), &n) != 0)
        FAIL(why());
    return n;
}

long long fresh_count(const std::string &conn)
{
    plain p(conn.empty() ? g_conn : conn);
    return p.count();
}

const std::string &other_conn()
{
    static std::string other;
    if (other.empty()) {
        if (!is_sqlite())
            return other = g_conn;
        other = "Driver=SQLite3;Database=" + g_tmpdir + "/other.db;Timeout=10000;";
        plain p(other);
        if (!p.exec("CREATE TABLE " + g_table + " (id INTEGER, name VARCHAR(60), note TEXT)"))
            throw std::runtime_error("cannot create the table in " + other);
    }
    return other;
}

std::string child_prog() { return build_dir() + "/share/share-child"; }
std::string self_prog() { return build_dir() + "/tests/c/share"; }
std::string run_prog() { return build_dir() + "/bin/odbctx-run"; }

proc::proc(const std::vector<std::string> &argv,
           const std::vector<std::pair<std::string, std::string>> &env,
           const std::vector<std::string> &unset, bool clear_env)
{
    int to[2], from[2];
    if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe");
    pid = fork();
    if (pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        if (clear_env)
            clearenv();
        for (const auto &u : unset)
            unsetenv(u.c_str());
        for (const auto &kv : env)
            setenv(kv.first.c_str(), kv.second.c_str(), 1);
        // An uninstrumented program that loads the instrumented driver
        // needs the sanitizer runtimes first (tests/run, ODBCTX_SANITIZE).
        const char *pre = getenv("ODBCTX_SANITIZER_PRELOAD");
        if (pre && *pre)
            setenv("LD_PRELOAD", pre, 1);
        std::vector<char *> args;
        for (const auto &a : argv)
            args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    in = to[1];
    out = from[0];
    if (pid < 0)
        throw std::runtime_error("fork");
}

proc::~proc()
{
    if (pid > 0) {
        ::kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
}

bool proc::line(std::string &got, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        size_t nl = buf.find('\n');
        if (nl != std::string::npos) {
            got = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            return true;
        }
        long long left = deadline - now_ms();
        if (left <= 0 || out < 0)
            return false;
        struct pollfd p = {out, POLLIN, 0};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        char chunk[4096];
        ssize_t n = read(out, chunk, sizeof chunk);
        if (n <= 0) {
            close(out);
            out = -1;
            if (!buf.empty()) {
                got = buf;
                buf.clear();
                return true;
            }
            return false;
        }
        buf.append(chunk, (size_t)n);
    }
}

std::string proc::until(const std::string &prefix, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    std::string l;
    while (line(l, (int)std::max(1LL, deadline - now_ms()))) {
        UNSCOPED_INFO("output: " << l);
        if (l.compare(0, prefix.size(), prefix) == 0)
            return l;
    }
    return "";
}

void proc::send(const std::string &l)
{
    std::string s = l + "\n";
    if (write(in, s.data(), s.size()) != (ssize_t)s.size())
        UNSCOPED_INFO("could not write to the child");
}

int proc::wait(int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (now_ms() > deadline) {
            ::kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            pid = -1;
            return -1;
        }
        usleep(10000);
    }
    pid = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void proc::kill(int sig)
{
    if (pid > 0)
        ::kill(pid, sig);
}

const std::string &report::operator[](const std::string &k) const
{
    static const std::string none = "(missing)";
    auto it = values.find(k);
    return it == values.end() ? none : it->second;
}

namespace {

report collect(proc &p)
{
    report r;
    close(p.in);
    p.in = -1;
    std::string l;
    while (p.line(l, 60000)) {
        r.text += l + "\n";
        size_t eq = l.find('=');
        if (eq != std::string::npos && l.find(' ') > eq)
            r.values[l.substr(0, eq)] = l.substr(eq + 1);
        else
            r.values[""] += l + "\n";
    }
    r.status = p.wait();
    return r;
}

} // namespace

report run(const std::vector<std::string> &argv,
           const std::vector<std::pair<std::string, std::string>> &env,
           const std::vector<std::string> &unset)
{
    proc p(argv, env, unset);
    return collect(p);
}

report run_outside(const std::vector<std::string> &argv,
                   const std::vector<std::pair<std::string, std::string>> &env)
{
    std::vector<std::pair<std::string, std::string>> all = g_env;
    all.insert(all.end(), env.begin(), env.end());
    proc p(argv, all, {}, true);
    return collect(p);
}

} // namespace shr

int main(int argc, char **argv)
{
    if (argc >= 2 && std::strcmp(argv[1], "--owner") == 0)
        return shr::owner_main(argc - 2, argv + 2);

    for (char **e = environ; *e; e++) {
        const char *eq = std::strchr(*e, '=');
        if (eq)
            g_env.emplace_back(std::string(*e, (size_t)(eq - *e)), std::string(eq + 1));
    }
    char tmpl[] = "/tmp/odbctx-share-suite.XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 2;
    }
    g_tmpdir = tmpl;
    const char *env = std::getenv("ODBCTX_CONNECT");
    // A driver named as odbcinst.ini names it, so that a child's
    // connection string reaches odbctx's driver configuration.
    g_conn = env && *env ? env : "Driver=SQLite3;Database=" + g_tmpdir + "/share.db;Timeout=10000;";
    g_table = "shr" + std::to_string(getpid());

    int result = 2;
    try {
        plain setup;
        if (!setup.exec("CREATE TABLE " + g_table +
                        " (id INTEGER, name VARCHAR(60), note TEXT)")) {
            std::fprintf(stderr, "share: cannot create the suite's table\n");
            throw std::runtime_error("setup");
        }
        odbctx_error err{};
        if (odbctx_open(&g_session, g_conn.c_str(), &err) != 0) {
            std::fprintf(stderr, "share: cannot open the session: %s\n", err.message);
        } else {
            g_dbms = odbctx_dbms(g_session);
            result = Catch::Session().run(argc, argv);
        }
        odbctx_close(g_session);
        g_session = nullptr;
        plain check;
        long long left = check.count();
        if (left != 0) {
            std::fprintf(stderr,
                         "share: after the session a fresh connection sees %lld rows (want 0): "
                         "something a child did was really committed\n",
                         left);
            result = result ? result : 1;
        }
        check.exec("DROP TABLE " + g_table);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "share: %s\n", e.what());
        result = result ? result : 1;
    }
    std::string cmd = "rm -rf '" + g_tmpdir + "'";
    if (std::system(cmd.c_str()) != 0)
        std::fprintf(stderr, "share: could not remove %s\n", g_tmpdir.c_str());
    return result;
}
