#!/usr/bin/env bash
# Compares the transfer-learning strategies on the full Fashion-MNIST (Debian package dataset-fashion-mnist).
# One backbone is pretrained on classes 0-4 (routes/pretrain-backbone.yaml, 2 epochs on ~30k images) and
# reused by every strategy, each run on the same first 2,000 training images of classes 5-9 and tested on
# all 5,000 test images of 5-9, once per training seed (SEEDS, default "12345 1 2"):
#   fashion-transfer           conv base frozen (layers[:-3]); dense1 and a new head train on frozen features
#   feature-extraction-merged  whole backbone frozen; a dense head on pool2 (avg-pooled) + dense1
#   two-phase-fine-tune        frozen backbone + new head, then the top four layers at a 10x lower rate
#                              (trains on 1,800 of the 2,000 images: 200 are its validation split)
#   from-scratch-baseline      the same CNN from random weights, 5 epochs (the transfer routes' budget)
#
# Usage: scripts/compare-strategies.sh [OUT]   (OUT default /tmp/graft-compare; a backbone already in
#        OUT/registry is reused). Writes OUT/results.tsv (one row per strategy and seed), OUT/*.log, and
#        prints each row and, at the end, the mean and range per strategy.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/graft-compare}"
data="${GRAFT_DATA:-/usr/share/datasets/fashion-mnist}"
seeds="${SEEDS:-12345 1 2}"
mkdir -p "$out"
[ -f "$data/train-images-idx3-ubyte.gz" ] || { echo "no Fashion-MNIST in $data: apt-get install -y dataset-fashion-mnist" >&2; exit 2; }

# a private copy of the jar, so that rebuilding the checkout cannot disturb a running comparison
(cd "$here" && mvn -q -B -DskipTests package)
rm -rf "$out/app" && mkdir -p "$out/app" && cp -r "$here/target/graft.jar" "$here/target/lib" "$out/app/"
graft() { java ${GRAFT_JAVA_OPTS:--Xmx4g} --add-modules jdk.incubator.vector -jar "$out/app/graft.jar" "$@"; }
props=(-p graft.data="$data" -p graft.registry="$out/registry" -p graft.trainLimit=2000)

if [ ! -d "$out/registry/lenet-fashion-0-4" ]; then
  SECONDS=0
  graft run "$here/routes/pretrain-backbone.yaml" "${props[@]}" -p graft.pretrainEpochs=2 > "$out/pretrain.log" 2>&1
  echo "backbone (classes 0-4, 2 epochs): $(grep -o 'test accuracy [0-9.]*' "$out/pretrain.log"), ${SECONDS} s"
fi

printf 'strategy\tseed\ttest_accuracy\twall_s\n' > "$out/results.tsv"
run() {
  local name="$1" seed="$2" acc
  shift 2
  SECONDS=0
  if graft run "$@" "${props[@]}" -p graft.seed="$seed" > "$out/$name-$seed.log" 2>&1; then
    acc=$(grep -o "test accuracy [0-9.]*" "$out/$name-$seed.log" | tail -1 | cut -d' ' -f3)
  else
    acc="FAILED"
  fi
  printf '%s\t%s\t%s\t%s\n' "$name" "$seed" "$acc" "$SECONDS" | tee -a "$out/results.tsv"
}
for seed in $seeds; do
  # fashion-transfer.yaml writes its seed literally (it is the README's annotated example): a copy takes this one
  sed "s/seed=12345/seed=$seed/" "$here/routes/fashion-transfer.yaml" > "$out/fashion-transfer-seeded.yaml"
  run fashion-transfer "$seed" "$out/fashion-transfer-seeded.yaml"
  run feature-extraction-merged "$seed" "$here/routes/feature-extraction-merged.yaml"
  run two-phase-fine-tune "$seed" "$here/routes/two-phase-fine-tune.yaml"
  run from-scratch "$seed" "$here/routes/from-scratch-baseline.yaml"
done
echo
awk -F'\t' 'NR > 1 && $3 != "FAILED" { n[$1]++; s[$1] += $3; if (!($1 in lo) || $3 < lo[$1]) lo[$1] = $3;
             if ($3 > hi[$1]) hi[$1] = $3 }
            END { for (k in n) printf "%-26s mean %.4f  min %.4f  max %.4f  (%d seeds)\n", k, s[k] / n[k], lo[k], hi[k], n[k] }' \
    "$out/results.tsv" | sort -k3 -r
