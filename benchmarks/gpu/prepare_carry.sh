#!/usr/bin/env bash
# Prepare what one device call needs (see benchmarks/gpu/README.md), here, on the CPU machine:
#   .whl/      cp312 manylinux wheels of the packages the GPU image lacks (about 7 MB)
#   .standin/  a copy of the stand-in corpus CORPUS (ravdess-2.4s: 40 MB, emodb-2s: 23 MB)
# Both are git-ignored; name them in the device call's `carry`. One corpus per call: the call carries 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus="${1:?usage: prepare_carry.sh ravdess|emodb}"
case "$corpus" in
  ravdess) folder=ravdess-2.4s ;;
  emodb) folder=emodb-2s ;;
  *) echo "prepare_carry.sh: corpus must be ravdess or emodb, got '$corpus'" >&2; exit 2 ;;
esac
source_root="${SERLIB_STANDIN:-../shared/data}"
[ -d "$source_root/$folder" ] || { echo "prepare_carry.sh: $source_root/$folder not found (set SERLIB_STANDIN)" >&2; exit 2; }
python="${PYTHON:-.venv/bin/python}"
# The versions the course is tested with (requirements/lock.txt), for the image's Python 3.12.
pins=$(grep -E '^(librosa|soundfile|soxr|PyWavelets|audioread|decorator|pooch|platformdirs|cffi|pycparser)==' requirements/lock.txt)
rm -rf .whl && mkdir -p .whl
for pin in $pins; do
  "$python" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d .whl "$pin"
done
rm -rf .standin && mkdir -p .standin && cp -r "$source_root/$folder" .standin/
du -sh .whl .standin
echo "carry: [\".whl\", \".standin\"]; command: bash benchmarks/gpu/device_run.sh fla_ser $corpus 9"
