"""Shared by the per-paper complexity benchmarks: parameters, FLOPs and latency of named model configurations.

``measure_cases`` builds each (registry name, config, per-sample input shape)
case at the given size, counts FLOPs with ``serlib.models.complexity.count_flops``
(2 FLOPs per multiply-add, matrix products and convolutions only, plus the
course's formulas for LSTM and attention), times batch-1 latency and the
throughput of a larger batch with ``measure_latency``, and returns a JSON-ready
report with the machine and the load average (a shared machine slows timings).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import torch

from serlib.models import build_model
from serlib.models.complexity import count_flops, device_label, machine_info, measure_latency, parameter_count

BENCHMARK_RESULTS = Path(__file__).resolve().parent / "results"


def load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def measure_case(name: str, config: dict, input_shape: tuple, n_classes: int, device: str, batch: int,
                 warmup: int, repeats: int, batch_warmup: int, batch_repeats: int) -> dict:
    torch.manual_seed(0)
    model = build_model(name, n_classes, **config)
    flops = count_flops(model, input_shape)
    single = measure_latency(model, input_shape, 1, device, warmup, repeats)
    out = {"model": name, "config": config, "input_shape": list(input_shape), "parameters": parameter_count(model),
           "flops": flops["flops"], "macs": flops["macs"], "flops_by_module": flops["by_module"],
           "latency_batch1": single}
    if batch > 1:
        out[f"latency_batch{batch}"] = measure_latency(model, input_shape, batch, device, batch_warmup, batch_repeats)
    return out


def measure_cases(title: str, cases: dict[str, tuple[str, dict, tuple]], n_classes: int, device: str = "cpu",
                  batch: int = 16, warmup: int = 2, repeats: int = 10, batch_warmup: int = 1,
                  batch_repeats: int = 3) -> dict:
    started = time.perf_counter()
    report = {"benchmark": title, "machine": machine_info(device), "device_label": device_label(device),
              "n_classes": n_classes, "input_content": "random normal, seed 0",
              "settings": {"batch": batch, "warmup": warmup, "repeats": repeats, "batch_warmup": batch_warmup,
                           "batch_repeats": batch_repeats,
                           "flop_convention": "2 FLOPs per multiply-add; matrix products and convolutions only "
                                              "(torch FlopCounterMode + serlib formulas for LSTM/attention)"},
              "load_average_before": load_average(), "cases": {}}
    for label, (name, config, shape) in cases.items():
        print(f"measuring {label} ...", flush=True)
        measured = measure_case(name, config, shape, n_classes, device, batch, warmup, repeats, batch_warmup,
                                batch_repeats)
        report["cases"][label] = measured
        line = (f"  {measured['parameters'] / 1e6:.3f} M params, {measured['flops'] / 1e9:.3f} GFLOPs, "
                f"{measured['latency_batch1']['per_sample_ms']:.1f} ms/utterance at batch 1")
        if batch > 1:
            line += f", {measured[f'latency_batch{batch}']['throughput']:.1f} utterances/s at batch {batch}"
        print(line, flush=True)
    report["runtime_s"] = time.perf_counter() - started
    report["load_average_after"] = load_average()
    return report


def write_report(report: dict, stem: str, device: str, path: Path | None = None) -> Path:
    path = path or BENCHMARK_RESULTS / f"{stem}_{torch.device(device).type}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {path}")
    return path
