#!/usr/bin/env bash
# Interleaved A/B of TransferBench between two built checkouts of Graft: round r runs the benchmark once on OLD, then
# once on NEW, so that the machine's drift falls on both sides alike; prints each run's line and, at the end, the
# medians over all rounds of Graft's time, its featurize pass (featurize cases) and plain DL4J + oneDNN (a control:
# its code is the same on both sides, so its change is the noise between JVMs).
# Each checkout must have run `bench/run.sh` (or its two mvn lines) once, for target/bench-classpath.txt.
#
#   bench/ab.sh OLD_DIR NEW_DIR [rounds, default 3] [size, default 30000] [case: featurize or naive, default featurize]
# Environment: AB_REPS (runs a round, default 4), AB_OUT (the JSON files, default target/bench/ab).
# Run it with nothing else on the machine; session 17 measured issue 16's featurize-30k line with it.
set -euo pipefail
old="$(cd "$1" && pwd)" new="$(cd "$2" && pwd)"
rounds="${3:-3}" size="${4:-30000}" case="${5:-featurize}"
out="$(mkdir -p "${AB_OUT:-target/bench/ab}" && cd "${AB_OUT:-target/bench/ab}" && pwd)"
for r in $(seq "$rounds"); do
  for side in old new; do
    dir="$old"; [ "$side" = new ] && dir="$new"
    cp="$dir/src/camel-graft/target/classes:$dir/src/camel-graft/target/test-classes:$(cat "$dir/target/bench-classpath.txt")"
    echo "== $side round $r $(date -u +%T), load $(cut -d' ' -f1 /proc/loadavg)"
    (cd "$dir" && java -Xmx3g --add-modules jdk.incubator.vector -Dbench.sizes="$size" -Dbench.reps="${AB_REPS:-4}" \
      -Dbench.cases="$case" -Dbench.plainDefault=false -Dbench.out="$out/$side-$r.json" -cp "$cp" \
      dev.graft.bench.TransferBench 2>&1 | grep -E "^${case}_" | cut -c1-140)
  done
done
/usr/bin/python3 - "$out" "$rounds" "${case}_$size" <<'PY'
import json, statistics, sys
out, rounds, case = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = {}
for side in ("old", "new"):
    for r in range(1, rounds + 1):
        c = json.load(open(f"{out}/{side}-{r}.json"))[case]
        for key in ("graft_runs", "graft_featurize_runs", "plain_onednn_runs"):
            runs.setdefault((side, key), []).extend(x for x in c.get(key, []) if x is not None)
for key, label in (("graft_runs", "Graft train step"), ("graft_featurize_runs", "its featurize pass"),
                   ("plain_onednn_runs", "plain DL4J + oneDNN (control)")):
    o, n = runs.get(("old", key)), runs.get(("new", key))
    if o and n:
        mo, mn = statistics.median(o), statistics.median(n)
        print(f"{label:32s} old {mo:7.3f} s ({min(o):.3f}-{max(o):.3f})  new {mn:7.3f} s ({min(n):.3f}-{max(n):.3f})"
              f"  change {100 * (mn / mo - 1):+.1f}%  ({len(o)} and {len(n)} runs)")
PY
