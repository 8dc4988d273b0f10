"""The raw-waveform front end of wavelet_cnn_lstm (Sec. 3.4) and its wavelet image front end (Sec. 3.1)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serlib.features.waveform import (PAPER_WAVEFORM, WaveformConfig, fix_length_with_mask, padding_share, rms,
                                      rms_normalise, waveform_input, waveform_with_mask)
from serlib.features.wavelet_image import WAVELET_RGB_CONFIG, wavelet_rgb_input


def test_rms_reference_values():
    assert rms(np.array([3.0, -4.0])) == pytest.approx(np.sqrt(12.5))
    sine = np.sin(2 * np.pi * 5 * np.arange(1000) / 1000)
    assert rms(sine) == pytest.approx(1 / np.sqrt(2), rel=1e-6)
    signal = np.random.default_rng(0).standard_normal(4096)
    assert rms(signal) == pytest.approx(np.linalg.norm(signal) / np.sqrt(signal.size), rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 500), gain=st.floats(1e-3, 1e3), target=st.floats(0.1, 10), seed=st.integers(0, 999))
def test_rms_normalise_reaches_the_target_whatever_the_volume(n, gain, target, seed):
    signal = gain * np.random.default_rng(seed).standard_normal(n)
    if not np.any(signal):
        return
    out = rms_normalise(signal, target)
    assert rms(out) == pytest.approx(target, rel=1e-4)
    np.testing.assert_allclose(out * (rms(signal) / target), signal, rtol=1e-4, atol=1e-6 * gain)


def test_rms_normalise_refuses_silence():
    with pytest.raises(ValueError, match="all zeros"):
        rms_normalise(np.zeros(10))


def test_fix_length_reference_values():
    x = np.array([1, 2, 3], dtype=np.float32)
    vector, mask = fix_length_with_mask(x, 6, "left")
    np.testing.assert_array_equal(vector, [1, 2, 3, 0, 0, 0])
    np.testing.assert_array_equal(mask, [1, 1, 1, 0, 0, 0])
    vector, mask = fix_length_with_mask(x, 6, "centre")
    np.testing.assert_array_equal(vector, [0, 1, 2, 3, 0, 0])
    long = np.arange(1, 8, dtype=np.float32)
    np.testing.assert_array_equal(fix_length_with_mask(long, 4, "left")[0], [1, 2, 3, 4])
    np.testing.assert_array_equal(fix_length_with_mask(long, 4, "centre")[0], [2, 3, 4, 5])
    assert fix_length_with_mask(long, 4, "centre")[1].all()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 300), length=st.integers(1, 300), seed=st.integers(0, 10_000),
       alignment=st.sampled_from(["left", "centre", "random"]))
def test_fix_length_keeps_a_contiguous_stretch_and_a_true_mask(n, length, seed, alignment):
    signal = np.arange(1, n + 1, dtype=np.float32)
    vector, mask = fix_length_with_mask(signal, length, alignment, np.random.default_rng(seed))
    assert vector.shape == mask.shape == (length,)
    assert mask.sum() == min(n, length)
    assert not np.any(vector[~mask])
    kept = vector[mask]
    assert np.all(np.diff(kept) == 1)  # one unbroken stretch of the signal, in order
    assert 1 <= kept[0] <= max(1, n - length + 1)
    assert np.ptp(np.flatnonzero(mask)) == mask.sum() - 1  # the valid samples are contiguous


def test_random_alignment_is_seeded_and_varies():
    signal = np.ones(100, dtype=np.float32)
    first = [np.flatnonzero(fix_length_with_mask(signal, 300, "random", np.random.default_rng([7, i]))[1])[0]
             for i in range(20)]
    again = [np.flatnonzero(fix_length_with_mask(signal, 300, "random", np.random.default_rng([7, i]))[1])[0]
             for i in range(20)]
    assert first == again and len(set(first)) > 5
    with pytest.raises(ValueError, match="needs a numpy Generator"):
        fix_length_with_mask(signal, 300, "random")


def test_waveform_input_is_the_paper_vector():
    rng = np.random.default_rng(0)
    clip = 0.05 * rng.standard_normal(int(2.389 * 16000)).astype(np.float32)
    vector, mask = waveform_with_mask(clip, 16000)
    assert vector.shape == (1, 128000) and PAPER_WAVEFORM.num_samples == 128000
    assert mask[:clip.size].all() and not mask[clip.size:].any()  # evaluation: left-aligned
    assert rms(vector[0, mask]) == pytest.approx(1.0, rel=1e-4)
    trained, trained_mask = waveform_with_mask(clip, 16000, rng=np.random.default_rng(1))
    assert trained_mask.sum() == clip.size and rms(trained[0, trained_mask]) == pytest.approx(1.0, rel=1e-4)
    resampled = waveform_input(np.repeat(clip, 3), 48000)  # a 48 kHz clip is resampled first
    assert resampled.shape == (1, 128000)
    with pytest.raises(ValueError, match="train_alignment must be one of"):
        WaveformConfig(train_alignment="middle")


def test_padding_share_of_the_standins():
    assert padding_share(2.0) == pytest.approx(0.75)
    assert padding_share(2.389) == pytest.approx(1 - 2.389 / 8)
    assert padding_share(9.0) == 0.0


def test_wavelet_rgb_input_shape_and_range():
    t = np.arange(int(0.5 * 16000)) / 16000
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    image = wavelet_rgb_input(tone, 16000, duration_s=0.6)
    assert image.shape == (3, *WAVELET_RGB_CONFIG.image_size) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    with pytest.raises(ValueError, match="duration_s must be positive"):
        wavelet_rgb_input(tone, 16000, duration_s=0)


def test_standin_differences_of_the_8s_vector():
    from serlib.features.waveform import standin_differences
    from serlib.models.wavelet_cnn_lstm import WaveletCNNLSTM

    steps = WaveletCNNLSTM(7, dims=1).pooled_size(128000)
    rows = {row["corpus"]: row for row in standin_differences(pooled_steps=steps)}
    assert rows["emodb-standin"]["padding_share"] == pytest.approx(0.75)
    assert f"about {int(steps * 0.75)} of {steps} LSTM steps" in rows["emodb-standin"]["effect"]
    assert "cropped" in rows["emodb (official release)"]["effect"]
    assert rows["ravdess (official release)"]["effect"] == "every clip padded"
