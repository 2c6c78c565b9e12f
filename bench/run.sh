#!/usr/bin/env bash
# Frozen-backbone transfer benchmark: Graft route vs plain DL4J (and the PyTorch peer when installed).
# Needs: apt-get install -y dataset-fashion-mnist   (optional: python3-torch python3-numpy libopenblas0-pthread)
# Usage: bench/run.sh [sizes, default 2000; e.g. 2000,30000] [repetitions, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-2000}"
reps="${2:-3}"
mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >&2
cp="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "graft+plain JVM: %e s wall, peak RSS %M KiB" \
  java -Xmx6g -Dbench.sizes="$sizes" -Dbench.reps="$reps" -cp "$cp" dev.graft.bench.TransferBench 2>&1 \
  | grep -vE "INFO|^\s*$|^#|^[0-9]+ +[a-z]|^total params"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "== PyTorch peer (../shared/peers/torch_transfer.py)"
  peer="${PEER_SCRIPT:-../shared/peers/torch_transfer.py}"
  [ -f /tmp/graft-peer-out/torch_backbone.pt ] || /usr/bin/python3 "$peer" pretrain
  /usr/bin/python3 "$peer" target
else
  echo "== PyTorch peer skipped: install python3-torch python3-numpy libopenblas0-pthread to compare"
fi
