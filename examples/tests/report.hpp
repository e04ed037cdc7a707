// The report `make example` ends with: how many test cases and runs there
// were, how many rows the tests wrote, and how many were left behind.
//
// Rows are counted, not assumed:
//   - written: at the end of every run, before odbctx rolls it back, the rows
//     in the app's tables beyond the suite's own;
//   - left after each run: at the start of the next run (and at the end of
//     the suite), right after odbctx's rollback and before anything else,
//     on the suite's connection;
//   - left after the suite, SQLite: from a second connection to the same
//     file just before odbctx closes it (and removes the file); on a server
//     examples/run counts from a fresh connection after the process exited.
// The counts go to $EXAMPLE_REPORT (key=value lines), which examples/run
// prints as the report; without it one summary line is printed.
//
// This listener must be registered before odbctx's (CATCH_REGISTER_LISTENER
// before #include <odbctx/catch2.hpp>, in the one source file that includes
// it): Catch2 calls listeners in registration order, so this one then sees
// each run still open at its end and not yet begun at its start. C++ does
// not promise that order of static initialisation across an inline
// variable, so the listener checks it at run time and reports the counts as
// wrong if it ever does not hold.
#ifndef INVENTORY_REPORT_HPP
#define INVENTORY_REPORT_HPP

#include <catch2/catch.hpp>

#include <odbctx.hpp>

#include <sql.h>
#include <sqlext.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace inventory::test {

inline constexpr const char *app_tables[] = {"customers",   "products",    "orders",
                                             "order_lines", "stock_moves", "audit_log"};

class isolation_report : public Catch::TestEventListenerBase {
public:
    using Catch::TestEventListenerBase::TestEventListenerBase;

    void testCaseStarting(Catch::TestCaseInfo const &info) override
    {
        Catch::TestEventListenerBase::testCaseStarting(info);
        cases_++;
    }

    void sectionStarting(Catch::SectionInfo const &info) override
    {
        Catch::TestEventListenerBase::sectionStarting(info);
        if (m_sectionStack.size() != 1)
            return;
        odbctx::session *s = odbctx::try_current();
        if (!s)
            return;
        if (s->in_test())
            order_broken_ = true;
        const long long n = rows(*s);
        if (n < 0)
            return;
        if (baseline_ < 0)
            baseline_ = n; // the suite's own rows, before any test ran
        else
            note_left(n - baseline_);
    }

    void sectionEnded(Catch::SectionStats const &stats) override
    {
        if (m_sectionStack.size() == 1) {
            runs_++;
            odbctx::session *s = odbctx::try_current();
            if (s && !s->in_test())
                order_broken_ = true;
            const long long n = s ? rows(*s) : -1;
            if (n >= 0 && baseline_ >= 0)
                written_ += n - baseline_;
            else
                uncounted_++;
        }
        Catch::TestEventListenerBase::sectionEnded(stats);
    }

    void testRunEnded(Catch::TestRunStats const &stats) override
    {
        odbctx::session *s = odbctx::try_current();
        std::string db = "no database", second = "n/a";
        if (s) {
            db = std::string(s->dbms()) + " (" +
                 (s->connection().empty() ? std::string("embedded default")
                                          : std::string(s->connection())) +
                 ")";
            const long long n = rows(*s);
            if (n >= 0 && baseline_ >= 0)
                note_left(n - baseline_);
            if (s->dbms() == "SQLite")
                second = second_connection(*s);
        }
        const bool ok = !order_broken_ && left_ == 0 && uncounted_ == 0 && checks_ > 0 &&
                        (second == "n/a" || second_ok_);
        const auto &t = stats.totals.testCases;
        // examples/run prints the report from this file, after Catch2's own
        // summary and together with its fresh-connection check.
        if (const char *path = std::getenv("EXAMPLE_REPORT")) {
            if (FILE *f = std::fopen(path, "w")) {
                std::fprintf(f,
                             "database=%s\ncases=%ld\npassed=%zu\nfailed=%zu\nexpected_fail=%zu\n"
                             "runs=%ld\nwritten=%lld\nleft=%lld\nchecks=%ld\nuncounted=%ld\n"
                             "second=%s\norder_ok=%d\nok=%d\n",
                             db.c_str(), cases_, t.passed, t.failed, t.failedButOk, runs_,
                             written_, left_, checks_, uncounted_, second.c_str(),
                             !order_broken_, ok);
                std::fclose(f);
            }
        } else {
            std::printf("\nodbctx example report: %s\n  runs %ld, rows written %lld, rows left "
                        "after runs %lld (%ld checks)%s%s, isolation %s\n",
                        db.c_str(), runs_, written_, left_, checks_,
                        second == "n/a" ? "" : ", second connection: ",
                        second == "n/a" ? "" : second.c_str(), ok ? "held" : "BROKEN");
        }
        Catch::TestEventListenerBase::testRunEnded(stats);
    }

private:
    void note_left(long long n)
    {
        checks_++;
        if (n != 0)
            left_ += n;
    }

