"""dual_stream_caf: parameters, FLOPs and CPU/GPU latency of encoders A, encoders B and dual-stream models.

The paper reports no complexity; these numbers say what each stream costs.
Inputs: a 224 x 224 log-Mel image and a 2-s, 16 kHz waveform (the EmoDB
stand-in's length), 7 classes (EmoDB), random values. Measured per model:
parameters (all and trainable), FLOPs and MACs of one utterance
(``serlib.models.complexity.count_flops``: 2 FLOPs per multiply-add, matrix
products and convolutions only, with formulas for the LSTM), latency at batch
1 and throughput at batch 16.

Models: DPCNN and TextRCNN single streams (paper size); encoder B single
streams: WakeHuBERT-tiny (frozen; skipped with a note when the ``wakehubert``
extra is missing), the tiny random HuBERT network (UNTRAINED), and the
paper-size HuBERT-base architecture with RANDOM weights (its weights cannot be
fetched here; the size and speed do not depend on them); dual-stream CAF
models pairing DPCNN with each. Writes
``benchmarks/results/dual_stream_caf_complexity_<device>.json``.

    python benchmarks/dual_stream_caf_complexity.py [--device cuda] [--quick]
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from serlib.models import build_model
from serlib.models.complexity import count_flops, device_label, machine_info, measure_latency, parameter_count
from serlib.models.dual_stream_caf import (DPCNN, DualStreamClassifier, SingleStreamClassifier, build_fusion)
from serlib.models.speech_encoders import EncoderUnavailableError, pipeline_architecture, wakehubert_available

BENCHMARK_RESULTS = Path(__file__).resolve().parent / "results"
N_CLASSES = 7
IMAGE = (1, 224, 224)
SECONDS = 2.0
WAVEFORM = (int(SECONDS * 16000),)


def _load_average():
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def _hubert_architecture_single() -> SingleStreamClassifier:
    return SingleStreamClassifier(pipeline_architecture("hubert_base"), N_CLASSES,
                                  label="HuBERT-base architecture, RANDOM weights (size and speed only)")


def _hubert_architecture_dual() -> DualStreamClassifier:
    encoder_a, encoder_b = DPCNN(), pipeline_architecture("hubert_base")
    fusion = build_fusion("caf", encoder_a.out_dim, encoder_b.dim, N_CLASSES)
    return DualStreamClassifier(encoder_a, encoder_b, fusion, N_CLASSES,
                                labels={"row": "HuBERT-base architecture (RANDOM weights) + DPCNN, CAF"})


def model_builders() -> dict:
    """name -> (builder, input shape(s), note)."""
    builders = {
        "dpcnn": (lambda: build_model("dual_stream_caf_single", N_CLASSES, encoder="dpcnn"), IMAGE, ""),
        "textrcnn": (lambda: build_model("dual_stream_caf_single", N_CLASSES, encoder="textrcnn"), IMAGE, ""),
        "tiny_random_hubert": (lambda: build_model("dual_stream_caf_single", N_CLASSES,
                                                   encoder="tiny_random_hubert", freeze=True), WAVEFORM,
                               "UNTRAINED tiny network"),
        "hubert_base_architecture": (_hubert_architecture_single, WAVEFORM, "RANDOM weights: size and speed only"),
        "dpcnn+tiny_random_hubert+caf": (lambda: build_model("dual_stream_caf", N_CLASSES, encoder_a="dpcnn",
                                                             encoder_b="tiny_random_hubert", fusion="caf"),
                                         (IMAGE, WAVEFORM), "UNTRAINED encoder B"),
        "dpcnn+hubert_base_architecture+caf": (_hubert_architecture_dual, (IMAGE, WAVEFORM),
                                               "RANDOM-weight HuBERT-base: size and speed only"),
    }
    if wakehubert_available()[0]:
        builders["wakehubert_tiny"] = (lambda: build_model("dual_stream_caf_single", N_CLASSES,
                                                           encoder="wakehubert_tiny", freeze=True), WAVEFORM,
                                       "distilled stand-in for HuBERT, not HuBERT")
        builders["dpcnn+wakehubert_tiny+caf"] = (lambda: build_model("dual_stream_caf", N_CLASSES, encoder_a="dpcnn",
                                                                     encoder_b="wakehubert_tiny", fusion="caf",
                                                                     freeze_b=True),
                                                 (IMAGE, WAVEFORM), "WakeHuBERT-tiny frozen")
    return builders


def measure(name, builder, shape, note, device, batch, repeats) -> dict:
    torch.manual_seed(0)
    model = builder()
    flops = count_flops(model, shape)
    single = measure_latency(model, shape, 1, device, warmup=2, repeats=repeats)
    batched = measure_latency(model, shape, batch, device, warmup=1, repeats=max(2, repeats // 3))
    label = getattr(model, "label", name)
    return {"label": label, "note": note, "input_shape": [list(s) for s in shape] if isinstance(shape[0], tuple)
            else list(shape), "parameters": parameter_count(model),
            "trainable_parameters": parameter_count(model, trainable_only=True), "flops": flops["flops"],
            "macs": flops["macs"], "flops_by_module": flops["by_module"], "latency_batch1": single,
            f"latency_batch{batch}": batched}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--models", nargs="+", default=None, help="subset of the model names")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    builders = model_builders()
    chosen = args.models or list(builders)
    unknown = sorted(set(chosen) - set(builders))
    if unknown:
        raise SystemExit(f"unknown model(s) {unknown}; available: {sorted(builders)}")
    started = time.perf_counter()
    report = {"benchmark": "dual_stream_caf complexity", "machine": machine_info(args.device),
              "device_label": device_label(args.device),
              "input": {"image": list(IMAGE), "waveform_samples": WAVEFORM[0], "seconds": SECONDS,
                        "n_classes": N_CLASSES, "content": "random normal, seed 0"},
              "settings": {"batch": args.batch, "repeats": args.repeats,
                           "flop_convention": "2 FLOPs per multiply-add; matrix products and convolutions only"},
              "skipped": {} if wakehubert_available()[0] else {"wakehubert_tiny": wakehubert_available()[1]},
              "load_average_before": _load_average(), "models": {}}
    for name in chosen:
        print(f"measuring {name} ...", flush=True)
        try:
            result = measure(name, *builders[name], args.device, args.batch, args.repeats)
        except EncoderUnavailableError as exc:
            report["skipped"][name] = str(exc)
            print(f"  skipped: {exc}")
            continue
        report["models"][name] = result
        print(f"  {result['parameters'] / 1e6:.3f} M params ({result['trainable_parameters'] / 1e6:.3f} M "
              f"trainable), {result['flops'] / 1e9:.3f} GFLOPs, {result['latency_batch1']['per_sample_ms']:.1f} "
              f"ms at batch 1, {result[f'latency_batch{args.batch}']['throughput']:.1f} utterances/s at batch "
              f"{args.batch}", flush=True)
    report["runtime_s"] = time.perf_counter() - started
    report["load_average_after"] = _load_average()
    path = args.json or BENCHMARK_RESULTS / f"dual_stream_caf_complexity_{torch.device(args.device).type}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {path}")
    return report


if __name__ == "__main__":
    main()
