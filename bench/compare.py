#!/usr/bin/python3
"""Graft / plain DL4J / PyTorch, time beside accuracy, from bench/run.sh's JSON files: torch.json graft-*.json...

Every case ran from the same weights (bench/torch_transfer.py reads what TransferBench exported) in the same
order; a ratio counts only when the test accuracies agree within 0.5 points ("unequal" otherwise).
"""
import json
import sys

torch = json.load(open(sys.argv[1]))["cases"]
graft = {}
for f in sys.argv[2:]:
    graft.update(json.load(open(f)))

LABELS = [("pretrain_", "pretraining, {epochs} epochs, classes 0-4, {n}"), ("naive_", "naive frozen transfer, 5 epochs, {n}"),
          ("featurize_", "featurize-once transfer, 5 epochs, {n}"), ("head_epoch_", "head epoch on cached features, {n}"),
          ("two_phase_", "two-phase fine-tune, 5 + 2 epochs, {n}"),
          ("tta_", "time to test accuracy {target}, {n}")]


def name(case):
    for prefix, label in LABELS:
        if case.startswith(prefix) and case[len(prefix):].isdigit():
            return label.format(n=case[len(prefix):], target=graft.get(case + "_epochs", {}).get("target", ""),
                                epochs=torch[case].get("epochs", ""))
    return None


def fmt(x, spec):
    return format(x, spec) if isinstance(x, (int, float)) else "-".rjust(int(spec.split(".")[0]))


print(f"{'case':44s} {'Graft s':>8s} {'acc':>6s} {'DL4J+1dnn':>9s} {'acc':>6s} {'torch s':>8s} {'acc':>6s} "
      f"{'G/torch':>7s}  accuracies")
for case, t in torch.items():
    label = name(case)
    if label is None:
        continue
    g = graft.get(case, {})
    key = "graft_s"
    gs, ga = g.get(key), g.get("accuracy", {}).get("graft")
    ps, pa = g.get("plain_onednn_s"), g.get("accuracy", {}).get("plain_onednn")
    ts, ta = t.get("median_s"), t.get("accuracy")
    ratio = gs / ts if gs is not None and ts else None
    if ga is None or ta is None:
        verdict = "-"
    else:
        gap = abs(ga - ta) * 100
        verdict = f"{'equal' if gap <= 0.5 else 'UNEQUAL'} ({gap:.2f} pts)"
    print(f"{label:44s} {fmt(gs, '8.3f')} {fmt(ga, '6.4f')} {fmt(ps, '9.3f')} {fmt(pa, '6.4f')} {fmt(ts, '8.3f')} "
          f"{fmt(ta, '6.4f')} {fmt(ratio, '7.2f')}  {verdict}")
    if case.startswith("tta_"):
        print(f"{'':44s} epochs to the target: Graft {graft.get(case + '_epochs', {}).get('reached_at_epoch')}, "
              f"PyTorch {t.get('epochs')}")
check = torch.get("check")
if check:
    print(f"frozen dense1 features, PyTorch vs DL4J on {check['images']} test images: max |diff| "
          f"{check['max_abs_diff']:.2e} (must be < 1e-4)")
