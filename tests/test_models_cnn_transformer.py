"""Tests of the cnn_transformer model: its equations, the shared layers it adds, every variant, a tiny fit."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn import functional as F

from serlib.models import build_model, parameter_count
from serlib.models.cnn_transformer import (CNN_TRANSFORMER_VARIANTS, PAPER_FRAMES, PAPER_N_MELS, TINY_CONFIG,
                                           CNNTransformer, classifier_probabilities, cross_attention_projections,
                                           cross_attention_weights, cross_entropy_loss, feed_forward,
                                           fused_features, residual_output, residual_transform,
                                           scaled_dot_product_attention)
from serlib.models.layers import ResidualBlock2d, TransformerEncoderLayer, VectorToSequenceAttention

N_MELS, FRAMES, N_CLASSES = 16, 24, 4


def tiny(variant="full", **extra):
    return CNNTransformer(N_CLASSES, n_mels=N_MELS, n_frames=FRAMES, variant=variant, **{**TINY_CONFIG, **extra})


# ---- equations and layers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("channels", [(3, 3), (2, 5)])
def test_residual_block_follows_eqs_1_and_2(channels):
    torch.manual_seed(0)
    block = ResidualBlock2d(*channels).eval()
    x = torch.randn(2, channels[0], 6, 7)
    transformed = residual_transform(block, x)
    torch.testing.assert_close(transformed, block.transform(x))
    shortcut = x if channels[0] == channels[1] else block.shortcut(x)
    torch.testing.assert_close(block(x), residual_output(transformed, shortcut))
    assert block(x).shape == (2, channels[1], 6, 7) and torch.all(block(x) >= 0)
    with pytest.raises(ValueError, match="differ in shape"):
        residual_output(transformed, x[:, :1, :3])


def test_eq3_and_eq4_match_the_shared_encoder_layer():
    torch.manual_seed(0)
    layer = TransformerEncoderLayer(8, heads=2, head_dim=4, ffn_dim=16, dropout=0.0).eval()
    x = torch.randn(3, 5, 8)
    normed = layer.attention_norm(x)
    q, k, v = layer.attention.qkv(normed).view(3, 5, 3, 2, 4).permute(2, 0, 3, 1, 4)
    heads, weights = scaled_dot_product_attention(q, k, v, return_weights=True)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 2, 5))
    attended = x + layer.attention.out(heads.transpose(1, 2).reshape(3, 5, 8))
    first, second = layer.ffn[0], layer.ffn[3]
    ours = attended + feed_forward(layer.ffn_norm(attended), first.weight.T, first.bias, second.weight.T, second.bias)
    torch.testing.assert_close(ours, layer(x))


def test_eq3_reference_values():
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    v = torch.tensor([[2.0], [4.0]])
    out, weights = scaled_dot_product_attention(q, k, v, return_weights=True)
    expected = np.exp(1 / np.sqrt(2)) / (np.exp(1 / np.sqrt(2)) + 1)
    assert weights[0, 0].item() == pytest.approx(expected, rel=1e-6)
    assert out.item() == pytest.approx(2 * expected + 4 * (1 - expected), rel=1e-6)


@settings(max_examples=20, deadline=None)
@given(batch=st.integers(1, 3), frames=st.integers(1, 30), heads=st.integers(1, 3), seed=st.integers(0, 9999))
def test_cross_attention_weights_sum_to_one_and_match_eqs_5_to_9(batch, frames, heads, seed):
    torch.manual_seed(seed)
    attention = VectorToSequenceAttention(7, 6, heads=heads, head_dim=4)
    vector, sequence = torch.randn(batch, 7) * 5, torch.randn(batch, frames, 6) * 5
    fused, weights = attention(vector, sequence)
    assert fused.shape == (batch, heads * 4) and weights.shape == (batch, heads, frames)
    torch.testing.assert_close(weights.sum(-1), torch.ones(batch, heads))
    if heads == 1:
        q, k, v = cross_attention_projections(attention, vector, sequence)
        alpha = cross_attention_weights(q, k)
        torch.testing.assert_close(alpha, weights[:, 0])
        torch.testing.assert_close(fused_features(alpha, v), fused)


def test_eq10_and_eq11():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5]])
    target = torch.tensor([0, 2])
    probabilities = classifier_probabilities(logits)
    torch.testing.assert_close(probabilities.sum(-1), torch.ones(2))
    manual = -(torch.log(probabilities[0, 0]) + torch.log(probabilities[1, 2])) / 2
    torch.testing.assert_close(cross_entropy_loss(logits, target), manual)
    torch.testing.assert_close(cross_entropy_loss(logits, target), F.cross_entropy(logits, target))


def test_vector_attention_rejects_bad_shapes():
    attention = VectorToSequenceAttention(4, 3)
    with pytest.raises(ValueError, match="expects vector"):
        attention(torch.zeros(2, 4), torch.zeros(2, 5, 4))


# ---- the model --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", list(CNN_TRANSFORMER_VARIANTS))
def test_every_variant_runs_forward_and_backward(variant):
    torch.manual_seed(0)
    model = build_model("cnn_transformer", N_CLASSES, n_mels=N_MELS, n_frames=FRAMES, variant=variant,
                        **TINY_CONFIG)
    logits = model(torch.randn(3, 1, N_MELS, FRAMES))
    assert logits.shape == (3, N_CLASSES)
    logits.sum().backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.any(p.grad != 0)]
    assert not missing


def test_return_attention_gives_weights_over_transformer_frames():
    torch.manual_seed(0)
    model = tiny().eval()
    with torch.no_grad():
        logits, maps = model(torch.randn(2, 1, N_MELS, FRAMES), return_attention=True)
    # 2 x 4 pooling: 24 frames -> 6 Transformer frames.
    assert maps["cross_attention"].shape == (2, 1, FRAMES // 4)
    torch.testing.assert_close(maps["cross_attention"].sum(-1), torch.ones(2, 1))
    for variant in ("cnn_only", "transformer_only", "concat"):
        with torch.no_grad():
            _, maps = tiny(variant).eval()(torch.randn(1, 1, N_MELS, FRAMES), return_attention=True)
        assert maps == {}


def test_branch_shapes_and_feature_sizes():
    model = tiny().eval()
    x = torch.randn(2, 1, N_MELS, FRAMES)
    with torch.no_grad():
        f_cnn, f_transf = model.cnn_branch(x), model.transformer_branch(x)
    # Four 2 x 2 pools (ceil): 16 x 24 -> 1 x 2, times 8 channels, flattened.
    assert f_cnn.shape == (2, 8 * 1 * 2) == (2, model.cnn_dim)
    assert f_transf.shape == (2, FRAMES // 4, N_MELS // 2)
    assert model.feature_dim == model.cnn_dim + TINY_CONFIG["cross_head_dim"]
    gap = tiny(cnn_vector="gap")
    assert gap.cnn_dim == 8 and gap(torch.randn(2, 1, N_MELS, 40)).shape == (2, N_CLASSES)


def test_paper_size_shapes():
    model = CNNTransformer(8).eval()
    assert (model.n_mels, model.n_frames) == (PAPER_N_MELS, PAPER_FRAMES) == (128, 563)
    assert model.d_model == 64 and len(model.encoder) == 4
    assert model.cnn_dim == 128 * 8 * 36
    assert model.classifier.in_features == model.cnn_dim + 64
    assert model.encoder[0].ffn[0].out_features == 512 and model.encoder[0].attention.heads == 4


def test_bad_configurations_and_inputs_raise_clearly():
    with pytest.raises(ValueError, match="variant must be one of"):
        tiny("both")
    with pytest.raises(ValueError, match="needs n_frames"):
        CNNTransformer(N_CLASSES, n_mels=N_MELS, n_frames=None)
    with pytest.raises(ValueError, match="built for 24 frames"):
        tiny()(torch.zeros(2, 1, N_MELS, 30))
    with pytest.raises(ValueError, match="x must be"):
        tiny()(torch.zeros(2, 1, 12, FRAMES))
    with pytest.raises(ValueError, match="not divisible"):
        tiny(transformer_heads=3)


def test_ablation_parameter_counts_are_ordered():
    counts = {v: parameter_count(tiny(v)) for v in CNN_TRANSFORMER_VARIANTS}
    assert counts["full"] > counts["concat"] > max(counts["cnn_only"], counts["transformer_only"])


def test_same_seed_same_output():
    x = torch.randn(2, 1, N_MELS, FRAMES)
    outs = []
    for _ in range(2):
        torch.manual_seed(7)
        with torch.no_grad():
            outs.append(tiny().eval()(x))
    assert torch.equal(outs[0], outs[1])


def test_tiny_fit_beats_chance_through_the_trainer():
    from serlib.train.trainer import TrainConfig, Trainer

    rng = np.random.default_rng(0)
    y = np.arange(64) % N_CLASSES
    x = rng.standard_normal((64, 1, N_MELS, FRAMES)).astype(np.float32)
    for label in range(N_CLASSES):  # each class lifts its own four Mel bands
        x[y == label, :, 4 * label:4 * label + 4] += 1.5
    torch.manual_seed(0)
    model = tiny(dropout=0.0)
    trainer = Trainer(TrainConfig(epochs=12, batch_size=16, lr=3e-3, patience=None, progress=False, device="cpu",
                                  epoch_policy="last"))
    result = trainer.fit(model, (x[:48], y[:48]), (x[48:], y[48:]))
    accuracy = np.mean(result.history[-1]["val_pred"] == y[48:])
    assert accuracy > 0.5  # chance is 0.25
