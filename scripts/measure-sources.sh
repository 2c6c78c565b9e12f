#!/bin/bash
# Times fetch-dataset's sources in memory and streamed (issue 16 item 1): an image folder, a zip of it read in place,
# the same images as 4 zip shards (a glob) and as 4 folder shards (a comma list), raw IDX and a CSV made from
# Fashion-MNIST. Each case loads and reads every split once, twice, printing the second (dev.graft.bench.SourcesBench).
# Runs under nice -n 19. Needs camel-graft's test classes built (mvn -o test-compile -pl src/camel-graft ...) and
# python3-pil.
#
# Usage: scripts/measure-sources.sh [work folder, default target/measure-sources]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-target/measure-sources}
mkdir -p "$work"
nice -n 19 /usr/bin/python3 scripts/make-fashion-rgb.py "$work/rgb" >/dev/null
rgb="$work/rgb/train" # 2,000 colour JPEGs in 5 class folders
if [ ! -f "$work/rgb.zip" ]; then (cd "$rgb" && zip -q -r -0 "$OLDPWD/$work/rgb.zip" .); fi
if [ ! -d "$work/shards" ]; then
  mkdir -p "$work/shards"
  for k in 0 1 2 3; do
    for c in "$rgb"/*/; do
      mkdir -p "$work/shards/part-$k/$(basename "$c")"
      ls "$c" | awk -v k=$k 'NR % 4 == k' | while read -r f; do cp "$c/$f" "$work/shards/part-$k/$(basename "$c")/"; done
    done
    (cd "$work/shards/part-$k" && zip -q -r -0 "../photos-$k.zip" .)
  done
fi
if [ ! -f "$work/idx/train-images-idx3-ubyte" ]; then
  mkdir -p "$work/idx"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    gunzip -c "/usr/share/datasets/fashion-mnist/$f.gz" > "$work/idx/$f"
  done
fi
if [ ! -f "$work/fashion.csv" ]; then # the first 10,000 training images as CSV rows
  nice -n 19 /usr/bin/python3 - "$work/idx" "$work/fashion.csv" <<'PY'
import sys
images = open(sys.argv[1] + "/train-images-idx3-ubyte", "rb").read()[16:]
labels = open(sys.argv[1] + "/train-labels-idx1-ubyte", "rb").read()[8:]
with open(sys.argv[2], "w") as out:
    out.write("label," + ",".join("p%d" % i for i in range(784)) + "\n")
    for n in range(10000):
        out.write(str(labels[n]) + "," + ",".join(str(b) for b in images[n * 784:(n + 1) * 784]) + "\n")
PY
fi
cp=$(cd src/camel-graft && nice -n 19 mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
nice -n 19 java -Xmx2g -cp "src/camel-graft/target/test-classes:src/camel-graft/target/classes:$cp" \
  dev.graft.bench.SourcesBench "folder=$rgb@rgb" "zip=$work/rgb.zip@rgb" "zip-shards=$work/shards/photos-*.zip@rgb" \
  "folder-shards=$work/shards/part-0,$work/shards/part-1,$work/shards/part-2,$work/shards/part-3@rgb" \
  "idx=$work/idx" "csv=$work/fashion.csv"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
