"""Model complexity: parameter count, FLOPs and MACs, and inference latency (fla_ser Table 6).

FLOP convention. :func:`count_flops` uses ``torch.utils.flop_counter.FlopCounterMode``,
which counts matrix products and convolutions only, a multiply-add as 2 FLOPs,
and ignores bias additions, activations, normalisation, softmax and pooling.
Every counted operation is made of multiply-adds, so MACs = FLOPs / 2 exactly;
both are reported because papers use either ("GFLOPs" in fla_ser Table 6 does
not say which).

What FlopCounterMode misses on CPU (torch 2.11, checked in tests/test_complexity.py):
recurrent layers (``aten.lstm``/``gru``/``rnn_*`` in inference, ``aten.mkldnn_rnn_layer``
with autograd), ``scaled_dot_product_attention`` on CPU
(``aten._scaled_dot_product_flash_attention_for_cpu``) and the inference fast
paths of ``nn.MultiheadAttention`` (``aten._native_multi_head_attention``) and
``nn.TransformerEncoderLayer`` (``aten._transformer_encoder_layer_fwd``): each counts 0. :data:`MISSING_FLOP_FORMULAS`
adds formulas for them in the same convention. Counting always runs on a CPU
copy of the model, where these formulas apply.
"""
from __future__ import annotations

import copy
import os
import platform
import time

import numpy as np
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

from ..provenance import cpu_name

aten = torch.ops.aten


