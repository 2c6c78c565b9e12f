#!/bin/bash
# Issue 16's large-data check: MobileNetV2 featurize-once and a new 10-class head on all 60,000 Fashion-MNIST
# training images as 96x96 RGB JPEGs (6.6 GB as float tensors), streamed from their files, the whole `graft run`
# under /usr/bin/time -v; then the same route on target/fashion-rgb's 2,000 images streamed and in memory.
#
# Memory settings (explicit, so the figure means something): -Xmx768m for the heap (the head's training loop copies
# the 1280 features of every training example into a heap array: 60,000 x 1280 x 4 = 307 MB), ND4J's off-heap
# arrays capped by -Dorg.bytedeco.javacpp.maxbytes=640m, and JavaCPP's own physical-memory check off
# (-Dorg.bytedeco.javacpp.maxphysicalbytes=0; its default, maxbytes plus the heap, would count the page cache of the
# memory-mapped features); /usr/bin/time measures the peak. With -Xmx768m fetch-dataset's memoryBudget is 192 MiB,
# so stream=auto streams both data sets. The large run evaluates on a stratified 2,000 of the 10,000 test images
# (testLimit; evaluation runs the whole network, DL4J's layers, at about 30 images/s on 2 busy cores).
#
# Usage: [TEST_LIMIT=N] scripts/stream-60k.sh [out, default target/stream-60k] [epochs, default 10] [large|small:
# only the 60k run, or only the 2,000-image A/B, whose test split TEST_LIMIT limits (default 0, all 5,000)]
# Needs target/graft.jar (./graft builds it), target/imagenet (scripts/fetch-imagenet-models.sh), python3-pil.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/stream-60k}
epochs=${2:-10}
only=${3:-all}   # "large" runs only the 60k case, "small" only the 2,000-image A/B
mkdir -p "$out"
/usr/bin/python3 scripts/make-fashion-rgb.py --all target/fashion-rgb-60k
/usr/bin/python3 scripts/make-fashion-rgb.py target/fashion-rgb
opts=(-Xmx768m -Dorg.bytedeco.javacpp.maxbytes=640m -Dorg.bytedeco.javacpp.maxphysicalbytes=0)

run() { # name, then -p arguments; JAVA_HEAP replaces -Xmx1g and the off-heap caps (today's default -Xmx4g)
  local name=$1
  shift
  local jvm=("${opts[@]}")
  if [ -n "${JAVA_HEAP:-}" ]; then jvm=("$JAVA_HEAP"); fi
  rm -rf "$out/$name"
  mkdir -p "$out/$name"
  echo "== $name (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  /usr/bin/time -v -o "$out/$name/time.txt" java "${jvm[@]}" --add-modules jdk.incubator.vector \
      -jar target/graft.jar run routes/mobilenet-transfer.yaml -p graft.registry="$out/$name/registry" "$@" \
      > "$out/$name/run.log" 2>&1
  grep -E "fetch-dataset: |featurized|test accuracy" "$out/$name/run.log" | sed 's/^/   /'
  grep -E "Maximum resident|Elapsed \(wall" "$out/$name/time.txt" | sed 's/^\s*/   /'
}

if [ "$only" != small ]; then
run large -p graft.photos=target/fashion-rgb-60k -p graft.classes=10 -p graft.stream=auto -p graft.headEpochs="$epochs" \
    -p graft.testLimit=2000
fi
if [ "$only" = large ]; then exit 0; fi
run small-streamed -p graft.photos=target/fashion-rgb -p graft.stream=true -p graft.headEpochs="$epochs" \
    -p graft.testLimit="${TEST_LIMIT:-0}"
# today's in-memory path as ./graft runs it (-Xmx4g: a memoryBudget of 1 GiB holds the 7,000 decoded images)
JAVA_HEAP=-Xmx4g run small-memory -p graft.photos=target/fashion-rgb -p graft.stream=false -p graft.headEpochs="$epochs" \
    -p graft.testLimit="${TEST_LIMIT:-0}"
for f in small-streamed small-memory; do
  grep -E "^train: epoch|^evaluate: test accuracy" "$out/$f/run.log" | grep -v "%" | sed "s/  lr .*//" > "$out/$f/compare.txt" || true
done
if cmp -s "$out/small-streamed/compare.txt" "$out/small-memory/compare.txt"; then
  echo "2,000 images: streamed and in-memory runs give the same losses and test accuracy"
else
  echo "2,000 images: streamed and in-memory runs DIFFER:"; diff "$out/small-streamed/compare.txt" "$out/small-memory/compare.txt" || true
  exit 1
fi
