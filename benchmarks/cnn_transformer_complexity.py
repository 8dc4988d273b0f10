"""cnn_transformer: parameters, FLOPs and latency of the full model and its three ablation variants.

Each variant at the size chosen in ``serlib.models.cnn_transformer`` (8
RAVDESS classes) on one 3-s log-Mel input: the paper's ``(1, 128, 563)``
(48 kHz, hop 256) and the 16 kHz stand-in's ``(1, 128, 565)`` (hop 85).
The paper reports no complexity, so there is nothing to compare against:
these numbers document our choices. Writes
``benchmarks/results/cnn_transformer_complexity_<device>.json``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from model_complexity import measure_cases, write_report

from serlib.features.cnn_transformer_input import STANDIN_CONFIGS
from serlib.models.cnn_transformer import CNN_TRANSFORMER_VARIANTS, PAPER_FRAMES, PAPER_N_MELS

N_CLASSES = 8


def cases() -> dict:
    standin_frames = STANDIN_CONFIGS["cnn_transformer_standin_16k"].num_frames()
    out = {f"{variant} (paper input)": ("cnn_transformer", {"variant": variant}, (1, PAPER_N_MELS, PAPER_FRAMES))
           for variant in CNN_TRANSFORMER_VARIANTS}
    out["full (16 kHz stand-in input)"] = ("cnn_transformer", {"n_frames": standin_frames},
                                           (1, PAPER_N_MELS, standin_frames))
    out["full, cnn_vector=gap (paper input)"] = ("cnn_transformer", {"cnn_vector": "gap"},
                                                 (1, PAPER_N_MELS, PAPER_FRAMES))
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=16, help="batch of the throughput measurement (Table I: 16)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    report = measure_cases("cnn_transformer complexity (paper size, ablation variants)", cases(), N_CLASSES,
                           args.device, args.batch, repeats=args.repeats)
    write_report(report, "cnn_transformer_complexity", args.device, args.json)
    return report


if __name__ == "__main__":
    main()
