// "--owner MODE CONN TABLE CHILD": this binary as a test process of its
// own, for what the suite's process cannot do to itself (be killed, open
// its first session with sharing off, open the embedded default). It
// reports "key=value" lines with write(2); the children it starts write to
// the same stdout and read the same stdin.
#include "share.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

void say(const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    if (write(1, line, (size_t)n) < 0)
        return;
}

std::string share_dir()
{
    const char *sock = std::getenv("ODBCTX_SHARE_SOCKET");
    if (!sock)
        return "none";
    std::string s = sock;
    return s.substr(0, s.rfind('/'));
}

pid_t start(const std::string &prog, const char *scenario, const std::string &conn,
            const std::string &table)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(prog.c_str(), prog.c_str(), scenario, conn.c_str(), table.c_str(), (char *)nullptr);
        _exit(127);
    }
    return pid;
}

int fail(odbctx_session *s, const char *what, const odbctx_error *e = nullptr)
{
    say("error %s: %s", what, e ? e->message : s ? odbctx_last_error(s)->message : "");
    odbctx_close(s);
    return 3;
}

long long rows_of(odbctx_session *s, const std::string &table)
{
    long long n = -1;
    odbctx_query_int(s, ("SELECT COUNT(*) FROM " + table).c_str(), &n);
    return n;
}

} // namespace

int shr::owner_main(int argc, char **argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: --owner killed|noshare|quick|embedded CONN TABLE CHILD\n");
        return 2;
    }
    std::string mode = argv[0], conn = argv[1], table = argv[2], child = argv[3];
    odbctx_session *s = nullptr;
    odbctx_error err{};
    if (odbctx_open(&s, mode == "embedded" ? "" : conn.c_str(), &err) != 0)
        return fail(nullptr, "open", &err);
    say("dir=%s", share_dir().c_str());
    if (mode == "quick") {
        // One test of its own: a row in, seen, gone.
        if (odbctx_begin_test(s) != 0 ||
            odbctx_exec(s, ("INSERT INTO " + table + " (id, name) VALUES (9, 'own')").c_str()) != 0)
            return fail(s, "own test");
        say("own_count=%lld", rows_of(s, table));
        if (odbctx_end_test(s) != 0)
            return fail(s, "end own test");
    } else if (mode == "noshare") {
        const char *sysini = std::getenv("ODBCSYSINI");
        say("odbcsysini=%s", sysini ? sysini : "unset");
    } else if (mode == "killed") {
        // Killed by the test while its child holds a connection.
        if (odbctx_begin_test(s) != 0)
            return fail(s, "begin");
        start(child, "hold", conn, table);
        for (;;)
            pause();
    } else if (mode == "embedded") {
        // The embedded default has no file a child could name: its
        // connection joins whatever database it names.
        if (odbctx_exec(s, ("CREATE TABLE " + table + " (id INTEGER, name VARCHAR(60))").c_str()))
            return fail(s, "create");
        if (odbctx_begin_test(s) != 0 ||
            odbctx_exec(s, ("INSERT INTO " + table + " VALUES (1, 'owner')").c_str()) != 0)
            return fail(s, "begin");
        pid_t pid = start(child, "rows", conn, table);
        int st = 0;
        waitpid(pid, &st, 0);
        say("child_status=%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        say("owner_count=%lld", rows_of(s, table));
        if (odbctx_end_test(s) != 0 || odbctx_begin_test(s) != 0)
            return fail(s, "next test");
        say("next_count=%lld", rows_of(s, table));
        odbctx_end_test(s);
    }
    odbctx_close(s);
    say("closed=1");
    return 0;
}
