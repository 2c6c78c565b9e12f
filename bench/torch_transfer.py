#!/usr/bin/python3
"""PyTorch peer for the LeNet cases of bench/run.sh (written for this project).

Reads the folder TransferBench exports (`target/bench/shared`, see its manifest.json): the pretraining start
weights, the shared pretrained backbone, the new head's start weights and the per-epoch data orders, all as
.npy in DL4J's layouts (conv weights [out, in, kh, kw]; dense weights [in, out], transposed here for
nn.Linear; biases [1, out]). Reads Fashion-MNIST from the IDX files itself and checks its selection against
the exported labels. Then, from those identical weights and in the same order as Graft's loop:

- `check`: the frozen dense1 features of the exported test images, against DL4J's (max |diff| must be < 1e-4);
- `pretrain`: LeNet on classes 0-4 from the exported start weights (Adam, batch 64), one epoch for each rate in
  the manifest's `pretrain_learning_rates` (Graft's schedule, by default 1e-3, 1e-3, 1e-4), epoch e in order e;
- `naive`: the frozen transfer (conv1..dense1 frozen, new softmax head, Adam 1e-3, batch 64, 5 epochs), the
  frozen part run every minibatch;
- `featurize`: the same with the frozen dense1 features computed once, then 5 head epochs on them;
- `twophase` (the manifest's `two_phase_sizes`): the featurize-once recipe from the same head start, then conv2,
  dense1 and the head reopened for `two_phase_epochs` epochs at `two_phase_learning_rate` with a fresh Adam, the
  whole net run every minibatch; as Graft's second train step starts its shuffle again, those epochs take orders
  0, 1, ...;
- `tta` (largest size only): featurize the train and test images once, then head epochs until the test accuracy
  reaches the manifest's target (at most its epoch cap); the per-epoch evaluation is not timed.

Prints one JSON object. Usage: bench/torch_transfer.py SHARED_DIR [repetitions, default 3] [cases, default
check,pretrain,naive,featurize,twophase,tta]. Needs Debian python3-torch python3-numpy (and libopenblas0-pthread).
Threads: all cores unless BENCH_TORCH_THREADS is set.
"""
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

shared = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
cases = (sys.argv[3] if len(sys.argv) > 3 else "check,pretrain,naive,featurize,twophase,tta").split(",")
torch.set_num_threads(int(os.environ.get("BENCH_TORCH_THREADS", os.cpu_count())))
manifest = json.load(open(os.path.join(shared, "manifest.json")))
batch = manifest["batch_size"]
first_round = 0 if manifest.get("warmup", True) else 1  # round 0 warms up and is not counted
lr = manifest["learning_rate"]


def npy(name):
    return np.load(os.path.join(shared, name))


