#!/usr/bin/env bash
# The operator benchmarks of docs/benchmarks.md ("Operator reaction, scale and memory").
#
#   bench/operator/run.sh [--runs N] reaction [n]                       # default n=100
#   bench/operator/run.sh [--runs N] scale [n] [namespaces] [quiet-s]   # default 1000 50 120
#   bench/operator/run.sh [--runs N] rss [levels...]                    # default 0 100 1000
#   BENCH_RSS_MEMORY_FLAG=-Xmx192m bench/operator/run.sh rss            # another heap setting
#   BENCH_KCM_FLAGS="--kube-api-qps=200 --kube-api-burst=400" bench/operator/run.sh scale
#                                  # flags added to kube-controller-manager (a faster Job controller)
#
# --runs N (default 5) repeats the benchmark N times, each in a fresh JVM against a fresh local
# control plane (kube-apiserver, etcd, kube-controller-manager, kube-scheduler; the binaries of
# scripts/k8s-binaries.sh must be built), and ends with the min / median / max of every figure
# over the runs (bench/operator/summarize.py). Each run's output is kept in
# bench/operator/target/runs/<mode>-<time>-<run>.log, the summary in <mode>-<time>-summary.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=5
if [[ "${1:-}" == "--runs" ]]; then
  runs="${2:?--runs needs a number}"
  shift 2
fi
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "--runs: a positive number, not '$runs'" >&2; exit 2; }
mode="${1:-reaction}"
case "$mode" in reaction|scale|rss) ;; *) echo "usage: $0 [--runs N] reaction|scale|rss [args]" >&2; exit 2;; esac
mkdir -p bench/operator/target/runs
stamp="bench/operator/target/runs/${mode}-$(date +%Y%m%d-%H%M%S)"
# compile once; every run then only executes
./mvnw -q -pl bench/operator -am compile
logs=()
for ((run = 1; run <= runs; run++)); do
  log="${stamp}-${run}.log"
  echo "== run ${run} of ${runs}: $*; output in ${log}"
  ./mvnw -q -pl bench/operator -am -Poperator-bench process-classes -Dbench="$*" 2>&1 | tee "$log"
  logs+=("$log")
done
python3 bench/operator/summarize.py "${logs[@]}" | tee "${stamp}-summary.md"
echo "summary kept in ${stamp}-summary.md"
