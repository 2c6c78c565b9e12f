#!/usr/bin/env bash
# A real Spark standalone cluster on loopback, made from Spark's jars on Maven Central (no Spark distribution):
# starts a master and one worker (org.apache.spark.deploy.master.Master / ...worker.Worker via java -cp), runs
# the demo routes once on this machine (engine local, the baseline) and then the transfer route through
# spark-submit (org.apache.spark.deploy.SparkSubmit) against the master, with -p graft.engine=spark. Checks that
# the cluster's executors ran the training tasks and that the test accuracies are within GRAFT_SPARK_TOLERANCE
# (default 0.01) of each other; prints both with their times. Stops the master and the worker on exit.
#
#   src/graft-spark/standalone.sh [-p NAME=VALUE...]      e.g. -p graft.data=/usr/share/datasets/fashion-mnist
# Environment: GRAFT_SPARK_OUT (default target/spark/standalone: logs, registry, the worker's folder),
# GRAFT_SPARK_CORES (the worker's cores, default 2), GRAFT_SPARK_TOLERANCE.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$PWD"
out="$root/${GRAFT_SPARK_OUT:-target/spark/standalone}"
cores="${GRAFT_SPARK_CORES:-2}"
tolerance="${GRAFT_SPARK_TOLERANCE:-0.01}"
rm -rf "$out"
mkdir -p "$out/work"

# Builds graft-spark.jar and Spark's jars when needed, and checks that the route loads with engine=spark.
./graft-spark validate routes/fashion-transfer.yaml -p graft.engine=spark >/dev/null

# the master and the worker (cluster.sh); they stop when this script exits
# shellcheck source=src/graft-spark/cluster.sh
. "$root/src/graft-spark/cluster.sh"
start_cluster standalone "$out" "$cores"

registry="$out/registry"
echo "standalone: single machine: pretrain the backbone, then the transfer (engine local)"
start=$(date +%s)
./graft-spark run routes/pretrain-backbone.yaml routes/fashion-transfer.yaml -p graft.registry="$registry" \
  -p graft.limitSample=first "$@" \
  2>&1 | tee "$out/single.log"
single_s=$(( $(date +%s) - start ))

echo "standalone: the transfer on the cluster through spark-submit (engine spark)"
start=$(date +%s)
java "${java_options[@]}" ${GRAFT_JAVA_OPTS:--Xmx4g} -Dlog4j2.configurationFile="$root/src/graft-spark/conf/log4j2.properties" \
  -cp "$spark_cp" org.apache.spark.deploy.SparkSubmit \
  --master "$master_url" --deploy-mode client --name graft-fashion-transfer \
  --conf spark.driver.host=127.0.0.1 --conf spark.executor.memory=2g --conf spark.executor.cores="$cores" \
  --class dev.graft.cli.GraftCli target/spark/graft-spark.jar \
  run routes/fashion-transfer.yaml -p graft.engine=spark -p graft.registry="$registry" -p graft.limitSample=first "$@" \
  2>&1 | tee "$out/cluster.log"
cluster_s=$(( $(date +%s) - start ))

accuracy() { grep -o 'route fashion-transfer finished.*test accuracy [0-9.]*' "$1" | grep -o '[0-9.]*$' | tail -1; }
single_acc="$(accuracy "$out/single.log")"
cluster_acc="$(accuracy "$out/cluster.log")"
tasks="$(cat "$out"/work/app-*/*/stderr 2>/dev/null | grep -c 'Finished task' || true)"
executors="$(ls -d "$out"/work/app-*/* 2>/dev/null | wc -l)"
echo "standalone: test accuracy single machine ${single_acc:-none} (pretrain + transfer ${single_s} s), cluster" \
  "${cluster_acc:-none} (transfer ${cluster_s} s, spark-submit included); $executors executor(s) ran $tasks tasks"
if [ -z "$single_acc" ] || [ -z "$cluster_acc" ]; then
  echo "standalone: FAILED: a run printed no test accuracy (logs in $out)" >&2
  exit 1
fi
if [ "$tasks" -lt 1 ]; then
  echo "standalone: FAILED: no executor of the cluster ran a task (logs in $out/work)" >&2
  exit 1
fi
if ! awk -v a="$single_acc" -v b="$cluster_acc" -v t="$tolerance" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; then
  echo "standalone: FAILED: cluster accuracy $cluster_acc is not within $tolerance of $single_acc" >&2
  exit 1
fi
echo "standalone: passed"
