#!/usr/bin/env bash
# Benchmark: Graft routes vs plain DL4J and the PyTorch peer (bench/torch_transfer.py, when installed), back to back on
# this machine, every case from the same weights (TransferBench exports them to target/bench/shared as .npy).
# Needs: apt-get install -y dataset-fashion-mnist   (peer: python3-torch python3-numpy libopenblas0-pthread)
# Usage: bench/run.sh [sizes, default 2000; e.g. 2000,30000] [repetitions, default 3] [cases]
#   cases: comma list of pretrain,naive,featurize,twophase,tta (time to a test accuracy, BENCH_TTA_TARGET, default 0.93,
#   on the largest size) (default all), plus the extra checks
#   startup (cold start of `graft run` to its first step), rss (peak RSS of `graft run` on each size) and
#   cache (cold vs warm featurize cache: a graft run per retrain, then retrains in one JVM), mobilenet (MobileNetV2
#   featurization at 224x224, batch 1/8/32: Graft, DL4J as it ships, PyTorch; needs scripts/fetch-imagenet-models.sh,
#   not in the default list), profile (what the data profile costs in a run of bench/frozen-transfer.yaml on each size,
#   from the times the profile records; not in the default list), step (where a LeNet training step's time goes,
#   layer by layer, against the GEMM rate at the same shapes and a 1024x1024 SGEMM; not in the default list); BENCH_PEER=0 skips the PyTorch peer; two-phase runs on the sizes in
#   BENCH_TWO_PHASE_SIZES (default 2000); BENCH_PLAIN_DEFAULT=false skips plain DL4J without oneDNN; BENCH_WARMUP=false drops the uncounted
#   first round (to check accuracies quickly on a busy machine; not for timing); BENCH_PRETRAIN_REPS (default 1) times the pretraining case that many times (medians). Figures go to target/bench/ (graft-<sizes>.json, torch-*.json).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-2000}"
reps="${2:-3}"
cases="${3:-pretrain,naive,featurize,twophase,tta,startup,rss,cache}"
out=target/bench
mkdir -p "$out"
# the reactor build (target/graft.jar for the route cases), then camel-graft's class path, where the benchmark
# classes live: package compiles the tests too (naming test-compile instead would hand camel-graft an unpackaged
# graft-spi, MDEP-187), and with -am each module writes its class path to the same file, camel-graft last
mvn -q -B -DskipTests package >&2
mvn -q -B -DskipTests -pl src/camel-graft -am package dependency:build-classpath \
  -Dmdep.outputFile="$PWD/target/bench-classpath.txt" >&2
cp="src/camel-graft/target/classes:src/camel-graft/target/test-classes:$(cat target/bench-classpath.txt)"
echo "== machine: $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
data=/usr/share/datasets/fashion-mnist
reg=target/bench-registry
vec="--add-modules jdk.incubator.vector" # as ./graft: SIMD kernels for small heads
has() { [[ ",$cases," == *",$1,"* ]]; }
quiet() { grep -vE " INFO |^\s*$|^#|^[0-9]+ +[a-z]|^total params|^(train|evaluate|fetch-dataset|load-backbone|freeze-layers|build-head|unfreeze-layers|create-model|publish): " || true; }

