# Sourced by standalone.sh and standalone-featurize.sh: a Spark standalone master and one worker on loopback, made
# from Spark's jars on Maven Central (target/spark/spark-home, which ./graft-spark builds; no Spark distribution),
# started as org.apache.spark.deploy.master.Master and ...worker.Worker through java -cp.
#
#   start_cluster NAME OUT CORES
# NAME prefixes the messages, OUT gets master.log and worker.log and is the worker's folder's parent (OUT/work),
# CORES is the worker's cores. Afterwards: $master_url, $spark_cp (Spark's class path), the java_options array
# (src/graft-spark/conf/java-options), SPARK_HOME exported; the master and the worker stop when the calling script
# exits. Expects to run from the repository root.

# waits up to $3 seconds for a line matching $2 in file $1
wait_for() {
  for _ in $(seq "$3"); do
    if grep -q "$2" "$1"; then return 0; fi
    sleep 1
  done
  echo "$cluster_name: no '$2' in $1 after $3 s:" >&2
  tail -20 "$1" >&2
  return 1
}

stop_cluster() {
  [ -n "${worker_pid:-}" ] && kill "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null || true
  [ -n "${master_pid:-}" ] && kill "$master_pid" 2>/dev/null && wait "$master_pid" 2>/dev/null || true
}

start_cluster() {
  cluster_name="$1"
  local out="$2" cores="$3"
  export SPARK_HOME="$PWD/target/spark/spark-home"   # the worker starts executors with $SPARK_HOME/jars/*
  export SPARK_SCALA_VERSION=2.12
  export SPARK_LOCAL_IP=127.0.0.1
  read -r -a java_options < "$PWD/src/graft-spark/conf/java-options"
  spark_cp="$SPARK_HOME/jars/*"
  mkdir -p "$out/work"
  master_pid="" worker_pid=""
  trap stop_cluster EXIT

  java "${java_options[@]}" -Xmx512m -cp "$spark_cp" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port 0 --webui-port 0 > "$out/master.log" 2>&1 &
  master_pid=$!
  wait_for "$out/master.log" "Starting Spark master at spark://" 120
  master_url="$(grep -o 'spark://127.0.0.1:[0-9]*' "$out/master.log" | head -1)"
  echo "$cluster_name: master $master_url (log $out/master.log)"

  java "${java_options[@]}" -Xmx512m -cp "$spark_cp" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores "$cores" --memory 3g --webui-port 0 --work-dir "$out/work" "$master_url" \
    > "$out/worker.log" 2>&1 &
  worker_pid=$!
  wait_for "$out/worker.log" "Successfully registered with master" 120
  echo "$cluster_name: worker with $cores cores registered (log $out/worker.log)"
}
