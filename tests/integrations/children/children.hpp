// The children suite: programs a test starts, in C, Python and PHP, each
// with its own ODBC connection, join the test (docs/children.md). The same
// cases (cases.hpp) run under the Catch2 integration (catch2.cc) and the
// GoogleTest integration (gtest.cc); each binary defines the CH_* macros
// for its framework before including cases.hpp.
//
// run.test.sh creates the table ch_item (id, name, note) for real, empty,
// names the database in ODBCTX_CONNECT (an SQLite file of its own for
// SQLite), and checks after each binary that the table is still empty.
// The suite's schema adds ch_made, with one row, inside the suite's
// transaction.
#pragma once

#include <odbctx.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "../../support/plain.hpp"

namespace children {

inline const char *env_or(const char *name, const char *dflt)
{
    const char *v = std::getenv(name);
    return v && *v ? v : dflt;
}

// What every child connects with: the database of the suite's session.
inline std::string conn() { return env_or("ODBCTX_CONNECT", ""); }

const char *const table = "ch_item";
const char *const made = "ch_made";

inline const bool schema = [] {
    odbctx::suite::add_schema_script("CREATE TABLE ch_made (id INTEGER, name VARCHAR(60), note TEXT);\n",
                                     "children schema");
    odbctx::suite::add_setup([](odbctx::session &s) {
        s.exec("INSERT INTO ch_made (id, name) VALUES (1, 'suite-row')").value();
    });
    return true;
}();

inline std::string quoted(const std::string &s) { return "'" + s + "'"; }

// The programs, run from the project's root as run.test.sh does: the C one
// is tests/c/share/child (libodbc only), the scripts are beside this file.
inline std::string c_child(const std::string &tbl = table)
{
    return quoted(std::string(env_or("ODBCTX_BUILD", "build")) + "/share/share-child") + " rows " +
           quoted(conn()) + " " + tbl;
}
inline std::string py_child(const std::string &name, const std::string &tbl = table)
{
    return "/usr/bin/python3 tests/integrations/children/child.py " + quoted(conn()) + " " + tbl +
           " " + name;
}
inline std::string php_child(const std::string &name, const std::string &tbl = table)
{
    return "/usr/bin/php tests/integrations/children/child.php " + quoted(conn()) + " " + tbl +
           " " + name;
}

// Under the sanitizers (tests/run, ODBCTX_SANITIZE) the driver a child
// loads needs the runtimes first; the interpreters' own leaks at exit are
// not odbctx's.
inline std::string sanitized(const std::string &command)
{
    const char *pre = std::getenv("ODBCTX_SANITIZER_PRELOAD");
    if (!pre || !*pre)
        return command;
    const char *asan = std::getenv("ASAN_OPTIONS");
    return "LD_PRELOAD=" + quoted(pre) + " ASAN_OPTIONS=" +
           quoted(std::string(asan ? asan : "") + ":detect_leaks=0") + " " + command;
}

// The "key=value" lines a program printed, its exit status and all it
// wrote (stderr included), from popen() as a test would start it.
struct output {
    int status = -1;
    std::string text;
    std::map<std::string, std::string> values;
    std::string operator[](const std::string &key) const
    {
        auto it = values.find(key);
        return it == values.end() ? "(none)" : it->second;
    }
};

inline output run(const std::string &command)
{
    output o;
    FILE *p = popen((sanitized(command) + " 2>&1").c_str(), "r");
    if (!p)
        return o;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p))
        o.text += buf;
    int st = pclose(p);
    o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::istringstream lines(o.text);
    for (std::string l; std::getline(lines, l);) {
        size_t eq = l.find('=');
        if (eq != std::string::npos && l.find(' ') > eq)
            o.values[l.substr(0, eq)] = l.substr(eq + 1);
    }
    return o;
}

// A comma-separated list of names, sorted bytewise (databases collate
// hyphens differently).
inline std::string sorted(const std::string &csv)
{
    std::vector<std::string> all;
    std::istringstream in(csv);
    for (std::string n; std::getline(in, n, ',');)
        all.push_back(n);
    std::sort(all.begin(), all.end());
    std::string out;
    for (const auto &n : all)
        out += (out.empty() ? "" : ",") + n;
    return out;
}

inline void exec(const std::string &sql)
{
    if (auto r = odbctx::current().exec(sql); !r)
        throw odbctx::error_exception(r.error());
}

// Rows of the table that the test sees (with a name: of that name).
inline long long count(const std::string &tbl = table, const std::string &name = "")
{
    return odbctx::current()
        .query_int("SELECT COUNT(*) FROM " + tbl + (name.empty() ? "" : " WHERE name = '" + name + "'"))
        .value();
}

// Rows of the table that any other client of the database sees.
inline long long outside_count(const std::string &tbl = table)
{
    return support::plain_connection(conn()).count(tbl);
}

} // namespace children
