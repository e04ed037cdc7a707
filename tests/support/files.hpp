// Small file helpers the C and C++ suites share.
#ifndef ODBCTX_TESTS_SUPPORT_FILES_HPP
#define ODBCTX_TESTS_SUPPORT_FILES_HPP

#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace support {

// The whole file; "" when it cannot be read.
inline std::string read_file(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
}

// A path in /tmp that no other process of the run uses: stem-<pid>.sql.
inline std::string tmp_sql_path(const std::string &stem)
{
    return "/tmp/" + stem + "-" + std::to_string(getpid()) + ".sql";
}

} // namespace support

#endif
