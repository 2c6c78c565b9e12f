#!/usr/bin/env bash
# Fetches real ImageNet backbones and the reference that checks their import, into an ignored folder:
#   target/imagenet/mobilenet_v2/{model.json,*.bin}   Keras 2.2.4 MobileNetV2, 224x224x3 (from nsfwjs 4.4.0, MIT)
#   target/imagenet/inception_v3/{model.json,*.bin}   Keras 2.2.4 InceptionV3, 299x299x3 (same package)
#   target/imagenet/tfjs/tf.min.js                    @tensorflow/tfjs 4.22.0, the reference (pure JS CPU backend)
# The models are unwrapped whole (their 5-class head included); routes cut them with build-head and freeze-layers.
# Usage: scripts/fetch-imagenet-models.sh [out-dir]   (needs node and npm; npm reaches the registry once, then the
# package files in out-dir/npm are reused; NSFWJS_TGZ / TFJS_TGZ name local copies instead)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../target/imagenet}"
mkdir -p "$out/npm"
out="$(cd "$out" && pwd)"

pack() { # name version sha256 env-override -> path of the .tgz, checked against the pinned sha256
  local name="$1" version="$2" sha="$3" override="$4" file
  file="$out/npm/$(echo "$name" | sed 's/^@//; s/\//-/')-$version.tgz"
  if [ -n "$override" ]; then
    cp "$override" "$file"
  elif [ ! -f "$file" ]; then
    (cd "$out/npm" && npm pack --silent "$name@$version" >/dev/null)
  fi
  if ! echo "$sha  $file" | sha256sum -c --status; then
    echo "fetch-imagenet-models: $file is not $name@$version as pinned (sha256 $sha); delete it and run again" >&2
    exit 1
  fi
  echo "$file"
}

nsfwjs="$(pack nsfwjs 4.4.0 585cd178f3b994337c4d10a87b080d342fc52f8b9bf0085c4d1f345a3a1c5382 "${NSFWJS_TGZ:-}")"
tfjs="$(pack @tensorflow/tfjs 4.22.0 56505c191e24116787477b3bb5bb1cc0cf1c2bdce8112b9c402a8a2d31cf2f00 "${TFJS_TGZ:-}")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar xzf "$nsfwjs" -C "$work" package/dist/models package/LICENSE
for model in mobilenet_v2 inception_v3; do
  node "$here/imagenet/unwrap-nsfwjs.cjs" "$work/package/dist/models/$model" "$out/$model"
  cp "$work/package/LICENSE" "$out/$model/LICENSE"
done
mkdir -p "$out/tfjs"
tar xzf "$tfjs" -C "$work" package/dist/tf.min.js
cp "$work/package/dist/tf.min.js" "$out/tfjs/"
echo "imagenet models in $out"
