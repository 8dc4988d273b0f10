"""Tests of SpeechNet (speechnet Eqs. 7-15, Table 2 ablation), its peers, the new shared layers and the trainer hook."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate
from torch import nn
from torch.nn import functional as F

from serlib.models import build_model, parameter_count
from serlib.models.layers import CausalConv1d, TemporalConvBlock, keras_initialisation, squash
from serlib.models.speechnet import (ABLATION_ALIASES, LOSS_VARIANTS, SPEECHNET_ABLATION, TINY_CONFIG, SpeechAttention,
                                     SpeechNet, SpeechRecall, SpeechRouting, SignalRefinement, ablation_config,
                                     attention_heads, balanced_margin_loss, balancing_factor, coupling_coefficients,
                                     information_encoding, margin_loss, normalised_cross_entropy, partition_blocks,
                                     route_capsules, routing_similarity, signal_refinement, vector_to_sequence)
from serlib.models.speechnet_peers import PEER_TINY_CONFIGS, PEERS, RBMPeer, TIMNet
from serlib.train.trainer import TrainConfig, Trainer, predict_logits

N_CLASSES = 4


def tiny_input(batch: int = 3, frames: int = 20, seed: int = 0) -> torch.Tensor:
    return torch.randn(batch, 1, 107, frames, generator=torch.Generator().manual_seed(seed))


# ---- Eqs. 7-11 ---------------------------------------------------------------------------------------------------

def test_information_encoding_eq7_matches_numpy():
    rng = np.random.default_rng(0)
    x, w1, b1, w2, b2 = (rng.standard_normal(s) for s in ((5, 7), (6, 7), (6,), (3, 6), (3,)))
    leaky = lambda z: np.where(z > 0, z, 0.3 * z)  # noqa: E731
    expected = leaky(leaky(x @ w1.T + b1) @ w2.T + b2)
    ours = information_encoding(*(torch.tensor(a) for a in (x, w1, b1, w2, b2)), slope=0.3)
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12)


def test_vector_to_sequence_cuts_the_code_into_time_points_with_zero_padding():
    code = torch.arange(128.0).unsqueeze(0)
    sequence = vector_to_sequence(code, 64)
    assert sequence.shape == (1, 64, 2) and sequence[0, 1].tolist() == [2.0, 3.0]
    raw = vector_to_sequence(torch.ones(2, 107), 64)
    assert raw.shape == (2, 64, 2) and raw.sum() == 2 * 107 and raw[0, -1].tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="batch, D"):
        vector_to_sequence(torch.ones(2, 3, 4), 2)


def test_speech_recall_eq8_returns_every_lstm_state():
    torch.manual_seed(0)
    recall = SpeechRecall(10, 64)
    x = torch.randn(2, 12, 10)
    np.testing.assert_allclose(recall(x).detach().numpy(), recall.lstm(x)[0].detach().numpy())
    assert recall(x).shape == (2, 12, 64)


def test_attention_heads_eq9_fast_path_equals_written_out_softmax():
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 4, 6, 8) for _ in range(3))
    fast = attention_heads(q, k, v)
    explicit, weights = attention_heads(q, k, v, return_weights=True)
    manual = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(8), dim=-1) @ v
    assert fast.shape == (2, 6, 32)
    torch.testing.assert_close(fast, explicit, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(explicit, manual.transpose(1, 2).reshape(2, 6, 32))
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4, 6))


@pytest.mark.parametrize("pre", [True, False])
def test_speech_attention_shapes_with_and_without_pre_attention(pre):
    attention = SpeechAttention(64, pre_dim=16, heads=4, head_dim=8, use_pre_attention=pre)
    out, weights = attention(torch.randn(2, 10, 64), return_weights=True)
    assert out.shape == (2, 10, 32) and weights.shape == (2, 4, 10, 10)
    assert hasattr(attention, "pre_query") == pre and attention.head_query.in_features == (16 if pre else 64)


def test_signal_refinement_eqs10_11_match_scipy_valid_correlation():
    rng = np.random.default_rng(1)
    h_a, weight, bias = rng.standard_normal((1, 9, 3)), rng.standard_normal((5, 3, 3)), rng.standard_normal(5)
    ours = signal_refinement(torch.tensor(h_a), torch.tensor(weight), torch.tensor(bias)).numpy()[0]
    for j in range(5):
        summed = sum(correlate(h_a[0, :, c], weight[j, c], mode="valid") for c in range(3)) + bias[j]
        np.testing.assert_allclose(ours[j], np.maximum(summed, 0), rtol=1e-10, atol=1e-12)
    module = SignalRefinement(3, 5, 3)
    assert module(torch.tensor(h_a, dtype=torch.float32)).shape == (1, 9 - 3 + 1, 5)
    with pytest.raises(ValueError, match="fewer than the kernel"):
        signal_refinement(torch.zeros(1, 2, 3), torch.zeros(5, 3, 3), None)


# ---- Eqs. 12-14 and routing ----------------------------------------------------------------------------------------

def test_partition_blocks_uses_the_ceiling_and_zero_pads():
    h_s = torch.arange(2 * 5 * 7, dtype=torch.float32).view(2, 5, 7)
    blocks = partition_blocks(h_s, 16)
    assert blocks.shape == (2, math.ceil(35 / 16), 16)
    assert blocks[0].flatten()[:35].tolist() == h_s[0].flatten().tolist() and blocks[0].flatten()[35:].abs().sum() == 0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=16, max_size=16))
def test_squash_keeps_the_direction_and_maps_lengths_below_one(values):
    s = torch.tensor(values, dtype=torch.float64)
    v = squash(s)
    norm = float(s.norm())
    assert float(v.norm()) < 1.0
    assert float(v.norm()) == pytest.approx(norm ** 2 / (1 + norm ** 2), abs=1e-6)
    if norm > 1e-3:
        torch.testing.assert_close(v / v.norm(), s / s.norm())


@pytest.mark.parametrize("axis,dim", [("outputs", 2), ("inputs", 1)])
def test_coupling_coefficients_eq13_sum_to_one_over_the_chosen_axis(axis, dim):
    c = coupling_coefficients(torch.randn(3, 11, 5), axis)
    torch.testing.assert_close(c.sum(dim), torch.ones(c.sum(dim).shape))
    assert torch.all(c > 0)


def test_routing_similarity_eq12_and_route_eq14_against_loops():
    torch.manual_seed(0)
    predictions, capsules = torch.randn(2, 6, 3, 4), torch.randn(2, 3, 4)
    similarity = routing_similarity(predictions, capsules)
    coupling, weights = torch.rand(2, 6, 3), torch.rand(2, 6)
    out = route_capsules(coupling, predictions, weights)
    for b in range(2):
        for j in range(3):
            for i in range(6):
                assert float(similarity[b, i, j]) == pytest.approx(float(predictions[b, i, j] @ capsules[b, j]), 1e-5)
            s = sum(weights[b, i] * coupling[b, i, j] * predictions[b, i, j] for i in range(6))
            torch.testing.assert_close(out[b, j], squash(s))


def sabour_reference(predictions: torch.Tensor, iterations: int) -> torch.Tensor:
    """Procedure 1 of Sabour et al. (2017), written with loops, for one sample."""
    blocks, classes, _ = predictions.shape
    b = torch.zeros(blocks, classes)
    for r in range(iterations):
        c = torch.softmax(b, dim=1)
        v = torch.stack([squash((c[:, j:j + 1] * predictions[:, j]).sum(0)) for j in range(classes)])
        if r < iterations - 1:
            b = b + torch.stack([predictions[:, j] @ v[j] for j in range(classes)], dim=1)
    return v


def test_standard_routing_matches_sabour_procedure_1():
    torch.manual_seed(0)
    routing = SpeechRouting(5, 3, 4, 4, routing="standard", iterations=3)
    blocks = torch.randn(2, 5, 4)
    capsules, info = routing(blocks)
    predictions = torch.einsum("ijed,bid->bije", routing.weight, squash(blocks))
    for b in range(2):
        torch.testing.assert_close(capsules[b], sabour_reference(predictions[b], 3), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(info["coupling"][0], torch.full((2, 5, 3), 1 / 3))
    assert info["block_weights"] is None and routing.block_gate is None


@pytest.mark.parametrize("axis", ["outputs", "inputs"])
def test_modified_routing_two_iterations_couplings_sum_to_one_and_lengths_below_one(axis):
    torch.manual_seed(0)
    routing = SpeechRouting(7, N_CLASSES, coupling_axis=axis)
    capsules, info = routing(torch.randn(3, 7, 16) * 3)
    assert capsules.shape == (3, N_CLASSES, 16) and torch.all(capsules.norm(dim=-1) < 1)
    assert len(info["coupling"]) == 2
    for coupling in info["coupling"]:
        total = coupling.sum(dim=2 if axis == "outputs" else 1)
        torch.testing.assert_close(total, torch.ones_like(total))
    weights = info["block_weights"]
    assert weights.shape == (3, 7) and torch.all((weights > 0) & (weights < 1))
    assert not torch.allclose(info["coupling"][0], info["coupling"][1])
    with pytest.raises(ValueError, match="routing must be"):
        SpeechRouting(7, 3, routing="dynamic")


# ---- Eq. 15 and the other losses -----------------------------------------------------------------------------------

def test_balancing_factor_is_the_constant_c_plus_one_over_c_for_one_hot_labels():
    for classes in (2, 4, 7):
        beta = balancing_factor(F.one_hot(torch.arange(classes), classes))
        torch.testing.assert_close(beta, torch.full((classes,), (classes + 1) / classes))


def test_balanced_margin_loss_eq15_hand_computed():
    lengths = torch.tensor([[0.2, 0.7, 0.4], [0.9, 0.6, 0.1]])
    targets = torch.tensor([0, 0])
    # Sample 1: (0.5-0.2)^2 + 0.5 * (0.7-0.5)^2 = 0.09 + 0.02 = 0.11; sample 2: 0.5 * (0.6-0.5)^2 = 0.005.
    # beta = (3 + 1) / 3 for one-hot labels; mean over the two samples.
    expected = (0.11 + 0.005) / 2 * 4 / 3
    assert float(balanced_margin_loss(lengths, targets)) == pytest.approx(expected, rel=1e-6)
    one_hot = F.one_hot(targets, 3).float()
    assert float(balanced_margin_loss(lengths, one_hot)) == pytest.approx(expected, rel=1e-6)
    weight = torch.tensor([2.0, 1.0, 0.5])
    # class_column: w_j on every column j; sample: the true class' weight (2) on the whole sample.
    column = (2 * 0.09 + 1 * 0.02 + 0.5 * 0) / 2 + (1 * 0.005) / 2
    assert float(balanced_margin_loss(lengths, targets, weight)) == pytest.approx(column * 4 / 3, rel=1e-6)
    sample = balanced_margin_loss(lengths, targets, weight, class_weight_mode="sample")
    assert float(sample) == pytest.approx(2 * expected, rel=1e-6)


def test_balanced_margin_loss_as_printed_is_zero_for_a_constant_half_output():
    # alpha_1 = alpha_3 = 0.5: every length 0.5 satisfies both margins, whatever the class (the measured failure).
    lengths = torch.full((5, 4), 0.5)
    assert float(balanced_margin_loss(lengths, torch.tensor([0, 1, 2, 3, 0]))) == 0.0
    assert float(margin_loss(lengths, torch.tensor([0, 1, 2, 3, 0]))) > 0.1


def test_margin_loss_sabour_hand_computed():
    lengths = torch.tensor([[0.8, 0.3], [0.05, 0.95]])
    targets = torch.tensor([0, 1])
    # (0.9-0.8)^2 + 0.5 (0.3-0.1)^2 = 0.01 + 0.02; sample 2: (0.9-0.95 -> 0) + 0 = 0.
    assert float(margin_loss(lengths, targets)) == pytest.approx(0.03 / 2, rel=1e-6)


def test_normalised_cross_entropy_is_keras_categorical_crossentropy_on_lengths():
    lengths = torch.tensor([[0.2, 0.6, 0.2], [0.5, 0.25, 0.25]])
    targets = torch.tensor([1, 2])
    expected = -(math.log(0.6 / 1.0) + math.log(0.25 / 1.0)) / 2
    assert float(normalised_cross_entropy(lengths, targets)) == pytest.approx(expected, rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 7), st.integers(1, 6), st.integers(0, 10_000))
def test_every_loss_is_non_negative_and_zero_only_when_margins_hold(classes, batch, seed):
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.rand(batch, classes, generator=generator)
    targets = torch.randint(0, classes, (batch,), generator=generator)
    for loss in (balanced_margin_loss(lengths, targets), margin_loss(lengths, targets),
                 normalised_cross_entropy(lengths, targets)):
        assert float(loss) >= 0.0
    perfect = F.one_hot(targets, classes).float() * 0.95 + 0.02
    assert float(balanced_margin_loss(perfect, targets)) == 0.0 and float(margin_loss(perfect, targets)) == 0.0


def test_losses_reject_bad_targets():
    with pytest.raises(ValueError, match="outside"):
        balanced_margin_loss(torch.rand(2, 3), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="one value per class"):
        balanced_margin_loss(torch.rand(2, 3), torch.tensor([0, 1]), torch.ones(4))


# ---- the model ----------------------------------------------------------------------------------------------------

def test_paper_size_parameter_count_equals_the_module_by_module_formula():
    model = SpeechNet(7)
    encoding = 107 * 256 + 256 + 256 * 128 + 128
    recall = 4 * 64 * (128 + 64) + 2 * 4 * 64
    attention = 3 * (64 * 64 + 64) + 3 * (64 * 128 + 128)
    refinement = 64 * 128 * 3 + 64
    blocks = math.ceil((64 - 3 + 1) * 64 / 16)
    routing = blocks * 7 * 16 * 16 + 16 + 1
    assert blocks == 248
    assert parameter_count(model) == encoding + recall + attention + refinement + routing == 616_721


@pytest.mark.parametrize("mode", ["frames", "vector"])
def test_forward_returns_capsule_lengths_and_routing_for_any_frame_count(mode):
    model = build_model("speechnet", N_CLASSES, input_mode=mode, **TINY_CONFIG).eval()
    for frames in (5, 20, 33):
        scores, info = model(tiny_input(frames=frames), return_routing=True)
        assert scores.shape == (3, N_CLASSES) and torch.all((scores >= 0) & (scores < 1))
        assert len(info["coupling"]) == 2 and info["coupling"][0].shape == (3, model.blocks, N_CLASSES)
        assert info["capsules"].shape == (3, N_CLASSES, 16)
        torch.testing.assert_close(info["capsules"].norm(dim=-1), scores)


def test_vector_mode_accepts_utterance_vectors_and_matches_the_frame_mean():
    model = build_model("speechnet", N_CLASSES, input_mode="vector", **TINY_CONFIG).eval()
    x = tiny_input()
    torch.testing.assert_close(model(x), model(x[:, 0].mean(dim=2)))
    frames_model = build_model("speechnet", N_CLASSES, **TINY_CONFIG)
    with pytest.raises(ValueError, match="input_mode='vector'"):
        frames_model(torch.randn(2, 107))
    with pytest.raises(ValueError, match="batch, 1, 107, frames"):
        frames_model(torch.randn(2, 1, 40, 10))


@pytest.mark.parametrize("variant", list(SPEECHNET_ABLATION))
@pytest.mark.parametrize("mode", ["frames", "vector"])
def test_every_table2_variant_builds_and_trains_one_step(variant, mode):
    torch.manual_seed(0)
    model = build_model("speechnet_ablation", N_CLASSES, variant=variant, input_mode=mode, **TINY_CONFIG)
    scores = model(tiny_input())
    assert scores.shape == (3, N_CLASSES)
    model.loss(scores, torch.tensor([0, 1, 2])).backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


def test_ablation_switches_remove_the_named_modules():
    assert not hasattr(build_model("speechnet_ablation", 3, variant="no_recall", **TINY_CONFIG), "recall")
    assert not hasattr(build_model("speechnet_ablation", 3, variant="no_refinement", **TINY_CONFIG), "refinement")
    assert not hasattr(build_model("speechnet_ablation", 3, variant="no_routing", **TINY_CONFIG), "routing")
    assert build_model("speechnet_ablation", 3, variant="standard_routing", **TINY_CONFIG).routing.routing == "standard"
    assert set(ABLATION_ALIASES.values()) == set(SPEECHNET_ABLATION)
    with pytest.raises(KeyError, match="unknown SpeechNet ablation"):
        ablation_config("w/o everything")
    with pytest.raises(ValueError, match="set by variant"):
        build_model("speechnet_ablation", 3, variant="no_recall", use_recall=True)


@pytest.mark.parametrize("name", list(LOSS_VARIANTS))
def test_every_loss_variant_reaches_model_loss(name):
    model = build_model("speechnet", N_CLASSES, **LOSS_VARIANTS[name], **TINY_CONFIG)
    loss = model.loss(model(tiny_input()), torch.tensor([0, 1, 3]))
    assert loss.dim() == 0 and float(loss.detach()) > 0
    with pytest.raises(ValueError, match="loss must be"):
        build_model("speechnet", N_CLASSES, loss="hinge")


# ---- the trainer hook and an end-to-end fit -------------------------------------------------------------------------

class _ScaledLossModel(nn.Module):
    """A linear classifier whose own loss is 10 x cross-entropy: the trainer must report that loss."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)
        self.calls = 0

    def forward(self, x):
        return self.linear(x)

    def loss(self, logits, targets, class_weight=None):
        self.calls += 1
        return 10.0 * F.cross_entropy(logits, targets, weight=class_weight)


