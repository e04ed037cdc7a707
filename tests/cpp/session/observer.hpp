// A plain ODBC connection with autocommit on, outside odbctx: it sees only
// what has really been committed to the database.
#ifndef ODBCTX_TESTS_CPP_OBSERVER_HPP
#define ODBCTX_TESTS_CPP_OBSERVER_HPP

#include <sql.h>
#include <sqlext.h>

#include <string>

namespace t {

class observer {
public:
    explicit observer(const std::string &conn);
    ~observer();
    observer(const observer &) = delete;
    observer &operator=(const observer &) = delete;

    // Throws std::runtime_error with the driver's message on failure.
    void exec(const std::string &sql);
    long long query_int(const std::string &sql);
    // false when the statement fails (e.g. the table does not exist).
    bool try_exec(const std::string &sql);

private:
    SQLHENV env_ = SQL_NULL_HENV;
    SQLHDBC dbc_ = SQL_NULL_HDBC;
};

} // namespace t

#endif
