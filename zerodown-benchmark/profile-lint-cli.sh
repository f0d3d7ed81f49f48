#!/usr/bin/env bash
# Where the wall time of `bin/zerodown lint` on the 1,000-file folder goes. Run run-lint-bench.sh first (it builds
# the jars and generates the folder), or pass --build.
#   1. a ladder of hyperfine runs: bare JVM, `zerodown --version`, lint of 1 file, lint of 1,000 files (text, json),
#      the same with the JVM's default JIT and with an AppCDS archive of the lint run's classes;
#   2. HotSpot perf counters of one lint run (class loading, verification, linking, static init, JIT, GC);
#   3. LintPhases: per-phase times of the first (cold) and later passes inside one JVM with the launcher's flags;
#   4. CliProfile: main-thread CPU against the whole process's;
#   5. a JFR recording of one lint run, its Java samples sorted into pipeline parts by JfrSummary.
# Usage: zerodown-benchmark/profile-lint-cli.sh [--build] [--runs N]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bt="${ZD_TARGET:-target-bench}"
runs=10
build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=1 ;;
    --runs) runs="$2"; shift ;;
    *) echo "profile-lint-cli.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

bench_jar="$here/$bt/benchmarks.jar"
cli_jar="$root/zerodown-cli/$bt/zerodown.jar"
folder="$here/$bt/lint-folder/postgres"
out="$here/$bt/lint-profile"
zd="$root/bin/zerodown"
# the launcher's own JVM flags (bin/zerodown); keep in step with it
flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto"
section() { printf '\n==== %s\n' "$*"; }

if [ "$build" = 1 ]; then
  (cd "$root" && mvn -q -Pbench -Dzd.target="$bt" -pl zerodown-benchmark -am package -DskipTests)
fi
for j in "$bench_jar" "$cli_jar"; do
  [ -f "$j" ] || { echo "profile-lint-cli.sh: $j missing; run run-lint-bench.sh or pass --build" >&2; exit 2; }
done
if [ ! -d "$folder" ]; then
  java -cp "$bench_jar" io.zerodown.benchmark.MigrationFolderGenerator "$folder"
fi
rm -rf "$out" && mkdir -p "$out/one"
cp "$folder"/V1__*.sql "$out/one/"
export ZERODOWN_JAR="$cli_jar"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) before (nproc $(nproc))"

section "1. ladder (hyperfine, $runs runs, 3 warm-up)"
java $flags -XX:ArchiveClassesAtExit="$out/lint.jsa" -jar "$cli_jar" lint --runner flyway "$folder" > /dev/null 2>&1 || true
hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$out/ladder.json" \
  -n "JVM only: java -version" "java $flags -version" \
  -n "zerodown --version" "$zd --version" \
  -n "lint, 1 file" "$zd lint --runner flyway $out/one" \
  -n "lint, 1000 files, text" "$zd lint --runner flyway $folder" \
  -n "lint, 1000 files, json" "$zd lint --runner flyway --format json $folder" \
  -n "lint, 1000 files, default JIT (C2)" "env ZERODOWN_JAVA_OPTS=-Xshare:auto $zd lint --runner flyway $folder" \
  -n "lint, 1000 files, AppCDS archive" "env 'ZERODOWN_JAVA_OPTS=$flags -XX:SharedArchiveFile=$out/lint.jsa' $zd lint --runner flyway $folder" \
  | tee "$out/ladder.txt"

section "2. HotSpot perf counters of one lint run (times in ms; *.self excludes nested class loads)"
java $flags -XX:+PerfDataSaveToFile -XX:PerfDataSaveFile="$out/lint.hsperf" -jar "$cli_jar" lint --runner flyway "$folder" > /dev/null || true
jstat -J-Djstat.showUnsupported=true -snap "file://$out/lint.hsperf" > "$out/perf-counters.txt"
awk -F= '
  /^sun.os.hrt.frequency=/ {hz=$2}
  {v[$1]=$2}
  END {
    split("sun.os.hrt.ticks sun.cls.time sun.cls.appClassLoadTime sun.cls.defineAppClassTime.self sun.cls.classVerifyTime.self sun.cls.classLinkedTime.self sun.cls.classInitTime.self sun.cls.sharedClassLoadTime java.ci.totalTime sun.gc.collector.0.time sun.rt.safepointTime", k, " ")
    for (i = 1; i in k; i++) if (k[i] in v) printf "  %-36s %8.1f ms\n", k[i], v[k[i]] / hz * 1000
    printf "  %-36s %8d\n", "java.cls.loadedClasses", v["java.cls.loadedClasses"]
    printf "  %-36s %8d\n", "java.cls.sharedLoadedClasses (CDS)", v["java.cls.sharedLoadedClasses"]
    printf "  %-36s %8d\n", "sun.ci.totalCompiles", v["sun.ci.totalCompiles"]
    printf "  %-36s %8d\n", "sun.gc.collector.0.invocations", v["sun.gc.collector.0.invocations"]
  }' "$out/perf-counters.txt" | tee "$out/perf-summary.txt"

section "3. LintPhases (ms; pass 1 is cold, as in the CLI)"
java $flags -cp "$bench_jar" io.zerodown.benchmark.LintPhases --target postgres:18 --passes 5 "$folder" | tee "$out/phases.txt"

section "4. CliProfile (one run, report to stdout discarded)"
{ java $flags -cp "$cli_jar:$bench_jar" io.zerodown.benchmark.CliProfile lint --runner flyway "$folder" 2>&1 > /dev/null || true; } \
  | sed -n '/--- CliProfile/,$p' | tee "$out/cliprofile.txt"

section "5. JFR execution samples of one lint run, by pipeline part"
cat > "$out/samples.jfc" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ExecutionSample"><setting name="enabled">true</setting><setting name="period">1 ms</setting></event>
</configuration>
EOF
java $flags -XX:StartFlightRecording=filename="$out/lint.jfr",settings="$out/samples.jfc" -jar "$cli_jar" \
  lint --runner flyway "$folder" > /dev/null 2>&1 || true
java -cp "$bench_jar" io.zerodown.benchmark.JfrSummary "$out/lint.jfr" | tee "$out/jfr-summary.txt"

echo
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) after; files in $out"
