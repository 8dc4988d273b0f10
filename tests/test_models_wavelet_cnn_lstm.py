"""Tests of the wavelet_cnn_lstm model (2-D on RGB wavelet images, 1-D on raw waveform) and its LFLB layer."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from serlib.models import build_model, parameter_count
from serlib.models.layers import LocalFeatureLearningBlock
from serlib.models.wavelet_cnn_lstm import PAPER_TABLE3, PIPE_SPECS, READINGS, TINY_CONFIG, WaveletCNNLSTM

N_CLASSES = 4
HEIGHT, WIDTH, SAMPLES = 16, 20, 512


def image_model(**extra):
    return build_model("wavelet_cnn_lstm", N_CLASSES, image_height=HEIGHT, **{**TINY_CONFIG, **extra})


def waveform_model(**extra):
    return build_model("wavelet_cnn_lstm_1d", N_CLASSES, **{**TINY_CONFIG, **extra})


# ---- the LFLB --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pooling", ["avg", "max"])
def test_lflb_2d_is_conv_bn_relu_pool(pooling):
    torch.manual_seed(0)
    block = LocalFeatureLearningBlock(3, 5, 3, dims=2, pool=2, pooling=pooling).eval()
    x = torch.randn(2, 3, 8, 9)
    pool = F.avg_pool2d if pooling == "avg" else F.max_pool2d
    expected = pool(F.relu(block.norm(block.conv(x))), 2, 2, ceil_mode=True)
    torch.testing.assert_close(block(x), expected)
    assert block(x).shape == (2, 5, 4, 5)


def test_lflb_1d_dilation_keeps_length_and_elu():
    block = LocalFeatureLearningBlock(1, 2, 5, dims=1, pool=None, dilation=4, activation="elu").eval()
    out = block(torch.randn(3, 1, 50))
    assert out.shape == (3, 2, 50) and out.min() >= -1.0
    assert block.conv.padding == (8,) and block.conv.dilation == (4,)


def test_lflb_pool_floor_stops_pooling_short_axes():
    block = LocalFeatureLearningBlock(1, 1, 3, dims=2, pool=2, pool_floor=4)
    assert block(torch.randn(1, 1, 6, 16)).shape == (1, 1, 6, 8)  # 6 // 2 = 3 < 4: height kept
    with pytest.raises(ValueError, match="pooling must be"):
        LocalFeatureLearningBlock(1, 1, 3, pooling="median")
    with pytest.raises(ValueError, match="odd kernel"):
        LocalFeatureLearningBlock(1, 1, 4)


# ---- the model --------------------------------------------------------------------------------------------------

def test_table3_reading_counts():
    model = WaveletCNNLSTM(7)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == PAPER_TABLE3["conv_layers"] == 9
    assert {c.out_channels for c in convs} == {64}
    assert {c.kernel_size for c in convs} == {(3, 3), (5, 5)}
    assert len(model.pipes) == 5 and len(model.lflbs) == 4
    assert model.lstm.hidden_size == 100 and not model.lstm.bidirectional
    assert model.head.layers[1].out_features == 1024
    text = WaveletCNNLSTM(7, reading="text")
    assert len(text.pipes) == 3 and len(text.lflbs) == 6 and text.lstm.hidden_size == READINGS["text"]["lstm_hidden"]


def test_pipes_have_different_temporal_resolutions():
    model = WaveletCNNLSTM(7)
    fields = [(p.conv.kernel_size[1] - 1) * p.conv.dilation[1] + 1 for p in model.pipes]
    assert fields == [(k - 1) * d + 1 for k, d in PIPE_SPECS] == [3, 5, 9, 17, 33]
    assert all(p.conv.dilation[0] == 1 for p in model.pipes)


@pytest.mark.parametrize("switches", [{}, {"reading": "text"}, {"n_pipes": 1}, {"pooling": "max"},
                                      {"filters": 8}, {"lstm_hidden": 3}, {"activation": "elu"},
                                      {"summary": "mean"}, {"dropout": 0.5}])
def test_every_switch_builds_and_trains_in_2d_and_1d(switches):
    torch.manual_seed(0)
    for model, x in ((image_model(**switches), torch.randn(3, 3, HEIGHT, WIDTH)),
                     (waveform_model(**switches), torch.randn(3, 1, SAMPLES))):
        logits = model(x)
        assert logits.shape == (3, N_CLASSES) and torch.isfinite(logits).all()
        logits.sum().backward()
        missing = [n for n, p in model.named_parameters() if p.grad is None]
        assert not missing


def test_feature_map_and_sequence_shapes():
    model = image_model().eval()
    with torch.no_grad():
        maps = model.features(torch.randn(2, 3, HEIGHT, WIDTH))
    # 1 pipe stage + 4 LFLBs of 2 x 2 pooling (ceil), an axis no longer pooled once under 2 steps would remain:
    # height 16 -> 8 -> 4 -> 2 (kept), width 20 -> 10 -> 5 -> 3 (kept).
    assert maps.shape == (2, TINY_CONFIG["filters"], model.pooled_size(HEIGHT), model.pooled_size(WIDTH)) == (2, 4, 2, 3)
    assert model.lstm.input_size == TINY_CONFIG["filters"] * 2
    one_d = waveform_model().eval()
    with torch.no_grad():
        assert one_d.features(torch.randn(2, 1, SAMPLES)).shape == (2, 4, one_d.pooled_size(SAMPLES)) == (2, 4, 2)


def test_lengths_select_the_last_valid_step():
    torch.manual_seed(0)
    model = waveform_model(pool=2).eval()
    x = torch.randn(2, 1, SAMPLES)
    with torch.no_grad():
        full = model(x)
        same = model(x, lengths=torch.tensor([SAMPLES, SAMPLES]))
        short = model(x, lengths=torch.tensor([SAMPLES // 4, SAMPLES]))
    torch.testing.assert_close(full, same)
    assert not torch.allclose(short[0], full[0]) and torch.allclose(short[1], full[1])


def test_paper_size_models_at_their_inputs():
    image = build_model("wavelet_cnn_lstm", 7).eval()
    waveform = build_model("wavelet_cnn_lstm_1d", 7).eval()
    with torch.no_grad():
        assert image(torch.zeros(1, 3, 128, 128)).shape == (1, 7)
        assert waveform.features(torch.zeros(1, 1, 128000)).shape == (1, 64, 125)
    assert parameter_count(image) > parameter_count(waveform)


def test_bad_inputs_and_configs_raise_clearly():
    with pytest.raises(ValueError, match=r"x must be \(batch, 3, 16, width\)"):
        image_model()(torch.zeros(1, 3, 12, WIDTH))
    with pytest.raises(ValueError, match=r"x must be \(batch, 1, samples\)"):
        waveform_model()(torch.zeros(1, 2, SAMPLES))
    with pytest.raises(ValueError, match="reading must be one of"):
        WaveletCNNLSTM(4, reading="figure3")
    with pytest.raises(ValueError, match="n_pipes must be in"):
        WaveletCNNLSTM(4, n_pipes=6)
    with pytest.raises(ValueError, match="needs image_height"):
        WaveletCNNLSTM(4, image_height=None)


def test_tiny_fit_beats_chance_through_the_trainer():
    from serlib.train.trainer import TrainConfig, Trainer

    rng = np.random.default_rng(0)
    y = np.arange(64) % N_CLASSES
    x = rng.standard_normal((64, 3, HEIGHT, WIDTH)).astype(np.float32)
    for label in range(N_CLASSES):  # each class brightens its own band of four rows
        x[y == label, :, 4 * label:4 * label + 4] += 1.5
    torch.manual_seed(0)
    trainer = Trainer(TrainConfig(epochs=10, batch_size=16, lr=3e-3, patience=None, progress=False, device="cpu",
                                  epoch_policy="last"))
    result = trainer.fit(image_model(filters=8, lstm_hidden=16, fc_dim=32), (x[:48], y[:48]), (x[48:], y[48:]))
    assert np.mean(result.history[-1]["val_pred"] == y[48:]) > 0.5  # chance 0.25
