"""Looking inside a model: the tensors its sub-modules see and produce, and its cost per block.

Forward hooks observe the model's own ``forward()``; nothing is re-implemented,
so the shapes and tensors reported are those the model computes. Notebook 06
uses :func:`trace_fla_ser` to follow a log-Mel input through every block of
FLA-SER and :func:`block_table` for parameters and FLOPs per block.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

from .complexity import count_flops, parameter_count


@contextmanager
def recording(modules: dict[str, nn.Module]):
    """Record ``(inputs, output)`` of every call of each named module while the block runs; hooks removed after."""
    captured: dict[str, list] = {name: [] for name in modules}

    def keep(name):
        def hook(module, inputs, output):
            captured[name].append((inputs, output))
        return hook

    handles = [module.register_forward_hook(keep(name)) for name, module in modules.items()]
    try:
        yield captured
    finally:
        for handle in handles:
            handle.remove()


def _shape(tensor) -> tuple:
    return tuple(tensor.shape)


@dataclass
class FlaserTrace:
    """What one FLA-SER forward pass computed, stage by stage (the model's own tensors)."""
    stages: list[tuple[str, tuple]]
    logits: torch.Tensor
    maps: dict
    lstm_sequence: torch.Tensor  # h_t, (batch, frames, 256)
    dmp_gates: torch.Tensor  # g_t
    transformer_output: torch.Tensor  # z_t after the final LayerNorm
    temporal_weights: torch.Tensor  # alpha_t
    channel_weights: torch.Tensor
    tower_weights: torch.Tensor
    captured: dict = field(repr=False, default_factory=dict)


def trace_fla_ser(model, x: torch.Tensor) -> FlaserTrace:
    """Run ``model`` (a :class:`~serlib.models.fla_ser.FLASER` with hierarchical attention) on ``x`` and
    record the tensor after each stage, in the order the data flows."""
    names = ("lstm", "memory_pool", "positional_encoding", "transformer_norm", "temporal_attention",
             "channel_attention", "towers", "head")
    modules = {name: getattr(model, name) for name in names}
    modules.update({"fcn.pool": model.fcn.pool, "head.fused": model.head.layers[2]})  # ReLU after Linear(splice, 480)
    with torch.no_grad(), recording(modules) as seen:
        logits, maps = model(x, return_attention=True)
    (_, (weighted_map, channel_weights)), = seen["channel_attention"]
    (tower_in, (spatial, temporal, tower_weights)), = seen["towers"]
    (lstm_in, (lstm_seq, _)), = seen["lstm"]
    (_, (gated, gates)), = seen["memory_pool"]
    (_, (pooled_temporal, temporal_weights)), = seen["temporal_attention"]
    z = seen["transformer_norm"][0][1]
    convs = model.fcn.convs
    stages = [("input log-Mel (batch, channel, Mel band, frame)", _shape(x))]
    stages += [(f"FCN conv {c.kernel_size[0]}x{c.kernel_size[1]}/{c.out_channels} + ReLU + 2x2 max pool", _shape(p))
               for c, (_, p) in zip(convs, seen["fcn.pool"])]
    stages += [("channel attention weights (one per FCN channel)", _shape(channel_weights)),
               ("channel-weighted FCN map", _shape(weighted_map)), ("GAP -> spatial vector s", _shape(tower_in[0])),
               ("Bi-LSTM input: one vector per frame", _shape(lstm_in[0])),
               ("Bi-LSTM sequence h_t (2 directions x 128)", _shape(lstm_seq)), ("DMP gates g_t", _shape(gates)),
               ("DMP gated sequence m_t", _shape(gated)),
               ("+ positional encoding", _shape(seen["positional_encoding"][0][1])),
               (f"Transformer ({len(model.transformer)} layers) + final LayerNorm: z_t", _shape(z)),
               ("temporal attention weights alpha_t", _shape(temporal_weights)),
               ("temporal vector (attention-pooled z)", _shape(pooled_temporal)),
               ("dual-tower cross-modal weight matrix", _shape(tower_weights)),
               ("aligned spatial vector", _shape(spatial)), ("aligned temporal vector", _shape(temporal)),
               ("splice [spatial, temporal]", _shape(seen["head"][0][0][0])),
               ("fused vector (Linear + ReLU)", _shape(seen["head.fused"][0][1])),
               (f"logits ({logits.shape[-1]} classes)", _shape(logits))]
    return FlaserTrace(stages, logits, maps, lstm_seq, gates, z, temporal_weights, channel_weights, tower_weights,
                       dict(seen))


def block_table(model, input_shape, descriptions: dict[str, str] | None = None):
    """Parameters and GFLOPs of each top-level block for one input of ``input_shape`` (no batch axis).

    Returns ``(table, flops)``: a DataFrame with one row per child module and
    :func:`~serlib.models.complexity.count_flops`'s dict.
    """
    import pandas as pd

    descriptions = descriptions or {}
    flops = count_flops(model, input_shape)
    table = pd.DataFrame([{"block": descriptions.get(name, name), "module": name,
                           "parameters": parameter_count(child),
                           "GFLOPs": round(flops["by_module"].get(name, 0) / 1e9, 4)}
                          for name, child in model.named_children()])
    return table, flops