def test_trainer_uses_the_models_own_loss():
    x = torch.randn(16, 4)
    y = (x[:, 0] > 0).long()
    model = _ScaledLossModel()
    config = TrainConfig(epochs=1, batch_size=16, lr=0.0, patience=None, progress=False)
    result = Trainer(config).fit(model, (x, y), (x, y))
    with torch.no_grad():
        expected = float(10.0 * F.cross_entropy(model(x), y))
    assert model.calls == 2  # one training batch, one validation pass
    assert result.history[0]["train_loss"] == pytest.approx(expected, rel=1e-5)
    assert result.history[0]["val_loss"] == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="label_smoothing"):
        Trainer(TrainConfig(epochs=1, label_smoothing=0.1, progress=False)).fit(_ScaledLossModel(), (x, y), (x, y))


def separable_data(n: int = 72, classes: int = 3, frames: int = 16, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % classes
    x = torch.randn(n, 1, 107, frames, generator=generator)
    x[:, 0, :12] += 2.0 * (F.one_hot(y, classes).float().repeat_interleave(4, dim=1)[:, :12, None] - 0.5)
    return x, y


@pytest.mark.parametrize("loss", [{"loss": "margin"}, {"loss": "cross_entropy"},
                                  {"loss": "balanced_margin", "balanced_alphas": (0.9, 0.5, 0.1)}])
def test_tiny_speechnet_fit_on_separable_data_beats_chance(loss):
    # Eq. 15 with the printed alphas (0.5, 0.5, 0.5) is left out: its loss is zero when every length is 0.5
    # (test above), and training can stop there at chance accuracy, as measured on the EmoDB stand-in.
    x, y = separable_data()
    torch.manual_seed(0)
    model = build_model("speechnet", 3, **loss, **TINY_CONFIG)
    config = TrainConfig(epochs=12, batch_size=24, lr=3e-3, patience=None, epoch_policy="last", monitor="train_loss",
                         progress=False)
    trained = Trainer(config).fit(model, (x[:48], y[:48])).model
    accuracy = float((predict_logits(trained, x[48:], device="cpu").argmax(1) == y[48:].numpy()).mean())
    assert accuracy > 0.6  # chance is 1/3


# ---- peers and the new layers -------------------------------------------------------------------------------------

def test_peer_registry_covers_fig6_and_table4():
    assert set(PEERS.values()) == {"LSTM", "GRU", "CNN", "Transformer", "U-Net", "RBM", "Autoencoder", "LSM", "TCN",
                                   "TIM-Net"}


@pytest.mark.parametrize("name", list(PEERS))
def test_every_peer_builds_and_trains_one_step(name):
    torch.manual_seed(0)
    model = build_model(name, N_CLASSES, **PEER_TINY_CONFIGS[name])
    logits = model(tiny_input(frames=13))
    assert logits.shape == (3, N_CLASSES)
    loss = model.loss(logits, torch.tensor([0, 1, 2])) if hasattr(model, "loss") else F.cross_entropy(
        logits, torch.tensor([0, 1, 2]))
    loss.backward()
    # The RBM's visible bias enters only the energy (contrastive divergence), not p(h | v): no gradient.
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad and not n.endswith("visible_bias")}
    assert trainable and all(p.grad is not None for p in trainable.values())
    with pytest.raises(ValueError, match="batch, 1, 107, frames"):
        model(torch.randn(2, 1, 50, 13))


