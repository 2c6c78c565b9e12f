#!/usr/bin/python3
"""Writes a colour photo folder for the ImageNet-backbone end-to-end check: Fashion-MNIST classes 5-9 (sandal,
shirt, sneaker, bag, ankle boot) upscaled from 28x28 to SIZE x SIZE (bicubic) and replicated to three equal RGB
channels, as JPEG class folders:

    <out>/train/<class>/<index>.jpg   the first 2,000 training images of classes 5-9, in file order
    <out>/test/<class>/<index>.jpg    all 5,000 test images of classes 5-9

<index> is the image's position in the original IDX file (5 digits), so a file names its source image.
No colour photo data set is packaged in Debian; this is an honest stand-in whose labels come from the source.

With --all (anywhere on the command line) it writes all ten classes instead: all 60,000 training images and all
10,000 test images (class folders t-shirt, trouser, pullover, dress, coat, sandal, ...), the large data set of
scripts/stream-60k.sh (more than 6 GB as float tensors at 96x96x3: 60,000 x 27,648 x 4 bytes = 6.6 GB).

Usage: scripts/make-fashion-rgb.py [--all] [out, default target/fashion-rgb, with --all target/fashion-rgb-60k]
[size, default 96] [source folder, default /usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist)].
Needs python3-pil. The output is deterministic: the same files, byte for byte, on every run with the same Pillow
and libjpeg; an existing folder with the same parameters (out/SOURCE) is kept as it is.
"""
import importlib.util
import os
import shutil
import sys

from PIL import Image

ALL = "--all" in sys.argv[1:]
ARGS = [a for a in sys.argv[1:] if a != "--all"]
CLASSES = {5: "sandal", 6: "shirt", 7: "sneaker", 8: "bag", 9: "ankle-boot"}
if ALL:
    CLASSES = {0: "t-shirt", 1: "trouser", 2: "pullover", 3: "dress", 4: "coat", **CLASSES}
TRAIN_LIMIT = None if ALL else 2000
QUALITY = 95
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = ARGS[0] if len(ARGS) > 0 else os.path.join(ROOT, "target", "fashion-rgb-60k" if ALL else "fashion-rgb")
SIZE = int(ARGS[1]) if len(ARGS) > 1 else 96
SOURCE = ARGS[2] if len(ARGS) > 2 else "/usr/share/datasets/fashion-mnist"

# the IDX reader (header, magic and length checks) of the embedded sample's script
_spec = importlib.util.spec_from_file_location("make_fashion_sample", os.path.join(ROOT, "scripts", "make-fashion-sample.py"))
_sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sample)
read_idx = _sample.read_idx


def write_split(prefix, split, limit):
    _, item, images = read_idx(os.path.join(SOURCE, f"{prefix}-images-idx3-ubyte.gz"), 0x803)
    labels = read_idx(os.path.join(SOURCE, f"{prefix}-labels-idx1-ubyte.gz"), 0x801)[2]
    count = len(images) // item
    if item != 28 * 28 or len(labels) != count:
        sys.exit(f"{SOURCE}/{prefix}: {count} images of {item} pixels, {len(labels)} labels; expected 28x28 each")
    for name in CLASSES.values():
        os.makedirs(os.path.join(OUT, split, name), exist_ok=True)
    written = 0
    for index in range(count):
        label = labels[index]
        if label not in CLASSES:
            continue
        if limit is not None and written == limit:
            break
        grey = Image.frombytes("L", (28, 28), images[index * item:(index + 1) * item])
        big = grey.resize((SIZE, SIZE), Image.BICUBIC)
        rgb = Image.merge("RGB", (big, big, big))
        rgb.save(os.path.join(OUT, split, CLASSES[label], f"{index:05d}.jpg"), quality=QUALITY, optimize=False)
        written += 1
    return written


def main():
    classes = "0-9" if ALL else "5-9"
    limit = "all" if TRAIN_LIMIT is None else f"first {TRAIN_LIMIT}"
    stamp = f"Fashion-MNIST classes {classes} from {SOURCE}, {SIZE}x{SIZE} bicubic, RGB, JPEG quality {QUALITY}, " \
            f"{limit} training images, all test images; made by scripts/make-fashion-rgb.py\n"
    stamp_file = os.path.join(OUT, "SOURCE")
    if os.path.isfile(stamp_file) and open(stamp_file).read() == stamp:
        print(f"kept {os.path.normpath(OUT)} (made with the same parameters)")
        return
    shutil.rmtree(OUT, ignore_errors=True)
    train = write_split("train", "train", TRAIN_LIMIT)
    test = write_split("t10k", "test", None)
    # written last: a folder cut short by an interrupted run has no SOURCE file and is made again
    with open(stamp_file, "w") as f:
        f.write(stamp)
    print(f"wrote {os.path.normpath(OUT)}: {train} training and {test} test images, {SIZE}x{SIZE} RGB JPEG")


if __name__ == "__main__":
    main()
