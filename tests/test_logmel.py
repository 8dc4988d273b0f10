"""Log-Mel front ends (serlib.features.logmel): configs, librosa/torch agreement, shapes, cache."""
from __future__ import annotations

import dataclasses

import librosa
import numpy as np
import pytest
import torch

from serlib import settings
from serlib.audio import AudioError, save_audio
from serlib.features import logmel as L
from serlib.features.preprocessing import fla_ser_logmel


def chirp_with_noise(seconds: float, sr: int, seed: int) -> np.ndarray:
    """A rising chirp plus noise, 0.1 s of silence at both ends: energy in every band, some quiet frames."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    signal = 0.3 * np.sin(2 * np.pi * (100 + 1500 * t) * t) + 0.01 * rng.normal(size=t.size)
    quiet = int(0.1 * sr)
    signal[:quiet] *= 1e-3
    signal[-quiet:] *= 1e-3
    return signal.astype(np.float32)


@pytest.fixture(scope="module")
def wav_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audio")
    lengths = [1.2, 2.6, 3.7, 2.0, 0.9]
    return [str(save_audio(folder / f"clip{i}.wav", chirp_with_noise(s, 16000, i), 16000))
            for i, s in enumerate(lengths)]


# --------------------------------------------------------------------------- configurations
def test_configs_are_named_frozen_and_as_the_papers_say():
    assert set(L.LOGMEL_CONFIGS) == {"course", "cnn_transformer", "dual_stream_caf", "fla_ser"}
    for name, config in L.LOGMEL_CONFIGS.items():
        assert config.name == name and config.source
        with pytest.raises(dataclasses.FrozenInstanceError):
            config.n_mels = 1
    paper2 = L.LOGMEL_CONFIGS["cnn_transformer"]
    assert (paper2.sample_rate, paper2.n_fft, paper2.win_length, paper2.hop_length, paper2.n_mels) == (
        48000, 1024, 512, 256, 128)
    assert (paper2.offset_s, paper2.duration_s) == (0.5, 3.0)
    paper4 = L.LOGMEL_CONFIGS["dual_stream_caf"]
    assert (paper4.window, paper4.n_fft, paper4.hop_length, paper4.resize) == ("hann", 2048, 512, (224, 224))
    paper0 = L.LOGMEL_CONFIGS["fla_ser"]
    assert (paper0.preemphasis, paper0.win_length, paper0.hop_length, paper0.window, paper0.window_periodic) == (
        0.9375, 480, 160, "hamming", False)


@pytest.mark.parametrize("name,samples,expected", [
    ("cnn_transformer", None, (128, 563)),  # 3 s at 48 kHz, hop 256, centred: 1 + 144000 // 256
    ("course", None, (64, 201)),
    ("fla_ser", None, (64, 198)),  # 1 + (32000 - 480) // 160, Eq. 3 framing without padding
    ("dual_stream_caf", 12345, (224, 224)),
])
def test_output_shapes_follow_the_framing_formulas(name, samples, expected):
    config = L.LOGMEL_CONFIGS[name]
    assert config.output_shape(samples) == expected
    n = samples or config.num_samples
    signal = chirp_with_noise(n / config.sample_rate, config.sample_rate, 0)
    assert L.logmel_librosa(signal, config).shape == expected
    assert tuple(L.logmel_torch(signal[None], config, device="cpu").shape) == (1, *expected)


def test_bad_configs_name_the_field():
    with pytest.raises(ValueError, match="win_length"):
        L.LogMelConfig(name="bad", sample_rate=16000, n_fft=256, win_length=400, hop_length=160, n_mels=40)
    with pytest.raises(ValueError, match="window"):
        L.LogMelConfig(name="bad", sample_rate=16000, n_fft=512, win_length=400, hop_length=160, n_mels=40,
                       window="kaiser")
    with pytest.raises(ValueError, match="nope"):
        L.get_config("nope")


# --------------------------------------------------------------------------- backends agree
@pytest.mark.parametrize("name", sorted(L.LOGMEL_CONFIGS))
def test_librosa_and_torch_agree(name):
    config = L.LOGMEL_CONFIGS[name]
    n = config.num_samples or 2 * config.sample_rate
    batch = np.stack([chirp_with_noise(n / config.sample_rate, config.sample_rate, seed) for seed in range(3)])
    reference64 = np.stack([L.logmel_librosa(x.astype(np.float64), config) for x in batch])
    torch64 = L.logmel_torch(torch.from_numpy(batch).double(), config, device="cpu").numpy()
    # Same filters, same window, float64 arithmetic: only FFT rounding is left.
    assert np.max(np.abs(reference64 - torch64)) < 1e-5
    reference32 = np.stack([L.logmel_librosa(x, config) for x in batch])
    torch32 = L.logmel_torch(batch, config, device="cpu").numpy()
    # float32 FFTs differ by ~1e-7 of the frame's loudest bin; bands 80-100 dB below it feel that.
    assert np.max(np.abs(reference32 - torch32)) < 5e-3
    assert np.quantile(np.abs(reference32 - torch32), 0.99) < 1e-3


def test_torchaudio_own_filter_bank_is_close_to_librosa():
    import torchaudio

    for name in ("course", "cnn_transformer", "fla_ser"):
        config = L.LOGMEL_CONFIGS[name]
        own = torchaudio.functional.melscale_fbanks(config.n_fft // 2 + 1, config.fmin, config.sample_rate / 2,
                                                    config.n_mels, config.sample_rate, config.mel_norm,
                                                    config.mel_scale).numpy().T
        reference = L.mel_filters(config)
        assert np.max(np.abs(own - reference)) < 1e-5 * reference.max()


def test_fla_ser_config_reproduces_the_hand_made_chain():
    config = L.LOGMEL_CONFIGS["fla_ser"]
    signal = chirp_with_noise(2.0, 16000, 4).astype(np.float64)
    hand = fla_ser_logmel(signal, 16000)
    np.testing.assert_allclose(L.logmel_librosa(signal, config), hand, atol=1e-6)
    np.testing.assert_allclose(L.logmel_torch(torch.from_numpy(signal)[None], config)[0].numpy(), hand, atol=1e-5)


def test_logmel_matches_plain_librosa_call_for_course_config():
    config = L.LOGMEL_CONFIGS["course"]
    signal = chirp_with_noise(2.0, 16000, 5)
    reference = librosa.power_to_db(librosa.feature.melspectrogram(
        y=signal, sr=16000, n_fft=512, hop_length=160, win_length=400, n_mels=64), ref=1.0, top_db=None)
    np.testing.assert_allclose(L.logmel_librosa(signal, config), reference, atol=1e-4)


def test_torch_batch_items_are_independent():
    config = L.LOGMEL_CONFIGS["course"]
    a, b = chirp_with_noise(2.0, 16000, 1), 0.01 * chirp_with_noise(2.0, 16000, 2)
    together = L.logmel_torch(np.stack([a, b]), config, device="cpu")
    alone = L.logmel_torch(b[None], config, device="cpu")
    torch.testing.assert_close(together[1:], alone, atol=1e-4, rtol=0)


def test_resize_is_bilinear_interpolate():
    image = torch.arange(12.0).reshape(1, 3, 4)
    resized = L.resize_spectrogram(image, (6, 8))
    expected = torch.nn.functional.interpolate(image[None], size=(6, 8), mode="bilinear", align_corners=False)[0]
    torch.testing.assert_close(resized, expected)
    assert resized.shape == (1, 6, 8)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_torch_backend_on_cuda_matches_cpu():
    config = L.LOGMEL_CONFIGS["cnn_transformer"]
    batch = np.stack([chirp_with_noise(3.0, 48000, s) for s in range(2)])
    cpu = L.logmel_torch(batch, config, device="cpu")
    gpu = L.logmel_torch(batch, config, device="cuda").cpu()
    assert torch.quantile((cpu - gpu).abs().flatten(), 0.99) < 1e-3


# --------------------------------------------------------------------------- loading
def test_load_for_config_resamples_offsets_and_pads(wav_files):
    paper2 = L.LOGMEL_CONFIGS["cnn_transformer"]
    short = L.load_for_config(wav_files[0], paper2)  # 1.2 s file: 0.7 s of audio after the offset
    assert short.shape == (paper2.num_samples,)
    assert np.all(short[int(0.75 * 48000):] == 0) and np.any(short[:int(0.6 * 48000)] != 0)
    long = L.load_for_config(wav_files[2], paper2)  # 3.7 s file: cut to 3 s
    assert long.shape == (144000,)
    free = L.load_for_config(wav_files[1], L.LOGMEL_CONFIGS["dual_stream_caf"])
    assert free.shape == (int(2.6 * 16000),)


def test_load_for_config_errors_name_the_file(tmp_path):
    with pytest.raises(AudioError, match="does not exist"):
        L.load_for_config(tmp_path / "missing.wav", "course")


# --------------------------------------------------------------------------- extraction and cache
@pytest.mark.parametrize("backend", L.BACKENDS)
def test_extract_logmel_caches_and_counts_hits(wav_files, tmp_path, backend):
    config = L.LOGMEL_CONFIGS["course"]
    first, stats = L.extract_logmel(wav_files, config, backend=backend, batch_size=2, device="cpu",
                                    cache_root=tmp_path, return_stats=True)
    assert first.shape == (len(wav_files), 64, 201) and first.dtype == np.float32
    assert stats == {"hits": 0, "computed": len(wav_files)}
    second, stats = L.extract_logmel(wav_files, config, backend=backend, device="cpu", cache_root=tmp_path,
                                     return_stats=True)
    assert stats == {"hits": len(wav_files), "computed": 0}
    np.testing.assert_array_equal(first, second)
    uncached = L.extract_logmel(wav_files, config, backend=backend, device="cpu", use_cache=False)
    np.testing.assert_array_equal(first, uncached)


def test_cache_key_changes_with_config_and_backend(wav_files, tmp_path):
    config = L.LOGMEL_CONFIGS["course"]
    L.extract_logmel(wav_files[:2], config, cache_root=tmp_path)
    changed = config.replace(n_mels=40)
    values, stats = L.extract_logmel(wav_files[:2], changed, cache_root=tmp_path, return_stats=True)
    assert stats["hits"] == 0 and values.shape[1] == 40
    _, stats = L.extract_logmel(wav_files[:2], config, backend="torch", device="cpu", cache_root=tmp_path,
                                return_stats=True)
    assert stats["hits"] == 0
    folders = {L.logmel_cache(c, b, tmp_path).folder for c in (config, changed) for b in L.BACKENDS}
    assert len(folders) == 4


def test_extract_free_duration_resized_mixes_lengths_in_torch_batches(wav_files, tmp_path):
    config = L.LOGMEL_CONFIGS["dual_stream_caf"]
    by_torch = L.extract_logmel(wav_files, config, backend="torch", batch_size=8, device="cpu", use_cache=False)
    by_librosa = L.extract_logmel(wav_files, config, backend="librosa", use_cache=False)
    assert by_torch.shape == by_librosa.shape == (len(wav_files), 224, 224)
    assert np.quantile(np.abs(by_torch - by_librosa), 0.99) < 1e-3


def test_extract_logmel_rejects_bad_arguments(wav_files):
    with pytest.raises(ValueError, match="backend"):
        L.extract_logmel(wav_files, "course", backend="sox")
    with pytest.raises(ValueError, match="empty"):
        L.extract_logmel([], "course")
    free = L.LOGMEL_CONFIGS["course"].replace(duration_s=None)
    with pytest.raises(ValueError, match="cannot be stacked"):
        L.extract_logmel(wav_files, free)


# --------------------------------------------------------------------------- standardizer
def test_standardizer_matches_sklearn_standard_scaler():
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    train = rng.normal(-40, 12, size=(10, 8, 30))
    train[:, 3] = -100.0  # a constant band: left unscaled, as StandardScaler does
    test = rng.normal(-40, 12, size=(4, 8, 30))
    mean, std = L.fit_standardizer(train)
    scaler = StandardScaler().fit(np.moveaxis(train, 1, -1).reshape(-1, 8))
    np.testing.assert_allclose(mean, scaler.mean_)
    np.testing.assert_allclose(std, scaler.scale_)
    expected = np.moveaxis(scaler.transform(np.moveaxis(test, 1, -1).reshape(-1, 8)).reshape(4, 30, 8), -1, 1)
    np.testing.assert_allclose(L.apply_standardizer(test, mean, std), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(L.apply_standardizer(test[0], mean, std), expected[0], rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="do not match"):
        L.apply_standardizer(test[:, :5], mean, std)


@pytest.mark.standin
def test_standin_ravdess_through_cnn_transformer_front_end(tmp_path):
    root = settings.standin_root("ravdess")
    if root is None:
        pytest.skip("RAVDESS stand-in not found")
    paths = sorted(root.glob("Actor_02/*.flac"))[:3]
    features = L.extract_logmel(paths, "cnn_transformer", backend="torch", device="cpu", cache_root=tmp_path)
    assert features.shape == (3, 128, 563)
    # 2.389 s clips from a 0.5 s offset: the last ~1.1 s of the 3 s window is zero padding (-100 dB).
    assert np.all(features[:, :, -150:] == np.float32(-100.0))
    # Resampled from 16 kHz: the bands above 8 kHz hold (almost) nothing.
    high = L.mel_filters("cnn_transformer").argmax(axis=1) * 48000 / 1024 > 8500
    assert features[:, high, :300].mean() < features[:, ~high, :300].mean() - 30
