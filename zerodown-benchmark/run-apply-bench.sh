#!/usr/bin/env bash
# Apply benchmark, in one command: builds the benchmark jar, then runs ApplyBenchmark against a PostgreSQL server
# (default: the one on 127.0.0.1:5432, user postgres) in a fresh database that it drops at the end.
# Prints Markdown tables ready for docs/benchmarks.md.
#
# Usage: zerodown-benchmark/run-apply-bench.sh [--no-build] [JDBC_URL] [ROWS] [RATE]
#   defaults: jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres 2000000 500
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bt="${ZD_TARGET:-target-bench}"
build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
url="${1:-jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}"
rows="${2:-2000000}"
rate="${3:-500}"
if [ "$build" = 1 ]; then
  (cd "$root" && mvn -q -B -Pbench -Dzd.target="$bt" -pl zerodown-benchmark -am package -DskipTests)
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
java -Xmx2g -cp "$here/$bt/benchmarks.jar" io.zerodown.benchmark.ApplyBenchmark "$url" "$rows" "$rate"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
