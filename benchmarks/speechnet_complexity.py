"""speechnet Sec. 6 complexity: parameters, FLOPs and latency of SpeechNet and its peers.

The paper: "SpeechNet requires approximately 9.5 million FLOPs per forward pass
and achieves an average inference time of 3.6 ms per utterance on an NVIDIA RTX
3080 Ti GPU. With ~8.3 million parameters" (the batch size is not stated).

Each model is built at its documented default size for EmoDB's 7 classes and
fed random input of one EmoDB stand-in utterance as the ``fusion107_frames``
front end gives it: ``(1, 107, frames)`` with ``frames`` = 2 s at the fusion
features' hop (:class:`serlib.features.fusion.FusionConfig`: 16 kHz, hop 256,
centred frames: 126). Measured: parameters, FLOPs and MACs for one utterance
(:func:`serlib.models.complexity.count_flops`: 2 FLOPs per multiply-add,
matrix products and convolutions only), latency per utterance at batch 1 and
throughput at batch 64 (warm-up passes, then median and 10th/90th percentiles).
SpeechNet is measured in both input modes (frames and utterance vector).

Writes ``benchmarks/results/speechnet_complexity_<device>.json`` (with the
machine and the paper's claim). Run ``python benchmarks/speechnet_complexity.py``
on CPU, and with ``--device cuda`` on a GPU.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from serlib.experiments.speechnet_paper import PAPER_COMPLEXITY
from serlib.features.fusion import FusionConfig, fusion_dimension
from serlib.models import build_model
from serlib.models.complexity import count_flops, device_label, machine_info, measure_latency, parameter_count
from serlib.models.speechnet_peers import PEERS

BENCHMARK_RESULTS = Path(__file__).resolve().parent / "results"
N_CLASSES = 7  # EmoDB
UTTERANCE_SECONDS = 2.0  # the EmoDB stand-in's clips
#: Benchmark label -> (registry name, config).
MODELS = {"speechnet (frames)": ("speechnet", {"input_mode": "frames"}),
          "speechnet (vector)": ("speechnet", {"input_mode": "vector"}),
          **{f"{name} ({label})": (name, {}) for name, label in PEERS.items()}}


def utterance_frames(seconds: float = UTTERANCE_SECONDS, config: FusionConfig | None = None) -> int:
    """Frames of the fusion features for ``seconds`` of audio (centred STFT frames: ``1 + samples // hop``)."""
    config = config or FusionConfig()
    return 1 + int(round(seconds * config.sample_rate)) // config.hop_length


def _load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def measure_model(name: str, config: dict, input_shape: tuple[int, ...], device: str, batch: int, warmup: int,
                  repeats: int, batch_warmup: int, batch_repeats: int) -> dict:
    torch.manual_seed(0)
    model = build_model(name, N_CLASSES, **config)
    flops = count_flops(model, input_shape)
    single = measure_latency(model, input_shape, 1, device, warmup, repeats)
    batched = measure_latency(model, input_shape, batch, device, batch_warmup, batch_repeats)
    return {"registry_name": name, "config": config, "parameters": parameter_count(model), "flops": flops["flops"],
            "macs": flops["macs"], "flops_by_module": flops["by_module"], "latency_batch1": single,
            f"latency_batch{batch}": batched}


def run_benchmark(args: argparse.Namespace) -> dict:
    input_shape = (1, fusion_dimension(), args.frames)
    started = time.perf_counter()
    report = {"benchmark": "speechnet Sec. 6 complexity (SpeechNet and its Fig. 6 / Table 4 peers)",
              "machine": machine_info(args.device), "device_label": device_label(args.device),
              "input": {"shape_per_sample": list(input_shape), "utterance_seconds": UTTERANCE_SECONDS,
                        "n_classes": N_CLASSES, "content": "random normal, seed 0"},
              "settings": {"batch": args.batch, "warmup": args.warmup, "repeats": args.repeats,
                           "batch_warmup": args.batch_warmup, "batch_repeats": args.batch_repeats,
                           "flop_convention": "2 FLOPs per multiply-add; matrix products and convolutions only "
                                              "(torch FlopCounterMode + serlib formulas for LSTM/attention)"},
              "paper_claim": PAPER_COMPLEXITY, "load_average_before": _load_average(), "models": {}}
    for label in args.models:
        name, config = MODELS[label]
        print(f"measuring {label} ...", flush=True)
        measured = measure_model(name, config, input_shape, args.device, args.batch, args.warmup, args.repeats,
                                 args.batch_warmup, args.batch_repeats)
        report["models"][label] = measured
        single = measured["latency_batch1"]
        print(f"  {measured['parameters'] / 1e6:.3f} M params, {measured['flops'] / 1e6:.1f} M FLOPs, "
              f"{single['per_sample_ms']:.2f} ms/utterance at batch 1 (p10 {single['p10']:.2f}, "
              f"p90 {single['p90']:.2f}), {measured[f'latency_batch{args.batch}']['throughput']:.0f} "
              f"utterances/s at batch {args.batch}", flush=True)
    report["runtime_s"] = time.perf_counter() - started
    report["load_average_after"] = _load_average()
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--batch", type=int, default=64, help="batch size of the throughput measurement")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up passes at batch 1")
    parser.add_argument("--repeats", type=int, default=15, help="timed passes at batch 1")
    parser.add_argument("--batch-warmup", type=int, default=1, help="warm-up passes at the large batch")
    parser.add_argument("--batch-repeats", type=int, default=3, help="timed passes at the large batch")
    parser.add_argument("--frames", type=int, default=utterance_frames(), help="frames per utterance (default: 2 s)")
    parser.add_argument("--json", type=Path, default=None, help="output JSON (default benchmarks/results/...)")
    args = parser.parse_args(argv)
    report = run_benchmark(args)
    json_path = args.json or BENCHMARK_RESULTS / f"speechnet_complexity_{torch.device(args.device).type}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {json_path}")
    return report


if __name__ == "__main__":
    main()
