#include "harness.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <ctime>

namespace bench {

std::uint64_t now_ns()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint64_t cpu_now_ns()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

double median(std::vector<double> v)
{
    if (v.empty())
        return NAN;
    size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<long>(mid), v.end());
    double m = v[mid];
    if (v.size() % 2 == 0) {
        double lo = *std::max_element(v.begin(), v.begin() + static_cast<long>(mid));
        m = (m + lo) / 2;
    }
    return m;
}

void interleave(const std::vector<op *> &ops, int warmup, int rounds, int batch, double budget_s, int block)
{
    size_t n = ops.size();
    const std::uint64_t start = now_ns();
    const std::uint64_t budget = static_cast<std::uint64_t>(budget_s * 1e9);
    auto over = [&](int r) { return budget > 0 && r >= 5 && now_ns() - start > budget; };
    for (int r = 0; r < warmup && !over(5); r++)
        for (op *o : ops)
            for (int b = 0; b < batch; b++) {
                if (o->prep)
                    o->prep();
                o->fn();
            }
    for (op *o : ops) {
        o->ns.reserve(o->ns.size() + static_cast<size_t>(rounds * block));
        o->cpu_ns.reserve(o->cpu_ns.size() + static_cast<size_t>(rounds * block));
    }
    for (int r = 0; r < rounds && !over(r); r++) {
        for (size_t k = 0; k < n; k++) {
            op *o = ops[(k + static_cast<size_t>(r)) % n];
            for (int i = 0; i < block; i++) {
                if (o->prep)
                    o->prep();
                std::uint64_t c0 = cpu_now_ns(), t0 = now_ns();
                for (int b = 0; b < batch; b++)
                    o->fn();
                std::uint64_t t1 = now_ns(), c1 = cpu_now_ns();
                o->ns.push_back(static_cast<double>(t1 - t0) / batch);
                o->cpu_ns.push_back(static_cast<double>(c1 - c0) / batch);
            }
        }
    }
}

long rss_kib()
{
    FILE *f = std::fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    long size = 0, resident = 0;
    int got = std::fscanf(f, "%ld %ld", &size, &resident);
    std::fclose(f);
    if (got != 2)
        return -1;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long peak_rss_kib()
{
    rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss;
}

int open_fds()
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (dirent *e = readdir(d))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; // the directory stream itself
}

std::string human_time(double ns)
{
    char buf[64];
    if (std::isnan(ns))
        return "-";
    if (ns < 0)
        return "-" + human_time(-ns);
    if (ns < 1e3)
        std::snprintf(buf, sizeof buf, "%.1f ns", ns);
    else if (ns < 1e6)
        std::snprintf(buf, sizeof buf, "%.1f us", ns / 1e3);
    else if (ns < 1e9)
        std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
    else
        std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
    return buf;
}

row &report::add(row r)
{
    rows.push_back(std::move(r));
    return rows.back();
}

void report::check(const std::string &name, double value, const std::string &op, double limit,
                   const std::string &unit, const std::string &detail)
{
    target t{name, value, op, limit, unit, false, detail};
    if (!std::isnan(value)) {
        if (op == "<=")
            t.met = value <= limit;
        else if (op == ">=")
            t.met = value >= limit;
        else if (op == "<")
            t.met = value < limit;
    }
    targets.push_back(t);
}

static std::string show_ratio(double v);

static std::string show_value(const row &r)
{
    char buf[64];
    if (std::isnan(r.value))
        return "-";
    if (r.unit == "ns")
        return human_time(r.value);
    if (r.unit == "rows/s")
        std::snprintf(buf, sizeof buf, "%.0f rows/s", r.value);
    else if (r.unit == "x")
        return show_ratio(r.value);
    else if (r.unit == "KiB")
        std::snprintf(buf, sizeof buf, "%.0f KiB", r.value);
    else
        std::snprintf(buf, sizeof buf, "%g %s", r.value, r.unit.c_str());
    return buf;
}

