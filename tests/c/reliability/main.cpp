// The reliability suite. Run with "--child NAME ARGS..." this binary is a
// child process that a test starts, kills or races (children.hpp), not a
// Catch2 run: a crash test needs a process it can SIGKILL, and re-running
// this same binary keeps the suite one self-contained file to build.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "children.hpp"
#include "rel.hpp"

#include <cstring>
#include <string>
#include <vector>

int main(int argc, char **argv)
{
    if (argc >= 3 && std::strcmp(argv[1], "--child") == 0) {
        std::vector<std::string> args(argv + 3, argv + argc);
        return rel::run_child(argv[2], args);
    }
    if (!rel::resolve_worker())
        return 2;
    return Catch::Session().run(argc, argv);
}