java_cases=$(tr ',' '\n' <<<"$cases" | grep -E '^(pretrain|naive|featurize|twophase|tta)$' | paste -sd, || true)
if [ -n "$java_cases" ]; then
  echo "== Graft vs plain DL4J: $java_cases on $sizes, $reps repetitions (medians)"
  java -Xmx3g $vec -Dbench.sizes="$sizes" -Dbench.reps="$reps" -Dbench.cases="$java_cases" -Dbench.out="$out/graft-${sizes//,/-}.json" -Dbench.twoPhaseSizes="${BENCH_TWO_PHASE_SIZES:-2000}" -Dbench.plainDefault="${BENCH_PLAIN_DEFAULT:-true}" -Dbench.ttaTarget="${BENCH_TTA_TARGET:-0.93}" -Dbench.warmup="${BENCH_WARMUP:-true}" -Dbench.pretrainReps="${BENCH_PRETRAIN_REPS:-1}" \
    -cp "$cp" dev.graft.bench.TransferBench 2>&1 | quiet
  # the PyTorch peer right after, on what TransferBench exported: the same start weights, backbone, head start and
  # per-epoch orders; it checks its frozen features against DL4J's and its data selection against Graft's labels
  torch_cases=$(tr ',' '\n' <<<"check,$java_cases" | grep -E '^(check|pretrain|naive|featurize|twophase|tta)$' | paste -sd,)
  if [ "${BENCH_PEER:-1}" != 0 ] && /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
    echo "== PyTorch peer (bench/torch_transfer.py): $torch_cases from the same weights ($out/shared), $reps repetitions"
    /usr/bin/python3 bench/torch_transfer.py "$out/shared" "$reps" "$torch_cases" > "$out/torch-${sizes//,/-}.json"
    /usr/bin/python3 bench/compare.py "$out/torch-${sizes//,/-}.json" "$out/graft-${sizes//,/-}.json"
  else
    echo "== PyTorch peer skipped: install python3-torch python3-numpy libopenblas0-pthread (or unset BENCH_PEER=0)"
  fi
fi

if has startup; then
  echo "== cold start: graft run on a trivial route (validate, load, one fetch of the embedded sample)"
  for i in 1 2 3; do
    /usr/bin/time -f "   wall %e s, peak RSS %M KiB" java $vec -jar target/graft.jar run bench/trivial.yaml \
      -p graft.registry=$reg 2>&1 | grep -E "starts,|wall" | sed "s/^.*starts, /   first step /" | tr '\n' ' '; echo
  done
fi

# the rss and cache cases run graft on the harness's backbone: make it when no Java case has
if { has rss || has cache || has profile; } && [ ! -d "$reg/lenet-fashion-0-4" ]; then
  java -Xmx3g $vec -Dbench.sizes="$sizes" -Dbench.reps=1 -Dbench.cases=none -Dbench.out="$out/backbone.json" \
    -cp "$cp" dev.graft.bench.TransferBench 2>&1 | quiet
fi

