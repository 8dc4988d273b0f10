"""Run every benchmark of the course in turn (``make benchmarks``); each writes benchmarks/results/*.json.

Benchmarks measure speed and memory; unit tests never time anything. Pass extra
arguments to one benchmark by running it directly (``python benchmarks/NAME.py --help``).
On a GPU machine add ``--device cuda`` to the log-Mel and complexity benchmarks.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["synthetic_corpus.py", "features_logmel.py", "features_handcrafted.py", "fla_ser_complexity.py",
              "cnn_transformer_complexity.py", "wavelet_cnn_lstm_complexity.py", "speechnet_complexity.py",
              "executor_speedup.py"]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"=== {name}", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / name), ]).returncode
        print(f"=== {name}: exit {code} after {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    print("all benchmarks ran" if not failed else f"failed: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
