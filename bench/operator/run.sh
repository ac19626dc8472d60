#!/usr/bin/env bash
# The operator benchmarks of docs/benchmarks.md ("Operator reaction, scale and memory").
#
#   bench/operator/run.sh reaction [n]                         # default n=100
#   bench/operator/run.sh scale [n] [namespaces] [quiet-s]     # default 1000 50 120
#   bench/operator/run.sh rss [levels...]                      # default 0 100 1000
#   BENCH_RSS_MEMORY_FLAG=-XX:MaxRAM=384m bench/operator/run.sh rss   # heap sized as in a 384Mi container
#
# Each run starts its own local control plane (kube-apiserver, etcd, kube-controller-manager,
# kube-scheduler; the binaries of scripts/k8s-binaries.sh must be built), runs
# io.jobgtm.schema.operator.bench.OperatorBenchmark in a fresh JVM and stops everything it started.
# The output is also kept in operator/target/bench/<mode>-<time>.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-reaction}"
case "$mode" in reaction|scale|rss) ;; *) echo "usage: $0 reaction|scale|rss [args]" >&2; exit 2;; esac
mkdir -p operator/target/bench
log="operator/target/bench/${mode}-$(date +%Y%m%d-%H%M%S).log"
./mvnw -q -pl operator -am -Poperator-bench process-test-classes -Dbench="$*" 2>&1 | tee "$log"
echo "output kept in $log"