if has rss; then
  for n in ${sizes//,/ }; do
    for f in false true; do
      echo "== peak RSS: graft run bench/frozen-transfer.yaml, $n images, featurize=$f (default JVM options)"
      /usr/bin/time -f "   wall %e s, peak RSS %M KiB" java -Xmx4g $vec -jar target/graft.jar run bench/frozen-transfer.yaml \
        -p graft.data=$data -p graft.registry=$reg -p bench.trainLimit="$n" -p bench.featurize=$f 2>&1 \
        | grep -E "wall|accuracy" | tail -2
    done
  done
fi

if has profile; then
  echo "== data profile cost: bench/frozen-transfer.yaml on $sizes images, $reps runs after a warm-up (medians)"
  java -Xmx4g $vec -Dbench.sizes="$sizes" -Dbench.reps="$reps" -Dbench.data=$data -Dbench.registry=$reg \
    -cp "$cp" dev.graft.bench.ProfileBench 2>&1 | grep -E "^ *(warm-up|counted)|^==" || true
fi

if has cache; then
  for n in ${sizes//,/ }; do
    echo "== featurize cache, graft run per retrain (fresh JVM each): bench/cached-transfer.yaml, $n images, $reps rounds of cold then warm"
    for round in $(seq 1 "$reps"); do
      rm -rf "$out/feature-cache"
      for kind in cold warm; do
        s=$(java -Xmx4g $vec -jar target/graft.jar run bench/cached-transfer.yaml -p graft.data=$data -p graft.registry=$reg \
          -p bench.trainLimit="$n" -p bench.cache="$out/feature-cache" 2>&1 | sed -n 's/^.*step train done in \([0-9.]*\) s.*$/\1/p')
        echo "$kind $s"
      done
    done | tee "$out/cache-cli-$n.txt" | paste -sd' ' | sed 's/^/   train step: /'
    awk '{v[$1]=v[$1]" "$2} END {for (k in v) print k, v[k]}' "$out/cache-cli-$n.txt" | /usr/bin/python3 -c '
import sys, statistics
m = {l.split()[0]: statistics.median(map(float, l.split()[1:])) for l in sys.stdin}
print("   medians: cold %.2f s, warm %.2f s, cold/warm %.1f" % (m["cold"], m["warm"], m["cold"] / m["warm"]))'
  done
  echo "== featurize cache, retrain in one JVM (as graft serve does): $reps rounds"
  java -Xmx3g $vec -Dbench.sizes="$sizes" -Dbench.reps="$reps" -Dbench.cases=cache -Dbench.out="$out/graft-cache-${sizes//,/-}.json" \
    -cp "$cp" dev.graft.bench.TransferBench 2>&1 | quiet
fi

if has mobilenet; then
  model=target/imagenet/mobilenet_v2/model.json
  [ -f "$model" ] || scripts/fetch-imagenet-models.sh >&2
  echo "== MobileNetV2 featurization, 224x224, random images, images/s (median of $reps; GFLOP/s at 0.599 GFLOP an image)"
  echo "   Graft (featurize-once path, oneDNN helpers on):"
  java -Xmx6g $vec -Dbench.reps="$reps" -Dbench.model="$model" -cp "$cp" dev.graft.bench.MobileNetBench 2>&1 >"$out/mobilenet-graft.json" | quiet | sed 's/^/     /'
  echo "   DL4J as it ships (helpers off; batch 8 and 32, 32 images a repetition):"
  java -Xmx6g $vec -Dorg.eclipse.deeplearning4j.helpers.disable=true -Dbench.reps="$reps" -Dbench.batches=8,32 -Dbench.images=32 -Dbench.warmup=1 \
    -Dbench.model="$model" -cp "$cp" dev.graft.bench.MobileNetBench 2>&1 >"$out/mobilenet-dl4j.json" | quiet | sed 's/^/     /'
  if [ "${BENCH_PEER:-1}" != 0 ] && /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
    for t in default 2 2+hugetlb; do
      echo "   PyTorch, threads $t:"
      case $t in
        default) /usr/bin/python3 bench/torch_mobilenet.py 1,8,32 "$reps" > "$out/mobilenet-torch-$t.json" ;;
        2) BENCH_TORCH_THREADS=2 /usr/bin/python3 bench/torch_mobilenet.py 1,8,32 "$reps" > "$out/mobilenet-torch-$t.json" ;;
        *) GLIBC_TUNABLES=glibc.malloc.hugetlb=1 BENCH_TORCH_THREADS=2 /usr/bin/python3 bench/torch_mobilenet.py 1,8,32 "$reps" > "$out/mobilenet-torch-$t.json" ;;
      esac
    done
    /usr/bin/python3 bench/compare_mobilenet.py "$out"/mobilenet-*.json
  else
    echo "   PyTorch skipped: install python3-torch python3-torchvision libopenblas0-pthread to compare"
  fi
fi

if has step; then
  echo "== where a LeNet training step's time goes (batch 64, oneDNN on; each line the median of 200 steps after warm-up)"
  java -Xmx2g $vec -Dbench.out="$out/step-profile.json" -cp "$cp" dev.graft.bench.LenetStepProfile 2>&1 | quiet
  echo "   sampled by Java Flight Recorder over 600 fit steps (the training thread's samples by DL4J method):"
  java -Xmx2g $vec -Dbench.fitOnly=true -XX:StartFlightRecording=filename="$out/step.jfr",settings=profile \
    -cp "$cp" dev.graft.bench.LenetStepProfile >/dev/null 2>&1
  /usr/bin/python3 bench/jfr_layers.py "$out/step.jfr"
  echo "   the same with DL4J's Java path (helpers off):"
  java -Xmx2g $vec -Dgraft.nativeHelpers=false -Dbench.out="$out/step-profile-java.json" -cp "$cp" dev.graft.bench.LenetStepProfile 2>&1 | quiet | sed 's/^/   /'
fi