def test_liquid_state_machine_reservoir_is_fixed_and_spikes():
    model = build_model("peer_lsm", N_CLASSES, **PEER_TINY_CONFIGS["peer_lsm"])
    names = {name for name, _ in model.named_parameters()}
    assert not any("input_weight" in n or "recurrent_weight" in n for n in names)
    assert {"input_weight", "recurrent_weight"} <= {name for name, _ in model.named_buffers()}
    states = model.reservoir_states(tiny_input(frames=30))
    rates = states[:, :states.shape[1] // 2]
    assert torch.all((rates >= 0) & (rates <= 1)) and rates.sum() > 0
    again = build_model("peer_lsm", N_CLASSES, **PEER_TINY_CONFIGS["peer_lsm"])
    torch.testing.assert_close(again.recurrent_weight, model.recurrent_weight)


def test_rbm_contrastive_divergence_lowers_the_reconstruction_error():
    torch.manual_seed(0)
    base = torch.randn(6, 107)
    x = (base[torch.arange(60) % 6] + 0.1 * torch.randn(60, 107)).reshape(60, 1, 107, 1).repeat(1, 1, 1, 4)
    model = RBMPeer(N_CLASSES, hidden=32)
    errors = model.pretrain(x, epochs=8, lr=0.01, batch_size=64)
    assert errors[-1] < errors[0]


def test_autoencoder_loss_adds_the_reconstruction_error_in_training_only():
    model = build_model("peer_autoencoder", N_CLASSES, **PEER_TINY_CONFIGS["peer_autoencoder"])
    x, y = tiny_input(), torch.tensor([0, 1, 2])
    logits = model.train()(x)
    assert float(model.loss(logits, y).detach()) > float(F.cross_entropy(logits, y).detach())
    model.eval()
    logits = model(x)
    with torch.no_grad():
        assert float(model.loss(logits, y)) == pytest.approx(float(F.cross_entropy(logits, y)))


def test_causal_convolution_and_tcn_block_ignore_the_future():
    torch.manual_seed(0)
    for module in (CausalConv1d(3, 4, 3, dilation=2), TemporalConvBlock(3, 5, 3, 4, 0.0).eval()):
        x = torch.randn(2, 3, 20)
        changed = x.clone()
        changed[:, :, 12:] += 5.0
        torch.testing.assert_close(module(x)[:, :, :12], module(changed)[:, :, :12])
        assert not torch.allclose(module(x)[:, :, 12:], module(changed)[:, :, 12:])


def test_timnet_reads_both_directions_and_fuses_every_scale():
    torch.manual_seed(0)
    model = TIMNet(N_CLASSES, width=0.125, blocks=3).eval()
    assert model.scale_weights.shape == (3,) and [b.path[0].conv.dilation[0] for b in model.blocks] == [1, 2, 4]
    x = tiny_input(frames=16)
    # The same blocks read the sequence and its time reversal and the two are added before pooling, so the
    # output is invariant to reversing time; a one-directional network's is not.
    torch.testing.assert_close(model(x), model(x.flip(-1)), rtol=1e-4, atol=1e-5)
    tcn = build_model("peer_tcn", N_CLASSES, **PEER_TINY_CONFIGS["peer_tcn"]).eval()
    assert not torch.allclose(tcn(x), tcn(x.flip(-1)))


def test_keras_initialisation_zero_biases_unit_forget_bias_orthogonal_recurrent_kernels():
    torch.manual_seed(0)
    model = keras_initialisation(nn.Sequential(nn.Linear(5, 6), nn.LSTM(6, 4), nn.Conv1d(3, 2, 3)))
    linear, lstm, conv = model
    assert linear.bias.abs().sum() == 0 and conv.bias.abs().sum() == 0
    bound = math.sqrt(6 / (5 + 6))
    assert float(linear.weight.detach().abs().max()) <= bound
    assert lstm.bias_ih_l0[4:8].tolist() == [1.0] * 4 and lstm.bias_hh_l0.abs().sum() == 0
    for gate in lstm.weight_hh_l0.detach().chunk(4):
        torch.testing.assert_close(gate @ gate.T, torch.eye(4), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="initialisation must be"):
        SpeechNet(3, initialisation="xavier")
