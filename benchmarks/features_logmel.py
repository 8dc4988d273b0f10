"""Throughput of log-Mel extraction (clips/s): librosa vs torchaudio, cold vs from the feature cache.

Runs over the RAVDESS stand-in (all 1434 files unless ``--subset``), for each
front end named with ``--configs``:

* ``load only``: reading + resampling + padding the audio (the floor for every backend),
* ``cold``: empty cache in a fresh temporary folder, features computed and written,
* ``cached``: the same call again, every clip served from the cache.

Writes ``benchmarks/results/features_logmel.json`` (with machine information)
and prints a table. On a CUDA machine the torch backend runs on the GPU.

    python benchmarks/features_logmel.py [--subset 200] [--configs course,cnn_transformer]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from serlib import settings
from serlib.data import load_corpus
from serlib.features.logmel import LOGMEL_CONFIGS, extract_logmel, load_for_config

RESULTS = Path(__file__).resolve().parent / "results" / "features_logmel.json"


def machine_info(device: str) -> dict:
    info = {
        "platform": platform.platform(), "python": platform.python_version(), "processor": platform.processor(),
        "cpu_count": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "device": device,
    }
    import librosa
    import torchaudio

    info["librosa"], info["torchaudio"], info["numpy"] = librosa.__version__, torchaudio.__version__, np.__version__
    if device.startswith("cuda"):
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def timed(function):
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    value = function()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return value, time.perf_counter() - start


def run(paths: list[str], config_names: list[str], batch_size: int, device: str) -> list[dict]:
    rows = []
    for name in config_names:
        config = LOGMEL_CONFIGS[name]
        # Warm-up outside the timings: imports, numba compilation, torch kernels, CUDA context.
        for backend in ("librosa", "torch"):
            extract_logmel(paths[:2], config, backend=backend, device=device, use_cache=False)
        _, seconds = timed(lambda: [load_for_config(p, config) for p in paths])
        rows.append({"config": name, "backend": "-", "phase": "load only", "clips": len(paths), "seconds": seconds})
        for backend in ("librosa", "torch"):
            with tempfile.TemporaryDirectory(prefix="serlib-bench-") as cache_root:
                cold, seconds = timed(lambda: extract_logmel(paths, config, backend=backend, batch_size=batch_size,
                                                             device=device, cache_root=cache_root,
                                                             return_stats=True))
                assert cold[1]["computed"] == len(paths)
                rows.append({"config": name, "backend": backend, "phase": "cold", "clips": len(paths),
                             "seconds": seconds})
                warm, seconds = timed(lambda: extract_logmel(paths, config, backend=backend, device=device,
                                                             cache_root=cache_root, return_stats=True))
                assert warm[1]["hits"] == len(paths) and np.array_equal(warm[0], cold[0])
                rows.append({"config": name, "backend": backend, "phase": "cached", "clips": len(paths),
                             "seconds": seconds})
    for row in rows:
        row["clips_per_s"] = row["clips"] / row["seconds"]
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=None, help="use only the first N files (default: all)")
    parser.add_argument("--configs", default="course,cnn_transformer",
                        help=f"comma-separated front ends among {sorted(LOGMEL_CONFIGS)}")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    root = settings.standin_root("ravdess")
    if root is None:
        print("RAVDESS stand-in not found (set SERLIB_STANDIN): nothing to measure", file=sys.stderr)
        return 1
    paths = [record.path for record in load_corpus("ravdess", root)]
    if args.subset:
        paths = paths[:args.subset]
    configs = [name.strip() for name in args.configs.split(",") if name.strip()]
    unknown = [name for name in configs if name not in LOGMEL_CONFIGS]
    if unknown:
        parser.error(f"unknown config(s) {unknown}; known: {sorted(LOGMEL_CONFIGS)}")

    # The load average says how busy the machine was: on a shared machine the timings move with it.
    load_before = os.getloadavg()
    rows = run(paths, configs, args.batch_size, args.device)
    load_after = os.getloadavg()
    report = {"benchmark": "features_logmel", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "corpus": f"RAVDESS stand-in (first 2.4 s, 16 kHz FLAC), {len(paths)} files",
              "batch_size": args.batch_size, "machine": machine_info(args.device),
              "load_average_1min": {"before": load_before[0], "after": load_after[0]}, "rows": rows}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")

    print(f"{report['corpus']}; device {args.device}; torch threads {torch.get_num_threads()}; "
          f"1-min load average {load_before[0]:.1f} before, {load_after[0]:.1f} after on {os.cpu_count()} cores")
    print(f"{'config':<16} {'backend':<8} {'phase':<10} {'clips':>6} {'seconds':>9} {'clips/s':>9}")
    for row in rows:
        print(f"{row['config']:<16} {row['backend']:<8} {row['phase']:<10} {row['clips']:>6} "
              f"{row['seconds']:>9.2f} {row['clips_per_s']:>9.1f}")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
