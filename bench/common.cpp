#include "bench.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <cmath>

namespace bench {

int sizes::rounds(int n) const
{
    return std::max(5, static_cast<int>(std::lround(n * scale)));
}

std::string table_ddl(dbkind k, const std::string &name)
{
    std::string ddl = "CREATE TABLE " + name +
                      " (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL,"
                      " qty INTEGER NOT NULL, note VARCHAR(200))";
    if (k == dbkind::mariadb)
        ddl += " ENGINE=InnoDB";
    return ddl;
}

std::string insert_sql(const std::string &table, long long id)
{
    std::string n = std::to_string(id);
    return "INSERT INTO " + table + " (id, name, qty, note) VALUES (" + n + ", 'name " + n + "', " +
           std::to_string(id % 1000) + ", 'bench row')";
}

void must(odbctx_session *s, int rc, const char *what)
{
    if (rc != ODBCTX_OK)
        throw failure(std::string(what) + ": " + odbctx_strerror(rc) + ": " + odbctx_last_error(s)->message);
}


std::string self_dir()
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return ".";
    buf[n] = 0;
    std::string p = buf;
    return p.substr(0, p.rfind('/'));
}

double child_figure(const std::string &prog, const std::string &mode, const std::string &connstr,
                    const std::vector<std::string> &env_in)
{
    int fds[2];
    if (pipe(fds) != 0)
        throw failure("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    std::vector<std::string> env = env_in;
    std::vector<char *> envp;
    for (std::string &e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string cs = connstr, md = mode;
    std::vector<char *> argv{const_cast<char *>(prog.c_str()), md.data(), cs.data(), nullptr};
    pid_t pid;
    int rc = posix_spawn(&pid, prog.c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        throw failure("cannot run " + prog + ": " + std::strerror(rc));
    }
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        out.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        throw failure(prog + " " + mode + " failed: " + out);
    return std::atof(out.c_str());
}

} // namespace bench
