#!/usr/bin/python3
"""Writes the small Keras HDF5 test fixtures under src/camel-graft/src/test/resources/keras/.

No TensorFlow is needed: the files are written with h5py in the layout Keras 2.2.4's model.save() uses
(root attributes model_config / keras_version / backend; group model_weights with layer_names and, per
layer, weight_names and the datasets <layer>/<layer>/<weight>:0). Weights are seeded random numbers, and
the expected outputs for a few seeded inputs are computed here with a NumPy forward pass, so the Java
test checks that DL4J's import computes what Keras would.

  sequential.h5   Sequential: Conv2D(4,3x3,relu) -> MaxPooling2D(2) -> Flatten -> Dense(8,relu)
                  -> Dense(3,softmax) on 8x8x1 images (channels_last)
  functional.h5   functional Model: Input(6) -> Dense(5,relu) and Dense(4,tanh) -> Concatenate
                  -> Dense(3,softmax)
  *.expected.json {"input": [...], "inputShape": [...], "output": [...]}; images are given as NCHW

Usage: apt-get install -y python3-h5py && /usr/bin/python3 scripts/make-keras-fixtures.py
"""
import json
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "graft", "src", "test", "resources", "keras")
RNG = np.random.default_rng(20240601)

GLOROT = {"class_name": "VarianceScaling",
          "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}}
ZEROS = {"class_name": "Zeros", "config": {}}
NO_REGULARISERS = {"kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                   "kernel_constraint": None, "bias_constraint": None}


def dense(name, units, activation, extra=None):
    config = {"name": name, "trainable": True, "units": units, "activation": activation, "use_bias": True,
              "kernel_initializer": GLOROT, "bias_initializer": ZEROS, **NO_REGULARISERS}
    config.update(extra or {})
    return {"class_name": "Dense", "config": config}


def write(path, model_config, weights):
    """weights: list of (layer name, [(weight name, array)]) in layer order, empty lists for parameter-free layers."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = [name.encode("utf8") for name, _ in weights]
        group.attrs["backend"] = b"tensorflow"
        group.attrs["keras_version"] = b"2.2.4"
        for layer, params in weights:
            g = group.create_group(layer)
            names = [f"{layer}/{w}:0".encode("utf8") for w, _ in params]
            g.attrs["weight_names"] = names
            for (w, value), name in zip(params, names):
                g.create_dataset(name.decode("utf8"), data=value.astype(np.float32))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def relu(z):
    return np.maximum(z, 0)


def sequential():
    kernel = RNG.normal(0, 0.5, (3, 3, 1, 4))
    bias = RNG.normal(0, 0.1, (4,))
    d1 = RNG.normal(0, 0.3, (3 * 3 * 4, 8))
    b1 = RNG.normal(0, 0.1, (8,))
    d2 = RNG.normal(0, 0.3, (8, 3))
    b2 = RNG.normal(0, 0.1, (3,))
    conv = {"name": "conv1", "trainable": True, "batch_input_shape": [None, 8, 8, 1], "dtype": "float32",
            "filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
            "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "relu", "use_bias": True,
            "kernel_initializer": GLOROT, "bias_initializer": ZEROS, **NO_REGULARISERS}
    config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
        {"class_name": "Conv2D", "config": conv},
        {"class_name": "MaxPooling2D", "config": {"name": "pool1", "trainable": True, "pool_size": [2, 2],
                                                  "padding": "valid", "strides": [2, 2],
                                                  "data_format": "channels_last"}},
        {"class_name": "Flatten", "config": {"name": "flatten", "trainable": True, "data_format": "channels_last"}},
        dense("dense1", 8, "relu"),
        dense("output", 3, "softmax"),
    ]}}
    write(os.path.join(OUT, "sequential.h5"), config, [
        ("conv1", [("kernel", kernel), ("bias", bias)]), ("pool1", []), ("flatten", []),
        ("dense1", [("kernel", d1), ("bias", b1)]), ("output", [("kernel", d2), ("bias", b2)])])

    x = RNG.uniform(0, 1, (4, 8, 8, 1))  # NHWC, as Keras sees it
    conv_out = np.zeros((4, 6, 6, 4))
    for i in range(6):
        for j in range(6):
            patch = x[:, i:i + 3, j:j + 3, :]
            conv_out[:, i, j, :] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2])) + bias
    conv_out = relu(conv_out)
    pooled = conv_out.reshape(4, 3, 2, 3, 2, 4).max(axis=(2, 4))
    flat = pooled.reshape(4, -1)  # Keras flattens channels_last in H, W, C order
    y = softmax(relu(flat @ d1 + b1) @ d2 + b2)
    expected(os.path.join(OUT, "sequential.expected.json"), x.transpose(0, 3, 1, 2), y)


def functional():
    wa, ba = RNG.normal(0, 0.5, (6, 5)), RNG.normal(0, 0.1, (5,))
    wb, bb = RNG.normal(0, 0.5, (6, 4)), RNG.normal(0, 0.1, (4,))
    wo, bo = RNG.normal(0, 0.5, (9, 3)), RNG.normal(0, 0.1, (3,))

    def node(*inbound):
        return [[[name, 0, 0, {}] for name in inbound]]

    layers = [
        {"name": "features", "class_name": "InputLayer",
         "config": {"batch_input_shape": [None, 6], "dtype": "float32", "sparse": False, "name": "features"},
         "inbound_nodes": []},
        {"name": "branch_a", "class_name": "Dense", "config": dense("branch_a", 5, "relu")["config"],
         "inbound_nodes": node("features")},
        {"name": "branch_b", "class_name": "Dense", "config": dense("branch_b", 4, "tanh")["config"],
         "inbound_nodes": node("features")},
        {"name": "joined", "class_name": "Concatenate",
         "config": {"name": "joined", "trainable": True, "axis": -1},
         "inbound_nodes": node("branch_a", "branch_b")},
        {"name": "output", "class_name": "Dense", "config": dense("output", 3, "softmax")["config"],
         "inbound_nodes": node("joined")},
    ]
    config = {"class_name": "Model", "config": {"name": "functional_1", "layers": layers,
                                                "input_layers": [["features", 0, 0]],
                                                "output_layers": [["output", 0, 0]]}}
    write(os.path.join(OUT, "functional.h5"), config, [
        ("features", []), ("branch_a", [("kernel", wa), ("bias", ba)]), ("branch_b", [("kernel", wb), ("bias", bb)]),
        ("joined", []), ("output", [("kernel", wo), ("bias", bo)])])

    x = RNG.uniform(-1, 1, (4, 6))
    joined = np.concatenate([relu(x @ wa + ba), np.tanh(x @ wb + bb)], axis=1)
    expected(os.path.join(OUT, "functional.expected.json"), x, softmax(joined @ wo + bo))


def expected(path, x, y):
    with open(path, "w") as f:
        json.dump({"inputShape": list(x.shape), "input": [float(v) for v in x.astype(np.float32).ravel()],
                   "output": [[round(float(v), 7) for v in row] for row in y]}, f)
        f.write("\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    sequential()
    functional()
    print("wrote", sorted(os.listdir(OUT)))
