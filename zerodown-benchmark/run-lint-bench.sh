#!/usr/bin/env bash
# Lint speed, in one command: builds the benchmark module and the CLI fat jar, generates the 1,000-file Flyway
# folders (PostgreSQL and MySQL), then measures
#   1. in process: JMH LintBenchmark (statements/s for scanner + split + parse + rules),
#   2. whole process: wall time of bin/zerodown lint on the folder (hyperfine, else a /usr/bin/time loop),
#   3. peak RSS of the same commands (/usr/bin/time -v),
# and prints the figures. Results also land in zerodown-benchmark/<target>/lint-bench/.
#
# Usage: zerodown-benchmark/run-lint-bench.sh [--quick] [--no-build] [--no-jmh] [--no-cli] [--files N]
#   --quick     JMH scanAndLint only, 1 fork, 8 warm-up and 5 measured iterations (about 1.5 minutes instead of 7)
#   --no-build  reuse the jars already built
#   --no-jmh / --no-cli   skip one of the two measurements
#   --wait-quiet          before measuring, wait (up to 30 min) until the CPUs are at least 85% idle for 10 s
# Environment: ZD_TARGET (build output folder name, default target-bench), RUNS (hyperfine runs, default 10),
#   WARMUP (hyperfine warm-up runs, default 3).
#
# Benchmarks want a quiet machine: the script prints the load average before and after; compare it with nproc.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bt="${ZD_TARGET:-target-bench}"
runs="${RUNS:-10}"
warmup="${WARMUP:-3}"
files=1000
quick=0 build=1 jmh=1 cli=1 wait_quiet=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --no-jmh) jmh=0 ;;
    --no-cli) cli=0 ;;
    --wait-quiet) wait_quiet=1 ;;
    --files) files="$2"; shift ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run-lint-bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

bench_jar="$here/$bt/benchmarks.jar"
cli_jar="$root/zerodown-cli/$bt/zerodown.jar"
folders="$here/$bt/lint-folder"
out="$here/$bt/lint-bench"

section() { printf '\n==== %s\n' "$*"; }

# Busy share of all CPUs over the next $1 seconds, in percent, from /proc/stat.
cpu_busy() {
  local a b
  a=($(head -1 /proc/stat)); sleep "$1"; b=($(head -1 /proc/stat))
  local busy=0 total=0 i d
  for i in 1 2 3 4 5 6 7 8; do
    d=$(( b[i] - a[i] )); total=$(( total + d ))
    [ "$i" != 4 ] && [ "$i" != 5 ] && busy=$(( busy + d ))   # 4 idle, 5 iowait
  done
  echo $(( total > 0 ? 100 * busy / total : 0 ))
}

wait_for_quiet() {
  local waited=0 quiet=0 b
  while [ "$waited" -lt 1800 ]; do
    b=$(cpu_busy 2); waited=$((waited + 2))
    if [ "$b" -le 15 ]; then quiet=$((quiet + 2)); else quiet=0; fi
    [ "$quiet" -ge 10 ] && { echo "quiet: CPUs <= 15% busy for 10 s (waited ${waited} s)"; return 0; }
  done
  echo "warning: the machine did not go quiet in 30 min; measuring anyway" >&2
}

if [ "$build" = 1 ]; then
  section "build: mvn -q -Pbench -Dzd.target=$bt -pl zerodown-benchmark -am package -DskipTests"
  (cd "$root" && mvn -q -Pbench -Dzd.target="$bt" -pl zerodown-benchmark -am package -DskipTests)
fi
for j in "$bench_jar" "$cli_jar"; do
  [ -f "$j" ] || { echo "run-lint-bench.sh: $j missing; run without --no-build" >&2; exit 2; }
done
mkdir -p "$out"

section "machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory:  $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
echo "java:    $(java -version 2>&1 | head -1)"
echo "         $(java -version 2>&1 | sed -n 2p)"
echo "git:     $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) before"

section "generate: java -cp $bench_jar io.zerodown.benchmark.MigrationFolderGenerator [--mysql] --files $files DIR"
java -cp "$bench_jar" io.zerodown.benchmark.MigrationFolderGenerator --files "$files" "$folders/postgres"
java -cp "$bench_jar" io.zerodown.benchmark.MigrationFolderGenerator --files "$files" --mysql "$folders/mysql"