    // Rows in the app's tables; -1 when they cannot be counted (say, a test
    // left the connection unusable; odbctx repairs it at the rollback).
    static long long rows(odbctx::session &s)
    {
        long long total = 0;
        for (const char *t : app_tables) {
            auto n = s.query_int(std::string("SELECT COUNT(*) FROM ") + t);
            if (!n)
                return -1;
            total += *n;
        }
        return total;
    }

    // Opens a second connection to the suite's SQLite file and counts what
    // it can see: nothing was ever committed, so not even the tables.
    std::string second_connection(odbctx::session &s)
    {
        std::string file = sqlite_file(s);
        if (file.empty())
            return "not checked (no file name)";
        SQLHENV env;
        SQLHDBC dbc;
        SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
        SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
        SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
        const std::string conn = "Driver=SQLite3;Database=" + file + ";Timeout=2000";
        std::string result;
        if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, nullptr, (SQLCHAR *)conn.c_str(), SQL_NTS,
                                            nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT))) {
            result = "not checked (cannot connect)";
        } else {
            long tables = 0;
            long long rows = 0;
            for (const char *t : app_tables) {
                SQLHSTMT st;
                SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
                SQLBIGINT n = 0;
                const std::string q = std::string("SELECT COUNT(*) FROM ") + t;
                if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)q.c_str(), SQL_NTS)) &&
                    SQL_SUCCEEDED(SQLFetch(st)) &&
                    SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_SBIGINT, &n, 0, nullptr))) {
                    tables++;
                    rows += n;
                }
                SQLFreeHandle(SQL_HANDLE_STMT, st);
            }
            SQLDisconnect(dbc);
            second_ok_ = rows == 0;
            result = std::to_string(tables) + " tables, " + std::to_string(rows) + " rows";
        }
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        SQLFreeHandle(SQL_HANDLE_ENV, env);
        return result;
    }

    // The file behind the session's "main" database.
    static std::string sqlite_file(odbctx::session &s)
    {
        SQLHSTMT st;
        if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, s.hdbc(), &st)))
            return {};
        std::string file;
        if (SQL_SUCCEEDED(SQLExecDirect(st, (SQLCHAR *)"PRAGMA database_list", SQL_NTS))) {
            while (SQL_SUCCEEDED(SQLFetch(st))) {
                char name[64] = "", path[1024] = "";
                SQLLEN ind = 0;
                SQLGetData(st, 2, SQL_C_CHAR, name, sizeof name, &ind);
                SQLGetData(st, 3, SQL_C_CHAR, path, sizeof path, &ind);
                if (std::string(name) == "main")
                    file = path;
            }
        }
        SQLFreeHandle(SQL_HANDLE_STMT, st);
        return file;
    }

    long cases_ = 0, runs_ = 0, checks_ = 0, uncounted_ = 0;
    long long baseline_ = -1, written_ = 0, left_ = 0;
    bool order_broken_ = false, second_ok_ = false;
};

} // namespace inventory::test

#endif
