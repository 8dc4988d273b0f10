"""fla_ser Eqs. 1-9 (serlib.features.preprocessing) against librosa, SciPy and NumPy references."""
from __future__ import annotations

import librosa
import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings as hsettings, strategies as st
from hypothesis.extra.numpy import arrays

from serlib import settings
from serlib.features import preprocessing as P

SR = 16000
finite_signals = arrays(np.float64, st.integers(2, 400),
                        elements=st.floats(-1, 1, allow_nan=False, allow_infinity=False))


def noise(n, seed=0, scale=1.0):
    return np.random.default_rng(seed).normal(0, scale, n)


# --------------------------------------------------------------------------- Eq. 1
def test_preemphasis_matches_librosa_with_zero_initial_state():
    x = noise(4000)
    ours = P.preemphasis(x, 0.9375)
    np.testing.assert_allclose(ours, librosa.effects.preemphasis(x, coef=0.9375, zi=[0.0]), rtol=0, atol=1e-12)
    # librosa's default initial state (2 x[0] - x[1]) changes only the first sample.
    default = librosa.effects.preemphasis(x, coef=0.9375)
    np.testing.assert_allclose(ours[1:], default[1:], rtol=0, atol=1e-12)
    assert ours[0] == x[0] != default[0]


def test_preemphasis_transfer_function_is_one_minus_mu_z():
    mu = 0.9375
    _, response = scipy.signal.freqz([1, -mu], worN=[0, np.pi])
    impulse = np.zeros(64)
    impulse[0] = 1.0
    spectrum = np.fft.rfft(P.preemphasis(impulse, mu))
    np.testing.assert_allclose([spectrum[0], spectrum[-1]], response, atol=1e-12)
    assert abs(response[0]) == pytest.approx(1 - mu) and abs(response[1]) == pytest.approx(1 + mu)


@given(finite_signals, st.floats(0, 0.99))
def test_preemphasis_is_inverted_by_the_all_pole_filter(x, mu):
    restored = scipy.signal.lfilter([1.0], [1.0, -mu], P.preemphasis(x, mu))
    np.testing.assert_allclose(restored, x, atol=1e-9)


def test_preemphasis_rejects_bad_input():
    with pytest.raises(ValueError, match="mu"):
        P.preemphasis(np.ones(10), 1.0)
    with pytest.raises(ValueError, match="1-D"):
        P.preemphasis(np.ones((2, 10)))
    with pytest.raises(ValueError, match="NaN"):
        P.preemphasis(np.array([0.0, np.nan]))


# --------------------------------------------------------------------------- Eq. 2
@pytest.mark.parametrize("length", [1, 2, 7, 480, 512])
def test_hamming_window_symmetric_and_periodic_match_scipy(length):
    np.testing.assert_allclose(P.hamming_window(length),
                               scipy.signal.get_window("hamming", length, fftbins=False), atol=1e-15)
    np.testing.assert_allclose(P.hamming_window(length, periodic=True),
                               scipy.signal.get_window("hamming", length, fftbins=True), atol=1e-15)


def test_symmetric_hamming_is_the_papers_formula_and_differs_from_periodic():
    window = P.hamming_window(480)
    np.testing.assert_allclose(window, window[::-1], atol=1e-15)
    assert window[0] == pytest.approx(0.08) and window[-1] == pytest.approx(0.08)
    assert np.max(np.abs(window - P.hamming_window(480, periodic=True))) > 1e-3
    np.testing.assert_allclose(window, np.hamming(480), atol=1e-15)


# --------------------------------------------------------------------------- Eq. 3
def test_frame_parameters_30_10_ms():
    assert P.frame_parameters(16000) == (480, 160)
    assert P.frame_parameters(48000) == (1440, 480)
    with pytest.raises(ValueError, match="sample rate"):
        P.frame_parameters(0)


