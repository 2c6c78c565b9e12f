#!/usr/bin/env bash
# Compares the transfer-learning strategies on the full Fashion-MNIST (Debian package dataset-fashion-mnist):
# one backbone pretrained on classes 0-4 (routes/pretrain-backbone.yaml, 2 epochs on ~30k images), reused by
#   fashion-transfer.yaml           frozen conv base (layers[:-3]), dense1 and a new head train on frozen features
#   feature-extraction-merged.yaml  whole backbone frozen, head on pool2 (avg-pooled) + dense1
#   two-phase-fine-tune.yaml        frozen head first, then the top four layers fine-tuned at a lower rate
#   from-scratch-baseline.yaml      the same CNN from random weights (5 and 15 epochs)
# all on the same first 2,000 training images of classes 5-9, tested on all 5,000 test images of 5-9.
#
# Usage: scripts/compare-strategies.sh [OUT]   (OUT default /tmp/graft-compare; a backbone already in
#        OUT/registry is reused). Prints one line per strategy and writes OUT/results.tsv and OUT/*.log.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/graft-compare}"
data="${GRAFT_DATA:-/usr/share/datasets/fashion-mnist}"
mkdir -p "$out"
[ -f "$data/train-images-idx3-ubyte.gz" ] || { echo "no Fashion-MNIST in $data: apt-get install -y dataset-fashion-mnist" >&2; exit 2; }

# a private copy of the launcher's jar, so that rebuilding the checkout cannot disturb a running comparison
(cd "$here" && mvn -q -B -DskipTests package)
rm -rf "$out/app" && mkdir -p "$out/app" && cp -r "$here/target/graft.jar" "$here/target/lib" "$out/app/"
graft() { java ${GRAFT_JAVA_OPTS:--Xmx4g} -jar "$out/app/graft.jar" "$@"; }
props=(-p graft.data="$data" -p graft.registry="$out/registry" -p graft.trainLimit=2000)

if [ ! -d "$out/registry/lenet-fashion-0-4" ]; then
  SECONDS=0
  graft run "$here/routes/pretrain-backbone.yaml" "${props[@]}" -p graft.pretrainEpochs=2 > "$out/pretrain.log" 2>&1
  echo "backbone (classes 0-4, 2 epochs): $(grep -o 'test accuracy [0-9.]*' "$out/pretrain.log"), ${SECONDS} s"
fi

printf 'strategy\ttest_accuracy\twall_s\n' > "$out/results.tsv"
run() {
  local name="$1"; shift
  local acc
  SECONDS=0
  if graft run "$@" "${props[@]}" > "$out/$name.log" 2>&1; then
    acc=$(grep -o "test accuracy [0-9.]*" "$out/$name.log" | tail -1 | cut -d' ' -f3)
  else
    acc="FAILED (see $out/$name.log)"
  fi
  printf '%s\t%s\t%s\n' "$name" "$acc" "$SECONDS" | tee -a "$out/results.tsv"
}
run fashion-transfer "$here/routes/fashion-transfer.yaml"
run feature-extraction-merged "$here/routes/feature-extraction-merged.yaml"
run two-phase-fine-tune "$here/routes/two-phase-fine-tune.yaml"
run scratch-5-epochs "$here/routes/from-scratch-baseline.yaml" -p graft.scratchEpochs=5
run scratch-15-epochs "$here/routes/from-scratch-baseline.yaml" -p graft.scratchEpochs=15
