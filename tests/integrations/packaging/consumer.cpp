// Built against the installed odbctx by tests/integrations/packaging/install.test.sh, once
// with CMake and once with pkg-config: isolation through the C++ layer on the
// database of ODBCTX_CONNECT (unset: the embedded default).
#include <odbctx.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

int main()
{
    const char *conn = std::getenv("ODBCTX_CONNECT");
    auto s = odbctx::session::open(conn ? conn : "");
    if (!s) {
        std::fprintf(stderr, "open: %s\n", s.error().to_string().c_str());
        return 1;
    }
    const std::string table = "consumer_cpp_" + std::to_string(getpid());
    if (auto r = s->schema_script("CREATE TABLE " + table + " (v INTEGER)"); !r) {
        std::fprintf(stderr, "schema: %s\n", r.error().to_string().c_str());
        return 1;
    }
    const std::string count = "SELECT COUNT(*) FROM " + table;
    {
        odbctx::test_transaction t(*s);
        if (!s->exec("INSERT INTO " + table + " (v) VALUES (1)") || !s->commit() ||
            s->query_int(count).value_or(-1) != 1) {
            std::fprintf(stderr, "write: %s\n", s->last_error().to_string().c_str());
            return 1;
        }
    }
    odbctx::test_transaction t(*s);
    const long long left = s->query_int(count).value_or(-1);
    std::printf("C++ consumer on %s: %lld rows after the test (want 0)\n",
                std::string(s->dbms()).c_str(), left);
    return left == 0 ? 0 : 1;
}
