#!/usr/bin/env bash
# bench/plot, the SVG figures of `make bench`, on a bench.csv in the format
# bench/run writes (the scenario's and the scale section's rows, a quoted
# field with a comma among them): both figures are drawn, well-formed, with
# every variant and database in them; a CSV without those rows draws
# neither and says nothing is wrong. Needs no database: it runs on SQLite's
# turn only. Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" plot
if [ "${ODBCTX_DB:-sqlite}" != sqlite ]; then
    skip "bench/plot reads a CSV, not a database: checked on the SQLite run"
    finish
fi
if ! command -v gnuplot >/dev/null; then
    bad "gnuplot is missing (make deps installs gnuplot-nox)"
    finish
fi
cat >"$tmp/bench.csv" <<'CSV'
db,kind,section,name,value,unit,baseline,ratio,round_trips,met
sqlite,result,scale,tests 1-10: per-test odbctx,30000,ns,"raw floor, same tests",1.1,,
sqlite,result,scale,tests 11-100: per-test odbctx,25000,ns,"raw floor, same tests",1.1,,
sqlite,result,scale,tests 101-1000: per-test odbctx,24000,ns,"raw floor, same tests",1.1,,
sqlite,result,scale,tests 1001-10000: per-test odbctx,24500,ns,"raw floor, same tests",1.1,,
mariadb,result,scale,tests 1-10: per-test odbctx,130000,ns,"raw floor, same tests",1.1,,
mariadb,result,scale,tests 11-100: per-test odbctx,110000,ns,"raw floor, same tests",1.1,,
mariadb,result,scale,tests 101-1000: per-test odbctx,100000,ns,"raw floor, same tests",1.1,,
mariadb,result,scale,tests 1001-10000: per-test odbctx,101000,ns,"raw floor, same tests",1.1,,
sqlite,result,scenario,odbctx-batch: one test,80.5,us,,,0,
sqlite,result,scenario,odbctx-loop: one test,120.5,us,,,0,
sqlite,result,scenario,truncation: one test,3000,us,,,0,
postgresql/fsync-off,result,scenario,odbctx-batch: one test,800,us,,,9,
postgresql/fsync-off,result,scenario,odbctx-loop: one test,1500,us,,,35,
postgresql/fsync-off,result,scenario,truncation: one test,1100,us,,,16,
postgresql/fsync-off,result,scenario,python: one test,11000,us,,,41,
postgresql/fsync-off,target,target,truncation / odbctx-batch,1.37,x,>= 1.5,,,MISSED
CSV
bench/plot "$tmp/bench.csv" "$tmp/out" >"$tmp/plot.log" 2>&1
check "bench/plot draws the figures" test $? -eq 0
for f in scenario scale; do
    check "$f.svg is well-formed SVG" /usr/bin/python3 -c \
        "import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); sys.exit(0 if r.tag.endswith('svg') else 1)" \
        "$tmp/out/$f.svg"
done
for text in "create_batch" "create() loop" "DELETE after each test" "Python recipe" "postgresql/fsync-off" ">41<" ">9<"; do
    check "the scenario figure shows $text" grep -qF -- "$text" "$tmp/out/scenario.svg"
done
for text in "sqlite" "mariadb" "1001-10000"; do
    check "the scale figure shows $text" grep -qF -- "$text" "$tmp/out/scale.svg"
done
head -n 1 "$tmp/bench.csv" >"$tmp/empty.csv"
bench/plot "$tmp/empty.csv" "$tmp/none" >"$tmp/none.log" 2>&1
check "a CSV without scenario or scale rows (BENCH_ONLY) is no error" test $? -eq 0
check "... and draws no figure" test ! -e "$tmp/none/scenario.svg" -a ! -e "$tmp/none/scale.svg"
finish
