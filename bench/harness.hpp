// Timing, statistics, resource probes and the report of one database's run.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace bench {

std::uint64_t now_ns();
std::uint64_t cpu_now_ns(); // this thread's CPU time
double median(std::vector<double> v);

// One operation to time. Every sample is the time of `batch` calls divided
// by batch, so the figure is always per call.
struct op {
    std::string name;
    std::function<void()> fn;
    std::vector<double> ns;
    // Run before each sample, untimed: puts back state that another
    // operation of the loop may have taken away.
    std::function<void()> prep = {};
    // CPU time of this thread per sample: what the client itself spent,
    // without the wait for the server.
    std::vector<double> cpu_ns = {};
    double median_ns() const { return median(ns); }
    double median_cpu_ns() const { return median(cpu_ns); }
};

// Runs the operations interleaved: in every round each runs once (a batch),
// in an order that rotates from round to round, so drift of the machine or
// the server (caches, autovacuum, a checkpoint) lands on all of them alike.
// The warm-up rounds are not recorded. With a budget (seconds), the loop
// also stops once that much time has passed and at least 5 rounds ran, so a
// slow baseline (a commit that waits for the disk) cannot stretch the run.
//
// block > 1 runs each operation block times in a row per round (a sample
// each): for strategies that leave work behind for the server (truncation's
// commits make PostgreSQL's WAL writer and autovacuum busy for a while),
// so that each is measured in its own steady state, as in a suite made of
// it alone, while the rotation still spreads drift over all of them.
void interleave(const std::vector<op *> &ops, int warmup, int rounds, int batch = 1, double budget_s = 0,
                int block = 1);

// Round trips to a database server, counted in the process's send()/recv()
// (netcount.cpp interposes them): a round trip is a burst of sends that
// follows a receive. For SQLite, which runs in the process, the statements
// SQLite executed instead.
void netcount_reset();
long netcount_round_trips();

// Round trips per call of fn, over n calls.
double round_trips_per_call(const std::function<void()> &fn, int n);

// Resident memory now (KiB), peak resident memory (KiB, getrusage) and
// the number of open file descriptors.
long rss_kib();
long peak_rss_kib();
int open_fds();

// One measured line of the report. value is ns per call unless unit says
// otherwise; ratio is this line's time over its baseline's time, measured
// in the same interleaved loop (so > 1 means slower than the baseline).
struct row {
    std::string section;
    std::string name;
    double value = NAN;
    std::string unit = "ns";
    std::string baseline;
    double ratio = NAN;
    double round_trips = NAN;
    std::string note;
};

struct target {
    std::string name;
    double value = NAN;
    std::string op; // "<=", ">=" or "<"
    double limit = NAN;
    std::string unit;
    bool met = false;
    std::string detail;
};

class report {
public:
    std::string db;      // sqlite | postgresql | mariadb
    std::string dbms;    // SQL_DBMS_NAME and version
    std::vector<row> rows;
    std::vector<target> targets;
    std::vector<std::string> notes;
    std::vector<std::string> errors;

    row &add(row r);
    // Adds a target; met is computed from value, op and limit.
    void check(const std::string &name, double value, const std::string &op, double limit,
               const std::string &unit, const std::string &detail = "");
    void print(std::FILE *out) const;
    std::string json() const;
    void csv(std::FILE *out, bool header) const;
};

// "123 ns", "45.6 us", "7.89 ms", "1.23 s".
std::string human_time(double ns);

} // namespace bench
