"""fla_ser Table 6: parameters, FLOPs and inference time of LSTM, pure FCN, 3D-VGG and FLA-SER.

Each model is built at its paper size (8 classes, as RAVDESS) and fed random
log-Mel input of one 3-s utterance (``(1, 64, 300)``: 64 Mel bands, 10 ms
frame shift). Measured: parameters, FLOPs and MACs for one utterance
(``serlib.models.complexity.count_flops``: 2 FLOPs per multiply-add, matrix
products and convolutions only), latency per utterance at batch 1 and
throughput at batch 64 (warm-up passes, then median and 10th/90th percentiles).

Writes ``benchmarks/results/fla_ser_complexity_<device>.json`` (with the
machine) and ``results/fla_ser/table6_complexity.csv`` (the paper's values
beside ours). Run ``python benchmarks/fla_ser_complexity.py`` on CPU, and with
``--device cuda`` on a GPU; the latency metrics carry the device in their name
so the two runs fill different cells of the same table.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import torch

from serlib import results
from serlib.models import build_model
from serlib.models.complexity import count_flops, device_label, machine_info, measure_latency, parameter_count
from serlib.models.fla_ser import DEFAULT_FRAMES, DEFAULT_N_MELS, PAPER_TABLE6, UTTERANCE_SECONDS

BENCHMARK_RESULTS = Path(__file__).resolve().parent / "results"
N_CLASSES = 8


def _load_average() -> list[float] | None:
    # Other processes on a shared machine slow the timings down; the load average says how busy it was.
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def measure_model(name: str, input_shape: tuple[int, ...], device: str, batch: int, warmup: int, repeats: int,
                  batch_warmup: int, batch_repeats: int) -> dict:
    torch.manual_seed(0)
    model = build_model(name, N_CLASSES)
    flops = count_flops(model, input_shape)
    single = measure_latency(model, input_shape, 1, device, warmup, repeats)
    batched = measure_latency(model, input_shape, batch, device, batch_warmup, batch_repeats)
    return {"parameters": parameter_count(model), "flops": flops["flops"], "macs": flops["macs"],
            "flops_by_module": flops["by_module"], "latency_batch1": single, f"latency_batch{batch}": batched}


def results_rows(name: str, measured: dict, device: str, batch: int, provenance: results.Provenance) -> list[dict]:
    paper = PAPER_TABLE6[name]
    kind = torch.device(device).type
    single, batched = measured["latency_batch1"], measured[f"latency_batch{batch}"]
    timing_note = "paper: RTX 4090 GPU + i9-13900K, batch not stated"
    flop_note = ("ours: 2 FLOPs per multiply-add, matmul/conv only; the paper's GFLOPs convention is not stated, "
                 "so its value stands beside both GFLOPs and GMACs")
    cells = [
        ("params_M", measured["parameters"] / 1e6, None, None, paper["params_M"], ""),
        ("GFLOPs", measured["flops"] / 1e9, None, None, paper["GFLOPs"], flop_note),
        ("GMACs", measured["macs"] / 1e9, None, None, paper["GFLOPs"], flop_note),
        (f"ms_per_sample_batch1_{kind}", single["per_sample_ms"], np.std(single["times_ms"]), single["repeats"],
         paper["ms_per_sample"], f"{timing_note}; ours: median of {single['repeats']} after "
                                 f"{single['warmup']} warm-up, p10 {single['p10']:.2f} ms, p90 {single['p90']:.2f} ms"),
        (f"ms_per_sample_batch{batch}_{kind}", batched["per_sample_ms"],
         np.std(batched["times_ms"]) / batch, batched["repeats"], paper["ms_per_sample"],
         f"{timing_note}; ours: median of {batched['repeats']} after {batched['warmup']} warm-up"),
        (f"throughput_per_s_batch{batch}_{kind}", batched["throughput"], None, batched["repeats"], None,
         "samples per second at the median batch time"),
    ]
    prov = provenance.filled()
    return [{"paper": "fla_ser", "table": "table6_complexity", "row": paper["row"], "metric": metric,
             "paper_value": paper_value, "ours": ours, "ours_std": std, "n": n, **prov,
             "notes": "; ".join(filter(None, [prov["notes"], note]))}
            for metric, ours, std, n, paper_value, note in cells]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--models", nargs="+", default=list(PAPER_TABLE6), choices=list(PAPER_TABLE6))
    parser.add_argument("--batch", type=int, default=64, help="batch size of the throughput measurement")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up passes at batch 1")
    parser.add_argument("--repeats", type=int, default=15, help="timed passes at batch 1")
    parser.add_argument("--batch-warmup", type=int, default=1, help="warm-up passes at the large batch")
    parser.add_argument("--batch-repeats", type=int, default=3, help="timed passes at the large batch")
    parser.add_argument("--n-mels", type=int, default=DEFAULT_N_MELS)
    parser.add_argument("--frames", type=int, default=DEFAULT_FRAMES)
    parser.add_argument("--json", type=Path, default=None, help="output JSON (default benchmarks/results/...)")
    parser.add_argument("--no-results", action="store_true", help="do not write results/fla_ser/table6_complexity.csv")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="measure nothing; write the results table from this earlier JSON (e.g. a GPU run's)")
    args = parser.parse_args(argv)

    if args.from_json:
        report = json.loads(args.from_json.read_text())
    else:
        report = run_benchmark(args)
        kind = torch.device(args.device).type
        json_path = args.json or BENCHMARK_RESULTS / f"fla_ser_complexity_{kind}.json"
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {json_path}")
    if not args.no_results:
        print(f"wrote {write_table6(report)}")
    return report


def run_benchmark(args: argparse.Namespace) -> dict:
    input_shape = (1, args.n_mels, args.frames)
    started = time.perf_counter()
    report = {"benchmark": "fla_ser Table 6 complexity", "machine": machine_info(args.device),
              "device_label": device_label(args.device),
              "input": {"shape_per_sample": list(input_shape), "utterance_seconds": UTTERANCE_SECONDS,
                        "n_classes": N_CLASSES, "content": "random normal, seed 0"},
              "settings": {"batch": args.batch, "warmup": args.warmup, "repeats": args.repeats,
                           "batch_warmup": args.batch_warmup, "batch_repeats": args.batch_repeats,
                           "flop_convention": "2 FLOPs per multiply-add; matrix products and convolutions only "
                                              "(torch FlopCounterMode + serlib formulas for LSTM/attention)"},
              "load_average_before": _load_average(), "paper_table6": PAPER_TABLE6, "models": {}}
    for name in args.models:
        print(f"measuring {name} ...", flush=True)
        measured = measure_model(name, input_shape, args.device, args.batch, args.warmup, args.repeats,
                                 args.batch_warmup, args.batch_repeats)
        report["models"][name] = measured
        single = measured["latency_batch1"]
        print(f"  {measured['parameters'] / 1e6:.2f} M params, {measured['flops'] / 1e9:.2f} GFLOPs, "
              f"{single['per_sample_ms']:.1f} ms/utterance at batch 1 (p10 {single['p10']:.1f}, "
              f"p90 {single['p90']:.1f}), {measured[f'latency_batch{args.batch}']['throughput']:.1f} "
              f"utterances/s at batch {args.batch}", flush=True)
    report["runtime_s"] = time.perf_counter() - started
    report["load_average_after"] = _load_average()
    return report


def write_table6(report: dict) -> Path:
    """Write results/fla_ser/table6_complexity.csv from a benchmark report (fresh or read from its JSON)."""
    settings = report["settings"]
    input_shape = tuple(report["input"]["shape_per_sample"])
    # "n/a" alone would be read back by pandas as a missing value, hence the longer protocol name.
    provenance = results.Provenance(
        corpus=f"n/a (random input, {report['input']['utterance_seconds']:g} s utterance)",
        protocol="n/a (complexity only)", speaker_independent=None, mode="full", device=report["device_label"],
        seeds="0",
        notes=f"input {input_shape}, {report['input']['n_classes']} classes, torch {report['machine']['torch']}, "
              f"{report['machine']['torch_threads']} threads, load average (1/5/15 min) before "
              f"{report['load_average_before']} after {report['load_average_after']}")
    rows = [row for name, measured in report["models"].items()
            for row in results_rows(name, measured, report["machine"]["device"], settings["batch"], provenance)]
    return results.write_results(rows, "fla_ser", "table6_complexity", mode="full")


if __name__ == "__main__":
    main()
