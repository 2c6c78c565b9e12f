#!/usr/bin/python3
"""PyTorch peer for the MobileNetV2 featurization case of bench/run.sh (written for this project).

Runs torchvision's mobilenet_v2 architecture (random weights: the speed of a forward pass does not depend on
them) in eval mode without autograd, up to its 1280-d globally average-pooled features, on random 224x224x3
inputs, and prints one JSON object: images/s per batch size (median of the repetitions), the thread count and the
multiply-adds per image.

Usage: bench/torch_mobilenet.py [batch sizes, default 1,8,32] [repetitions, default 5] [images per repetition,
default 64]. Needs Debian python3-torch python3-torchvision (and libopenblas0-pthread). Threads: torch's default
unless BENCH_TORCH_THREADS is set; GLIBC_TUNABLES=glibc.malloc.hugetlb=1 in the environment is reported.
"""
import json
import os
import statistics
import sys
import time

import torch
import torchvision

batches = [int(b) for b in (sys.argv[1] if len(sys.argv) > 1 else "1,8,32").split(",")]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
per_rep = int(sys.argv[3]) if len(sys.argv) > 3 else 64
if os.environ.get("BENCH_TORCH_THREADS"):
    torch.set_num_threads(int(os.environ["BENCH_TORCH_THREADS"]))
torch.manual_seed(12345)

model = torchvision.models.mobilenet_v2(weights=None).eval()
features = torch.nn.Sequential(model.features, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())


def mult_adds(net):
    """Multiply-adds of one 224x224 image through the convolutions (the model's FLOP count, counted 2 per MAC)."""
    total = [0]

    def hook(module, inputs, output):
        kh, kw = module.kernel_size
        total[0] += output.numel() * (module.in_channels // module.groups) * kh * kw

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        net(torch.zeros(1, 3, 224, 224))
    for h in handles:
        h.remove()
    return total[0]


macs = mult_adds(features)
result = {"threads": torch.get_num_threads(), "torch": torch.__version__, "torchvision": torchvision.__version__,
          "glibc_tunables": os.environ.get("GLIBC_TUNABLES", ""), "macs_per_image": macs, "images_per_s": {},
          "runs": {}}
with torch.inference_mode():
    for b in batches:
        x = torch.rand(b, 3, 224, 224)
        for _ in range(3):  # warm-up: allocator, oneDNN/OpenBLAS first calls
            features(x)
        runs = []
        steps = max(1, per_rep // b)
        for _ in range(reps):
            start = time.perf_counter()
            for _ in range(steps):
                out = features(x)
            runs.append(steps * b / (time.perf_counter() - start))
        assert out.shape == (b, 1280)
        result["images_per_s"][str(b)] = statistics.median(runs)
        result["runs"][str(b)] = runs
print(json.dumps(result))
