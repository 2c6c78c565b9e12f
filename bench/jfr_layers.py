#!/usr/bin/env python3
"""Where a training step's time goes, from a Java Flight Recorder file of LenetStepProfile -Dbench.fitOnly=true.

Reads `jfr print --json` of the jdk.ExecutionSample and jdk.NativeMethodSample events, keeps the samples of the
thread named main, and attributes each to the innermost frame of a DL4J layer, vertex or updater class (the layer
class and method), and separately to its innermost frame (the native op or Java method it was in). Prints each
bucket's share of the samples. Usage: bench/jfr_layers.py FILE.jfr"""
import collections
import json
import subprocess
import sys

raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events",
                      "jdk.ExecutionSample,jdk.NativeMethodSample", sys.argv[1]],
                     check=True, capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]
by_layer, by_top = collections.Counter(), collections.Counter()
total = 0
recomputed = 0  # convolution forward passes run again inside the backward pass
for e in events:
    v = e["values"]
    thread = v.get("sampledThread") or {}
    if thread.get("javaName") != "main":
        continue
    frames = v["stackTrace"]["frames"]
    names = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in frames]
    total += 1
    by_top[names[0] if names else "?"] += 1
    owner = next((n for n in names if n.startswith(("org.deeplearning4j.nn.layers.", "org.deeplearning4j.nn.updater.",
                                                   "org.deeplearning4j.nn.graph.vertex.", "org.nd4j.linalg.learning."))),
                 None)
    if owner is None:
        owner = next((n for n in names if n.startswith("org.deeplearning4j.")), "(outside DL4J)")
    by_layer[owner.replace("org.deeplearning4j.nn.", "")] += 1
    if owner.endswith("ConvHelper.preOutput") and any(n.endswith("ConvolutionLayer.backpropGradient") for n in names):
        recomputed += 1
print(f"   {total} samples of the training thread")
print("   by DL4J method (innermost layer/updater frame):")
for name, n in by_layer.most_common(14):
    print(f"     {100 * n / total:5.1f}%  {name}")
print(f"   convolution forward passes run again inside backpropGradient: {100 * recomputed / total:.1f}% of the samples")
print("   by innermost frame (native op or Java method):")
for name, n in by_top.most_common(10):
    print(f"     {100 * n / total:5.1f}%  {name}")
