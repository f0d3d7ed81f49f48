#!/usr/bin/env bash
# Live-view benchmark: the canary's overhead on app throughput and how fast guard rails pause a backfill, against a PostgreSQL server
# (default: the one on 127.0.0.1:5432, user postgres) in a fresh database that it drops at the end.
# Prints Markdown tables ready for docs/benchmarks.md.
#
# Usage: zerodown-benchmark/run-watch-bench.sh [--no-build] [JDBC_URL] [ROWS] [TRIALS]
#   defaults: jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres 3000000 8
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bt="${ZD_TARGET:-target-bench}"
build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
url="${1:-jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}"
rows="${2:-3000000}"
trials="${3:-8}"
if [ "$build" = 1 ]; then
  (cd "$root" && mvn -q -B -Pbench -Dzd.target="$bt" -pl zerodown-benchmark -am package -DskipTests)
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
java -Xmx2g -cp "$here/$bt/benchmarks.jar" io.zerodown.benchmark.WatchBenchmark "$url" "$rows" "$trials"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
