#!/usr/bin/python3
"""Graft / PyTorch ratios from bench/run.sh's JSON files: torch-pretrain.json torch-target.json graft-*.json..."""
import json
import sys

pre = json.load(open(sys.argv[1]))
tgt = json.load(open(sys.argv[2]))
graft = {}
for f in sys.argv[3:]:
    graft.update(json.load(open(f)))
small, large = tgt["n_small"], tgt["n_large"]


def row(label, g, t, target):
    if g is None or t is None:
        print(f"{label:44s} {'-':>9s} {'-':>9s}")
        return
    ratio = g / t
    print(f"{label:44s} {g:9.3f} {t:9.3f} {ratio:7.2f}  target <= {target}  {'met' if ratio <= target else 'MISSED'}")


def g(case, key="graft_s"):
    return graft.get(case, {}).get(key)


print(f"{'case':44s} {'Graft s':>9s} {'torch s':>9s} {'ratio':>7s}")
pre_epoch = sorted(pre["epoch_s"])[len(pre["epoch_s"]) // 2]
pre_case = next((k for k in graft if k.startswith("pretrain_epoch_")), None)
row("pretrain epoch (classes 0-4)", g(pre_case, "graft_epoch_s") if pre_case else None, pre_epoch, 1.5)
for n, size in ((small, "small"), (large, "large")):
    t = tgt[f"naive_{size}"]
    row(f"naive frozen transfer, 5 epochs, {n}", g(f"naive_{n}"), t["wall_s_median"], 1.5)
    t = tgt[f"featurize_{size}"]
    row(f"featurize-once transfer end to end, {n}", g(f"featurize_{n}"), t["wall_s_median"], 1.0)
    row(f"head epoch on cached features, {n}", g(f"head_epoch_{n}"), t["epoch_s_median"], 1.0)
print(f"PyTorch test accuracy: naive small {tgt['naive_small']['test_acc'][0]:.4f}, "
      f"large {tgt['naive_large']['test_acc'][0]:.4f}; pretrain {pre['test_acc']:.4f}")
