#!/usr/bin/python3
"""Prints bench/run.sh's MobileNetV2 featurization figures side by side: mobilenet-*.json (Graft, DL4J, PyTorch)."""
import json
import os
import sys

MACS = 299494272  # multiply-adds of one 224x224 image, as bench/torch_mobilenet.py counts them
rows = {}
sgemm = None
for path in sys.argv[1:]:
    side = os.path.basename(path)[len("mobilenet-"):-len(".json")]
    data = json.load(open(path))
    rows[side] = data["images_per_s"]
    sgemm = data.get("sgemm_gflops", sgemm)
batches = sorted({int(b) for r in rows.values() for b in r})
print(f"{'side':22s}" + "".join(f"{'b' + str(b):>9s}" for b in batches) + f"{'best':>9s} {'GFLOP/s':>8s}")
for side, r in rows.items():
    best = max(r.values())
    print(f"{side:22s}" + "".join(f"{r[str(b)]:9.1f}" if str(b) in r else f"{'-':>9s}" for b in batches)
          + f"{best:9.1f} {best * 2 * MACS / 1e9:8.1f}")
if sgemm:
    print(f"ND4J 1024x1024 SGEMM: {sgemm:.1f} GFLOP/s (the matmul limit the GFLOP/s column is set against)")
torch_best = max((max(r.values()) for s, r in rows.items() if s.startswith("torch")), default=None)
if "graft" in rows and torch_best:
    g = max(rows["graft"].values())
    print(f"Graft best / PyTorch best: {g:.1f} / {torch_best:.1f} images/s = {g / torch_best:.2f}")