static std::string show_num(double v, const char *fmt)
{
    if (std::isnan(v))
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

// 1.14x, 0.0038x, 4132x: two decimals where they matter.
static std::string show_ratio(double v)
{
    if (std::isnan(v))
        return "-";
    if (v >= 100)
        return show_num(v, "%.0fx");
    if (v >= 0.1)
        return show_num(v, "%.2fx");
    return show_num(v, "%.2gx");
}

static std::string show_target(double v, const std::string &unit)
{
    if (std::isnan(v))
        return "n/a";
    if (unit == "x")
        return show_ratio(v);
    if (unit == "ns")
        return human_time(v);
    return show_num(v, "%.0f") + " " + unit;
}

void report::print(std::FILE *out) const
{
    std::fprintf(out, "\n== %s: %s ==\n", db.c_str(), dbms.c_str());
    std::fprintf(out, "%-11s %-52s %14s  %-30s %8s %6s\n", "section", "operation (median)", "value",
                 "baseline", "ratio", "RT");
    std::string last;
    for (const row &r : rows) {
        if (!last.empty() && r.section != last)
            std::fprintf(out, "\n");
        last = r.section;
        std::fprintf(out, "%-11s %-52s %14s  %-30s %8s %6s\n", r.section.c_str(), r.name.c_str(),
                     show_value(r).c_str(), r.baseline.c_str(), show_ratio(r.ratio).c_str(),
                     show_num(r.round_trips, "%.3g").c_str());
        if (!r.note.empty())
            std::fprintf(out, "%-11s   (%s)\n", "", r.note.c_str());
    }
    std::fprintf(out, "\nratio = this line's time / its baseline's time, same loop, same run; "
                      "RT = round trips to the server per operation (statements for SQLite)\n");
    std::fprintf(out, "targets:\n");
    for (const target &t : targets)
        std::fprintf(out, "  %-6s %-58s %10s %s %s%s%s\n", t.met ? "MET" : "MISSED", t.name.c_str(),
                     show_target(t.value, t.unit).c_str(), t.op.c_str(),
                     show_target(t.limit, t.unit).c_str(), t.detail.empty() ? "" : "  ",
                     t.detail.c_str());
    for (const std::string &n : notes)
        std::fprintf(out, "note: %s\n", n.c_str());
    for (const std::string &e : errors)
        std::fprintf(out, "ERROR: %s\n", e.c_str());
}

static std::string quote(const std::string &s)
{
    std::string o = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            o += '\\';
            o += static_cast<char>(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            o += buf;
        } else {
            o += static_cast<char>(c);
        }
    }
    return o + "\"";
}

static std::string number(double v)
{
    if (std::isnan(v) || std::isinf(v))
        return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string report::json() const
{
    std::string o = "{\"db\": " + quote(db) + ", \"dbms\": " + quote(dbms) + ",\n \"results\": [\n";
    for (size_t i = 0; i < rows.size(); i++) {
        const row &r = rows[i];
        o += "  {\"section\": " + quote(r.section) + ", \"name\": " + quote(r.name) +
             ", \"value\": " + number(r.value) + ", \"unit\": " + quote(r.unit) +
             ", \"baseline\": " + quote(r.baseline) + ", \"ratio\": " + number(r.ratio) +
             ", \"round_trips\": " + number(r.round_trips) + ", \"note\": " + quote(r.note) + "}";
        o += i + 1 < rows.size() ? ",\n" : "\n";
    }
    o += " ],\n \"targets\": [\n";
    for (size_t i = 0; i < targets.size(); i++) {
        const target &t = targets[i];
        o += "  {\"name\": " + quote(t.name) + ", \"value\": " + number(t.value) + ", \"op\": " +
             quote(t.op) + ", \"limit\": " + number(t.limit) + ", \"unit\": " + quote(t.unit) +
             ", \"met\": " + (t.met ? "true" : "false") + ", \"detail\": " + quote(t.detail) + "}";
        o += i + 1 < targets.size() ? ",\n" : "\n";
    }
    o += " ],\n \"notes\": [";
    for (size_t i = 0; i < notes.size(); i++)
        o += (i ? ", " : "") + quote(notes[i]);
    o += "],\n \"errors\": [";
    for (size_t i = 0; i < errors.size(); i++)
        o += (i ? ", " : "") + quote(errors[i]);
    o += "]}";
    return o;
}

static std::string csv_field(const std::string &s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string o = "\"";
    for (char c : s) {
        if (c == '"')
            o += '"';
        o += c;
    }
    return o + "\"";
}

// CSV leaves a missing number empty.
static std::string csv_number(double v)
{
    return std::isnan(v) || std::isinf(v) ? "" : number(v);
}

void report::csv(std::FILE *out, bool header) const
{
    if (header)
        std::fprintf(out, "db,kind,section,name,value,unit,baseline,ratio,round_trips,met\n");
    for (const row &r : rows)
        std::fprintf(out, "%s,result,%s,%s,%s,%s,%s,%s,%s,\n", db.c_str(), csv_field(r.section).c_str(),
                     csv_field(r.name).c_str(), csv_number(r.value).c_str(), r.unit.c_str(),
                     csv_field(r.baseline).c_str(), csv_number(r.ratio).c_str(),
                     csv_number(r.round_trips).c_str());
    for (const target &t : targets)
        std::fprintf(out, "%s,target,target,%s,%s,%s,%s %s,,,%s\n", db.c_str(), csv_field(t.name).c_str(),
                     csv_number(t.value).c_str(), t.unit.c_str(), t.op.c_str(), csv_number(t.limit).c_str(),
                     t.met ? "MET" : "MISSED");
}

} // namespace bench