if [ "$wait_quiet" = 1 ]; then
  section "waiting for a quiet machine"
  wait_for_quiet
fi
echo "cpu busy (other processes), 3 s sample before measuring: $(cpu_busy 3)%"

if [ "$jmh" = 1 ]; then
  jmh_opts=()
  [ "$quick" = 1 ] && jmh_opts=(-f 1 -wi 8 -i 5)
  [ "$quick" = 1 ] && jmh_bench="LintBenchmark.scanAndLint" || jmh_bench="LintBenchmark"
  section "in process (JMH): java -jar $bench_jar $jmh_bench -p folders=$folders -p files=$files ${jmh_opts[*]}"
  java -jar "$bench_jar" "$jmh_bench" -p folders="$folders" -p files="$files" "${jmh_opts[@]}" \
    -rf json -rff "$out/jmh.json" | tee "$out/jmh.txt"
fi

if [ "$cli" = 1 ]; then
  export ZERODOWN_JAR="$cli_jar"
  zd="$root/bin/zerodown"
  cmds=(
    "$zd lint --runner flyway $folders/postgres"
    "$zd lint --runner flyway --format json $folders/postgres"
    "$zd lint --runner flyway --target postgres:16 $folders/postgres"
    "$zd lint --runner flyway --target mysql:8.0.35 $folders/mysql"
  )
  section "whole process: ZERODOWN_JAR=$cli_jar"
  ok=()
  for c in "${cmds[@]}"; do
    # exit 1 means error findings (expected on this folder); 2 or 3 mean the run itself failed: not timed
    set +e; $c > "$out/last-output.txt" 2> "$out/last-error.txt"; rc=$?; set -e
    if [ "$rc" -gt 1 ]; then
      echo "SKIPPED (exit $rc, not timed): $c" >&2; head -2 "$out/last-error.txt" | sed 's/^/    /' >&2
      continue
    fi
    ok+=("$c")
    echo "$c  -> exit $rc, $(tail -1 "$out/last-output.txt" | cut -c1-120)"
  done
  rm -f "$out/last-output.txt" "$out/last-error.txt"
  [ ${#ok[@]} -gt 0 ] || { echo "run-lint-bench.sh: no lint command ran" >&2; exit 1; }
  cmds=("${ok[@]}")
  if command -v hyperfine > /dev/null; then
    # -N: no intermediate shell; -i: exit 1 (error findings) is the expected outcome
    hyperfine -N -i --warmup "$warmup" --runs "$runs" --export-json "$out/hyperfine.json" "${cmds[@]}" \
      | tee "$out/hyperfine.txt"
  else
    echo "hyperfine not found (Debian: apt-get install -y hyperfine); falling back to $runs runs of /usr/bin/time"
    for c in "${cmds[@]}"; do
      for _ in $(seq "$warmup"); do $c > /dev/null 2>&1 || true; done
      for _ in $(seq "$runs"); do /usr/bin/time -f '%e' -a -o "$out/times.txt" $c > /dev/null 2>&1 || true; done
      awk -v c="$c" '{s+=$1; q+=$1*$1; if(min==""||$1<min)min=$1; if($1>max)max=$1; n++}
        END {m=s/n; printf "%s\n  mean %.3f s ± %.3f s, min %.3f s, max %.3f s, %d runs\n", c, m, sqrt((q-n*m*m)/(n-1)), min, max, n}' \
        "$out/times.txt"
      rm -f "$out/times.txt"
    done
  fi

  section "peak RSS: /usr/bin/time -v, 5 runs each, largest 'Maximum resident set size'"
  for c in "${cmds[@]}"; do
    max=0
    for _ in 1 2 3 4 5; do
      /usr/bin/time -v -o "$out/rss.txt" $c > /dev/null 2>&1 || true
      rss=$(awk '/Maximum resident set size/ {print $NF}' "$out/rss.txt")
      [ -n "$rss" ] && [ "$rss" -gt "$max" ] && max=$rss
    done
    printf '%6d MiB  %s\n' $((max / 1024)) "$c"
  done
  rm -f "$out/rss.txt"
fi

section "done"
echo "cpu busy, 3 s sample after: $(cpu_busy 3)%"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) after"
echo "results: $out"
