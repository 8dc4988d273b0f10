"""Tests of serlib.models.complexity: FLOP counts against hand arithmetic, latency bookkeeping."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence
from torch.utils.flop_counter import FlopCounterMode

from serlib.models import build_model
from serlib.models.complexity import (MISSING_FLOP_FORMULAS, count_flops, device_label, machine_info,
                                      measure_latency, parameter_count)


class Batched(nn.Module):
    """Wraps a module so count_flops' (batch, *input_shape) input reaches it; returns its first output."""

    def __init__(self, inner: nn.Module, self_attention: bool = False):
        super().__init__()
        self.inner, self.self_attention = inner, self_attention

    def forward(self, x):
        out = self.inner(x, x, x) if self.self_attention else self.inner(x)
        return out[0] if isinstance(out, tuple) else out


def test_parameter_count_matches_hand_count():
    # Linear(10, 20): 10 * 20 weights + 20 biases = 220; Conv2d(2, 4, 3): 2*4*3*3 + 4 = 76.
    model = nn.Sequential(nn.Linear(10, 20), nn.Conv2d(2, 4, 3))
    assert parameter_count(model) == 220 + 76
    model[0].weight.requires_grad_(False)
    assert parameter_count(model, trainable_only=True) == 20 + 76
    assert parameter_count(model) == 220 + 76


def test_linear_flops_hand_count():
    # batch 3 x 10 inputs x 20 outputs = 600 multiply-adds = 1200 FLOPs (bias not counted).
    result = count_flops(Batched(nn.Linear(10, 20)), (10,), batch_size=3)
    assert result["macs"] == 3 * 10 * 20
    assert result["flops"] == 2 * 3 * 10 * 20
    assert result["flops_per_sample"] == 2 * 10 * 20


def test_conv2d_flops_hand_count():
    # Conv2d(2 -> 4, 3x3, 'same') on 5 x 6: 4 * 5 * 6 = 120 outputs, each 2 * 3 * 3 = 18 multiply-adds
    # -> 2160 MACs = 4320 FLOPs per sample.
    result = count_flops(Batched(nn.Conv2d(2, 4, 3, padding=1)), (2, 5, 6), batch_size=2)
    assert result["macs"] == 2 * 120 * 18
    assert result["flops"] == 2 * 2 * 120 * 18


def test_flop_counter_misses_lstm_and_our_formula_adds_it():
    # LSTM(8 -> 16): per step 4 gates x 16 units x (8 inputs + 16 recurrent) = 1536 MACs;
    # batch 2 x 5 frames = 10 steps -> 15360 MACs = 30720 FLOPs.
    model = Batched(nn.LSTM(8, 16, batch_first=True))
    raw = count_flops(model, (5, 8), batch_size=2, use_missing_formulas=False)
    ours = count_flops(model, (5, 8), batch_size=2)
    assert raw["flops"] == 0
    assert ours["flops"] == 2 * 10 * 4 * 16 * (8 + 16)


def test_bidirectional_two_layer_lstm_flops_hand_count():
    # layer 0: 2 directions x 4*16*(8+16) = 2 x 1536; layer 1 reads 2*16 = 32 features: 2 x 4*16*(32+16) = 2 x 3072.
    # 9216 MACs per step x (batch 2 x 5 frames) = 92160 MACs.
    model = Batched(nn.LSTM(8, 16, num_layers=2, bidirectional=True, batch_first=True))
    assert count_flops(model, (5, 8), batch_size=2)["macs"] == 10 * 2 * (1536 + 3072)


def test_gru_flops_hand_count():
    # GRU(8 -> 16): 3 gates x 16 x (8 + 16) = 1152 MACs per step; 2 x 5 steps.
    assert count_flops(Batched(nn.GRU(8, 16, batch_first=True)), (5, 8), batch_size=2)["macs"] == 10 * 1152


def test_lstm_flops_with_autograd_path():
    # With autograd on CPU the LSTM runs as aten.mkldnn_rnn_layer, one call per layer and direction.
    lstm = nn.LSTM(8, 16, bidirectional=True, batch_first=True)
    with FlopCounterMode(display=False, custom_mapping=MISSING_FLOP_FORMULAS) as counter:
        lstm(torch.zeros(2, 5, 8))
    assert counter.get_total_flops() == 2 * 10 * 2 * 4 * 16 * (8 + 16)