@pytest.mark.parametrize("n,frame,hop", [(1000, 480, 160), (480, 480, 160), (2000, 400, 100), (999, 10, 7)])
def test_frame_signal_matches_librosa_util_frame(n, frame, hop):
    x = noise(n)
    np.testing.assert_array_equal(P.frame_signal(x, frame, hop), librosa.util.frame(x, frame_length=frame,
                                                                                     hop_length=hop).T)


def test_frame_signal_rejects_short_signal():
    with pytest.raises(ValueError, match="fewer than one frame"):
        P.frame_signal(np.ones(100), 480, 160)


# --------------------------------------------------------------------------- Eqs. 4-5
def test_short_time_energy_matches_numpy_einsum():
    frames = P.frame_signal(noise(3000), 480, 160)
    window = np.hamming(480)
    np.testing.assert_allclose(P.short_time_energy(frames), np.einsum("ij,ij->i", frames * window, frames * window),
                               rtol=1e-12)
    np.testing.assert_allclose(P.short_time_energy(frames, np.ones(480)), np.sum(frames ** 2, axis=1), rtol=1e-12)


def test_zero_crossing_count_matches_librosa_rate_times_frame_length():
    x = noise(5000, seed=3)
    frames = P.frame_signal(x, 480, 160)
    rate = librosa.feature.zero_crossing_rate(x, frame_length=480, hop_length=160, center=False)[0]
    np.testing.assert_allclose(P.zero_crossing_rate(frames), rate * 480, atol=1e-9)


def test_zero_crossing_counts_of_known_signals():
    frames = np.array([[1.0, -1.0, 1.0, -1.0], [1.0, 0.0, -1.0, -2.0], [0.5, 0.01, -0.01, 0.5]])
    np.testing.assert_array_equal(P.zero_crossing_rate(frames), [3.0, 1.0, 2.0])
    # Samples inside the amplitude threshold count as zero: the wiggle's two crossings become
    # two half crossings (+1 -> 0 -> +1), as Eq. 5 with sgn(0) = 0 counts them.
    np.testing.assert_array_equal(P.zero_crossing_rate(frames, amplitude_threshold=0.1), [3.0, 1.0, 1.0])
    t = np.arange(SR) / SR
    tone = np.sin(2 * np.pi * 440 * t + 0.1)  # zeros where the phase passes k pi
    assert P.zero_crossing_rate(tone[None])[0] == np.floor((2 * np.pi * 440 * t[-1] + 0.1) / np.pi)


@given(arrays(np.float64, (3, 50), elements=st.floats(-1, 1, allow_nan=False)))
def test_zero_crossings_bounded_by_frame_length(frames):
    counts = P.zero_crossing_rate(frames)
    assert np.all((counts >= 0) & (counts <= frames.shape[1] - 1))


# --------------------------------------------------------------------------- Eq. 6
def test_double_threshold_decision_keeps_state_between_thresholds():
    energy = np.array([0.0, 5.0, 2.0, 2.0, 0.1, 2.0, 5.0])
    zcr = np.zeros(7)
    states = P.double_threshold_decision(energy, zcr, energy_high=4.0, energy_low=1.0, zcr_threshold=0.5)
    np.testing.assert_array_equal(states, [0, 1, 1, 1, 0, 0, 1])
    # High ZCR keeps a quiet frame from being called silence.
    zcr[4] = 0.9
    states = P.double_threshold_decision(energy, zcr, energy_high=4.0, energy_low=1.0, zcr_threshold=0.5)
    np.testing.assert_array_equal(states, [0, 1, 1, 1, 1, 1, 1])


def test_papers_literal_rule_misses_low_zcr_speech():
    energy, zcr = np.array([0.0, 5.0, 5.0]), np.array([0.0, 0.1, 0.1])
    literal = P.double_threshold_decision(energy, zcr, 4.0, 1.0, 0.5, speech_rule="energy_and_zcr")
    default = P.double_threshold_decision(energy, zcr, 4.0, 1.0, 0.5)
    np.testing.assert_array_equal(literal, [0, 0, 0])
    np.testing.assert_array_equal(default, [0, 1, 1])
    with pytest.raises(ValueError, match="energy_low"):
        P.double_threshold_decision(energy, zcr, 1.0, 4.0, 0.5)


