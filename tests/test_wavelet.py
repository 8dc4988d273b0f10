"""Wavelet-scaled spectrogram (wavelet_cnn_lstm Section 3.1): fast CWT against pywt, power, log, RGB."""
from __future__ import annotations

import numpy as np
import pytest
import pywt
from hypothesis import given, settings as hsettings, strategies as st

import librosa

from serlib import settings
from serlib.features import wavelet
from serlib.features.wavelet import WaveletConfig

SR = 16000


def chirp(seconds: float = 0.5, f_start: float = 100.0, f_end: float = 4000.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    rate = (f_end - f_start) / seconds
    return np.sin(2 * np.pi * (f_start * t + 0.5 * rate * t ** 2)).astype(np.float32)


@pytest.mark.parametrize("name", ["morl", "cmor1.5-1.0", "mexh"])
@pytest.mark.parametrize("method", ["batched_fft", "torch", "pywt_fft"])
def test_fast_cwt_equals_pywt(name, method):
    signal = np.random.default_rng(0).normal(size=3001)
    scales = np.geomspace(1.5, 120, 17)
    reference = pywt.cwt(signal, scales, name, method="conv")[0]
    ours = wavelet.cwt(signal, scales, name, method=method)
    assert ours.shape == reference.shape and ours.dtype.kind == reference.dtype.kind
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-10 * np.abs(reference).max())


def test_batched_fft_cwt_handles_a_batch_of_clips():
    clips = np.random.default_rng(1).normal(size=(3, 800))
    scales = np.geomspace(2, 40, 5)
    batch = wavelet.batched_fft_cwt(clips, scales)
    for clip, rows in zip(clips, batch):
        np.testing.assert_allclose(rows, pywt.cwt(clip, scales, "morl")[0], atol=1e-10)


def test_scales_match_pywt_frequencies():
    config = WaveletConfig()
    scales = wavelet.config_scales(config)
    np.testing.assert_allclose(pywt.scale2frequency("morl", scales) * SR, wavelet.scale_frequencies(config))
    assert wavelet.scale_frequencies(config)[0] == pytest.approx(60.0)
    assert wavelet.scale_frequencies(config)[-1] == pytest.approx(6000.0)


def _tone_peaks(config, rows):
    t = np.arange(SR) / SR
    peaks = []
    for row in rows:
        frequency = wavelet.scale_frequencies(config)[row]
        scalogram = wavelet.wavelet_scalogram(np.sin(2 * np.pi * frequency * t).astype(np.float32), SR, config)
        assert np.argmax(scalogram[:, 50]) == row
        peaks.append(scalogram[row, 20:-20].mean())
    return np.array(peaks)


def test_paper_normalisation_gives_equal_power_for_equal_amplitudes():
    """With the paper's 1/a, equal-amplitude sinusoids peak at the same power whatever their frequency;
    with pywt's 1/sqrt(a) the peak power grows with the scale (10 dB per decade of frequency, downwards)."""
    rows = [2, 16, 32]  # 73, 288, 1380 Hz; above ~2 kHz pywt's differencing attenuates (see paper_normalisation)
    paper = _tone_peaks(WaveletConfig(wavelet="cmor1.5-1.0", n_scales=48), rows)
    pywt_norm = _tone_peaks(WaveletConfig(wavelet="cmor1.5-1.0", n_scales=48, normalisation="pywt"), rows)
    assert np.ptp(paper) < 0.15  # dB
    frequencies = wavelet.scale_frequencies(WaveletConfig(n_scales=48))[rows]
    np.testing.assert_allclose(pywt_norm - paper, 10 * np.log10(frequencies[0] / frequencies) + (pywt_norm - paper)[0],
                               atol=0.05)


def test_log_power_matches_librosa_power_to_db():
    power = np.random.default_rng(2).exponential(size=(6, 40)) * 1e-3
    np.testing.assert_allclose(wavelet.log_power(power, top_db=80.0),
                               librosa.power_to_db(power, ref=1.0, amin=1e-10, top_db=80.0), rtol=1e-6)


def test_pool_time_means_blocks_including_the_last_short_one():
    power = np.arange(10, dtype=float)[None, :]
    np.testing.assert_allclose(wavelet.pool_time(power, 4), [[1.5, 5.5, 8.5]])


def test_scalogram_shape_dtype_and_determinism():
    config = WaveletConfig()
    signal = chirp()
    a = wavelet.wavelet_scalogram(signal, SR, config)
    assert a.shape == (64, int(np.ceil(len(signal) / 160))) and a.dtype == np.float32
    assert a.max() - a.min() <= 80.0 + 1e-3
    np.testing.assert_array_equal(a, wavelet.wavelet_scalogram(signal, SR, config))