def test_packed_lstm_counts_only_real_steps():
    # lengths 5 and 3 -> 8 real steps x 1536 MACs.
    lstm = nn.LSTM(8, 16, batch_first=True)
    packed = pack_padded_sequence(torch.zeros(2, 5, 8), torch.tensor([5, 3]), batch_first=True)
    with torch.inference_mode(), FlopCounterMode(display=False, custom_mapping=MISSING_FLOP_FORMULAS) as counter:
        lstm(packed)
    assert counter.get_total_flops() == 2 * 8 * 1536


class SDPA(nn.Module):
    def forward(self, x):
        return nn.functional.scaled_dot_product_attention(x, x, x)


def test_sdpa_flops_on_cpu():
    # (batch 2, heads 4, 7 frames, 8 dims): Q K^T = 2*4*7*7*8 MACs, A V the same -> 2 * 3136 MACs.
    raw = count_flops(SDPA(), (4, 7, 8), batch_size=2, use_missing_formulas=False)
    ours = count_flops(SDPA(), (4, 7, 8), batch_size=2)
    assert raw["flops"] == 0
    assert ours["macs"] == 2 * (2 * 4 * 7 * 7 * 8)


def test_multihead_attention_fast_path_matches_math_path():
    torch.manual_seed(0)
    model = Batched(nn.MultiheadAttention(32, 4, batch_first=True), self_attention=True)
    ours = count_flops(model, (7, 32), batch_size=2)
    raw = count_flops(model, (7, 32), batch_size=2, use_missing_formulas=False)
    # The autograd (math) path runs as plain mm/bmm, which FlopCounterMode counts itself.
    x = torch.zeros(2, 7, 32)
    with FlopCounterMode(display=False) as counter:
        model(x)
    # Hand count: QKV 2*7*32*96 + scores and mixing 2 * 2*7*7*32 + output 2*7*32*32 MACs.
    hand_macs = 2 * 7 * 32 * 96 + 2 * (2 * 7 * 7 * 32) + 2 * 7 * 32 * 32
    assert raw["flops"] == 0
    assert ours["flops"] == counter.get_total_flops() == 2 * hand_macs


def test_transformer_encoder_layer_fast_path_hand_count():
    model = Batched(nn.TransformerEncoderLayer(32, 4, 64, batch_first=True))
    ours = count_flops(model, (7, 32), batch_size=2)
    # 14 tokens x (QKV 32*96 + output 32*32 + FFN 32*64 + 64*32) + scores and mixing 2 * 2*7*7*32 MACs.
    hand_macs = 14 * (32 * 96 + 32 * 32 + 32 * 64 + 64 * 32) + 2 * (2 * 7 * 7 * 32)
    assert count_flops(model, (7, 32), batch_size=2, use_missing_formulas=False)["flops"] < 2 * hand_macs
    assert ours["macs"] == hand_macs


def test_count_flops_by_module_and_state_preserved():
    model = build_model("fla_ser", 4, width=0.125, transformer_layers=1)
    model.train()
    result = count_flops(model, (1, 64, 40))
    assert model.training
    assert result["flops"] == sum(result["by_module"].values())
    assert result["by_module"]["lstm"] > 0 and result["by_module"]["transformer"] > 0
    assert result["macs"] * 2 == result["flops"]


def test_count_flops_rejects_bad_shape():
    with pytest.raises(ValueError, match="input_shape"):
        count_flops(nn.Linear(3, 3), (0, 3))
    with pytest.raises(ValueError, match="batch_size"):
        count_flops(nn.Linear(3, 3), (3,), batch_size=0)


def test_measure_latency_bookkeeping():
    model = Batched(nn.Linear(16, 4))
    result = measure_latency(model, (16,), batch_size=8, device="cpu", warmup=1, repeats=5)
    assert len(result["times_ms"]) == 5
    assert result["p10"] <= result["median_ms"] <= result["p90"]
    assert math.isclose(result["per_sample_ms"], result["median_ms"] / 8)
    assert math.isclose(result["throughput"], 8 * 1000.0 / result["median_ms"])
    assert not model.training


def test_measure_latency_rejects_bad_arguments():
    with pytest.raises(ValueError, match="repeats"):
        measure_latency(nn.Linear(3, 3), (3,), repeats=0)
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA"):
            measure_latency(nn.Linear(3, 3), (3,), device="cuda")


def test_machine_info_names_the_device():
    info = machine_info("cpu")
    assert info["torch"] == torch.__version__ and info["cpu_count"] >= 1
    assert device_label("cpu").startswith("cpu (")
