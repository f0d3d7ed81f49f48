#!/usr/bin/env bash
# MySQL/MariaDB copy benchmark, in one command: a type change that needs a copy, run directly, with zerodown apply and
# with pt-online-schema-change (Debian's percona-toolkit, installed here if missing), each on a fresh 2M-row table
# under the same app workload. Needs the MariaDB/MySQL server at the URL (default: 127.0.0.1:3306, root).
# Usage: zerodown-benchmark/run-mysql-bench.sh [--no-build] [MYSQL_URL] [ROWS] [RATE] [WAYS: direct,zerodown,pt]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bt="${ZD_TARGET:-target-bench}"
build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
url="${1:-mysql://root@127.0.0.1:3306/test}"
rows="${2:-2000000}"
rate="${3:-400}"
ways="${4:-direct,zerodown,pt}"
command -v pt-online-schema-change >/dev/null || apt-get install -y -q percona-toolkit >/dev/null
if [ "$build" = 1 ]; then
  (cd "$root" && mvn -q -B -Pbench -Dzd.target="$bt" -pl zerodown-benchmark -am package -DskipTests)
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
java -Xmx2g -cp "$here/$bt/benchmarks.jar" io.zerodown.benchmark.MysqlCopyBenchmark "$url" "$rows" "$rate" "$ways"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