def tone_bursts(bounds_s, seconds=2.5, seed=0, noise_level=1e-3, frequency=440.0):
    """Tone bursts (with 2 ms raised-cosine edges) in white noise; returns signal and true boundaries."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, noise_level, int(seconds * SR))
    for k, (start, end) in enumerate(bounds_s):
        a, b = int(start * SR), int(end * SR)
        n = np.arange(b - a)
        burst = 0.5 * (0.5 + 0.5 * k) * np.sin(2 * np.pi * frequency * (1 + 0.5 * k) * n / SR)
        ramp = int(0.002 * SR)
        edge = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
        burst[:ramp] *= edge
        burst[-ramp:] *= edge[::-1]
        x[a:b] += burst
    return x


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_endpoint_detector_finds_tone_bursts_within_30_ms(seed):
    rng = np.random.default_rng(seed)
    bounds = []
    cursor = 0.1
    for _ in range(3):
        start = cursor + rng.uniform(0.15, 0.3)
        end = start + rng.uniform(0.2, 0.4)
        bounds.append((start, end))
        cursor = end
    x = tone_bursts(bounds, seconds=cursor + 0.3, seed=seed)
    detection = P.detect_endpoints(x, SR)
    assert len(detection.segments) == len(bounds)
    errors_ms = [1000 * abs(value) for seg, (a, b) in zip(detection.segments, bounds)
                 for value in (seg.start_s - a, seg.end_s - b)]
    assert max(errors_ms) < 30, errors_ms
    mask = detection.speech_samples(x.size)
    assert mask.sum() / SR == pytest.approx(sum(b - a for a, b in bounds), abs=0.1)


def test_endpoint_detector_drops_clicks_and_bridges_short_gaps():
    x = tone_bursts([(0.2, 0.23), (0.6, 0.9), (0.94, 1.2)], seconds=1.6)
    detection = P.detect_endpoints(x, SR, min_speech_ms=100, max_silence_ms=80)
    assert len(detection.segments) == 1  # the 30 ms click is dropped, the 40 ms gap bridged
    segment = detection.segments[0]
    assert abs(segment.start_s - 0.6) < 0.03 and abs(segment.end_s - 1.2) < 0.03
    split = P.detect_endpoints(x, SR, min_speech_ms=10, max_silence_ms=0)
    assert len(split.segments) == 3


def test_endpoint_detector_is_level_independent_and_rejects_zeros():
    x = tone_bursts([(0.3, 0.8)], seconds=1.2)
    loud = P.detect_endpoints(x, SR).segments
    quiet = P.detect_endpoints(x * 1e-3, SR).segments
    assert [(s.start_sample, s.end_sample) for s in loud] == [(s.start_sample, s.end_sample) for s in quiet]
    with pytest.raises(ValueError, match="all zeros"):
        P.detect_endpoints(np.zeros(SR), SR)


# --------------------------------------------------------------------------- FFT, Eqs. 7-8
def test_power_spectrum_matches_librosa_stft_of_windowed_frames():
    x = noise(4000, seed=4)
    frames = P.frame_signal(x, 512, 160) * np.hanning(512)
    reference = np.abs(librosa.stft(x, n_fft=512, hop_length=160, window=np.hanning(512), center=False)) ** 2
    np.testing.assert_allclose(P.power_spectrum(frames, 512), reference.T, rtol=1e-5, atol=1e-8)


@given(arrays(np.float64, (2, 64), elements=st.floats(-1, 1, allow_nan=False)))
def test_power_spectrum_obeys_parseval(frames):
    power = P.power_spectrum(frames, 64)
    full = power[:, 0] + power[:, -1] + 2 * power[:, 1:-1].sum(axis=1)  # one-sided -> two-sided
    np.testing.assert_allclose(full, 64 * np.sum(frames ** 2, axis=1), rtol=1e-9, atol=1e-9)


def test_hz_to_mel_matches_librosa_htk_and_round_trips():
    frequencies = np.linspace(0, 24000, 97)
    np.testing.assert_allclose(P.hz_to_mel(frequencies), librosa.hz_to_mel(frequencies, htk=True), rtol=1e-12)
    np.testing.assert_allclose(P.mel_to_hz(P.hz_to_mel(frequencies)), frequencies, atol=1e-9)
    assert P.hz_to_mel(1000.0) == pytest.approx(1000.0, abs=0.1)  # the scale's anchor: 1 kHz ~ 1000 mel


@pytest.mark.parametrize("sr,n_fft,n_mels,fmin,fmax", [(16000, 512, 64, 0.0, None), (16000, 512, 40, 50.0, 7600.0),
                                                      (48000, 1024, 128, 0.0, None)])
@pytest.mark.parametrize("area", [False, True])
def test_mel_filter_bank_matches_librosa_htk(sr, n_fft, n_mels, fmin, fmax, area):
    ours = P.mel_filter_bank(sr, n_fft, n_mels, fmin, fmax, area_normalise=area)
    reference = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=True,
                                    norm="slaney" if area else None, dtype=np.float64)
    np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)


def test_mel_spectrum_matches_librosa_melspectrogram():
    x = noise(8000, seed=5)
    frames = P.frame_signal(x, 512, 160) * np.hanning(512)
    ours = P.mel_spectrum(P.power_spectrum(frames, 512), P.mel_filter_bank(SR, 512, 40))
    reference = librosa.feature.melspectrogram(y=x, sr=SR, n_fft=512, hop_length=160, window=np.hanning(512),
                                               center=False, n_mels=40, htk=True, norm=None)
    np.testing.assert_allclose(ours, reference.T, rtol=1e-6)
    with pytest.raises(ValueError, match="does not match"):
        P.mel_spectrum(np.ones((3, 100)), P.mel_filter_bank(SR, 512, 40))


def test_log_mel_matches_librosa_power_to_db():
    values = np.array([0.0, 1e-12, 1e-3, 1.0, 250.0])
    np.testing.assert_allclose(P.log_mel(values), librosa.power_to_db(values, ref=1.0, amin=1e-10, top_db=None))


def test_fla_ser_logmel_chain_matches_librosa_with_same_settings():
    x = noise(SR, seed=6, scale=0.1)
    ours = P.fla_ser_logmel(x, SR)
    emphasised = librosa.effects.preemphasis(x, coef=0.9375, zi=[0.0])
    # librosa centres the 480-sample window in the 512-point frame: pad 16 samples so frames start at n * hop.
    reference = librosa.power_to_db(librosa.feature.melspectrogram(
        y=np.pad(emphasised, 16), sr=SR, n_fft=512, hop_length=160, win_length=480,
        window=scipy.signal.get_window("hamming", 480, fftbins=False), center=False, n_mels=64, htk=True,
        norm=None), ref=1.0, amin=1e-10, top_db=None)
    assert ours.shape == reference.shape == (64, 1 + (SR - 480) // 160)
    np.testing.assert_allclose(ours, reference, atol=1e-6)


def test_fla_ser_logmel_remove_silence_keeps_only_speech_frames():
    x = tone_bursts([(0.5, 1.0)], seconds=1.5)
    full = P.fla_ser_logmel(x, SR)
    trimmed = P.fla_ser_logmel(x, SR, remove_silence=True)
    assert full.shape[0] == trimmed.shape[0] == 64
    assert 45 <= trimmed.shape[1] <= 55  # 0.5 s of speech at a 10 ms shift, within the boundary error
    assert trimmed.mean() > full.mean()


# --------------------------------------------------------------------------- Eq. 9
def test_session_normalize_matches_per_group_standard_scaler():
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(7)
    features = rng.normal(size=(12, 5, 30)) * rng.uniform(1, 4, (1, 5, 1)) + rng.normal(0, 3, (12, 1, 1))
    groups = np.repeat(["a", "b", "c"], 4)
    normalised = P.session_normalize(features, groups)
    for group in "abc":
        member = features[groups == group]
        pooled = np.moveaxis(member, 1, -1).reshape(-1, 5)
        expected = StandardScaler().fit_transform(pooled)
        got = np.moveaxis(normalised[groups == group], 1, -1).reshape(-1, 5)
        np.testing.assert_allclose(got, expected, atol=1e-6)


@hsettings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(2, 6), st.integers(0, 2**31 - 1))
def test_session_normalize_gives_zero_mean_unit_std_per_group(n_groups, n_features, seed):
    rng = np.random.default_rng(seed)
    features = rng.normal(rng.normal(0, 10), rng.uniform(0.1, 5), size=(3 * n_groups, n_features))
    groups = np.arange(3 * n_groups) % n_groups
    normalised = P.session_normalize(features, groups)
    for group in range(n_groups):
        member = normalised[groups == group]
        raw_std = features[groups == group].std(axis=0)
        np.testing.assert_allclose(member.mean(axis=0), 0, atol=1e-7)
        # delta keeps the spread just under 1: sigma / (sigma + delta)
        np.testing.assert_allclose(member.std(axis=0), raw_std / (raw_std + P.FLA_SER_DELTA), rtol=1e-9)


def test_session_stats_apply_to_new_items_and_name_missing_groups():
    features = np.arange(12, dtype=float).reshape(6, 2)
    groups = np.array([0, 0, 0, 1, 1, 1])
    stats = P.fit_session_stats(features, groups)
    np.testing.assert_allclose(stats[0][0], [2.0, 3.0])
    np.testing.assert_allclose(P.apply_session_stats(features[:1], [0], stats), [[-2 / (np.std([0, 2, 4]) + 1e-8)] * 2])
    with pytest.raises(KeyError, match="'z'"):
        P.apply_session_stats(features[:1], ["z"], stats)
    with pytest.raises(ValueError, match="one id per item"):
        P.session_normalize(features, groups[:3])


def test_constant_band_stays_finite_thanks_to_delta():
    features = np.ones((4, 3))
    assert np.all(np.isfinite(P.session_normalize(features, [0, 0, 1, 1])))


# --------------------------------------------------------------------------- real speech
@pytest.mark.standin
def test_endpoint_detector_on_ravdess_standin_speech():
    root = settings.standin_root("ravdess")
    if root is None:
        pytest.skip("RAVDESS stand-in not found")
    from serlib.audio import load_audio

    path = sorted(root.glob("Actor_03/*.flac"))[0]
    signal, sr = load_audio(path)
    detection = P.detect_endpoints(signal, sr)
    assert detection.segments, f"no speech found in {path}"
    # RAVDESS clips start with about half a second of silence before the actor speaks.
    assert detection.segments[0].start_s > 0.2
    speech = detection.speech_samples(signal.size)
    assert np.mean(signal[speech] ** 2) > 100 * np.mean(signal[~speech] ** 2)


def test_endpoint_detector_on_synthetic_speech_with_known_segments():
    synthetic = pytest.importorskip("serlib.data.synthetic")
    config = synthetic.SyntheticConfig()
    errors_ms = []
    # Statement 1 starts with an unvoiced /k/: its onset in the metadata is where sound starts.
    # (Statement 2 starts with /d/, whose voice bar sounds before the burst the metadata marks.)
    for speaker, emotion in [(s, e) for s in (1, 2, 5, 6) for e in ("neutral", "happy", "angry", "sad")]:
        signal, segments, _ = synthetic.synthesize_utterance(emotion, "normal", 1, 1, speaker, config)
        found = P.detect_endpoints(signal, config.sr).segments
        assert found, f"no speech found in synthetic {emotion} speaker {speaker}"
        errors_ms += [1000 * abs(found[0].start_s - segments[0][0]), 1000 * abs(found[-1].end_s - segments[-1][1])]
    assert np.median(errors_ms) < 20, errors_ms
    assert np.mean(np.array(errors_ms) < 30) >= 0.8, errors_ms
