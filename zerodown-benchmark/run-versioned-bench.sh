#!/usr/bin/env bash
# Versioned migrations: write overhead of the sync triggers (bulk and single-row writes, through the old and the new
# version, ratio to runs without triggers in the same run) and start-to-ready time on a large table, against a
# PostgreSQL server (default: 127.0.0.1:5432, user postgres) in a fresh database that it drops at the end.
# Prints Markdown tables.
#
# Usage: zerodown-benchmark/run-versioned-bench.sh [--no-build] [JDBC_URL] [ROWS] [OVERHEAD_ROWS] [TRIALS]
#   defaults: jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres 2000000 200000 3
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bt="${ZD_TARGET:-target-bench}"
build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
url="${1:-jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}"
rows="${2:-2000000}"
overhead_rows="${3:-200000}"
trials="${4:-3}"
if [ "$build" = 1 ]; then
  (cd "$root" && mvn -q -B -Pbench -Dzd.target="$bt" -pl zerodown-benchmark -am package -DskipTests)
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
java -Xmx1g -cp "$here/$bt/benchmarks.jar" io.zerodown.benchmark.VersionedBenchmark "$url" "$rows" "$overhead_rows" "$trials"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
