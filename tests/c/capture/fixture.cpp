#include "capture.hpp"

namespace cap {

std::string why()
{
    const odbctx_error *e = odbctx_last_error(session());
    return std::string(odbctx_strerror(e->code)) + ": " + e->message;
}

void exec(const std::string &sql)
{
    INFO(sql);
    REQUIRE(odbctx_exec(session(), sql.c_str()) == 0);
}

long long count(const std::string &table, const std::string &where)
{
    long long n = -1;
    std::string sql = "SELECT COUNT(*) FROM " + prefix() + table + (where.empty() ? "" : " WHERE " + where);
    INFO(sql << ": " << why());
    REQUIRE(odbctx_query_int(session(), sql.c_str(), &n) == 0);
    return n;
}

test_run::test_run()
{
    INFO(why());
    REQUIRE(odbctx_begin_test(session()) == 0);
}

test_run::~test_run()
{
    if (odbctx_in_test(session()))
        odbctx_end_test(session());
}

void test_run::finish()
{
    INFO(why());
    REQUIRE(odbctx_end_test(session()) == 0);
    CHECK(count("entry") == 0);
    CHECK(count("account") == 0);
    CHECK(fresh_count("entry") == 0);
    CHECK(fresh_count("account") == 0);
}

legacy::legacy(const std::string &conn_or_dsn)
{
    int rc = ledger_open(&l, conn_or_dsn.c_str(), prefix().c_str());
    INFO(ledger_error(l));
    REQUIRE(rc == LEDGER_OK);
}

legacy::legacy(SQLHDBC dbc)
{
    int rc = ledger_attach(&l, dbc, prefix().c_str());
    INFO(ledger_error(l));
    REQUIRE(rc == LEDGER_OK);
}

legacy::~legacy()
{
    ledger_close(l);
}

long legacy::balance(int account)
{
    long b = -1;
    int rc = ledger_balance(l, account, &b);
    INFO(ledger_error(l));
    REQUIRE(rc == LEDGER_OK);
    return b;
}

} // namespace cap
