#!/usr/bin/env bash
# MobileNetV2 featurization at 224x224, sides interleaved round by round (A/B back to back, for a shared machine):
#   graft-direct  Graft's featurize-once path as it ships (frozen part on libnd4j ops, batch norm folded)
#   graft-layers  the same through DL4J's layers (-Dgraft.featurize.direct=false; oneDNN helpers on)
#   torch-2-hugetlb, torch-default   bench/torch_mobilenet.py with 2 threads + glibc.malloc.hugetlb=1, and as it starts
# Each side runs in a fresh process per round (each process: median of its repetitions); the summary gives, per side
# and batch size, the median over rounds, and the load average seen before each round.
# Usage: bench/mobilenet_ab.sh [rounds, default 3] [batch sizes, default 1,8,16,32]
#   env: AB_SIDES (comma list, default all four), AB_IMAGES (images a repetition, 32), AB_REPS (3), AB_WARMUP (4)
# Needs the classes bench/run.sh builds (camel-graft's classes and test classes, target/bench-classpath.txt) and
# scripts/fetch-imagenet-models.sh's target/imagenet. Figures go to target/bench/ab/.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
batches="${2:-1,8,16,32}"
sides="${AB_SIDES:-graft-direct,graft-layers,torch-2-hugetlb,torch-default}"
images="${AB_IMAGES:-32}" reps="${AB_REPS:-3}" warmup="${AB_WARMUP:-4}"
model=target/imagenet/mobilenet_v2/model.json
[ -f "$model" ] || { echo "mobilenet_ab: $model is missing; run scripts/fetch-imagenet-models.sh" >&2; exit 1; }
cp="src/camel-graft/target/classes:src/camel-graft/target/test-classes:$(cat target/bench-classpath.txt)"
out=target/bench/ab
rm -rf "$out" && mkdir -p "$out"
echo "== machine: $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(date -u +%FT%TZ)"
for r in $(seq 1 "$rounds"); do
  echo "round $r: load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
  for side in ${sides//,/ }; do
    f="$out/$side-$r.json"
    case $side in
      graft-direct|graft-layers)
        java -Xmx6g -Dgraft.featurize.direct="$([ $side = graft-direct ] && echo true || echo false)" \
          -Dbench.reps="$reps" -Dbench.batches="$batches" -Dbench.images="$images" -Dbench.warmup="$warmup" \
          -Dbench.model="$model" -cp "$cp" dev.graft.bench.MobileNetBench 2>/dev/null >"$f" ;;
      torch-2-hugetlb)
        GLIBC_TUNABLES=glibc.malloc.hugetlb=1 BENCH_TORCH_THREADS=2 /usr/bin/python3 bench/torch_mobilenet.py \
          "$batches" "$reps" "$images" >"$f" ;;
      torch-default)
        /usr/bin/python3 bench/torch_mobilenet.py "$batches" "$reps" "$images" >"$f" ;;
    esac
    echo "  $side: $(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join("b%s %.1f" % kv for kv in d["images_per_s"].items()), "direct=%s" % d.get("direct", "-"))' "$f")"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
/usr/bin/python3 - "$out" <<'EOF'
import glob, json, os, statistics, sys
out = sys.argv[1]
runs = {}
for path in sorted(glob.glob(os.path.join(out, "*-*.json"))):
    side = os.path.basename(path).rsplit("-", 1)[0]
    for b, v in json.load(open(path))["images_per_s"].items():
        runs.setdefault(side, {}).setdefault(int(b), []).append(v)
batches = sorted({b for s in runs.values() for b in s})
print("median over rounds, images/s")
print(f"{'side':18s}" + "".join(f"{'b' + str(b):>8s}" for b in batches) + f"{'best':>8s}")
best = {}
for side, r in runs.items():
    med = {b: statistics.median(v) for b, v in r.items()}
    best[side] = max(med.values())
    print(f"{side:18s}" + "".join(f"{med[b]:8.1f}" if b in med else f"{'-':>8s}" for b in batches) + f"{best[side]:8.1f}")
torch = max((v for s, v in best.items() if s.startswith("torch")), default=None)
for side in ("graft-direct", "graft-layers"):
    if side in best and torch:
        print(f"{side} best / PyTorch best: {best[side]:.1f} / {torch:.1f} = {best[side] / torch:.2f}")
EOF