def idx(name):
    with gzip.open(os.path.join(manifest["data"], name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    if len(raw) != 4 + 4 * dims + int(np.prod(shape)):
        raise SystemExit(f"{name}: {len(raw)} bytes; expected the header and {int(np.prod(shape))} values of {shape}")
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def select(split, classes, limit, expected_labels):
    """The first `limit` images of `classes` in file order (0 = all), labels renumbered 0..k-1, checked against DL4J's."""
    prefix = "train" if split == "train" else "t10k"
    images, labels = idx(f"{prefix}-images-idx3-ubyte.gz"), idx(f"{prefix}-labels-idx1-ubyte.gz")
    keep = np.flatnonzero(np.isin(labels, classes))
    if limit:
        keep = keep[:limit]
    y = np.searchsorted(np.array(sorted(classes)), labels[keep])
    expected = npy(expected_labels)
    if len(y) != len(expected) or not np.array_equal(y, expected):
        raise SystemExit(f"{split} selection of {classes} (limit {limit}): {len(y)} examples whose labels differ from "
                         f"{expected_labels} ({len(expected)}); expected Graft's selection")
    x = torch.from_numpy(images[keep].astype(np.float32) / 255.0).unsqueeze(1).contiguous()
    return x, torch.from_numpy(y.astype(np.int64))


class LeNet(torch.nn.Module):
    """conv 5x5x20, max pool 2, conv 5x5x50, max pool 2, dense 500 (ReLU), softmax head: Graft's lenet recipe."""

    def __init__(self, classes):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 20, 5)
        self.conv2 = torch.nn.Conv2d(20, 50, 5)
        self.dense1 = torch.nn.Linear(800, 500)
        self.output = torch.nn.Linear(500, classes)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.relu(self.dense1(torch.flatten(x, 1)))  # NCHW flattened as channel, row, column, as DL4J does

    def forward(self, x):
        return self.output(self.features(x))


def load(module, folder, layer):
    """Copies DL4J's W and b of `layer` from `folder` into a Conv2d or Linear."""
    w, b = npy(f"{folder}/{layer}_W.npy"), npy(f"{folder}/{layer}_b.npy").reshape(-1)
    if isinstance(module, torch.nn.Linear):
        w = w.T
    if tuple(w.shape) != tuple(module.weight.shape) or b.shape[0] != module.bias.shape[0]:
        raise SystemExit(f"{folder}/{layer}: W {w.shape}, b {b.shape}; expected {tuple(module.weight.shape)}")
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
        module.bias.copy_(torch.from_numpy(b))


def lenet(folder, output_folder, output_layer, classes):
    net = LeNet(classes)
    for layer in ("conv1", "conv2", "dense1"):
        load(getattr(net, layer), folder, layer)
    load(net.output, output_folder, output_layer)
    return net


def accuracy(logits_fn, x, y):
    with torch.no_grad():
        right = sum(int((logits_fn(x[i:i + 512]).argmax(1) == y[i:i + 512]).sum()) for i in range(0, len(y), 512))
    return right / len(y)


def epoch(params_fn, step_input, x, y, order, opt):
    """One pass in `order` (Graft's permutation), minibatches of `batch`; mean softmax cross-entropy as DL4J's MCXENT."""
    for start in range(0, len(order), batch):
        i = torch.from_numpy(order[start:start + batch].astype(np.int64))
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(params_fn(step_input(x[i])), y[i]).backward()
        opt.step()


def median(values):
    return statistics.median(values)


result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cases": {}}

if "check" in cases:
    net = lenet("backbone", "backbone", "output", manifest["pretrain_classes_count"])
    x, _ = select("test", manifest["transfer_classes"], 0, "labels-transfer-test.npy")
    n = manifest["check_images"]
    with torch.no_grad():
        ours = net.features(x[:n]).numpy()
    diff = float(np.abs(ours - npy("features-dense1.npy")).max())
    result["cases"]["check"] = {"images": n, "max_abs_diff": diff}
    if not diff < 1e-4:
        print(json.dumps(result))
        raise SystemExit(f"frozen dense1 features differ from DL4J's by {diff} (> 1e-4): the layouts do not match")

if "pretrain" in cases:
    x, y = select("train", manifest["pretrain_classes"], 0, "labels-pretrain-train.npy")
    tx, ty = select("test", manifest["pretrain_classes"], 0, "labels-pretrain-test.npy")
    order = npy("order-pretrain.npy")
    runs, acc = [], None
    for r in range(first_round, manifest["pretrain_reps"] + 1):
        torch.manual_seed(manifest["seed"])
        net = lenet("init", "init", "output", manifest["pretrain_classes_count"])
        rates = manifest["pretrain_learning_rates"]
        opt = torch.optim.Adam(net.parameters(), lr=rates[0])
        t = time.perf_counter()
        for e, rate in enumerate(rates):
            for group in opt.param_groups:
                group["lr"] = rate
            epoch(net, lambda v: v, x, y, order[e], opt)
        if r > 0:  # the first run warms up
            runs.append(time.perf_counter() - t)
        acc = accuracy(net, tx, ty)
    result["cases"][f"pretrain_{len(y)}"] = {"seconds": runs, "median_s": median(runs), "accuracy": acc,
                                             "epochs": len(manifest["pretrain_learning_rates"])}

train_sets = {}
for n in manifest["sizes"]:
    if any(c in cases for c in ("naive", "featurize", "twophase", "tta")):
        train_sets[n] = select("train", manifest["transfer_classes"], n, f"labels-transfer-train-{n}.npy")
if train_sets:
    tx, ty = select("test", manifest["transfer_classes"], 0, "labels-transfer-test.npy")


def transfer_net():
    torch.manual_seed(manifest["seed"])
    net = lenet("backbone", "head", "head", len(manifest["transfer_classes"]))
    for layer in (net.conv1, net.conv2, net.dense1):
        for p in layer.parameters():
            p.requires_grad_(False)
    return net.eval()  # no dropout or batch norm: eval only marks the frozen part as inference


def featurize(net, x):
    with torch.no_grad():
        return torch.cat([net.features(x[i:i + 512]) for i in range(0, len(x), 512)])


for n, (x, y) in train_sets.items():
    order = npy(f"order-transfer-{n}.npy")
    epochs = manifest["transfer_epochs"]
    if "naive" in cases:
        runs, acc = [], None
        for r in range(first_round, reps + 1):
            net = transfer_net()
            opt = torch.optim.Adam(net.output.parameters(), lr=lr)
            t = time.perf_counter()
            for e in range(epochs):
                epoch(net.output, lambda v: featurize(net, v), x, y, order[e], opt)
            if r > 0:
                runs.append(time.perf_counter() - t)
            acc = accuracy(net, tx, ty)
        result["cases"][f"naive_{n}"] = {"seconds": runs, "median_s": median(runs), "accuracy": acc}
    if "featurize" in cases:
        runs, heads, acc = [], [], None
        for r in range(first_round, reps + 1):
            net = transfer_net()
            opt = torch.optim.Adam(net.output.parameters(), lr=lr)
            t = time.perf_counter()
            features = featurize(net, x)
            per_epoch = []
            for e in range(epochs):
                te = time.perf_counter()
                epoch(net.output, lambda v: v, features, y, order[e], opt)
                per_epoch.append(time.perf_counter() - te)
            if r > 0:
                runs.append(time.perf_counter() - t)
                heads.append(median(per_epoch))
            acc = accuracy(net, tx, ty)
        result["cases"][f"featurize_{n}"] = {"seconds": runs, "median_s": median(runs), "accuracy": acc}
        result["cases"][f"head_epoch_{n}"] = {"seconds": heads, "median_s": median(heads), "accuracy": acc}
    if "twophase" in cases and n in manifest.get("two_phase_sizes", []):
        runs, acc = [], None
        for r in range(first_round, reps + 1):
            net = transfer_net()
            opt = torch.optim.Adam(net.output.parameters(), lr=lr)
            t = time.perf_counter()
            features = featurize(net, x)
            for e in range(epochs):
                epoch(net.output, lambda v: v, features, y, order[e], opt)
            reopened = [p for layer in (net.conv2, net.dense1, net.output) for p in layer.parameters()]
            for p in reopened:
                p.requires_grad_(True)
            opt = torch.optim.Adam(reopened, lr=manifest["two_phase_learning_rate"])
            for e in range(manifest["two_phase_epochs"]):
                epoch(net, lambda v: v, x, y, order[e], opt)
            if r > 0:
                runs.append(time.perf_counter() - t)
            acc = accuracy(net, tx, ty)
        result["cases"][f"two_phase_{n}"] = {"seconds": runs, "median_s": median(runs), "accuracy": acc}
    if "tta" in cases and n == max(manifest["sizes"]):
        # as Graft's loop with the test split as its validation split: featurizing the train and test images and
        # the epochs up to the first that reaches the target are timed, the per-epoch test accuracy is not
        target, cap = manifest["tta_target"], manifest["tta_max_epochs"]
        runs, reached, accs = [], None, []
        for r in range(first_round, reps + 1):
            net = transfer_net()
            opt = torch.optim.Adam(net.output.parameters(), lr=lr)
            t = time.perf_counter()
            features, test_features = featurize(net, x), featurize(net, tx)
            spent = time.perf_counter() - t
            accs = []
            for e in range(cap):
                te = time.perf_counter()
                epoch(net.output, lambda v: v, features, y, order[e], opt)
                spent += time.perf_counter() - te
                accs.append(accuracy(net.output, test_features, ty))
                if accs[-1] >= target:
                    break
            if r > 0 and accs[-1] >= target:
                runs.append(spent)
                reached = len(accs)
        result["cases"][f"tta_{n}"] = {"seconds": runs, "median_s": median(runs) if runs else None,
                                       "epochs": reached, "accuracy": accs[-1], "per_epoch_accuracy": accs}

print(json.dumps(result))
