#!/usr/bin/env python3
"""Writes src/camel-graft/src/main/resources/datasets/fashion-mnist-sample.zip: the first 6000 training and the first
2000 test examples of Fashion-MNIST as four gzipped IDX files, with the licence and a README.

Reads the full data set from /usr/share/datasets/fashion-mnist/ (or the folder given as the first
argument). Uses only the standard library; the output is byte-for-byte reproducible (gzip mtime 0,
fixed zip timestamps).
"""
import gzip
import io
import os
import struct
import sys
import zipfile

TRAIN_COUNT = 6000
TEST_COUNT = 2000
SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "graft", "src", "main", "resources",
                      "datasets", "fashion-mnist-sample.zip")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

LICENSE = """Fashion-MNIST (sample)
https://github.com/zalandoresearch/fashion-mnist

The MIT License (MIT)

Copyright (c) 2017 Zalando SE

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

README = f"""Fashion-MNIST sample for Graft demos

The first {TRAIN_COUNT} training and the first {TEST_COUNT} test examples of Fashion-MNIST
(Zalando Research, https://github.com/zalandoresearch/fashion-mnist), unchanged except for
the counts in the IDX headers: 28x28 grayscale images, labels 0-9
(0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
8 Bag, 9 Ankle boot). Licensed under the MIT licence in LICENSE.
Made by scripts/make-fashion-sample.py.
"""


def read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    found, count = struct.unpack(">II", data[:8])
    if found != magic:
        sys.exit(f"{path}: magic 0x{found:08x}; expected 0x{magic:08x}")
    dims = (found & 0xFF) - 1
    shape = struct.unpack(">" + "I" * dims, data[8:8 + 4 * dims])
    header = 8 + 4 * dims
    item = 1
    for d in shape:
        item *= d
    if len(data) != header + count * item:
        sys.exit(f"{path}: {len(data)} bytes; expected {header + count * item}")
    return shape, item, data[header:]


def idx_bytes(magic, shape, item, body, count):
    header = struct.pack(">II", magic, count) + struct.pack(">" + "I" * len(shape), *shape)
    return header + body[:count * item]


def gz(payload, name):
    out = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=out, mtime=0, compresslevel=9) as f:
        f.write(payload)
    return out.getvalue()


def add(archive, name, payload, compress):
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    archive.writestr(info, payload)


def main():
    os.makedirs(os.path.dirname(TARGET), exist_ok=True)
    with zipfile.ZipFile(TARGET, "w") as archive:
        for prefix, count in (("train", TRAIN_COUNT), ("t10k", TEST_COUNT)):
            for kind, magic in (("images-idx3", 0x803), ("labels-idx1", 0x801)):
                raw = f"{prefix}-{kind}-ubyte"
                shape, item, body = read_idx(os.path.join(SOURCE, raw + ".gz"), magic)
                payload = gz(idx_bytes(magic, shape, item, body, count), raw)
                # already gzipped: storing avoids compressing twice for nothing
                add(archive, raw + ".gz", payload, compress=False)
        add(archive, "LICENSE", LICENSE.encode("utf-8"), compress=True)
        add(archive, "README", README.encode("utf-8"), compress=True)
    print(f"wrote {os.path.normpath(TARGET)} ({os.path.getsize(TARGET)} bytes)")


if __name__ == "__main__":
    main()
