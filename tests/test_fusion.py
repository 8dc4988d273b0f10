"""SpeechNet fusion features (speechnet Eqs. 16-25): each part against librosa/scipy or hand values."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

import librosa
import scipy.fft

from serlib import settings
from serlib.features import fusion
from serlib.features.fusion import FusionConfig

SR = 16000
CONFIG = FusionConfig()


def tone(f0: float, seconds: float = 0.5, harmonics=(1.0,), sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return sum(a * np.sin(2 * np.pi * (k + 1) * f0 * t) for k, a in enumerate(harmonics)).astype(np.float32)


@pytest.fixture(scope="module")
def noisy_speechlike():
    rng = np.random.default_rng(0)
    signal = tone(180.0, 0.6, harmonics=(0.6, 0.3, 0.2, 0.1)) + 0.05 * rng.standard_normal(int(0.6 * SR))
    return signal.astype(np.float32)


# --------------------------------------------------------------------------- composition
def test_default_composition_is_exactly_107():
    assert fusion.fusion_dimension() == fusion.PAPER_DIMENSION == 107
    assert sum(d for _, d, _ in fusion.FUSION_COMPOSITION) == 107
    assert len(fusion.fusion_column_names()) == 107
    assert fusion.check_fusion_dimension(CONFIG) == 107


def test_dimension_follows_configuration_and_check_reports_it():
    small = FusionConfig(n_mfcc=13, mfcc_delta_orders=1, pitch_delta=False, include_rms=False)
    assert fusion.fusion_dimension(small) == 13 * 2 + 1 + 12 + 7 + 1 + 1 + 1 + 6 + 1
    with pytest.raises(ValueError, match="fusion features have 56 dimensions, expected 107"):
        fusion.check_fusion_dimension(small)


@pytest.mark.parametrize("field,value,message", [
    ("n_mfcc", 0, "n_mfcc must be a positive integer"),
    ("mfcc_delta_orders", 3, "mfcc_delta_orders must be 0, 1 or 2"),
    ("pitch_method", "crepe", "pitch_method must be one of"),
    ("tonnetz_chroma", "hpcp", "tonnetz_chroma must be one of"),
    ("rolloff_percent", 1.5, "rolloff_percent must lie in"),
    ("pitch_fmin", 20.0, "does not fit twice in n_fft"),
])
def test_bad_configuration_raises_naming_the_field(field, value, message):
    with pytest.raises(ValueError, match=message):
        FusionConfig(**{field: value})


def test_fusion_features_shape_and_order(noisy_speechlike):
    features = fusion.fusion_features(noisy_speechlike, SR, CONFIG)
    n_frames = 1 + len(noisy_speechlike) // CONFIG.hop_length
    assert features.shape == (n_frames, 107)
    assert features.dtype == np.float32 and np.all(np.isfinite(features))
    names = fusion.fusion_column_names()
    reference_mfcc = librosa.feature.mfcc(y=noisy_speechlike, sr=SR, n_mfcc=25, n_fft=1024, hop_length=256,
                                          n_mels=40)
    np.testing.assert_allclose(features[:, :25], reference_mfcc.T, rtol=1e-4, atol=1e-3)
    pitch_column = names.index("pitch")
    assert np.median(features[5:-5, pitch_column]) == pytest.approx(180.0, rel=0.02)


def test_fusion_features_rejects_wrong_rate_and_bad_signals():
    with pytest.raises(ValueError, match="differs from FusionConfig.sample_rate"):
        fusion.fusion_features(np.ones(8000, np.float32), 8000, CONFIG)
    with pytest.raises(ValueError, match="1-D mono"):
        fusion.fusion_features(np.ones((2, 8000), np.float32), SR, CONFIG)
    with pytest.raises(ValueError, match="NaN or inf"):
        fusion.fusion_features(np.full(8000, np.nan, np.float32), SR, CONFIG)


def test_fusion_features_deterministic(noisy_speechlike):
    a = fusion.fusion_features(noisy_speechlike, SR, CONFIG)
    b = fusion.fusion_features(noisy_speechlike, SR, CONFIG)
    np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- Eqs. 16-18
def test_eq16_literal_sum_is_scipy_dct_ii():
    log_mel = np.random.default_rng(1).normal(size=(40, 7))
    expected = scipy.fft.dct(log_mel, type=2, axis=0, norm=None)[:25] / 2
    np.testing.assert_allclose(fusion.mfcc_cepstrum(log_mel, 25), expected, atol=1e-10)


def test_librosa_mfcc_is_eq16_with_orthonormal_scaling(noisy_speechlike):
    mel = librosa.feature.melspectrogram(y=noisy_speechlike, sr=SR, n_fft=1024, hop_length=256, n_mels=40)
    log_mel = librosa.power_to_db(mel)
    scaling = np.full((25, 1), np.sqrt(2 / 40))
    scaling[0] = np.sqrt(1 / 40)
    np.testing.assert_allclose(fusion.mfcc(noisy_speechlike, CONFIG), scaling * fusion.mfcc_cepstrum(log_mel, 25),
                               rtol=1e-4, atol=1e-3)


def test_eq17_delta_is_twice_librosa_width3_nearest():
    x = np.random.default_rng(2).normal(size=(5, 30))
    np.testing.assert_allclose(fusion.delta(x), 2 * librosa.feature.delta(x, width=3, order=1, mode="nearest"),
                               atol=1e-10)


def test_eq17_eq18_hand_values():
    x = np.array([[0.0, 1.0, 4.0, 9.0, 16.0]])
    np.testing.assert_allclose(fusion.delta(x), [[1.0, 4.0, 8.0, 12.0, 7.0]])
    np.testing.assert_allclose(fusion.delta_delta(x), [[3.0, 7.0, 8.0, -1.0, -5.0]])


# --------------------------------------------------------------------------- Eq. 19
def test_eq19_zcr_matches_librosa_and_hand_count(noisy_speechlike):
    reference = librosa.feature.zero_crossing_rate(noisy_speechlike, frame_length=1024, hop_length=256, center=True)
    np.testing.assert_allclose(fusion.zero_crossing_rate(noisy_speechlike, CONFIG), reference, atol=1e-12)
    alternating = np.tile([1.0, -1.0], 2048).astype(np.float32)
    middle = fusion.zero_crossing_rate(alternating, CONFIG)[0, 4]
    assert middle == pytest.approx(1023 / 1024)


# --------------------------------------------------------------------------- Eqs. 20-24
def test_eq20_chroma_matches_librosa_and_finds_a440():
    signal = tone(440.0, 1.0)
    magnitude = fusion.magnitude_spectrogram(signal, CONFIG)
    values = fusion.chroma(magnitude, CONFIG)
    reference = librosa.feature.chroma_stft(y=signal, sr=SR, n_fft=1024, hop_length=256)
    np.testing.assert_allclose(values, reference, rtol=1e-4, atol=1e-5)
    assert values.shape[0] == 12
    assert np.argmax(values[:, 10]) == 9  # pitch class A, with C = 0


def test_eq21_contrast_matches_librosa(noisy_speechlike):
    magnitude = fusion.magnitude_spectrogram(noisy_speechlike, CONFIG)
    reference = librosa.feature.spectral_contrast(y=noisy_speechlike, sr=SR, n_fft=1024, hop_length=256,
                                                  n_bands=6, fmin=100.0)
    np.testing.assert_allclose(fusion.spectral_contrast(magnitude, CONFIG), reference, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("ours,theirs", [
    (fusion.spectral_centroid, lambda S: librosa.feature.spectral_centroid(S=S, sr=SR, n_fft=1024)),
    (fusion.spectral_bandwidth, lambda S: librosa.feature.spectral_bandwidth(S=S, sr=SR, n_fft=1024)),
    (fusion.spectral_rolloff, lambda S: librosa.feature.spectral_rolloff(S=S, sr=SR, n_fft=1024, roll_percent=0.85)),
])
def test_eq22_to_24_match_librosa(noisy_speechlike, ours, theirs):
    magnitude = fusion.magnitude_spectrogram(noisy_speechlike, CONFIG).astype(np.float64)
    np.testing.assert_allclose(ours(magnitude, CONFIG), theirs(magnitude), rtol=1e-6, atol=1e-6)


def test_eq22_eq24_hand_values_on_two_bins():
    magnitude = np.zeros((513, 1))
    magnitude[64, 0] = 1.0  # 1000 Hz
    magnitude[128, 0] = 3.0  # 2000 Hz
    assert fusion.spectral_centroid(magnitude, CONFIG)[0, 0] == pytest.approx(1750.0)
    assert fusion.spectral_bandwidth(magnitude, CONFIG)[0, 0] == pytest.approx(np.sqrt(0.25 * 750 ** 2 + 0.75 * 250 ** 2))
    assert fusion.spectral_rolloff(magnitude, CONFIG)[0, 0] == pytest.approx(2000.0)


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 512), st.floats(0.001, 10.0)), min_size=1, max_size=40))
def test_rolloff_always_has_85_percent_below_it(bins):
    magnitude = np.zeros((513, 1))
    for index, value in bins:
        magnitude[index, 0] += value
    rolloff = fusion.spectral_rolloff(magnitude, CONFIG)[0, 0]
    freqs = fusion.fft_frequencies(CONFIG)
    assert magnitude[freqs <= rolloff].sum() >= 0.85 * magnitude.sum() - 1e-9
    assert magnitude[freqs < rolloff].sum() < 0.85 * magnitude.sum() + 1e-9


# --------------------------------------------------------------------------- Eq. 25
def test_eq25_tonnetz_matrix_matches_librosa():
    chroma_values = np.abs(np.random.default_rng(3).normal(size=(12, 9)))
    ours = fusion.tonnetz_matrix() @ (chroma_values / chroma_values.sum(axis=0, keepdims=True))
    np.testing.assert_allclose(ours, librosa.feature.tonnetz(chroma=chroma_values), atol=1e-12)


@pytest.mark.filterwarnings("ignore:n_fft=.* is too large")
def test_eq25_tonnetz_cqt_matches_librosa_default(noisy_speechlike):
    np.testing.assert_allclose(fusion.tonnetz(noisy_speechlike, CONFIG),
                               librosa.feature.tonnetz(y=noisy_speechlike, sr=SR, hop_length=256),
                               rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- pitch and energy
@pytest.mark.parametrize("method", fusion.PITCH_METHODS)
@pytest.mark.parametrize("f0", [70.0, 110.0, 196.0, 261.6, 440.0])
def test_pitch_trackers_within_two_percent_on_tones(method, f0):
    config = FusionConfig(pitch_method=method)
    for harmonics in [(1.0,), (0.5, 0.4, 0.3)]:
        track = fusion.pitch(tone(f0, 0.5, harmonics), config)[0][3:-3]
        assert np.max(np.abs(track / f0 - 1)) < 0.02, (method, f0, harmonics)


def test_pitch_is_zero_in_silence():
    signal = np.concatenate([np.zeros(8000, np.float32), tone(150.0, 0.5)])
    track = fusion.pitch(signal, CONFIG)[0]
    assert np.all(track[:20] == 0)
    assert np.median(track[-15:-3]) == pytest.approx(150.0, rel=0.02)


def test_rms_matches_librosa(noisy_speechlike):
    reference = librosa.feature.rms(y=noisy_speechlike, frame_length=1024, hop_length=256, center=True,
                                    pad_mode="constant")
    np.testing.assert_allclose(fusion.rms_energy(noisy_speechlike, CONFIG), reference, rtol=1e-5)


# --------------------------------------------------------------------------- standardisation and statistics
def test_standardiser_fits_train_only_and_standardises():
    rng = np.random.default_rng(4)
    train = [rng.normal(5.0, 3.0, size=(40, 4)) for _ in range(3)]
    test = rng.normal(50.0, 1.0, size=(10, 4))
    scaler = fusion.FrameStandardiser().fit(train)
    stacked = scaler.transform(np.concatenate(train))
    np.testing.assert_allclose(stacked.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(stacked.std(axis=0), 1, atol=1e-5)
    assert scaler.transform(test).mean() > 10  # test statistics never enter the fit
    with pytest.raises(ValueError, match="fitted on 4 columns"):
        scaler.transform(np.zeros((3, 5)))


def test_utterance_statistics_layout_and_values():
    frames = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])
    out = fusion.utterance_statistics(frames, ("mean", "std", "min", "max", "median"))
    np.testing.assert_allclose(out, [3, 20, np.std([1, 3, 5]), np.std([10, 30, 20]), 1, 10, 5, 30, 3, 20], rtol=1e-6)
    with pytest.raises(ValueError, match="unknown statistics"):
        fusion.utterance_statistics(frames, ("mode",))


# --------------------------------------------------------------------------- corpus files and cache
@pytest.mark.standin
def test_extract_fusion_on_standin_uses_cache(tmp_path):
    root = settings.standin_root("emodb")
    if root is None:
        pytest.skip("EmoDB stand-in not present")
    paths = sorted((root / "wav").glob("*.flac"))[:2]
    first = fusion.extract_fusion(paths, CONFIG, root=tmp_path)
    again = fusion.extract_fusion(paths, CONFIG, root=tmp_path)
    assert all(f.shape[1] == 107 for f in first)
    assert first[0].shape[0] == 1 + 32000 // 256  # 2.0 s clips
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert len(list(tmp_path.rglob("*.npy"))) == 2


# --------------------------------------------------------------------------- the classical baseline on these features
def test_svm_baseline_chooses_c_without_looking_at_the_test_speakers():
    from serlib.data.splits import Split
    from serlib.experiments.baselines import BaselineConfig, evaluate_fold

    rng = np.random.default_rng(5)
    labels = np.repeat(np.array(["angry", "sad", "neutral"]), 40)
    centres = {"angry": 2.0, "sad": -2.0, "neutral": 0.0}
    features = rng.normal(size=(120, 6)) + np.array([centres[label] for label in labels])[:, None]
    order = rng.permutation(120)
    split = Split("toy", "fold1", np.sort(order[:80]), np.sort(order[80:100]), np.sort(order[100:]), True)
    config = BaselineConfig("toy", "loso")
    result = evaluate_fold(features, labels, split, ["angry", "neutral", "sad"], config)
    assert result["C"] in config.c_grid and result["UA"] > 0.8
    scrambled = features.copy()
    scrambled[split.test] = rng.normal(size=(len(split.test), 6)) * 100
    again = evaluate_fold(scrambled, labels, split, ["angry", "neutral", "sad"], config)
    assert (again["C"], again["val_UA"]) == (result["C"], result["val_UA"])
    assert again["UA"] < result["UA"]
