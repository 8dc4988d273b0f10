"""Throughput (clips/s) of the handcrafted features: 107-d fusion (speechnet) and wavelet scalograms (wavelet_cnn_lstm).

Over the RAVDESS stand-in (``--subset N`` files spread over all actors, or all
1434), measured:

* ``load only``: reading + resampling the audio, the floor of every extractor;
* ``fusion`` cold (empty cache in a fresh temporary folder) and from the cache,
  for both pitch trackers (``yin``, numpy ``autocorrelation``);
* ``scalogram`` cold for each CWT method (``pywt`` direct convolution,
  ``pywt_fft``, the course's ``batched_fft``, ``torch``; plus ``batched_fft``
  with decimation to 8 kHz) and from the cache;
* the CWT alone on one clip (median of repeats), per method.

Writes ``benchmarks/results/features_handcrafted.json`` with the machine
information and prints a table::

    python benchmarks/features_handcrafted.py [--subset 120]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from serlib import settings
from serlib.audio import load_audio
from serlib.data import load_corpus
from serlib.features.fusion import FusionConfig, extract_fusion
from serlib.features.wavelet import WaveletConfig, config_scales, cwt, extract_scalogram

RESULTS = Path(__file__).resolve().parent / "results" / "features_handcrafted.json"


def machine_info() -> dict:
    import librosa
    import pywt
    import scipy
    import torch

    return {
        "platform": platform.platform(), "python": platform.python_version(), "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "numpy": np.__version__, "scipy": scipy.__version__, "librosa": librosa.__version__,
        "pywt": pywt.__version__, "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
    }


def spread_subset(records, size: int | None):
    """``size`` records spread evenly over the (speaker-sorted) corpus, so every actor is represented."""
    if size is None or size >= len(records):
        return list(records)
    picks = np.linspace(0, len(records) - 1, size).round().astype(int)
    return [records[i] for i in picks]


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def measure_extractor(name: str, extract, paths, config) -> list[dict]:
    """Cold (fresh cache folder) then cached throughput of one extractor."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="serlib-bench-") as folder:
        cold, values = timed(lambda: extract(paths, config, use_cache=True, root=Path(folder)))
        cached, again = timed(lambda: extract(paths, config, use_cache=True, root=Path(folder)))
    assert all(np.array_equal(a, b) for a, b in zip(values, again)), f"{name}: cache returned different arrays"
    for phase, seconds in (("cold", cold), ("cached", cached)):
        rows.append({"extractor": name, "phase": phase, "clips": len(paths), "seconds": round(seconds, 3),
                     "clips_per_s": round(len(paths) / seconds, 2),
                     "shape_first": list(np.shape(values[0]))})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=None, help="number of RAVDESS files (default: all)")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the single-clip CWT timing")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    root = settings.standin_root("ravdess")
    if root is None:
        print("RAVDESS stand-in not found (settings.standin_root('ravdess')); nothing to measure", file=sys.stderr)
        return 1
    records = spread_subset(load_corpus("ravdess", root), args.subset)
    paths = [r.path for r in records]
    info = machine_info()

    load_seconds, _ = timed(lambda: [load_audio(p, sr=16000) for p in paths])
    rows = [{"extractor": "load only", "phase": "cold", "clips": len(paths), "seconds": round(load_seconds, 3),
             "clips_per_s": round(len(paths) / load_seconds, 2), "shape_first": None}]

    for method in ("yin", "autocorrelation"):
        config = FusionConfig(pitch_method=method)
        rows += measure_extractor(f"fusion107 ({method})", extract_fusion, paths, config)

    wavelet_configs = {
        "scalogram pywt": WaveletConfig(method="pywt"),
        "scalogram pywt_fft": WaveletConfig(method="pywt_fft"),
        "scalogram batched_fft": WaveletConfig(method="batched_fft"),
        "scalogram torch": WaveletConfig(method="torch"),
        "scalogram batched_fft, 8 kHz decimation": WaveletConfig(method="batched_fft", analysis_sr=8000, fmax=3800.0),
    }
    for name, config in wavelet_configs.items():
        rows += measure_extractor(name, extract_scalogram, paths, config)

    signal, _ = load_audio(paths[0], sr=16000)
    single = []
    base = WaveletConfig()
    for method in ("pywt", "pywt_fft", "batched_fft", "torch"):
        config = replace(base, method=method)
        scales = config_scales(config)
        cwt(signal, scales, config.wavelet, method)  # warm-up: builds the cached filter bank
        times = [timed(lambda: cwt(signal, scales, config.wavelet, method))[0] for _ in range(args.repeats)]
        single.append({"method": method, "wavelet": config.wavelet, "n_scales": config.n_scales,
                       "samples": int(signal.size), "median_ms": round(1000 * float(np.median(times)), 2)})

    report = {
        "benchmark": "features_handcrafted",
        "date": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "corpus": f"RAVDESS stand-in (first 2.4 s, 16 kHz), {len(paths)} of {len(load_corpus('ravdess', root))} files"
                  + (" (subset spread over all actors)" if args.subset else ""),
        "machine": info, "throughput": rows, "single_clip_cwt": single,
        "configs": {"fusion": FusionConfig().as_dict(), "wavelet": WaveletConfig().as_dict()},
        "notes": "cold = empty cache in a fresh temporary folder (includes loading audio and writing .npy); "
                 "cached = the same call again. Single process; the machine may have been shared with other jobs "
                 "(see load_average_at_start).",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(f"{'extractor':<42}{'phase':<8}{'clips':>6}{'s':>9}{'clips/s':>10}")
    for row in rows:
        print(f"{row['extractor']:<42}{row['phase']:<8}{row['clips']:>6}{row['seconds']:>9.2f}{row['clips_per_s']:>10.1f}")
    for row in single:
        print(f"CWT one clip, {row['method']:<12} {row['median_ms']:8.1f} ms ({row['n_scales']} scales, "
              f"{row['samples']} samples)")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