def test_chirp_ridge_follows_the_instantaneous_frequency():
    config = WaveletConfig(wavelet="cmor1.5-1.0")
    scalogram = wavelet.wavelet_scalogram(chirp(1.0, 200.0, 3000.0), SR, config)
    ridge = wavelet.scale_frequencies(config)[np.argmax(scalogram, axis=0)]
    centres = (np.arange(scalogram.shape[1]) + 0.5) * config.hop_length / SR
    instantaneous = 200.0 + 2800.0 * centres
    middle = slice(10, -10)
    np.testing.assert_allclose(ridge[middle], instantaneous[middle], rtol=0.08)


def test_decimation_keeps_the_low_band():
    signal = chirp(1.0, 100.0, 1500.0)
    full = wavelet.wavelet_scalogram(signal, SR, WaveletConfig(fmax=2000.0))
    decimated = wavelet.wavelet_scalogram(signal, SR, WaveletConfig(fmax=2000.0, analysis_sr=8000))
    assert decimated.shape == full.shape
    strong = full > full.max() - 30  # the chirp's ridge and shoulders, not the -80 dB floor
    difference = np.abs(decimated - full)[strong]
    assert np.median(difference) < 0.2 and np.percentile(difference, 95) < 0.5  # dB


def test_resize_bilinear_matches_torch_interpolate():
    import torch

    image = np.random.default_rng(3).normal(size=(17, 40))
    reference = torch.nn.functional.interpolate(torch.as_tensor(image)[None, None], size=(32, 25),
                                                mode="bilinear", align_corners=False)[0, 0].numpy()
    np.testing.assert_allclose(wavelet.resize_bilinear(image, (32, 25)), reference, atol=1e-10)


@hsettings(max_examples=20, deadline=None)
@given(st.integers(2, 30), st.integers(2, 60), st.integers(1, 64), st.integers(1, 64))
def test_rgb_image_is_three_channels_in_unit_range(rows, cols, height, width):
    scalogram = np.random.default_rng(rows * cols).normal(size=(rows, cols))
    image = wavelet.scalogram_rgb(scalogram, WaveletConfig(image_size=(height, width)))
    assert image.shape == (3, height, width) and image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0


def test_rgb_uses_the_colormap_ends():
    from matplotlib import colormaps

    image = wavelet.scalogram_rgb(np.array([[0.0, 0.0], [10.0, 10.0]]), WaveletConfig(image_size=(2, 2)))
    np.testing.assert_allclose(image[:, 0, 0], colormaps["viridis"](0.0)[:3], atol=1e-6)
    np.testing.assert_allclose(image[:, 1, 0], colormaps["viridis"](1.0)[:3], atol=1e-6)


@pytest.mark.parametrize("kwargs,message", [
    ({"method": "dwt"}, "method must be one of"),
    ({"wavelet": "db4"}, "not a PyWavelets continuous wavelet"),
    ({"fmax": 9000.0}, "fmax < analysis rate"),
    ({"analysis_sr": 8000}, "fmax < analysis rate"),
    ({"analysis_sr": 6000, "fmax": 2000.0, "hop_length": 100}, "not a whole number of samples"),
    ({"normalisation": "l1"}, "normalisation must be one of"),
])
def test_bad_configuration_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WaveletConfig(**kwargs)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="differs from WaveletConfig.sample_rate"):
        wavelet.wavelet_scalogram(np.ones(100, np.float32), 8000)
    with pytest.raises(ValueError, match="NaN or inf"):
        wavelet.cwt(np.array([0.0, np.nan, 1.0]), [2.0])
    with pytest.raises(ValueError, match="positive"):
        wavelet.cwt(np.ones(10), [0.0, 2.0])


@pytest.mark.standin
def test_extract_scalogram_on_standin_uses_cache(tmp_path):
    root = settings.standin_root("emodb")
    if root is None:
        pytest.skip("EmoDB stand-in not present")
    paths = sorted((root / "wav").glob("*.flac"))[:2]
    config = WaveletConfig()
    first = wavelet.extract_scalogram(paths, config, root=tmp_path)
    again = wavelet.extract_scalogram(paths, config, root=tmp_path)
    assert first[0].shape == (64, 200)  # 2.0 s at 10 ms
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert len(list(tmp_path.rglob("*.npy"))) == 2
