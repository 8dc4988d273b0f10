#!/usr/bin/env bash
# One device call: a paper's full profile on one corpus within a budget, everything back in $OUT.
#   bash benchmarks/gpu/device_run.sh PAPER CORPUS BUDGET_MIN [extra serlib reproduce options]
# On the GPU machine (after benchmarks/gpu/prepare_carry.sh CORPUS here, carrying .whl and .standin) it installs
# the carried wheels, runs `serlib reproduce PAPER --mode full --device cuda` on the budget, and packs results,
# figures, provenance and the log into $OUT (the tool returns at most 8 files). DEVICE=cpu MODE=quick run the
# same path on a CPU machine (that is how this script is tested).
set -uo pipefail
cd "$(dirname "$0")/../.."
paper="${1:?usage: device_run.sh PAPER CORPUS BUDGET_MIN}"; corpus="${2:?corpus}"; budget="${3:?budget in minutes}"
shift 3
out="${OUT:?set OUT to the folder that comes back}"
device="${DEVICE:-cuda}"; mode="${MODE:-full}"
python="${PYTHON:-python3}"
if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
  "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || { echo "device_run.sh: installing the carried wheels failed" >&2; exit 2; }
  export PYTHONPATH="/tmp/site:${PYTHONPATH:-}"
fi
export PYTHONPATH="$PWD:${PYTHONPATH:-}" PYTHONUNBUFFERED=1 PYTHONHASHSEED=0 MPLBACKEND=Agg
[ -d .standin ] && export SERLIB_STANDIN="$PWD/.standin"
work="$out/work"; mkdir -p "$work"
"$python" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
"$python" -m serlib.cli reproduce "$paper" --mode "$mode" --device "$device" --corpora "$corpus" \
  --budget-min "$budget" --jobs "${JOBS:-4}" --results "$work/results" --figures "$work/figures" "$@" \
  2>&1 | tee "$out/reproduce.log"
status=${PIPESTATUS[0]}
(cd "$work" && tar czf "$out/${paper}_${corpus}_${mode}.tgz" results figures 2>/dev/null)
rm -rf "$work"
ls -la "$out"
exit "$status"