def parameter_count(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (all of them by default, as papers report; ``trainable_only`` for the trainable ones)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _is_shape(value) -> bool:
    return isinstance(value, torch.Size)


def recurrent_flops(*args, out_shape=None, **kwargs) -> int:
    """FLOPs of ``aten.lstm``/``gru``/``rnn_tanh``/``rnn_relu`` (padded ``.input`` and packed ``.data`` overloads).

    Every 2-D weight of the layer stack (input-to-hidden, hidden-to-hidden and
    projection matrices, over layers and directions) is multiplied with one
    vector per (time step, batch element): ``FLOPs = 2 * steps * sum(rows * cols)``,
    with ``steps = frames * batch`` (padded) or the packed data's length.
    """
    first, second = args[0], args[1]
    packed = _is_shape(second) and len(second) == 1
    params = args[3] if packed else args[2]
    steps = first[0] if packed else first[0] * first[1]
    return 2 * steps * sum(p[0] * p[1] for p in params if len(p) == 2)


def mkldnn_rnn_layer_flops(input_shape, weight_ih, weight_hh, *args, out_shape=None, **kwargs) -> int:
    """FLOPs of one oneDNN recurrent layer (CPU with autograd): ``2 * frames * batch * (|W_ih| + |W_hh|)``."""
    steps = input_shape[0] * input_shape[1]
    return 2 * steps * (weight_ih[0] * weight_ih[1] + weight_hh[0] * weight_hh[1])


def sdpa_cpu_flops(query, key, value, *args, out_shape=None, **kwargs) -> int:
    """FLOPs of CPU scaled dot-product attention: ``Q K^T`` and ``A V`` (torch's own ``sdpa_flop_count``)."""
    return sdpa_flop_count(query, key, value)


def native_multi_head_attention_flops(query, key, value, embed_dim, num_heads, *args, out_shape=None, **kwargs) -> int:
    """FLOPs of ``nn.MultiheadAttention``'s fast path (batch-first ``(batch, frames, embed_dim)``).

    Q, K, V projections ``2 B E^2 (L_q + 2 L_k)``, scores and mixing
    ``2 * 2 B L_q L_k E`` (summed over heads), output projection ``2 B L_q E^2``.
    """
    batch, query_frames, _ = query
    key_frames = key[1]
    projections = 2 * batch * embed_dim * embed_dim * (query_frames + 2 * key_frames)
    attention = 2 * 2 * batch * query_frames * key_frames * embed_dim
    output = 2 * batch * query_frames * embed_dim * embed_dim
    return projections + attention + output


def transformer_encoder_layer_flops(src, embed_dim, num_heads, qkv_weight, qkv_bias, proj_weight, proj_bias,
                                    use_gelu, norm_first, eps, norm_weight_1, norm_bias_1, norm_weight_2,
                                    norm_bias_2, ffn_weight_1, ffn_bias_1, ffn_weight_2, *args, out_shape=None,
                                    **kwargs) -> int:
    """FLOPs of ``nn.TransformerEncoderLayer``'s fused fast path on ``(batch, frames, embed_dim)``.

    Every weight matrix (QKV, output projection, both FFN layers) once per
    token, ``2 B L sum(rows * cols)``, plus scores and mixing ``2 * 2 B L^2 E``.
    """
    batch, frames, _ = src
    matrices = (qkv_weight, proj_weight, ffn_weight_1, ffn_weight_2)
    return 2 * batch * frames * sum(w[0] * w[1] for w in matrices) + 2 * 2 * batch * frames * frames * embed_dim


#: Formulas for the operators FlopCounterMode does not count on CPU (see the module docstring).
MISSING_FLOP_FORMULAS = {
    aten.lstm: recurrent_flops,
    aten.gru: recurrent_flops,
    aten.rnn_tanh: recurrent_flops,
    aten.rnn_relu: recurrent_flops,
    aten.mkldnn_rnn_layer: mkldnn_rnn_layer_flops,
    aten._scaled_dot_product_flash_attention_for_cpu: sdpa_cpu_flops,
    aten._native_multi_head_attention: native_multi_head_attention_flops,
    aten._transformer_encoder_layer_fwd: transformer_encoder_layer_flops,
}


def _check_input_shape(name: str, input_shape, batch_size: int) -> tuple[int, ...]:
    shape = tuple(int(s) for s in input_shape)
    if not shape or any(s < 1 for s in shape):
        raise ValueError(f"{name}: input_shape must be the per-sample shape, e.g. (1, 64, 300), got {input_shape}")
    if batch_size < 1:
        raise ValueError(f"{name}: batch_size must be >= 1, got {batch_size}")
    return shape


def _is_several(input_shape) -> bool:
    return len(input_shape) > 0 and all(isinstance(s, (tuple, list, torch.Size)) for s in input_shape)


def _make_inputs(name: str, input_shape, batch_size: int, make):
    """``make(batch, *shape)`` for one per-sample shape, or a tuple of them for a tuple of shapes (several inputs)."""
    if _is_several(input_shape):
        return tuple(make(batch_size, *_check_input_shape(name, shape, batch_size)) for shape in input_shape)
    return make(batch_size, *_check_input_shape(name, input_shape, batch_size))


def count_flops(model: nn.Module, input_shape, batch_size: int = 1, use_missing_formulas: bool = True) -> dict:
    """FLOPs and MACs of one inference forward pass on ``batch_size`` samples of ``input_shape``.

    ``input_shape`` is one sample's shape without the batch axis, e.g.
    ``(1, 64, 300)``, or a tuple of such shapes for a model that takes a tuple
    of tensors (e.g. ``((1, 224, 224), (32000,))``). Returns ``{"flops", "macs", "flops_per_sample",
    "macs_per_sample", "batch_size", "by_operator", "by_module"}``
    (``by_module``: FLOPs per top-level child module). The model is counted in
    eval mode on a CPU copy; its own mode and device are left unchanged.
    ``use_missing_formulas=False`` gives FlopCounterMode's raw count.
    """
    on_cpu = all(p.device.type == "cpu" for p in model.parameters())
    counted = model if on_cpu else copy.deepcopy(model).cpu()
    was_training = counted.training
    counted.eval()
    inputs = _make_inputs("count_flops", input_shape, batch_size, torch.zeros)
    mapping = MISSING_FLOP_FORMULAS if use_missing_formulas else {}
    try:
        # no_grad, not inference_mode: parametrized weights (weight_norm in torchaudio's Wav2Vec2 positional
        # convolution) fail to resolve under inference_mode + FlopCounterMode in torch 2.11; the count is the same.
        with torch.no_grad(), FlopCounterMode(display=False, custom_mapping=mapping) as counter:
            counted(inputs)
    finally:
        counted.train(was_training)
    counts = counter.get_flop_counts()
    total = counter.get_total_flops()
    by_operator = {str(op): int(n) for op, n in counts.get("Global", {}).items()}
    root = type(counted).__name__
    by_module = {}
    for name, ops in counts.items():
        parts = name.split(".")
        if len(parts) == 2 and parts[0] == root:
            by_module[parts[1]] = int(sum(ops.values()))
    return {"flops": int(total), "macs": int(total) // 2, "flops_per_sample": total / batch_size,
            "macs_per_sample": total / 2 / batch_size, "batch_size": batch_size, "by_operator": by_operator,
            "by_module": by_module}


def measure_latency(model: nn.Module, input_shape, batch_size: int = 1, device: str | torch.device = "cpu",
                    warmup: int = 3, repeats: int = 10, seed: int = 0) -> dict:
    """Wall-clock inference time of one forward pass on a batch of random input.

    Moves ``model`` to ``device`` and puts it in eval mode; runs under
    ``torch.inference_mode``, ``warmup`` untimed passes, then ``repeats`` timed
    ones, synchronising CUDA before and after each. Returns ``{"median_ms",
    "p10", "p90"}`` (milliseconds per batch: median, 10th and 90th percentile),
    ``"per_sample_ms"`` (median / batch size), ``"throughput"`` (samples per
    second at the median), and ``batch_size``, ``warmup``, ``repeats``,
    ``device``, ``times_ms`` (every timed pass).
    """
    if warmup < 0 or repeats < 1:
        raise ValueError(f"measure_latency: warmup must be >= 0 and repeats >= 1, got {warmup}, {repeats}")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"measure_latency: device {device} requested but CUDA is not available")
    synchronise = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    model = model.to(device).eval()
    generator = torch.Generator().manual_seed(seed)
    inputs = _make_inputs("measure_latency", input_shape, batch_size,
                          lambda *size: torch.randn(*size, generator=generator).to(device))
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            model(inputs)
        synchronise()
        for _ in range(repeats):
            synchronise()
            start = time.perf_counter()
            model(inputs)
            synchronise()
            times.append((time.perf_counter() - start) * 1000.0)
    times_ms = np.asarray(times)
    median = float(np.median(times_ms))
    return {"median_ms": median, "p10": float(np.percentile(times_ms, 10)), "p90": float(np.percentile(times_ms, 90)),
            "per_sample_ms": median / batch_size, "throughput": batch_size * 1000.0 / median,
            "batch_size": batch_size, "warmup": warmup, "repeats": repeats, "device": str(device),
            "times_ms": [float(t) for t in times_ms]}


def machine_info(device: str | torch.device = "cpu") -> dict:
    """What a timing ran on: CPU model, cores, torch threads, versions, and the GPU name for CUDA."""
    device = torch.device(device)
    info = {"cpu": cpu_name(), "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "torch": torch.__version__, "platform": platform.platform(),
            "device": str(device)}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
        info["cuda"] = torch.version.cuda
    return info


def device_label(device: str | torch.device = "cpu") -> str:
    """A short provenance string: ``cpu (Intel ..., 2 threads)`` or ``cuda (NVIDIA H100 ...)``."""
    info = machine_info(device)
    if info["device"].startswith("cuda"):
        return f"cuda ({info['gpu']})"
    return f"cpu ({info['cpu']}, {info['torch_threads']} threads)"
