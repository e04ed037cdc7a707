#include "bench.hpp"

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

} // namespace bench
