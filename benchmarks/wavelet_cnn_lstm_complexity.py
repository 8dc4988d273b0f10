"""wavelet_cnn_lstm: parameters, FLOPs and latency of the model on both input readings and its main switches.

2-D on the ``wavelet_rgb`` image ``(3, 128, 128)`` and 1-D on the
``waveform_8s`` vector ``(1, 128000)`` (8 s at 16 kHz), at the Table 3
reading (5 pipes, 64 filters, LSTM 100) and the text reading (3 pipes), plus
the filter-count and single-pipe variants of the paper's claims (7 EmoDB
classes). The paper reports no complexity: these numbers document our
choices. Writes ``benchmarks/results/wavelet_cnn_lstm_complexity_<device>.json``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from model_complexity import measure_cases, write_report

from serlib.features.waveform import PAPER_WAVEFORM
from serlib.features.wavelet_image import WAVELET_RGB_CONFIG

N_CLASSES = 7


def cases() -> dict:
    image = (3, *WAVELET_RGB_CONFIG.image_size)
    waveform = (1, PAPER_WAVEFORM.num_samples)
    return {
        "2-D, Table 3 (5 pipes, 64 filters, LSTM 100)": ("wavelet_cnn_lstm", {}, image),
        "2-D, text (3 pipes)": ("wavelet_cnn_lstm", {"reading": "text"}, image),
        "2-D, one pipe": ("wavelet_cnn_lstm", {"n_pipes": 1}, image),
        "2-D, 128 filters": ("wavelet_cnn_lstm", {"filters": 128}, image),
        "2-D, 256 filters": ("wavelet_cnn_lstm", {"filters": 256}, image),
        "1-D, Table 3 (5 pipes, 64 filters, LSTM 100)": ("wavelet_cnn_lstm_1d", {}, waveform),
        "1-D, text (3 pipes)": ("wavelet_cnn_lstm_1d", {"reading": "text"}, waveform),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=16, help="batch of the throughput measurement (Table 2: 16)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    report = measure_cases("wavelet_cnn_lstm complexity (both input readings, main switches)", cases(), N_CLASSES,
                           args.device, args.batch, repeats=args.repeats, batch_repeats=2)
    write_report(report, "wavelet_cnn_lstm_complexity", args.device, args.json)
    return report


if __name__ == "__main__":
    main()
