"""The cnn_transformer input rules: offset/crop/pad, the stand-in adaptations, the StandardScaler readings."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import StandardScaler

from serlib.features.cnn_transformer_input import (PAPER_CONFIG, STANDIN_CONFIGS, apply_scaler, bands_above,
                                                   cnn_transformer_input, crop_and_pad, fit_scaler,
                                                   mel_band_edges, padding_share, preprocess_signals,
                                                   standin_config, standin_differences)


def test_crop_and_pad_reference_values():
    signal = np.arange(1, 11, dtype=np.float32)  # 10 samples at 2 Hz = 5 s
    np.testing.assert_array_equal(crop_and_pad(signal, 2, offset_s=0.5, duration_s=3.0), [2, 3, 4, 5, 6, 7])
    np.testing.assert_array_equal(crop_and_pad(signal, 2, offset_s=3.5, duration_s=3.0), [8, 9, 10, 0, 0, 0])
    np.testing.assert_array_equal(crop_and_pad(signal, 2, offset_s=6.0, duration_s=1.0), [0, 0])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 400), sr=st.integers(10, 100), offset=st.floats(0, 3), duration=st.floats(0.1, 3))
def test_crop_and_pad_always_keeps_the_paper_window(n, sr, offset, duration):
    signal = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    out = crop_and_pad(signal, sr, offset, duration)
    start, length = int(round(offset * sr)), int(round(duration * sr))
    assert out.shape == (length,) and out.dtype == np.float32
    kept = max(0, min(n - start, length))
    np.testing.assert_array_equal(out[:kept], signal[start:start + kept])
    assert not np.any(out[kept:])


def test_crop_and_pad_errors():
    with pytest.raises(ValueError, match="1-D"):
        crop_and_pad(np.zeros((2, 3)), 16000)
    with pytest.raises(ValueError, match="offset_s >= 0"):
        crop_and_pad(np.zeros(3), 16000, offset_s=-1)


def test_padding_share():
    assert padding_share(3.5) == 0.0
    assert padding_share(0.2) == 1.0
    assert padding_share(2.389) == pytest.approx(1 - 1.889 / 3)


def test_standin_configs_keep_durations_or_parameters():
    sixteen, forty_eight = STANDIN_CONFIGS["cnn_transformer_standin_16k"], STANDIN_CONFIGS["cnn_transformer_standin_48k"]
    assert (sixteen.sample_rate, sixteen.n_fft, sixteen.win_length, sixteen.hop_length) == (16000, 1024, 171, 85)
    assert (forty_eight.n_fft, forty_eight.win_length, forty_eight.hop_length) == (1024, 512, 256)
    assert forty_eight.num_frames() == PAPER_CONFIG.num_frames() == 563
    available = standin_config("16k", "available")
    assert available.duration_s == pytest.approx(1.889) and available.offset_s == 0.5
    with pytest.raises(ValueError, match="rate must be"):
        standin_config("8k")


def test_mel_band_edges_and_bands_above_8k():
    import librosa

    edges = mel_band_edges(PAPER_CONFIG)
    assert edges.shape == (128, 3) and np.all(np.diff(edges[:, 1]) > 0)
    # The filter bank's peak bins sit at the band centres (librosa builds both from the same points).
    bank = librosa.filters.mel(sr=48000, n_fft=1024, n_mels=128)
    freqs = librosa.fft_frequencies(sr=48000, n_fft=1024)
    assert np.all(np.abs(freqs[bank.argmax(axis=1)] - edges[:, 1]) <= 48000 / 1024)
    assert bands_above(PAPER_CONFIG, 8000) == int(np.sum(edges[:, 0] >= 8000)) > 0
    assert bands_above(STANDIN_CONFIGS["cnn_transformer_standin_16k"], 8000) == 0


def test_standin_differences_name_every_change():
    rows = standin_differences()
    names = {r["parameter"] for r in rows}
    assert {"source audio", "analysis sample rate", "FFT points", "window", "hop", "Mel band edges",
            "frames per clip", "signal kept"} <= names
    assert all(set(r) == {"parameter", "paper", "stand_in", "effect"} for r in rows)
    kept = next(r for r in rows if r["parameter"] == "signal kept")
    assert "37.0 %" in kept["effect"]
    rows48 = standin_differences(STANDIN_CONFIGS["cnn_transformer_standin_48k"])
    rate = next(r for r in rows48 if r["parameter"] == "analysis sample rate")
    assert f"{bands_above(PAPER_CONFIG, 8000)} of 128" in rate["effect"]
    assert "Mel band edges" not in {r["parameter"] for r in rows48}


def test_cnn_transformer_input_shapes_and_padding():
    rng = np.random.default_rng(0)
    clip = (0.1 * rng.standard_normal(int(2.389 * 16000))).astype(np.float32)
    config = STANDIN_CONFIGS["cnn_transformer_standin_16k"]
    features = cnn_transformer_input(clip, 16000, config)
    assert features.shape == (128, 565)
    # The zero-padded tail (after 0.5 + 1.889 s) sits at the log floor.
    tail = features[:, -100:]
    assert np.all(tail < -90) and np.median(features[:, :200]) > -60
    batch = preprocess_signals([clip, clip[:8000]], 16000, config)
    assert batch.shape == (2, 48000) and not np.any(batch[1, 0:])  # the second clip ends before the offset


@pytest.mark.parametrize("reading,matrix", [
    ("band", lambda x: x.transpose(0, 2, 1).reshape(-1, x.shape[1])),
    ("frame", lambda x: x.reshape(-1, x.shape[2])),
    ("cell", lambda x: x.reshape(x.shape[0], -1)),
])
def test_scaler_readings_match_sklearn(reading, matrix):
    rng = np.random.default_rng(1)
    train = rng.normal(3.0, 2.0, (5, 4, 6)) * np.arange(1, 5)[None, :, None]
    test = rng.normal(3.0, 2.0, (3, 4, 6))
    mean, std = fit_scaler(train, reading)
    ours = apply_scaler(test, mean, std)
    scaler = StandardScaler().fit(matrix(train))
    reference = scaler.transform(matrix(test))
    np.testing.assert_allclose(matrix(ours), reference, rtol=1e-5, atol=1e-5)


def test_scaler_errors_and_global():
    train = np.ones((2, 3, 4))
    mean, std = fit_scaler(train, "global")
    assert mean.shape == (1, 1, 1) and std.item() == 1.0
    with pytest.raises(ValueError, match="reading must be one of"):
        fit_scaler(train, "per_speaker")
    with pytest.raises(ValueError, match="do not match"):
        apply_scaler(np.ones((2, 5, 4)), *fit_scaler(train, "band"))
