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

export SPARK_HOME="$root/target/spark/spark-home"   # the worker starts executors with $SPARK_HOME/jars/*
export SPARK_SCALA_VERSION=2.12
export SPARK_LOCAL_IP=127.0.0.1
read -r -a java_options < "$root/src/graft-spark/conf/java-options"
spark_cp="$SPARK_HOME/jars/*"

master_pid="" worker_pid=""
stop() {
  [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null || true
  [ -n "$master_pid" ] && kill "$master_pid" 2>/dev/null && wait "$master_pid" 2>/dev/null || true
}
trap stop EXIT

# waits up to $3 seconds for a line matching $2 in file $1
wait_for() {
  for _ in $(seq "$3"); do
    if grep -q "$2" "$1"; then return 0; fi
    sleep 1
  done
  echo "standalone: no '$2' in $1 after $3 s:" >&2
  tail -20 "$1" >&2
  return 1
}

java "${java_options[@]}" -Xmx512m -cp "$spark_cp" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port 0 --webui-port 0 > "$out/master.log" 2>&1 &
master_pid=$!
wait_for "$out/master.log" "Starting Spark master at spark://" 120
master_url="$(grep -o 'spark://127.0.0.1:[0-9]*' "$out/master.log" | head -1)"
echo "standalone: master $master_url (log $out/master.log)"

java "${java_options[@]}" -Xmx512m -cp "$spark_cp" org.apache.spark.deploy.worker.Worker \
  --host 127.0.0.1 --cores "$cores" --memory 3g --webui-port 0 --work-dir "$out/work" "$master_url" \
  > "$out/worker.log" 2>&1 &
worker_pid=$!
wait_for "$out/worker.log" "Successfully registered with master" 120
echo "standalone: worker with $cores cores registered (log $out/worker.log)"

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
